import json
from typing import Any

import pytest

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import (
    BLOCK_CLASSES,
    ABSplitDef,
    BlockType,
    ContextAccess,
    DataFields,
    ForEachDef,
    HumanInputDef,
    LoopDef,
    ParallelDef,
    RaceDef,
    RaceSemantics,
    SagaDef,
    SequenceDefinition,
    StepDef,
    TryCatchDef,
    validate_block,
)


def leaf(block_id: str, handler: str = "noop") -> dict[str, Any]:
    return {"type": "step", "id": block_id, "handler": handler}


FULL_STEP: dict[str, Any] = {
    "type": "step",
    "id": "full",
    "handler": "http_request",
    "params": {"url": "{{context.data.url}}", "n": None, "list": [1, 2]},
    "delay": {
        "duration": 60000,
        "business_days_only": True,
        "jitter": 500,
        "holidays": ["2025-12-25"],
        "fire_at_local": "2025-01-02T09:00:00",
        "timezone": "Europe/Paris",
    },
    "retry": {
        "max_attempts": 3,
        "initial_backoff": 1000,
        "max_backoff": 60000,
        "backoff_multiplier": 1.5,
        "retry_if": "context.data._error.message != 'fatal'",
        "non_retryable_codes": ["E_FATAL"],
    },
    "timeout": 30000,
    "rate_limit_key": "api",
    "send_window": {"start_hour": 8, "end_hour": 18, "days": [0, 1, 2, 3, 4]},
    "context_access": {
        "data": {"fields": ["url"]},
        "config": False,
        "audit": True,
        "runtime": True,
    },
    "cancellable": False,
    "wait_for_input": {
        "prompt": "Approve?",
        "timeout": 3600000,
        "escalation_handler": "page_oncall",
        "choices": [{"label": "Ship", "value": "ship"}, {"label": "Hold", "value": "hold"}],
        "store_as": "decision",
        "allow_comment": True,
    },
    "queue_name": "gpu",
    "deadline": 7200000,
    "on_deadline_breach": {"handler": "notify", "params": {"channel": "#ops"}},
    "fallback_handler": "cached_fetch",
    "cache_key": "fetch:{{context.data.url}}",
    "output_schema": {"type": "object"},
    "when": "context.data.url != null",
    "compensation": {
        "handler": "undo",
        "params": {"x": 1},
        "depends_on": ["other"],
        "verification": "provider_receipt",
    },
}

ONE_OF_EACH: list[dict[str, Any]] = [
    FULL_STEP,
    {"type": "parallel", "id": "par", "branches": [[leaf("p1")], [leaf("p2"), leaf("p3")]]},
    {
        "type": "race",
        "id": "race",
        "branches": [[leaf("r1")], [leaf("r2")]],
        "semantics": "first_to_succeed",
    },
    {
        "type": "loop",
        "id": "loop",
        "condition": "context.data.done != true",
        "body": [leaf("l1")],
        "max_iterations": 10,
        "break_on": "context.data.stop",
        "continue_on_error": True,
        "poll_interval": 5,
        "retain_iterations": 3,
    },
    {
        "type": "for_each",
        "id": "each",
        "collection": "context.data.items",
        "item_var": "thing",
        "body": [leaf("f1")],
        "max_iterations": 50,
        "retain_iterations": 2,
        "max_parallel": 4,
    },
    {
        "type": "router",
        "id": "route",
        "routes": [{"condition": "context.data.plan == 'pro'", "blocks": [leaf("pro")]}],
        "default": [leaf("free")],
    },
    {
        "type": "try_catch",
        "id": "tc",
        "try_block": [leaf("t1")],
        "catch_block": [leaf("c1")],
        "finally_block": [leaf("fin")],
    },
    {
        "type": "sub_sequence",
        "id": "sub",
        "sequence_name": "child",
        "version": 2,
        "input": {"a": [1, {"b": None}]},
    },
    {
        "type": "ab_split",
        "id": "ab",
        "variants": [
            {"name": "control", "weight": 70, "blocks": [leaf("a1")]},
            {"name": "test", "weight": 30, "blocks": []},
        ],
    },
    {"type": "cancellation_scope", "id": "scope", "blocks": [leaf("s1")]},
    {
        "type": "saga",
        "id": "saga",
        "steps": [
            {"id": "book", "action": leaf("reserve"), "compensation": leaf("release")},
            {"id": "pay", "action": leaf("charge")},
        ],
    },
]


