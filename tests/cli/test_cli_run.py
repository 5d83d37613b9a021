"""``orch8-nb run`` in-process: progress, outputs, exit codes, refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orch8_nb.cli.templates import SEQUENCE


def steps(*blocks: dict[str, object], name: str = "t") -> dict[str, object]:
    return {"name": name, "blocks": list(blocks)}


def step(block_id: str, handler: str, **fields: object) -> dict[str, object]:
    return {"type": "step", "id": block_id, "handler": handler, **fields}


def test_completed_run_prints_progress_and_outputs(cli, write_json, project: Path) -> None:
    write_json("seq.json", SEQUENCE)
    result = cli("run", "seq.json", "--input", '{"name": "Ada"}')
    assert result.exit_code == 0, result.output
    out = result.output
    assert "running 'hello' v1 as instance " in out
    assert f"database sqlite:///{(project / 'orch8.db').resolve()}" in out
    assert "  greet: Hello, Ada!" in out  # the log step's message
    for block in ("greet", "shout", "remember"):
        assert f"  {block:<8}  completed" in out
    assert '{"loud": "HELLO, ADA!", "letters": 11}' in out
    assert "completed in " in out
    assert (project / "orch8.db").exists()


def test_json_output_is_parseable_and_progress_goes_to_stderr(cli, write_json) -> None:
    write_json("seq.json", SEQUENCE)
    write_json("in.json", {"name": "Bo"})
    result = cli("run", "seq.json", "--input-file", "in.json", "--json", "--db", "x.db")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["state"] == "completed"
    assert payload["outputs"]["shout"] == {"loud": "HELLO, BO!", "letters": 10}
    assert payload["sequence"]["name"] == "hello"
    assert payload["database"].endswith("/x.db")
    assert "greet: Hello, Bo!" in result.stderr


def test_failed_run_exits_1_with_the_error(cli, write_json) -> None:
    write_json(
        "seq.json",
        steps(step("a", "noop"), step("boom", "fail", params={"message": "card declined"})),
    )
    result = cli("run", "seq.json")
    assert result.exit_code == 1
    assert "  boom  failed     card declined" in result.output
    assert "failed after " in result.output and "at step 'boom'" in result.output
    assert "  error: card declined" in result.output
    assert '"kind": "handler"' in result.output


def test_retries_are_shown(cli, write_json) -> None:
    retry = {"max_attempts": 2, "initial_backoff": 10, "max_backoff": 10}
    params = {"message": "flaky", "retryable": True}
    write_json("seq.json", steps(step("f", "fail", params=params, retry=retry)))
    result = cli("run", "seq.json")
    assert result.exit_code == 1
    assert "  f  retrying   attempt 1 failed: flaky" in result.output


def test_unknown_handler_warns_and_exits_4_naming_it(cli, write_json) -> None:
    write_json("seq.json", steps(step("a", "noop"), step("send", "send_email")))
    result = cli("run", "seq.json", "--json")
    assert result.exit_code == 4
    assert "warning: sequence 't' uses handler 'send_email', which is not registered" in (
        result.stderr
    )
    assert "step 'send' needs handler 'send_email'" in result.stderr
    payload = json.loads(result.stdout)
    assert payload["state"] == "waiting"
    assert payload["waiting_for"] == [{"step": "send", "handler": "send_email"}]


def test_composites_waiting_for_children_are_followed_to_the_end(cli, write_json) -> None:
    body = [step("t", "transform", params={"x": "{{ context.data.item }}"})]
    each = {"type": "for_each", "id": "each", "collection": "context.data.xs",
            "max_parallel": 3, "body": body}  # fmt: skip
    call = {"type": "sub_sequence", "id": "call", "sequence_name": "nowhere"}
    write_json("seq.json", steps(each, call))
    result = cli("run", "seq.json", "--input", '{"xs": [1, 2, 3, 4]}')
    assert result.exit_code == 1, result.output
    out = result.output
    assert "  each  waiting    for its items (child instances)" in out
    assert "  each  completed" in out
    assert "call  failed     sub_sequence 'nowhere': sequence 'nowhere' (any active" in out


def test_timeout_exits_4(cli, write_json) -> None:
    write_json("seq.json", steps(step("nap", "sleep", params={"duration_ms": 800})))
    result = cli("run", "seq.json", "--timeout", "0.1")
    assert result.exit_code == 4
    assert "  nap  running" in result.output
    assert "still running after " in result.output and "(--timeout)" in result.output


def test_features_not_executed_yet_are_refused_before_anything_runs(
    cli, write_json, project
) -> None:
    write_json("seq.json", steps(step("a", "wasm://resize")))
    result = cli("run", "seq.json")
    assert result.exit_code == 2
    assert "error: seq.json: this sequence uses features orch8-nb does not execute yet:" in (
        result.output
    )
    assert "blocks[0].handler ('a'): plugin handlers are not available yet" in result.output
    assert not (project / "orch8.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "{name"], "error: --input:1:2: invalid JSON: Expecting property name"),
        (["--input", "[1]"], "error: --input must be a JSON object, not an array"),
        (["--input", "{}", "--input-file", "x.json"], "give --input or --input-file, not both"),
        (["--input-file", "nope.json"], "error: nope.json: no such file"),
        (["--input", '{"name": 5}'], "error: the input does not fit the sequence (1 problem):"),
        (["--db", "mysql://x"], "unsupported database URL 'mysql://x'"),
        (["--config", "nope.toml"], "error: nope.toml: no such config file"),
        (["--timeout", "-1"], "Invalid value for '--timeout'"),
    ],
)
def test_bad_input_exits_2(cli, write_json, args: list[str], message: str) -> None:
    write_json("seq.json", SEQUENCE)
    result = cli("run", "seq.json", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_input_schema_problem_names_the_path(cli, write_json) -> None:
    write_json("seq.json", SEQUENCE)
    result = cli("run", "seq.json", "--input", '{"name": 5}')
    assert "  context.data.name: does not match the sequence's input_schema" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "error: seq.json: no such file"),
        ("{,", "error: seq.json:1:2: invalid JSON"),
        ('{"name": "x", "blocks": []}', "error: seq.json is not a valid sequence (1 problem):"),
    ],
)
def test_bad_sequence_file_exits_2(cli, project: Path, content: str | None, message: str) -> None:
    if content is not None:
        (project / "seq.json").write_text(content, encoding="utf-8")
    result = cli("run", "seq.json")
    assert result.exit_code == 2
    assert message in result.output


def test_config_in_the_working_directory_is_used(cli, write_json, project: Path) -> None:
    (project / "orch8.toml").write_text(
        '[engine]\ndatabase = "sqlite:///state/flows.db"\n', encoding="utf-8"
    )
    write_json("seq.json", SEQUENCE)
    result = cli("run", "seq.json")
    assert result.exit_code == 0, result.output
    assert (project / "state" / "flows.db").exists()


def test_unknown_config_key_exits_2(cli, write_json, project: Path) -> None:
    (project / "orch8.toml").write_text("[engine]\nbatchsize = 3\n", encoding="utf-8")
    write_json("seq.json", SEQUENCE)
    result = cli("run", "seq.json")
    assert result.exit_code == 2
    assert "unknown key 'engine.batchsize'; did you mean 'batch_size'?" in result.output


def test_a_second_run_reuses_the_sequence_version(cli, write_json) -> None:
    write_json("seq.json", SEQUENCE)
    assert cli("run", "seq.json").exit_code == 0
    result = cli("run", "seq.json")
    assert "running 'hello' v1 " in result.output


def test_unusable_database_is_one_clean_line(cli, write_json, project: Path) -> None:
    write_json("seq.json", SEQUENCE)
    (project / "blocker").write_text("", encoding="utf-8")
    result = cli("run", "seq.json", "--db", "blocker/x.db")
    assert result.exit_code == 1
    assert "error: cannot open the database sqlite:///" in result.output
    assert "Traceback" not in result.output
