"""Reading contract suites: every problem names its case and JSON path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from orch8_nb.model import SequenceDefinition
from orch8_nb.testing.contracts import (
    ContractError,
    find_contract_files,
    load_suite,
    resolve_sequence,
)
from orch8_nb.testing.contracts.model import EqualsAssertion, InRangeAssertion

SUITES = Path(__file__).parent / "suites"
BROKEN = SUITES / "broken"
SEQ = {"name": "s", "blocks": [{"type": "step", "id": "a", "handler": "h"}]}


def suite(*cases: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"sequence": SEQ, "cases": list(cases), **fields}


def case(name: str = "c", **fields: Any) -> dict[str, Any]:
    return {"name": name, "expect": {}, **fields}


def problems(source: Any) -> list[str]:
    with pytest.raises(ContractError) as info:
        load_suite(source)
    return [str(p) for p in info.value.problems]


# -- the broken files -------------------------------------------------------------------------


def test_bad_json_names_line_and_column() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "bad_json.json")
    err = info.value
    assert err.path == ""
    assert err.case is None
    assert "malformed JSON at line 5, column 3" in str(err)
    assert str(BROKEN / "bad_json.json") in str(err)


def test_unknown_field_names_case_and_path() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "unknown_field.json")
    err = info.value
    assert (err.case, err.path) == ("typo", "cases[1].expect.terminal_sate")
    assert 'cases[1] ("typo").expect.terminal_sate: unknown field' in str(err)


def test_wrong_type_names_case_and_path() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "wrong_type.json")
    assert (info.value.case, info.value.path) == ("ticks as text", "cases[0].max_ticks")
    assert "valid integer" in str(info.value)


def test_unknown_op_names_case_and_path() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "unknown_op.json")
    assert str(info.value.problems[0]) == (
        "cases[2] (\"declined card\").expect.assertions[0].op: unknown op 'equal'; "
        "expected one of: contains, equals, exists, has_type, in_range, not_exists"
    )


def test_mock_without_handler_or_block() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "mock_without_target.json")
    assert str(info.value.problems[0]) == (
        "cases[0] (\"who is mocked\").mocks[0]: a mock needs a 'handler' or a 'block' to answer for"
    )


def test_missing_sequence_file() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "missing_sequence_file.json")
    assert info.value.path == "sequence_file"
    assert "file not found" in str(info.value)
    assert "nowhere.json" in str(info.value)


def test_broken_sequence_file_names_its_field() -> None:
    with pytest.raises(ContractError) as info:
        load_suite(BROKEN / "uses_bad_sequence.json")
    assert str(info.value.problems[0]).startswith(
        "sequence_file: bad_sequence.json: blocks[0].retry.max_attempts:"
    )


# -- more shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mock", "expected"),
    [
        ({"handler": "h", "block": "a", "type": "success"}, "mocks[0]: a mock answers for a"),
        ({"handler": "h", "type": "later"}, "mocks[0].type: unknown type 'later'"),
        ({"handler": "h"}, "mocks[0].type: required field is missing"),
        ({"handler": "h", "type": "recorded"}, "mocks[0].type: 'recorded' mocks are not"),
        ({"handler": "h", "type": "failure"}, "mocks[0].message: required field is missing"),
        ({"handler": "h", "type": "success", "retryable": True}, "mocks[0].retryable: unknown"),
        ({"handler": "h", "type": "attempts", "attempts": []}, "mocks[0].attempts: must not be"),
        (
            {"handler": "h", "type": "attempts", "attempts": [{"kind": "maybe"}]},
            "mocks[0].attempts[0].kind: unknown kind 'maybe'",
        ),
        (
            {"handler": "h", "type": "attempts", "attempts": [{"kind": "failure"}]},
            "mocks[0].attempts[0].message: required field is missing",
        ),
    ],
)
def test_mock_problems(mock: dict[str, Any], expected: str) -> None:
    [line] = problems(suite(case("m", mocks=[mock])))
    assert line.startswith(f'cases[0] ("m").{expected}'), line


@pytest.mark.parametrize(
    ("assertion", "expected"),
    [
        ({"op": "exists"}, "assertions[0]: an assertion reads exactly one of"),
        ({"context": {}, "output": {"block": "a"}, "op": "exists"}, "assertions[0]: an asser"),
        ({"context": {"path": "a["}, "op": "exists"}, "assertions[0].context.path: bad index"),
        ({"context": {}, "op": "equals"}, "assertions[0].value: required field is missing"),
        ({"context": {}, "op": "in_range"}, "assertions[0]: in_range needs 'min', 'max'"),
        ({"context": {}, "op": "in_range", "min": 3, "max": 1}, "assertions[0].min: min (3)"),
        ({"context": {}, "op": "in_range", "min": True}, "assertions[0].min: Input should be"),
        ({"context": {}, "op": "has_type", "expected": "int"}, "assertions[0].expected: must be"),
        ({"context": {}, "op": {"equals": 1}}, "assertions[0].op.equals: must be an object"),
        ({"context": {}, "op": {"exists": {}, "equals": {}}}, "assertions[0].op: a nested op"),
        (
            {"context": {}, "op": {"equals": {"value": 1}}, "value": 2},
            "assertions[0].op.equals.value: given both",
        ),
    ],
)
def test_assertion_problems(assertion: dict[str, Any], expected: str) -> None:
    [line] = problems(suite(case("a", expect={"assertions": [assertion]})))
    assert line.startswith(f'cases[0] ("a").expect.{expected}'), line


def test_every_problem_is_listed() -> None:
    lines = problems(
        suite(
            case("one", expect={"terminal_state": "done"}),
            case("two", max_ticks=0, signals=[{"signal_type": "stop"}]),
            case("one"),
            case("three", initial_outputs={"a": 1}, input=[1]),
        )
    )
    assert lines == [
        "cases[0] (\"one\").expect.terminal_state: must be one of 'completed', 'failed' or "
        "'cancelled'",
        "cases[1] (\"two\").signals[0].signal_type: unknown signal type 'stop'; use pause, "
        'resume, cancel, update_context or {"custom": "<name>"}',
        'cases[1] ("two").max_ticks: Input should be greater than or equal to 1',
        'cases[3] ("three").input: Input should be a valid dictionary',
    ]
    # Whole-suite checks run once every case parses.
    lines = problems(suite(case("one"), case("one"), case("x", initial_outputs={"a": 1})))
    assert lines == [
        'cases[2] ("x").initial_outputs: not supported by orch8-nb: an instance cannot start '
        "from recorded outputs; mock those blocks instead",
    ]
    assert problems(suite(case("one"), case("one"))) == [
        'cases[1] ("one").name: duplicate case name (also cases[0])'
    ]


def test_suite_level_problems() -> None:
    assert problems({"cases": []}) == ["cases: must not be empty"]
    assert problems('["not", "an", "object"]') == ["<root>: a contract suite is a JSON object"]
    assert problems(suite(case(), schema_version=2)) == [
        "schema_version: unsupported contract schema_version 2 (orch8-nb reads 1)"
    ]
    assert problems(suite(case(), sequence_file="x.json")) == [
        "sequence_file: give 'sequence' or 'sequence_file', not both"
    ]
    assert problems(suite(case(), unmocked_handlers="ignore")) == [
        "unmocked_handlers: must be one of 'fail' or 'empty_success'"
    ]
    bad_seq = {"name": "s", "blocks": [{"type": "stepp", "id": "a"}]}
    [line] = problems({"sequence": bad_seq, "cases": [case()]})
    assert line.startswith("sequence.blocks[0]: unknown block type 'stepp'")
    assert problems(suite(case("d", mocks=[{"handler": "h", "type": "success"}] * 2))) == [
        "cases[0] (\"d\").mocks[1]: handler 'h' is already mocked by mocks[0]"
    ]
    assert problems(
        suite(case("u", signals=[{"signal_type": "update_context", "payload": {}}]))
    ) == ['cases[0] ("u").signals[0].payload.data: update_context needs an object at payload.data']


def test_case_name_is_quoted_in_paths() -> None:
    [line] = problems(suite(case('say "hi"', bogus=1)))
    assert line == 'cases[0] ("say \\"hi\\"").bogus: unknown field'


# -- what loads ------------------------------------------------------------------------------


def test_orch8_and_nested_op_spellings_load_alike() -> None:
    flat = {"context": {"path": "n"}, "op": "in_range", "min": 1, "max": 3}
    nested = {"context": {"path": "n"}, "op": {"in_range": {"min": 1, "max": 3}}}
    bare = {"context": {"path": "n"}, "op": {"exists": None}}
    loaded = load_suite(suite(case(expect={"assertions": [flat, nested, bare]})))
    a, b, c = loaded.cases[0].expect.assertions
    assert isinstance(a, InRangeAssertion) and isinstance(b, InRangeAssertion)
    assert (a.min, a.max) == (b.min, b.max) == (1, 3)
    assert c.op == "exists"


def test_text_and_defaults() -> None:
    text = json.dumps(suite(case(expect={"assertions": [
        {"output": {"block": "a"}, "op": "equals", "value": None}]})))  # fmt: skip
    loaded = load_suite(text)
    assert loaded.source is None
    assert loaded.schema_version == 1
    assert loaded.unmocked_handlers == "fail"
    [assertion] = loaded.cases[0].expect.assertions
    assert isinstance(assertion, EqualsAssertion)
    assert assertion.value is None and assertion.subject == "output.a"


def test_sequence_resolution(tmp_path: Path) -> None:
    (tmp_path / "flow.json").write_text(json.dumps(SEQ))
    sibling = tmp_path / "flow.contracts.json"
    sibling.write_text(json.dumps({"cases": [case()]}))
    assert resolve_sequence(load_suite(sibling)).name == "s"

    alone = tmp_path / "alone.contracts.json"
    alone.write_text(json.dumps({"cases": [case()]}))
    with pytest.raises(ContractError, match=r"no sequence to test.*nor alone.json beside it"):
        resolve_sequence(load_suite(alone))
    given = resolve_sequence(load_suite(alone), sequence=SequenceDefinition.from_json(SEQ))
    assert given.name == "s"

    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    (elsewhere / "flow.json").write_text(json.dumps({**SEQ, "name": "other"}))
    relative = load_suite(json.dumps({"sequence_file": "flow.json", "cases": [case()]}))
    assert resolve_sequence(relative, base_dir=elsewhere).name == "other"

    named = load_suite(json.dumps({"sequence_name": "t", "sequence": SEQ, "cases": [case()]}))
    with pytest.raises(ContractError) as info:
        resolve_sequence(named)
    assert str(info.value.problems[0]) == (
        "sequence_name: the suite is for sequence 't', but the sequence is named 's'"
    )
    versioned = load_suite(suite(case(), sequence_version=2))
    resolve_sequence(versioned)  # a definition without a version matches any
    with pytest.raises(ContractError, match="for version 2, but the sequence is version 1"):
        resolve_sequence(versioned, sequence={**SEQ, "version": 1})


def test_find_contract_files(tmp_path: Path) -> None:
    for name in ["a.contracts.json", "sub/b.contracts.json", ".hidden/c.contracts.json",
                 "node_modules/d.contracts.json", "e.json"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in find_contract_files(tmp_path)]
    assert found == ["a.contracts.json", "sub/b.contracts.json"]
    assert find_contract_files(tmp_path / "e.json") == [tmp_path / "e.json"]
    with pytest.raises(FileNotFoundError):
        find_contract_files(tmp_path / "missing")
    names = [p.name for p in find_contract_files(SUITES)]
    assert names == [
        "checkout.contracts.json",
        "reminders.contracts.json",
        "step_options.contracts.json",
    ]


def test_the_json_examples_in_the_docs_load() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "testing.md").read_text()
    section = doc[doc.index("## Contract tests") :]
    blocks = re.findall(r"```json\n(.*?)```", section, re.S)
    assert blocks
    for text in blocks:
        load_suite(text)
