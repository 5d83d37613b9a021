import json
from datetime import timedelta

import pytest

from orch8_nb import dsl
from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import (
    ABSplitDef,
    ForEachDef,
    LoopDef,
    ParallelDef,
    RaceDef,
    RaceSemantics,
    RetryPolicy,
    RouterDef,
    SagaDef,
    SequenceDefinition,
    StepDef,
    SubSequenceDef,
    TryCatchDef,
)
from orch8_nb.model.blocks import CancellationScopeDef


def test_step_with_fields_and_duration_forms() -> None:
    s = dsl.step(
        "fetch",
        "http_request",
        params={"url": "x"},
        retry=dsl.retry(3, initial_backoff=timedelta(milliseconds=500), max_backoff="2m"),
        timeout="1.5s",
        deadline=90_000,
    )
    assert isinstance(s, StepDef)
    assert s.retry == RetryPolicy(
        max_attempts=3, initial_backoff=500, max_backoff=120_000, backoff_multiplier=2.0
    )
    assert (s.timeout, s.deadline) == (1500, 90_000)


def test_retry_defaults() -> None:
    policy = dsl.retry(5, retry_if="true", non_retryable_codes=["E1"])
    assert (policy.initial_backoff, policy.max_backoff, policy.backoff_multiplier) == (
        1000,
        60_000,
        2.0,
    )
    assert (policy.retry_if, policy.non_retryable_codes) == ("true", ["E1"])


def test_every_builder_produces_its_model() -> None:
    a, b = dsl.step("a", "h"), dsl.step("b", "h")
    assert isinstance(dsl.parallel("p", a, [b]), ParallelDef)
    race = dsl.race("r", [a], b, semantics="first_to_succeed")
    assert isinstance(race, RaceDef) and race.semantics is RaceSemantics.FIRST_TO_SUCCEED
    assert isinstance(dsl.loop("l", "true", a, max_iterations=3), LoopDef)
    fe = dsl.for_each("f", "context.data.xs", [a, b], item_var="x", max_parallel=2)
    assert isinstance(fe, ForEachDef) and (fe.item_var, fe.max_parallel) == ("x", 2)
    rt = dsl.router("rt", [dsl.route("x > 1", a)], default=b)
    assert isinstance(rt, RouterDef) and rt.default == [b]
    assert dsl.router("rt", [dsl.route("x", a)]).default is None
    tc = dsl.try_catch("t", a, [], finally_=b)
    assert isinstance(tc, TryCatchDef) and tc.catch_block == [] and tc.finally_block == [b]
    sub = dsl.sub_sequence("s", "child", input={"k": 1}, version=3)
    assert isinstance(sub, SubSequenceDef) and (sub.sequence_name, sub.version) == ("child", 3)
    ab = dsl.ab_split("ab", dsl.variant("A", 1, a), dsl.variant("B", 1, b))
    assert isinstance(ab, ABSplitDef) and [v.name for v in ab.variants] == ["A", "B"]
    assert isinstance(dsl.cancellation_scope("c", a, b), CancellationScopeDef)
    sg = dsl.saga(
        "sg", dsl.saga_step("s1", a, compensation=b), dsl.saga_step("s2", {**a.model_dump()})
    )
    assert isinstance(sg, SagaDef) and sg.steps[1].action == a


def test_sequence_matches_the_json_form() -> None:
    seq = dsl.sequence(
        "order",
        dsl.step("charge", "pay", retry=dsl.retry(3)),
        dsl.parallel("notify", dsl.step("email", "send_email"), dsl.step("sms", "send_sms")),
        version=2,
    )
    assert isinstance(seq, SequenceDefinition)
    assert json.loads(seq.to_json())["blocks"] == [
        {
            "type": "step",
            "id": "charge",
            "handler": "pay",
            "retry": {
                "max_attempts": 3,
                "initial_backoff": 1000,
                "max_backoff": 60000,
                "backoff_multiplier": 2.0,
                "non_retryable_codes": [],
            },
            "cancellable": True,
        },
        {
            "type": "parallel",
            "id": "notify",
            "branches": [
                [{"type": "step", "id": "email", "handler": "send_email", "cancellable": True}],
                [{"type": "step", "id": "sms", "handler": "send_sms", "cancellable": True}],
            ],
        },
    ]
    assert SequenceDefinition.from_json(seq.to_json()) == seq


def test_human_input_choices() -> None:
    gate = dsl.human_input(
        "Ship?", choices=["yes", ("Not now", "later"), {"label": "Never", "value": "no"}]
    )
    assert [(c.label, c.value) for c in gate.effective_choices] == [
        ("yes", "yes"),
        ("Not now", "later"),
        ("Never", "no"),
    ]
    with pytest.raises(SequenceValidationError) as info:
        dsl.human_input(choices=["a", "a"])
    assert info.value.paths == ["choices[1].value"]


def test_builder_errors_name_the_field() -> None:
    with pytest.raises(SequenceValidationError) as info:
        dsl.retry(0)
    assert info.value.paths == ["max_attempts"]
    with pytest.raises(SequenceValidationError) as info:
        dsl.step("a", "h", timeout="soon", colour="red")
    assert info.value.paths == ["timeout", "colour"]
    with pytest.raises(SequenceValidationError) as info:
        dsl.parallel("p")
    assert info.value.paths == ["branches"]
    with pytest.raises(SequenceValidationError) as info:
        dsl.ab_split("ab", dsl.variant("A", 1))
    assert info.value.paths == ["variants"]


def test_tree_errors_surface_from_sequence_with_full_paths() -> None:
    a = dsl.step("a", "h")
    with pytest.raises(SequenceValidationError) as info:
        dsl.sequence("dup", a, dsl.parallel("p", [dsl.step("x", "h")], [dsl.step("a", "h2")]))
    assert info.value.paths == ["blocks[1].branches[1][0].id"]
    with pytest.raises(SequenceValidationError) as info:
        dsl.sequence("empty")
    assert info.value.paths == ["blocks"]


def test_dict_blocks_are_accepted() -> None:
    seq = dsl.sequence("d", {"type": "step", "id": "a", "handler": "h"})
    assert isinstance(seq.blocks[0], StepDef)
