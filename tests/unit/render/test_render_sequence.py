import re
from typing import Any

import pytest

from orch8_nb.model import BlockType, SequenceDefinition
from orch8_nb.render import (
    BLOCK_ICONS,
    BLOCK_LABELS,
    STATE_PALETTE,
    block_icon,
    node_state_badge,
    sequence_html,
    sequence_text,
    state_style,
)


def leaf(block_id: str, handler: str = "h", **extra: Any) -> dict[str, Any]:
    return {"type": "step", "id": block_id, "handler": handler, **extra}


SEQ = SequenceDefinition.from_json(
    {
        "id": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "name": "demo",
        "version": 4,
        "blocks": [
            leaf(
                "fetch",
                "http_request",
                retry={"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000},
                timeout=30000,
                when="context.data.go == true",
                cache_key="k:{{context.data.url}}",
                wait_for_input={"prompt": "Go?"},
                queue_name="io",
            ),
            {"type": "parallel", "id": "fan", "branches": [[leaf("a")], [leaf("b")]]},
            {
                "type": "race",
                "id": "rc",
                "semantics": "first_to_succeed",
                "branches": [[leaf("r1")], [leaf("r2")]],
            },
            {
                "type": "loop",
                "id": "lp",
                "condition": "context.data.n < 3",
                "max_iterations": 5,
                "body": [leaf("l1")],
            },
            {
                "type": "for_each",
                "id": "fe",
                "collection": "context.data.items",
                "body": [leaf("f1")],
            },
            {
                "type": "router",
                "id": "rt",
                "routes": [{"condition": "x == 1", "blocks": [leaf("x1")]}],
                "default": [leaf("x2")],
            },
            {
                "type": "try_catch",
                "id": "tc",
                "try_block": [leaf("t1")],
                "catch_block": [],
                "finally_block": [leaf("t3")],
            },
            {"type": "sub_sequence", "id": "sub", "sequence_name": "child", "version": 2},
            {
                "type": "ab_split",
                "id": "ab",
                "variants": [
                    {"name": "A", "weight": 3, "blocks": [leaf("va")]},
                    {"name": "B", "weight": 1, "blocks": [leaf("vb")]},
                ],
            },
            {"type": "cancellation_scope", "id": "cs", "blocks": [leaf("c1")]},
            {
                "type": "saga",
                "id": "sg",
                "steps": [{"id": "s1", "action": leaf("charge"), "compensation": leaf("refund")}],
            },
        ],
        "on_cancel": [leaf("cleanup")],
    }
)


def test_one_icon_and_label_per_block_type() -> None:
    assert set(BLOCK_ICONS) == set(BlockType) == set(BLOCK_LABELS)
    assert len(set(BLOCK_ICONS.values())) == 11
    assert block_icon("loop") == "↻"
    assert block_icon("nope") == "?"


def test_html_is_deterministic_and_script_free() -> None:
    first = sequence_html(SEQ)
    assert first == sequence_html(SEQ)
    assert first == SequenceDefinition.from_json(SEQ.to_json())._repr_html_()
    assert "<script" not in first
    assert ' id="' not in first
    assert SEQ.id not in first
    assert first.startswith('<div class="o8nb o8nb-sequence"><style>')
    assert first.count("<div") == first.count("</div>")


def test_html_shows_cards_composites_and_settings() -> None:
    out = sequence_html(SEQ)
    for block_id in (
        "fetch",
        "fan",
        "rc",
        "lp",
        "fe",
        "rt",
        "tc",
        "sub",
        "ab",
        "cs",
        "sg",
        "charge",
    ):
        assert f'<span class="o8nb-id" title="{block_id}">{block_id}</span>' in out
    for badge in (
        "↻ 3x",
        "timeout 30s",
        "when context.data.go == true",
        "cache",
        "☝ human input",
        "queue io",
    ):
        assert f">{badge}</span>" in out  # fmt: skip
    assert "<code>http_request</code>" in out
    assert "first to succeed · 2 branches" in out
    assert "while <code>context.data.n &lt; 3</code> · max 5" in out
    assert "for <code>item</code> in <code>context.data.items</code> · max 1000" in out
    assert "if <code>x == 1</code>" in out and ">default</div>" in out
    assert ">try</div>" in out and ">catch</div>" in out and ">finally</div>" in out
    assert "swallows the error" in out
    assert "runs <code>child</code> v2" in out
    assert "A · 3 (75%)" in out and "B · 1 (25%)" in out
    assert "step s1" in out and ">compensation</div>" in out
    assert ">on cancel</div>" in out
    assert "demo</b>" in out and "v4 · production · 26 blocks" in out


def test_html_escapes_user_strings() -> None:
    evil = SequenceDefinition.from_json(
        {
            "name": "<script>alert(1)</script>",
            "blocks": [
                leaf('"><img src=x onerror=alert(1)>', "h<b>", when="a < b && c > 'd'"),
                {"type": "router", "id": "r&d", "routes": [{"condition": "<i>", "blocks": []}]},
            ],
        }
    )
    out = sequence_html(evil)
    assert "<script>" not in out and "<img" not in out and "<i>" not in out and "h<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert 'title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in out
    assert "when a &lt; b &amp;&amp; c &gt; &#x27;d&#x27;" in out
    assert "r&amp;d" in out
    assert re.search(r"<(?!/?(div|span|b|code|style)\b)", out) is None


def test_html_with_states_marks_cards() -> None:
    out = sequence_html(SEQ, states={"fetch": "completed", "b": "waiting", "lp": "skipped"},
                        details={"b": "worker: <send_email>"})  # fmt: skip
    assert "✓ completed" in out
    assert "◷ waiting: worker: &lt;send_email&gt;" in out
    assert 'class="o8nb-box o8nb-faded"' in out
    assert out == sequence_html(SEQ, states={"fetch": "completed", "b": "waiting", "lp": "skipped"},
                                details={"b": "worker: <send_email>"})  # fmt: skip


def test_text_tree() -> None:
    text = sequence_text(SEQ)
    assert text == str(SEQ)
    lines = text.splitlines()
    assert lines[0] == "sequence demo (v4, production)"
    assert lines[1] == (
        "├── ⚙ step fetch → http_request  [↻ 3x, timeout 30s, when context.data.go == true, "
        "cache, ☝ human input, queue io]"
    )
    assert lines[2:8] == [
        "├── ⇉ parallel fan: 2 branches",
        "│   ├── branch 1",
        "│   │   └── ⚙ step a → h",
        "│   └── branch 2",
        "│       └── ⚙ step b → h",
        "├── ⚑ race rc: first to succeed · 2 branches",
    ]
    assert "├── ↻ loop lp: while context.data.n < 3 · max 5" in lines
    assert "│   ├── catch" in lines and "│   │   └── (swallows the error)" in lines
    assert "├── ⊞ sub-sequence sub: runs child v2" in lines
    assert lines[-2:] == ["on_cancel", "└── ⚙ step cleanup → h"]
    assert text == sequence_text(SequenceDefinition.from_json(SEQ.to_json()))


def test_repr_pretty_uses_text() -> None:
    class Printer:
        def __init__(self) -> None:
            self.out: list[str] = []

        def text(self, obj: str) -> None:
            self.out.append(obj)

    printer = Printer()
    SEQ._repr_pretty_(printer, False)
    assert printer.out == [sequence_text(SEQ)]


@pytest.mark.parametrize(
    ("state", "icon"),
    [("pending", "○"), ("running", "▶"), ("waiting", "◷"), ("completed", "✓"),
     ("failed", "✗"), ("cancelled", "⊘"), ("skipped", "↷")],
)  # fmt: skip
def test_state_palette_has_icon_and_label(state: str, icon: str) -> None:
    style = STATE_PALETTE[state]
    assert (style.icon, style.label) == (icon, state)
    assert style.color.startswith("var(--jp-")
    badge = node_state_badge(state)
    assert f">{icon} {state}</span>" in badge
    assert "<script" not in badge


def test_state_badge_details_and_unknown_states() -> None:
    badge = node_state_badge("failed", "ValueError: <bad>")
    assert "✗ failed: ValueError: &lt;bad&gt;" in badge
    assert 'title="✗ failed: ValueError: &lt;bad&gt;"' in badge
    assert "dashed" in node_state_badge("skipped")
    assert state_style("bogus").label == "unknown"
    assert "? &lt;b&gt;" in node_state_badge("<b>")
    assert {"scheduled", "paused"} <= set(STATE_PALETTE)
