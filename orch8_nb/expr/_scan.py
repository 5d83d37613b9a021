"""Finding ``{{ ... }}`` placeholders in a string.

A ``}}`` inside a quoted string does not close a placeholder (``{{ 'a}}b' }}``). A quote
that never closes is left for the lexer, which reports it as an unterminated string with
its column, a more useful message than "unterminated placeholder".
"""

from __future__ import annotations

import re

from ._fault import Fault

_PLAIN = re.compile(r"[^'\"}]+")
_QUOTED = {
    "'": re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL),
    '"': re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL),
}

Piece = str | tuple[int, int]
"""Literal text, or the (start, end) offsets of one placeholder's content."""


def closing(text: str, start: int) -> int:
    """Offset of the ``}}`` that closes a placeholder whose content begins at ``start``."""
    i = start
    size = len(text)
    while i < size:
        run = _PLAIN.match(text, i)
        if run:
            i = run.end()
            continue
        ch = text[i]
        if ch == "}":
            if text.startswith("}}", i):
                return i
            i += 1
            continue
        quoted = _QUOTED[ch].match(text, i)
        i = quoted.end() if quoted else i + 1
    return -1


def split(text: str) -> list[Piece]:
    """Literal pieces and placeholder spans, in order; an unclosed ``{{`` is an error."""
    pieces: list[Piece] = []
    pos = 0
    while True:
        opening = text.find("{{", pos)
        if opening < 0:
            if pos < len(text):
                pieces.append(text[pos:])
            return pieces
        if opening > pos:
            pieces.append(text[pos:opening])
        end = closing(text, opening + 2)
        if end < 0:
            raise Fault("unterminated '{{' (missing '}}')", opening)
        pieces.append((opening + 2, end))
        pos = end + 2


def whole_span(text: str) -> tuple[int, int] | None:
    """The content span if ``text`` is exactly one placeholder, else None."""
    if not (text.startswith("{{") and text.endswith("}}")):
        return None
    end = closing(text, 2)
    return (2, end) if end == len(text) - 2 else None
