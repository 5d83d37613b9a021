import pytest

from orch8_nb.errors import SequenceValidationError
from orch8_nb.model import (
    Block,
    BlockRef,
    CancellationScopeDef,
    SequenceDefinition,
    StepDef,
    child_block_lists,
    iter_block,
    iter_blocks,
)


def leaf(block_id: str) -> dict[str, str]:
    return {"type": "step", "id": block_id, "handler": "h"}


SEQ = SequenceDefinition.from_json(
    {
        "name": "walk",
        "blocks": [
            leaf("first"),
            {
                "type": "parallel",
                "id": "par",
                "branches": [[leaf("p0")], [leaf("p1a"), leaf("p1b")]],
            },
            {
                "type": "router",
                "id": "rt",
                "routes": [
                    {"condition": "a", "blocks": [leaf("r0")]},
                    {"condition": "b", "blocks": []},
                ],
                "default": [leaf("rd")],
            },
            {
                "type": "try_catch",
                "id": "tc",
                "try_block": [leaf("t")],
                "catch_block": [leaf("c")],
                "finally_block": [leaf("f")],
            },
            {
                "type": "ab_split",
                "id": "ab",
                "variants": [
                    {"name": "x", "weight": 1, "blocks": [leaf("ab0")]},
                    {"name": "y", "weight": 1, "blocks": [leaf("ab1")]},
                ],
            },
            {
                "type": "saga",
                "id": "sg",
                "steps": [
                    {"id": "st0", "action": leaf("a0"), "compensation": leaf("k0")},
                    {"id": "st1", "action": leaf("a1")},
                ],
            },
            {"type": "loop", "id": "lp", "condition": "true", "body": [leaf("lb")]},
            {"type": "for_each", "id": "fe", "collection": "xs", "body": [leaf("fb")]},
            {"type": "cancellation_scope", "id": "cs", "blocks": [leaf("cb")]},
            {"type": "race", "id": "rc", "branches": [[leaf("rc0")], [leaf("rc1")]]},
            {"type": "sub_sequence", "id": "sub", "sequence_name": "child"},
        ],
    }
)


def table() -> dict[str, tuple[str, str | None, int, int | None]]:
    return {
        ref.block.id: (ref.path, ref.parent.id if ref.parent else None, ref.depth, ref.branch_index)
        for ref in iter_blocks(SEQ.blocks)
    }


def test_paths_parents_depths_and_branch_indexes() -> None:
    assert table() == {
        "first": ("blocks[0]", None, 0, None),
        "par": ("blocks[1]", None, 0, None),
        "p0": ("blocks[1].branches[0][0]", "par", 1, 0),
        "p1a": ("blocks[1].branches[1][0]", "par", 1, 1),
        "p1b": ("blocks[1].branches[1][1]", "par", 1, 1),
        "rt": ("blocks[2]", None, 0, None),
        "r0": ("blocks[2].routes[0].blocks[0]", "rt", 1, 0),
        "rd": ("blocks[2].default[0]", "rt", 1, 2),
        "tc": ("blocks[3]", None, 0, None),
        "t": ("blocks[3].try_block[0]", "tc", 1, 0),
        "c": ("blocks[3].catch_block[0]", "tc", 1, 1),
        "f": ("blocks[3].finally_block[0]", "tc", 1, 2),
        "ab": ("blocks[4]", None, 0, None),
        "ab0": ("blocks[4].variants[0].blocks[0]", "ab", 1, 0),
        "ab1": ("blocks[4].variants[1].blocks[0]", "ab", 1, 1),
        "sg": ("blocks[5]", None, 0, None),
        "a0": ("blocks[5].steps[0].action", "sg", 1, 0),
        "k0": ("blocks[5].steps[0].compensation", "sg", 1, 1),
        "a1": ("blocks[5].steps[1].action", "sg", 1, 2),
        "lp": ("blocks[6]", None, 0, None),
        "lb": ("blocks[6].body[0]", "lp", 1, None),
        "fe": ("blocks[7]", None, 0, None),
        "fb": ("blocks[7].body[0]", "fe", 1, None),
        "cs": ("blocks[8]", None, 0, None),
        "cb": ("blocks[8].blocks[0]", "cs", 1, None),
        "rc": ("blocks[9]", None, 0, None),
        "rc0": ("blocks[9].branches[0][0]", "rc", 1, 0),
        "rc1": ("blocks[9].branches[1][0]", "rc", 1, 1),
        "sub": ("blocks[10]", None, 0, None),
    }


def test_order_is_depth_first_parents_first() -> None:
    ids = [ref.block.id for ref in SEQ.iter_blocks()]
    assert ids[:6] == ["first", "par", "p0", "p1a", "p1b", "rt"]
    assert ids.index("sg") < ids.index("a0") < ids.index("k0") < ids.index("a1")


def test_child_block_lists() -> None:
    router = SEQ.blocks[2]
    lists = child_block_lists(router)
    assert [(c.field, c.branch_index, [b.id for b in c.blocks]) for c in lists] == [
        ("routes[0].blocks", 0, ["r0"]),
        ("routes[1].blocks", 1, []),
        ("default", 2, ["rd"]),
    ]
    assert child_block_lists(SEQ.blocks[0]) == []
    assert child_block_lists(SEQ.blocks[10]) == []
    saga_lists = child_block_lists(SEQ.blocks[5])
    assert [(c.field, c.single) for c in saga_lists] == [
        ("steps[0].action", True),
        ("steps[0].compensation", True),
        ("steps[1].action", True),
    ]
    assert saga_lists[0].child_path("blocks[5]", 0) == "blocks[5].steps[0].action"


def test_iter_block_relative_paths() -> None:
    refs = list(iter_block(SEQ.blocks[1]))
    assert [r.path for r in refs] == ["", "branches[0][0]", "branches[1][0]", "branches[1][1]"]
    assert isinstance(refs[0], BlockRef) and refs[0].parent is None


def test_deep_trees_do_not_recurse() -> None:
    deep: Block = StepDef(id="s", handler="h")
    for level in range(3000):
        deep = CancellationScopeDef.model_construct(id=f"c{level}", blocks=[deep])
    refs = list(iter_block(deep))
    assert len(refs) == 3001
    assert refs[-1].depth == 3000


def test_absurdly_deep_json_gets_a_clear_error() -> None:
    block: dict[str, object] = {"type": "step", "id": "s", "handler": "h"}
    for level in range(400):
        block = {"type": "cancellation_scope", "id": f"c{level}", "blocks": [block]}
    with pytest.raises(SequenceValidationError) as info:
        SequenceDefinition.from_json({"name": "n", "blocks": [block]})
    assert info.value.problems[0].message.startswith("nested far too deeply")
    assert info.value.paths[0].startswith("blocks[0].blocks[0].blocks[0]")