@pytest.mark.parametrize("block", ONE_OF_EACH, ids=[b["type"] for b in ONE_OF_EACH])
def test_every_block_type_round_trips_through_json(block: dict[str, Any]) -> None:
    model = validate_block(block)
    assert type(model) is BLOCK_CLASSES[BlockType(block["type"])]
    dumped = json.loads(model.to_json())
    assert dumped == _with_defaults(block, dumped)
    again = validate_block(dumped)
    assert again == model
    assert again.to_json() == model.to_json()


def _with_defaults(block: dict[str, Any], dumped: dict[str, Any]) -> dict[str, Any]:
    # Written JSON may add defaults (e.g. cancellable: true) but never loses given keys.
    for key, value in block.items():
        assert key in dumped, key
        if not isinstance(value, list | dict):
            assert dumped[key] == value, key
    return dumped


def test_all_eleven_types_are_registered() -> None:
    assert {b["type"] for b in ONE_OF_EACH} == {t.value for t in BlockType}
    assert len(BLOCK_CLASSES) == 11
    for block_type, cls in BLOCK_CLASSES.items():
        assert cls.block_type == block_type


def test_whole_sequence_round_trips() -> None:
    seq = SequenceDefinition.from_json(
        {
            "name": "everything",
            "version": 3,
            "blocks": ONE_OF_EACH,
            "on_failure": [leaf("full", "alert")],
            "created_at": "2025-01-02T03:04:05.123Z",
        }
    )
    text = seq.to_json()
    assert SequenceDefinition.from_json(text) == seq
    assert SequenceDefinition.from_json(text.encode()) == seq
    assert SequenceDefinition.from_json(json.loads(text)).to_json() == text


def test_full_step_fields_are_parsed() -> None:
    step = validate_block(FULL_STEP)
    assert isinstance(step, StepDef)
    assert step.retry is not None and step.retry.backoff_multiplier == 1.5
    assert step.delay is not None and step.delay.jitter == 500
    assert step.context_access is not None
    assert step.context_access.data == DataFields(fields=["url"])
    assert step.context_access.allows_data_key("url")
    assert not step.context_access.allows_data_key("secret")
    assert step.wait_for_input is not None and step.wait_for_input.store_key("full") == "decision"
    assert step.params == {"url": "{{context.data.url}}", "n": None, "list": [1, 2]}


def test_step_defaults_and_none_fields_are_omitted() -> None:
    step = StepDef(id="a", handler="h")
    assert step.type == "step"
    assert step.cancellable is True
    assert step.model_dump(mode="json") == {
        "type": "step",
        "id": "a",
        "handler": "h",
        "cancellable": True,
    }


def test_params_keep_their_inner_nulls() -> None:
    step = StepDef(id="a", handler="h", params={"x": None})
    assert json.loads(step.to_json())["params"] == {"x": None}


def test_composite_defaults() -> None:
    race = RaceDef(id="r", branches=[[StepDef(id="a", handler="h")]])
    assert race.semantics is RaceSemantics.FIRST_TO_RESOLVE
    lp = LoopDef(id="l", condition="true", body=[StepDef(id="a", handler="h")])
    assert (lp.max_iterations, lp.continue_on_error, lp.poll_interval) == (1000, False, None)
    fe = ForEachDef(id="f", collection="context.data.xs", body=[StepDef(id="a", handler="h")])
    assert (fe.item_var, fe.max_iterations, fe.max_parallel) == ("item", 1000, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("all", "all"), ("none", "none")],
)
def test_context_access_data_forms(value: object, expected: object) -> None:
    access = ContextAccess(data=value)
    assert access.data == expected
    assert access.model_dump(mode="json")["data"] == expected
    assert (access.config, access.audit, access.runtime) == (True, False, False)


@pytest.mark.parametrize("value", [1, "some", ["a"], None, {"field": ["a"]}])
def test_context_access_data_rejects_other_forms(value: object) -> None:
    with pytest.raises(SequenceValidationError) as info:
        ContextAccess(data=value)
    assert info.value.paths[0].startswith("data")


def test_human_input_default_choices() -> None:
    gate = HumanInputDef()
    assert [(c.label, c.value) for c in gate.effective_choices] == [("Yes", "yes"), ("No", "no")]
    assert gate.store_key("approve") == "approve"
    assert "choices" not in gate.model_dump(mode="json")


