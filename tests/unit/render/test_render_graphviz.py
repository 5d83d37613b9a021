"""``seq.to_graphviz()``: DOT source with clusters for composites, and a display that needs
no ``dot`` binary."""

from __future__ import annotations

import graphviz  # type: ignore[import-untyped]
import pytest

from orch8_nb import dsl
from orch8_nb.render import sequence_html, sequence_text
from orch8_nb.render.graphviz import SequenceGraph

SEQ = dsl.sequence(
    "orders",
    dsl.step("fetch", "http", retry=dsl.retry(max_attempts=3, initial_backoff=100)),
    dsl.parallel("fan", [dsl.step("left", "noop")], [dsl.step("right", "noop")]),
    dsl.loop("poll", "true", [dsl.step("check", "noop")], max_iterations=3),
    dsl.sub_sequence("notify", "notify_flow"),
    on_failure=[dsl.step("cleanup", "noop")],
)

GRAPH_ATTRS = (
    'compound=true fontname=Helvetica label="orders (unregistered)" labeljust=l labelloc=t '
    "rankdir=TB"
)
EXPECTED = f"""\
digraph orders {{
\tgraph [{GRAPH_ATTRS}]
\tnode [fontname=Helvetica fontsize=11 shape=box style=rounded]
\tedge [fontname=Helvetica fontsize=10]
\tn0 [label="⚙ step fetch\\n→ http\\n[↻ 3x]" tooltip=fetch]
\tsubgraph cluster_0 {{
\t\tfontname=Helvetica label="⇉ parallel fan: 2 branches" style=rounded tooltip=fan
\t\tsubgraph cluster_1 {{
\t\t\tlabel="branch 1" style=dashed
\t\t\tn1 [label="⚙ step left\\n→ noop" tooltip=left]
\t\t}}
\t\tsubgraph cluster_2 {{
\t\t\tlabel="branch 2" style=dashed
\t\t\tn2 [label="⚙ step right\\n→ noop" tooltip=right]
\t\t}}
\t}}
\tsubgraph cluster_3 {{
\t\tfontname=Helvetica label="↻ loop poll: while true · max 3" style=rounded tooltip=poll
\t\tn3 [label="⚙ step check\\n→ noop" tooltip=check]
\t}}
\tn4 [label="⊞ sub-sequence notify\\nruns notify_flow (latest)" tooltip=notify]
\tsubgraph cluster_4 {{
\t\tfontname=Helvetica label="on failure" style=dashed
\t\tn5 [label="⚙ step cleanup\\n→ noop" tooltip=cleanup]
\t}}
\tn0 -> n1 [lhead=cluster_0]
\tn1 -> n3 [lhead=cluster_3 ltail=cluster_0]
\tn3 -> n4 [ltail=cluster_3]
}}
"""


def test_the_dot_source() -> None:
    graph = SEQ.to_graphviz()
    assert isinstance(graph, graphviz.Digraph) and isinstance(graph, SequenceGraph)
    assert graph.source == EXPECTED
    assert SEQ.to_graphviz().source == EXPECTED  # deterministic


def test_every_composite_is_a_cluster() -> None:
    seq = dsl.sequence(
        "all",
        dsl.race("r", [dsl.step("r1", "noop")], [dsl.step("r2", "noop")]),
        dsl.for_each("fe", "data.xs", [dsl.step("w", "noop")]),
        dsl.router("ro", [dsl.route("data.a", dsl.step("a", "noop"))]),
        dsl.try_catch("tc", [dsl.step("t", "noop")], [], [dsl.step("f", "noop")]),
        dsl.ab_split("ab", dsl.variant("x", 1, dsl.step("vx", "noop")),
                     dsl.variant("y", 3, dsl.step("vy", "noop"))),
        dsl.cancellation_scope("cs", dsl.step("shielded", "noop")),
        dsl.saga("sg", dsl.saga_step("s1", dsl.step("act", "noop"))),
    )  # fmt: skip
    source = seq.to_graphviz().source
    for label in (
        "⚑ race r: first to resolve · 2 branches", "∀ for each fe: for item in data.xs",
        "◇ router ro: 1 route", "⚠ try / catch tc", "⚖ A/B split ab: 2 variants",
        "▣ cancellation scope cs: shielded from cancel", "↶ saga sg: 1 step",
        "label=\"if data.a\"", "label=\"(swallows the error)\"", "label=\"x · 1 (25%)\"",
        "label=\"step s1\"", "label=\"(none)\"",
    ):  # fmt: skip
        assert label in source, label
    # race 1+2, for_each 1, router 1+1, try_catch 1+3, ab_split 1+2, scope 1, saga 1+1+2
    assert source.count("subgraph cluster_") == 18


def test_odd_ids_and_text_stay_literal() -> None:
    seq = dsl.sequence(
        "odd",
        dsl.step("a:b", "h", when='data.x == "q\\\\"'),
        dsl.step("<html>", "h"),
    )
    source = seq.to_graphviz().source
    assert (
        'n0 [label="⚙ step a:b\\n→ h\\n[when data.x == \\"q\\\\\\\\\\"]" tooltip="a:b"]' in source
    )
    assert 'n1 [label="⚙ step <html>\\n→ h" tooltip="<html>"]' in source


def test_the_display_needs_no_dot_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = SEQ.to_graphviz()
    assert graph._repr_mimebundle_() == {
        "text/plain": sequence_text(SEQ),
        "text/vnd.graphviz": EXPECTED,
        "text/html": sequence_html(SEQ),
    }

    def no_dot(*_args: object, **_kwargs: object) -> None:
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    assert graph._repr_mimebundle_(include=["image/svg+xml", "text/vnd.graphviz"]) == {
        "text/vnd.graphviz": EXPECTED
    }
    assert "text/html" not in graph._repr_mimebundle_(exclude=["text/html"])
    copy = graph.copy()  # a copy is a plain SequenceGraph: DOT source as text
    assert copy._repr_mimebundle_()["text/plain"] == EXPECTED
