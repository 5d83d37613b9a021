"""Tokenizer for expressions and ``{{ }}`` placeholders.

A single ``|`` is the template chain separator and ``||`` the logical or, so the two are
different tokens. After a ``.`` the lexer reads a *member name*: digits there are an array
index (``items.0``), keywords are plain keys (``a.in``), and in templates a name may contain
inner hyphens so hyphenated block ids work (``outputs.fetch-user.body``).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from ._fault import Fault

NUM = "NUM"
STR = "STR"
NAME = "NAME"
LIT = "LIT"
EOF = "EOF"


class Token(NamedTuple):
    """``kind`` is NUM/STR/NAME/LIT/EOF, an operator's text, or ``not`` / ``in``."""

    kind: str
    value: Any
    pos: int


_SPACE = re.compile(r"[ \t\r\n]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MEMBER = re.compile(r"[A-Za-z0-9_]+")
_MEMBER_DASHED = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_PLAIN = {"'": re.compile(r"[^'\\]+"), '"': re.compile(r'[^"\\]+')}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")

_TWO_CHAR = frozenset({"==", "!=", "<=", ">=", "&&", "||"})
_ONE_CHAR = frozenset("<>!+-*/%?:()[],.|")
_KEYWORDS: dict[str, tuple[str, Any]] = {
    "true": (LIT, True),
    "false": (LIT, False),
    "null": (LIT, None),
    "and": ("&&", "and"),
    "or": ("||", "or"),
    "not": ("not", "not"),
    "in": ("in", "in"),
}
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "0": "\0",
    "/": "/",
    "\\": "\\",
    "'": "'",
    '"': '"',
}
_HINTS = {
    "=": "use '==' to compare",
    "&": "use '&&' (or 'and')",
    "{": "placeholders cannot be nested",
    "}": "placeholders cannot be nested",
}
_INT_DIGITS = 18  # any 18-digit number fits in 64 bits; longer ones are checked


def tokenize(
    text: str, start: int = 0, end: int | None = None, *, template: bool = False
) -> list[Token]:
    """Split ``text[start:end]`` into tokens whose ``pos`` is an offset into ``text``."""
    stop = len(text) if end is None else end
    member = _MEMBER_DASHED if template else _MEMBER
    tokens: list[Token] = []
    i = start
    while i < stop:
        ch = text[i]
        if ch in " \t\r\n":
            space = _SPACE.match(text, i, stop)
            i = space.end() if space else i + 1
            continue
        if tokens and tokens[-1].kind == ".":
            match = member.match(text, i, stop)
            if match:
                word = match.group()
                tokens.append(Token(NUM, int(word), i) if word.isdigit() else Token(NAME, word, i))
                i = match.end()
                continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, i, stop)
            assert match is not None
            word = match.group()
            kind, value = _KEYWORDS.get(word, (NAME, word))
            tokens.append(Token(kind, value, i))
            i = match.end()
        elif "0" <= ch <= "9":
            match = _NUMBER.match(text, i, stop)
            assert match is not None
            tokens.append(Token(NUM, _number(match.group(), i), i))
            i = match.end()
        elif ch in "'\"":
            value, i_next = _string(text, i, stop)
            tokens.append(Token(STR, value, i))
            i = i_next
        elif text[i : i + 2] in _TWO_CHAR and i + 2 <= stop:
            tokens.append(Token(text[i : i + 2], None, i))
            i += 2
        elif ch in _ONE_CHAR:
            tokens.append(Token(ch, None, i))
            i += 1
        else:
            hint = _HINTS.get(ch)
            raise Fault(f"unexpected character {ch!r}" + (f" ({hint})" if hint else ""), i)
    tokens.append(Token(EOF, None, stop))
    return tokens


def _number(literal: str, pos: int) -> int | float:
    """Integers beyond 64 bits read as floats (as JSON parsers do); infinity is refused."""
    if literal.isdigit():
        if len(literal) <= _INT_DIGITS:
            return int(literal)
        if len(literal) < 40 and int(literal) < 2**63:
            return int(literal)
    value = float(literal)
    if not math.isfinite(value):
        raise Fault(f"number {literal[:20]!r} is out of range", pos)
    return value


def _string(text: str, start: int, stop: int) -> tuple[str, int]:
    """Read a quoted string with JSON-style escapes; return its value and the next offset."""
    quote = text[start]
    plain = _PLAIN[quote]
    chunks: list[str] = []
    i = start + 1
    while i < stop:
        ch = text[i]
        if ch == quote:
            return "".join(chunks), i + 1
        if ch != "\\":
            run = plain.match(text, i, stop)
            assert run is not None
            chunks.append(run.group())
            i = run.end()
            continue
        if i + 1 >= stop:
            break
        escape = text[i + 1]
        if escape == "u":
            digits = _HEX4.match(text, i + 2, stop)
            if digits is None:
                raise Fault("'\\u' needs four hex digits", i)
            chunks.append(chr(int(digits.group(), 16)))
            i = digits.end()
            continue
        mapped = _ESCAPES.get(escape)
        if mapped is None:
            raise Fault(f"unknown escape '\\{escape}' in string", i)
        chunks.append(mapped)
        i += 2
    raise Fault("unterminated string", start)