@pytest.mark.parametrize(
    ("block", "path"),
    [
        ({**leaf("a"), "bogus": 1}, "blocks[0].bogus"),
        (
            {
                **leaf("a"),
                "retry": {"max_attempts": 1, "initial_backoff": 1, "max_backoff": 1, "x": 0},
            },
            "blocks[0].retry.x",
        ),
        (
            {"type": "parallel", "id": "p", "branches": [[{**leaf("a"), "zzz": True}]]},
            "blocks[0].branches[0][0].zzz",
        ),
        (
            {"type": "router", "id": "r", "routes": [{"condition": "x", "blocks": [], "why": 1}]},
            "blocks[0].routes[0].why",
        ),
        (
            {"type": "saga", "id": "s", "steps": [{"id": "x", "action": {**leaf("a"), "q": 1}}]},
            "blocks[0].steps[0].action.q",
        ),
        (
            {**leaf("a"), "wait_for_input": {"choices": [{"label": "a", "value": "a", "c": 1}]}},
            "blocks[0].wait_for_input.choices[0].c",
        ),
    ],
)
def test_unknown_fields_are_rejected_at_every_depth(block: dict[str, Any], path: str) -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json({"name": "n", "blocks": [block]})
    assert info.value.paths == [path]
    assert info.value.problems[0].message == "unknown field"


def test_unknown_top_level_field_is_rejected() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json({"name": "n", "blocks": [leaf("a")], "colour": "red"})
    assert info.value.paths == ["colour"]


@pytest.mark.parametrize(
    ("block", "path"),
    [
        ({**leaf("a"), "handler": 5}, "blocks[0].handler"),
        ({**leaf("a"), "cancellable": "yes"}, "blocks[0].cancellable"),
        (
            {**leaf("a"), "retry": {"max_attempts": "3", "initial_backoff": 1, "max_backoff": 1}},
            "blocks[0].retry.max_attempts",
        ),
        ({**leaf("a"), "timeout": [1]}, "blocks[0].timeout"),
        (
            {
                "type": "loop",
                "id": "l",
                "condition": "x",
                "body": [leaf("b")],
                "max_iterations": 2.5,
            },
            "blocks[0].max_iterations",
        ),
        (
            {"type": "race", "id": "r", "branches": [[leaf("b")]], "semantics": "fastest"},
            "blocks[0].semantics",
        ),
        ({"type": "parallel", "id": "p", "branches": [leaf("b")]}, "blocks[0].branches[0]"),
        ({"type": "ab_split", "id": "ab", "variants": "x"}, "blocks[0].variants"),
        ({**leaf("a"), "id": None}, "blocks[0].id"),
    ],
)
def test_wrong_types_name_the_field(block: dict[str, Any], path: str) -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json({"name": "n", "blocks": [block]})
    assert info.value.paths == [path]


def test_unknown_and_missing_block_type() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json(
            {"name": "n", "blocks": [{"type": "sleep", "id": "a"}, {"id": "b"}]}
        )
    assert info.value.paths == ["blocks[0]", "blocks[1]"]
    assert "unknown block type 'sleep'" in info.value.problems[0].message
    assert "block has no 'type'" in info.value.problems[1].message


def test_missing_required_fields_are_listed() -> None:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json(
            {"name": "n", "blocks": [{"type": "try_catch", "id": "t", "try_block": [leaf("a")]}]}
        )
    assert info.value.paths == ["blocks[0].catch_block"]
    assert info.value.problems[0].message == "required field is missing"


def test_block_models_reject_bad_input_with_typed_errors() -> None:
    with pytest.raises(SequenceValidationError) as info:
        ParallelDef(id="p", branches=[])
    assert info.value.paths == ["branches"]
    with pytest.raises(SequenceValidationError):
        TryCatchDef(id="t", try_block=[], catch_block=[])
    with pytest.raises(SequenceValidationError):
        SagaDef(id="s", steps=[{"id": "x"}])
    with pytest.raises(SequenceValidationError):
        ABSplitDef(id="ab", variants=[])


def test_validate_block_prefixes_paths_and_checks_reserved_ids() -> None:
    with pytest.raises(SequenceValidationError) as info:
        validate_block({**leaf("a"), "handler": ""}, "blocks[7]")
    assert info.value.paths == ["blocks[7].handler"]
    with pytest.raises(SequenceValidationError) as info:
        validate_block(
            {"type": "parallel", "id": "p", "branches": [[leaf("taken")]]},
            "blocks[7]",
            reserved_ids={"taken"},
        )
    assert info.value.paths == ["blocks[7].branches[0][0].id"]
    assert "already used" in info.value.problems[0].message
