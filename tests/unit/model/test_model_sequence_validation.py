"""One test per publish-time rule, each asserting the exact JSON path of the problem."""

from typing import Any

import pytest

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import SequenceDefinition, limits


def leaf(block_id: str, handler: str = "noop", **extra: Any) -> dict[str, Any]:
    return {"type": "step", "id": block_id, "handler": handler, **extra}


def problems_of(blocks: list[dict[str, Any]], **fields: Any) -> list[tuple[str, str]]:
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json({"name": "n", "blocks": blocks, **fields})
    return [(p.path, p.message) for p in info.value.problems]


def paths_of(blocks: list[dict[str, Any]], **fields: Any) -> list[str]:
    return [path for path, _ in problems_of(blocks, **fields)]


def retry(**fields: Any) -> dict[str, Any]:
    return {"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000, **fields}


def nested(depth: int) -> dict[str, Any]:
    block = leaf("s0")
    for level in range(1, depth):
        block = {"type": "cancellation_scope", "id": f"c{level}", "blocks": [block]}
    return block


def test_valid_sequence_passes() -> None:
    seq = SequenceDefinition.from_json({"name": "ok", "blocks": [leaf("a"), leaf("b")]})
    assert [b.id for b in seq.blocks] == ["a", "b"]


def test_duplicate_ids_in_nested_blocks() -> None:
    blocks = [leaf("a"), {"type": "parallel", "id": "p", "branches": [[leaf("x")], [leaf("a")]]}]
    assert problems_of(blocks) == [
        ("blocks[1].branches[1][0].id", "duplicate block id 'a' (first used at blocks[0].id)")
    ]


def test_saga_step_ids_share_the_id_namespace() -> None:
    blocks = [
        leaf("book"),
        {"type": "saga", "id": "s", "steps": [{"id": "book", "action": leaf("reserve")}]},
    ]
    assert paths_of(blocks) == ["blocks[1].steps[0].id"]


def test_cleanup_trees_may_repeat_main_ids_but_not_their_own() -> None:
    seq = SequenceDefinition.from_json(
        {"name": "n", "blocks": [leaf("a")], "on_failure": [leaf("a")], "on_cancel": [leaf("a")]}
    )
    assert seq.on_failure[0].id == "a"
    assert paths_of([leaf("a")], on_failure=[leaf("x"), leaf("x")]) == ["on_failure[1].id"]


def test_empty_block_id() -> None:
    assert problems_of([leaf("")]) == [("blocks[0].id", "must not be empty")]


def test_empty_blocks_list() -> None:
    assert problems_of([]) == [("blocks", "must not be empty")]


def test_nesting_depth_limit() -> None:
    SequenceDefinition.from_json({"name": "n", "blocks": [nested(limits.MAX_NESTING_DEPTH)]})
    too_deep = nested(limits.MAX_NESTING_DEPTH + 1)
    path = "blocks[0]" + ".blocks[0]" * limits.MAX_NESTING_DEPTH
    assert problems_of([too_deep]) == [(path, "blocks are nested more than 64 levels deep")]


@pytest.mark.parametrize("kind", ["parallel", "race"])
def test_branch_count_limits(kind: str) -> None:
    assert problems_of([{"type": kind, "id": "p", "branches": []}]) == [
        ("blocks[0].branches", "must not be empty")
    ]
    many = [[leaf(f"s{i}")] for i in range(limits.MAX_BRANCHES + 1)]
    assert problems_of([{"type": kind, "id": "p", "branches": many}]) == [
        ("blocks[0].branches", "allows at most 256 items, got 257")
    ]
    exactly = [[leaf(f"s{i}")] for i in range(limits.MAX_BRANCHES)]
    SequenceDefinition.from_json(
        {"name": "n", "blocks": [{"type": kind, "id": "p", "branches": exactly}]}
    )


@pytest.mark.parametrize("kind", ["loop", "for_each"])
@pytest.mark.parametrize("value", [0, limits.MAX_ITERATIONS + 1])
def test_max_iterations_range(kind: str, value: int) -> None:
    block: dict[str, Any] = {"type": kind, "id": "l", "body": [leaf("b")], "max_iterations": value}
    block.update({"condition": "true"} if kind == "loop" else {"collection": "context.data.xs"})
    assert paths_of([block]) == ["blocks[0].max_iterations"]


def test_total_block_limit_includes_cleanup_trees() -> None:
    main = [leaf(f"s{i}") for i in range(limits.MAX_TOTAL_BLOCKS)]
    SequenceDefinition.from_json({"name": "n", "blocks": main})
    assert problems_of(main, on_cancel=[leaf("extra")]) == [
        ("blocks", "sequence has 5001 blocks (including on_failure/on_cancel); the limit is 5000")
    ]


def test_empty_handler() -> None:
    assert problems_of([leaf("a", "")]) == [("blocks[0].handler", "must not be empty")]


def test_router_needs_a_route_or_default() -> None:
    assert problems_of([{"type": "router", "id": "r", "routes": []}]) == [
        ("blocks[0].routes", "router needs at least one route or a default")
    ]
    SequenceDefinition.from_json(
        {"name": "n", "blocks": [{"type": "router", "id": "r", "routes": [], "default": []}]}
    )


def test_loop_condition_and_body_non_empty() -> None:
    block = {"type": "loop", "id": "l", "condition": "", "body": []}
    assert paths_of([block]) == ["blocks[0].condition", "blocks[0].body"]


def test_for_each_collection_body_item_var_non_empty() -> None:
    block = {"type": "for_each", "id": "f", "collection": "", "item_var": "", "body": []}
    assert paths_of([block]) == ["blocks[0].collection", "blocks[0].item_var", "blocks[0].body"]


def test_try_block_non_empty() -> None:
    block = {"type": "try_catch", "id": "t", "try_block": [], "catch_block": []}
    assert paths_of([block]) == ["blocks[0].try_block"]


def test_ab_split_needs_two_variants() -> None:
    block = {"type": "ab_split", "id": "ab", "variants": [{"name": "a", "weight": 1, "blocks": []}]}
    assert problems_of([block]) == [("blocks[0].variants", "needs at least 2 items, got 1")]


def test_ab_split_variant_names_unique_and_non_empty() -> None:
    variants = [
        {"name": "a", "weight": 1, "blocks": []},
        {"name": "a", "weight": 1, "blocks": []},
        {"name": "", "weight": 1, "blocks": []},
    ]
    assert problems_of([{"type": "ab_split", "id": "ab", "variants": variants}]) == [
        ("blocks[0].variants[2].name", "must not be empty")
    ]
    assert problems_of([{"type": "ab_split", "id": "ab", "variants": variants[:2]}]) == [
        ("blocks[0].variants[1].name", "duplicate variant name 'a'")
    ]


def test_ab_split_total_weight_positive() -> None:
    variants = [{"name": n, "weight": 0, "blocks": []} for n in ("a", "b")]
    assert problems_of([{"type": "ab_split", "id": "ab", "variants": variants}]) == [
        ("blocks[0].variants", "total weight of the variants must be > 0")
    ]


def test_ab_split_weight_not_negative() -> None:
    variants = [{"name": "a", "weight": -1, "blocks": []}, {"name": "b", "weight": 1, "blocks": []}]
    assert paths_of([{"type": "ab_split", "id": "ab", "variants": variants}]) == [
        "blocks[0].variants[0].weight"
    ]


def test_cancellation_scope_non_empty() -> None:
    assert paths_of([{"type": "cancellation_scope", "id": "c", "blocks": []}]) == [
        "blocks[0].blocks"
    ]


def test_retry_max_attempts_positive() -> None:
    blocks = [leaf("a"), leaf("b"), leaf("c", retry=retry(max_attempts=0))]
    assert paths_of(blocks) == ["blocks[2].retry.max_attempts"]


def test_retry_backoff_multiplier_positive() -> None:
    assert paths_of([leaf("a", retry=retry(backoff_multiplier=0))]) == [
        "blocks[0].retry.backoff_multiplier"
    ]


def test_retry_initial_backoff_not_above_max() -> None:
    assert problems_of([leaf("a", retry=retry(initial_backoff=5000, max_backoff=1000))]) == [
        (
            "blocks[0].retry.initial_backoff",
            "initial_backoff (5s) must not exceed max_backoff (1s)",
        )
    ]


def test_retry_backoffs_are_required() -> None:
    assert paths_of([leaf("a", retry={"max_attempts": 2})]) == [
        "blocks[0].retry.initial_backoff",
        "blocks[0].retry.max_backoff",
    ]


@pytest.mark.parametrize("hour", [-1, 24])
def test_send_window_hours_in_range(hour: int) -> None:
    assert paths_of([leaf("a", send_window={"start_hour": hour, "end_hour": 5})]) == [
        "blocks[0].send_window.start_hour"
    ]
    assert paths_of([leaf("a", send_window={"start_hour": 5, "end_hour": hour})]) == [
        "blocks[0].send_window.end_hour"
    ]


def test_send_window_start_differs_from_end() -> None:
    assert problems_of([leaf("a", send_window={"start_hour": 9, "end_hour": 9})]) == [
        (
            "blocks[0].send_window.end_hour",
            "end_hour must differ from start_hour (the window would be empty)",
        )
    ]


def test_send_window_days_in_range() -> None:
    assert paths_of([leaf("a", send_window={"days": [0, 7]})]) == ["blocks[0].send_window.days[1]"]


def test_wait_for_input_choices_non_empty() -> None:
    assert problems_of([leaf("a", wait_for_input={"choices": []})]) == [
        ("blocks[0].wait_for_input.choices", "must not be empty")
    ]


def test_wait_for_input_choice_values_unique() -> None:
    choices = [{"label": "Yes", "value": "y"}, {"label": "Sure", "value": "y"}]
    assert problems_of([leaf("a", wait_for_input={"choices": choices})]) == [
        ("blocks[0].wait_for_input.choices[1].value", "duplicate choice value 'y'")
    ]


def test_wait_for_input_store_as_non_empty() -> None:
    assert paths_of([leaf("a", wait_for_input={"store_as": ""})]) == [
        "blocks[0].wait_for_input.store_as"
    ]


def test_input_schema_must_be_a_valid_json_schema() -> None:
    found = problems_of(
        [leaf("a")], input_schema={"type": "object", "properties": {"x": {"type": 5}}}
    )
    assert [path for path, _ in found] == ["input_schema.properties.x.type"]
    assert found[0][1].startswith("not a valid JSON Schema:")
    assert paths_of([leaf("a")], input_schema=[1]) == ["input_schema"]


def test_output_schema_must_be_a_valid_json_schema() -> None:
    assert paths_of([leaf("a", output_schema={"type": "nope"})]) == ["blocks[0].output_schema.type"]


def test_every_problem_is_listed_at_once() -> None:
    blocks = [
        leaf("a", ""),
        {"type": "parallel", "id": "p", "branches": [[leaf("x", retry=retry(max_attempts=0))]]},
        {"type": "loop", "id": "l", "condition": "", "body": [leaf("b")], "max_iterations": 0},
    ]
    assert paths_of(blocks) == [
        "blocks[0].handler",
        "blocks[1].branches[0][0].retry.max_attempts",
        "blocks[2].condition",
        "blocks[2].max_iterations",
    ]


def test_cross_field_and_field_problems_are_reported_together() -> None:
    blocks = [
        leaf("a", retry=retry(initial_backoff=9000, max_backoff=1)),
        leaf("b", send_window={"start_hour": 1, "end_hour": 1}),
        leaf("c", timeout=-5),
    ]
    assert paths_of(blocks) == [
        "blocks[0].retry.initial_backoff",
        "blocks[1].send_window.end_hour",
        "blocks[2].timeout",
    ]


def test_sequence_level_fields() -> None:
    assert paths_of([leaf("a")], version=0) == ["version"]
    assert paths_of([leaf("a")], status="live") == ["status"]
    assert paths_of([leaf("a")], id="not-a-uuid") == ["id"]
    assert paths_of([leaf("a")], created_at="2025-01-01T00:00:00") == ["created_at"]
    assert paths_of([leaf("a")], name="") == ["name"]
