"""Syntax tree of the expression language.

Positions (``pos``) are 0-based offsets into the source text, reported 1-based as columns.
Left-associative operators of one precedence level form a single flat :class:`Chain`, so a
30,000-term ``a + b + ...`` is one node evaluated in a loop, not a 30,000-deep tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    pos: int


@dataclass(frozen=True, slots=True)
class ArrayLit:
    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Index:
    """A computed segment ``[expr]`` of a path."""

    expr: Node
    pos: int


Segment = str | int | Index
"""A static key, a static array index, or a computed index."""


@dataclass(frozen=True, slots=True)
class Path:
    """``root`` is a canonical root name (``data``, ``outputs``, ...; see ``_roots``)."""

    root: str
    segments: tuple[Segment, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Subscript:
    """Member/index access on a non-path value: ``(expr).a``, ``f(x)[0]``, ``[1, 2][0]``."""

    target: Node
    segments: tuple[Segment, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "!", "-", "not"
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Chain:
    """``first op1 x1 op2 x2 ...`` for operators of one precedence ``group``."""

    group: str  # "or", "and", "equality", "compare", "add", "mul"
    first: Node
    rest: tuple[tuple[str, Node, int], ...]  # (operator, operand, operator position)


@dataclass(frozen=True, slots=True)
class Ternary:
    cond: Node
    then: Node
    other: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Filter:
    """A ``| name(args)`` step of a pipeline."""

    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Pipeline:
    """``first | step | ...``: a Filter transforms the value, any other step is a fallback."""

    first: Node
    steps: tuple[Filter | Node, ...]


Node = Literal | ArrayLit | Path | Subscript | Unary | Chain | Ternary | Call | Pipeline
