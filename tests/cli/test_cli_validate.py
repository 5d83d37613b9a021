"""``orch8-nb validate``: a summary per valid file, every problem with its path otherwise."""

from __future__ import annotations

from pathlib import Path

from orch8_nb.cli.templates import SEQUENCE

LATER = {
    "name": "fanout",
    "blocks": [
        {
            "type": "parallel",
            "id": "both",
            "branches": [[{"type": "step", "id": "a", "handler": "wasm://resize"}]],
        }
    ],
}


def test_valid_file_gets_a_one_line_summary(cli, write_json) -> None:
    write_json("seq.json", SEQUENCE)
    result = cli("validate", "seq.json")
    assert result.exit_code == 0, result.output
    assert result.output == "ok seq.json: sequence 'hello', 3 blocks (3 step)\n"


def test_every_problem_is_listed_with_its_path(cli, write_json) -> None:
    write_json(
        "bad.json",
        {
            "name": "bad",
            "blocks": [
                {"type": "step", "id": "a"},
                {"type": "step", "id": "b", "handler": "noop", "retyr": {}},
            ],
        },
    )
    result = cli("validate", "bad.json")
    assert result.exit_code == 2
    assert "error: bad.json is not a valid sequence (2 problems):" in result.output
    assert "  blocks[0].handler: required field is missing" in result.output
    assert "  blocks[1].retyr: " in result.output
    assert "Traceback" not in result.output


def test_malformed_json_names_line_and_column(cli, project: Path) -> None:
    (project / "broken.json").write_text('{"name": "x",\n  "blocks": [}\n', encoding="utf-8")
    result = cli("validate", "broken.json")
    assert result.exit_code == 2
    assert "error: broken.json:2:14: invalid JSON: " in result.output


def test_missing_file_and_non_object(cli, write_json) -> None:
    write_json("list.json", [1, 2])
    result = cli("validate", "missing.json", "list.json")
    assert result.exit_code == 2
    assert "error: missing.json: no such file" in result.output
    assert "error: list.json: a sequence is a JSON object, not an array" in result.output
    assert "error: 2 of 2 files invalid" in result.output


def test_one_bad_file_among_good_ones(cli, write_json) -> None:
    write_json("good.json", SEQUENCE)
    write_json("bad.json", {"name": "x", "blocks": []})
    result = cli("validate", "good.json", "bad.json")
    assert result.exit_code == 2
    assert "ok good.json" in result.output
    assert "error: 1 of 2 files invalid" in result.output


def test_features_not_executed_yet_are_warnings(cli, write_json) -> None:
    write_json("fanout.json", LATER)
    result = cli("validate", "fanout.json")
    assert result.exit_code == 0, result.output
    assert "ok fanout.json: sequence 'fanout', 2 blocks (1 parallel, 1 step)" in result.output
    assert (
        "warning: fanout.json: not executed yet: blocks[0].branches[0][0].handler ('a'): "
        "plugin handlers are not available yet"
    ) in result.output


def test_strict_makes_them_errors(cli, write_json) -> None:
    write_json("fanout.json", LATER)
    result = cli("validate", "--strict", "fanout.json")
    assert result.exit_code == 2
    assert "error: fanout.json: uses features orch8-nb does not execute yet:" in result.output
    assert "ok fanout.json" not in result.output


def test_no_file_is_a_usage_error(cli) -> None:
    result = cli("validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.output
