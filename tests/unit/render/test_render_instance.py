from dataclasses import dataclass

from orch8_nb import dsl
from orch8_nb.model import ExecutionNode
from orch8_nb.render import instance_html, instance_text


@dataclass
class Row:
    state: str
    id: str = "0b9f7d1e-33a2-4c8e-9a51-6f0d2c1e5a77"


SEQ = dsl.sequence(
    "ship",
    dsl.step("pick", "pick_items"),
    dsl.step("approve", "noop", wait_for_input=dsl.human_input("Ship it?")),
    dsl.step("label", "print_label"),
    dsl.sub_sequence("notify", "notify_flow"),
    version=1,
)


def node(block_id: str, state: str, block_type: str = "step") -> ExecutionNode:
    return ExecutionNode(
        id=f"n-{block_id}", instance_id="i", block_id=block_id, block_type=block_type, state=state
    )


NODES = [
    node("pick", "completed"),
    node("approve", "waiting"),
    node("label", "failed"),
    node("notify", "waiting", "sub_sequence"),
]
LATEST = {"pick": {"n": 3}, "label": {"error": "printer offline\nstack..."}}


def test_instance_html_shows_states_and_what_is_awaited() -> None:
    out = instance_html(Row("waiting"), SEQ, NODES, LATEST)
    assert out == instance_html(Row("waiting", id="other"), SEQ, NODES, LATEST)
    assert "0b9f7d1e" not in out and ' id="' not in out
    assert "instance of <b>ship</b>" in out
    assert "◷ waiting: human input: Ship it?" in out
    assert "✗ failed: printer offline" in out and "stack..." not in out
    assert "◷ waiting: child: notify_flow" in out
    assert "✓ completed" in out


def test_instance_text() -> None:
    text = instance_text(Row("waiting"), SEQ, NODES, LATEST)
    assert text.splitlines() == [
        "instance of ship v1: ◷ waiting",
        "├── (✓ completed) ⚙ step pick → pick_items",
        "├── (◷ waiting: human input: Ship it?) ⚙ step approve → noop  [☝ human input]",
        "├── (✗ failed: printer offline) ⚙ step label → print_label",
        "└── (◷ waiting: child: notify_flow) ⊞ sub-sequence notify: runs notify_flow (latest)",
    ]


def test_a_parallel_for_each_waits_for_its_items() -> None:
    seq = dsl.sequence(
        "fan",
        dsl.for_each("each", "context.data.xs", [dsl.step("w", "work")], max_parallel=4),
        version=1,
    )
    nodes = [node("each", "waiting", "for_each"), node("w", "pending")]
    assert instance_text(Row("waiting"), seq, nodes, {}).splitlines() == [
        "instance of fan v1: ◷ waiting",
        "└── (◷ waiting: items running as child instances) ∀ for each each: for item in "
        "context.data.xs · max 1000  [≤4 at once]",
        "    └── (○ pending) ⚙ step w → work",
    ]
