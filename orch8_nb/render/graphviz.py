"""``seq.to_graphviz()``: a sequence as a Graphviz DOT graph.

Composites are clusters (titled boxes around their children, lanes side by side) and steps
are boxes, with the icons and words of the text rendering (both read ``_describe``), so
the picture reads like every other surface (UI.md). Node names are generated (``n0``,
``n1``...) rather than block ids, which keeps any id safe in DOT and the source
deterministic.

Displaying the graph never runs ``dot``: the bundle carries the DOT source
(``text/vnd.graphviz``, drawn by the JupyterLab extension with bundled WASM Graphviz) plus
the static HTML and text. An SVG or PNG is made only when explicitly requested through
``include`` and a ``dot`` binary is installed, so saved outputs do not depend on the
machine.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import graphviz  # type: ignore[import-untyped]

from orch8_nb.model.block_type import BlockType
from orch8_nb.model.blocks import Block
from orch8_nb.model.sequence import SequenceDefinition
from orch8_nb.render._describe import Lane, Part, Summary, describe
from orch8_nb.render.icons import BLOCK_ICONS, BLOCK_LABELS
from orch8_nb.render.sequence_html import sequence_html
from orch8_nb.render.sequence_text import sequence_text
from orch8_nb.render.views import GRAPHVIZ_MIME, select_mimes

_FONT = "Helvetica"
_IMAGE_MIMES = frozenset({"image/svg+xml", "image/png", "image/jpeg"})


class SequenceGraph(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` whose notebook display needs no ``dot`` binary."""

    def __init__(self, *args: Any, text: str | None = None, html: str | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self._orch8_text = text
        self._orch8_html = html

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        bundle: dict[str, Any] = {
            "text/plain": self._orch8_text or self.source,
            GRAPHVIZ_MIME: self.source,
        }
        if self._orch8_html is not None:
            bundle["text/html"] = self._orch8_html
        images = _IMAGE_MIMES & set(include or ()) - set(exclude or ())
        if images:
            # Without `dot` the images are left out; the DOT source is still in the bundle.
            with contextlib.suppress(graphviz.ExecutableNotFound, subprocess.CalledProcessError):
                bundle.update(super()._repr_mimebundle_(include=images))
        return select_mimes(bundle, include, exclude)


@dataclass(frozen=True, slots=True)
class _Ends:
    """Where edges enter and leave a drawn block: a node, clipped at a cluster if any."""

    first: str
    last: str
    cluster: str | None = None


def sequence_graph(seq: SequenceDefinition) -> SequenceGraph:
    """The DOT graph of ``seq``: top to bottom, composites as nested clusters."""
    graph = SequenceGraph(
        name=seq.name,
        graph_attr={"rankdir": "TB", "compound": "true", "fontname": _FONT, "labeljust": "l",
                    "label": _label([f"{seq.name} ({_version(seq)})"]), "labelloc": "t"},
        node_attr={"shape": "box", "style": "rounded", "fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": "10"},
        text=sequence_text(seq),
        html=sequence_html(seq),
    )  # fmt: skip
    builder = _Builder()
    builder.blocks(graph, seq.blocks)
    for label, blocks in (("on failure", seq.on_failure), ("on cancel", seq.on_cancel)):
        if blocks:
            with graph.subgraph(name=builder.cluster_name()) as cluster:
                cluster.attr(label=_label([label]), style="dashed", fontname=_FONT)
                builder.blocks(cluster, blocks)
    for tail, head, attrs in builder.edges:
        graph.edge(tail, head, **attrs)
    return graph


class _Builder:
    def __init__(self) -> None:
        self._nodes = 0
        self._clusters = 0
        self.edges: list[tuple[str, str, dict[str, str]]] = []

    def node_name(self) -> str:
        self._nodes += 1
        return f"n{self._nodes - 1}"

    def cluster_name(self) -> str:
        self._clusters += 1
        return f"cluster_{self._clusters - 1}"

    def blocks(self, graph: Any, blocks: Sequence[Block], empty_note: str = "empty") -> _Ends:
        """Draw ``blocks`` in order, each linked to the next; returns the list's ends."""
        if not blocks:
            name = self.node_name()
            graph.node(name, label=_label([f"({empty_note})"]), shape="plaintext")
            return _Ends(name, name)
        drawn = [self.block(graph, block) for block in blocks]
        for before, after in itertools.pairwise(drawn):
            attrs = {"ltail": before.cluster} if before.cluster else {}
            if after.cluster:
                attrs["lhead"] = after.cluster
            self.edges.append((before.last, after.first, attrs))
        return _Ends(drawn[0].first, drawn[-1].last)

    def block(self, graph: Any, block: Block) -> _Ends:
        summary = describe(block)
        if not summary.sections:  # steps and sub-sequences are single boxes
            name = self.node_name()
            graph.node(name, label=_label(_card_lines(summary)), tooltip=_escape(summary.id))
            return _Ends(name, name)
        cluster_name = self.cluster_name()
        with graph.subgraph(name=cluster_name) as cluster:
            cluster.attr(label=_label(_box_lines(summary)), style="rounded", fontname=_FONT,
                         tooltip=_escape(summary.id))  # fmt: skip
            ends = [self.section(cluster, s.label, s.lanes) for s in summary.sections]
        return _Ends(ends[0].first, ends[0].last, cluster_name)

    def section(self, graph: Any, label: str, lanes: Sequence[Lane]) -> _Ends:
        if not label:
            return self.lanes(graph, lanes)
        with graph.subgraph(name=self.cluster_name()) as cluster:
            cluster.attr(label=_label([label]), style="dotted")
            return self.lanes(cluster, lanes)

    def lanes(self, graph: Any, lanes: Sequence[Lane]) -> _Ends:
        ends = []
        for lane in lanes:
            if not lane.label:
                ends.append(self.blocks(graph, lane.blocks, lane.empty_note))
                continue
            with graph.subgraph(name=self.cluster_name()) as cluster:
                cluster.attr(label=_label([_text(lane.label)]), style="dashed")
                ends.append(self.blocks(cluster, lane.blocks, lane.empty_note))
        return ends[0]


def _card_lines(summary: Summary) -> list[str]:
    kind = summary.block_type
    lines = [f"{BLOCK_ICONS[kind]} {BLOCK_LABELS[kind]} {summary.id}"]
    if summary.headline:
        prefix = "→ " if kind == BlockType.STEP else ""
        lines.append(prefix + _text(summary.headline))
    if summary.badges:
        lines.append("[" + ", ".join(b.text for b in summary.badges) + "]")
    return lines


def _box_lines(summary: Summary) -> list[str]:
    kind = summary.block_type
    head = f"{BLOCK_ICONS[kind]} {BLOCK_LABELS[kind]} {summary.id}"
    if summary.headline:
        head += ": " + _text(summary.headline)
    badges = ["[" + ", ".join(b.text for b in summary.badges) + "]"] if summary.badges else []
    return [head, *badges]


def _text(parts: Iterable[Part]) -> str:
    return "".join(p.text for p in parts)


def _version(seq: SequenceDefinition) -> str:
    return f"v{seq.version}" if seq.version is not None else "unregistered"


def _escape(text: str) -> Any:
    """DOT text shown as written: backslashes doubled (no ``\\N``-style escapes) and never
    taken for an HTML label; the graphviz package escapes the quotes."""
    return graphviz.nohtml(_escape_line(text))


def _label(lines: Sequence[str]) -> Any:
    """Lines of a label, each escaped, joined by DOT's centred line break."""
    return graphviz.nohtml("\\n".join(_escape_line(line) for line in lines))


def _escape_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


__all__ = ["SequenceGraph", "sequence_graph"]
