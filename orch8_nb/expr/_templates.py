"""``{{ }}`` templates in string values: parse once, render per step.

A string that is exactly one placeholder yields the raw JSON value (object, number, null);
otherwise every placeholder is rendered as text into the surrounding string. Parsed
templates are cached by their text, so the engine pays the parse once per distinct string.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from orch8_nb.errors import ExpressionError

from ._compiler import Evaluator, compile_node
from ._fault import UNEXPECTED, Fault, public_error
from ._limits import CACHE_SIZE, MAX_CACHED_TEXT, MAX_STRING_BYTES, MAX_VALUE_DEPTH
from ._parser import parse
from ._scan import split, whole_span
from ._scope import Scope
from ._values import check_string, copy_json, to_text

_WHAT = "template"


class _Template:
    """A parsed template: ``whole`` for a single placeholder, else ``parts`` to join."""

    __slots__ = ("error", "parts", "source", "whole")

    def __init__(self, source: str) -> None:
        self.source = source
        self.whole: Evaluator | None = None
        self.parts: tuple[str | Evaluator, ...] = ()
        self.error: str | None = None
        try:
            span = whole_span(source)
            if span is not None:
                self.whole = compile_node(parse(source, *span, template=True))
                return
            self.parts = tuple(
                piece
                if isinstance(piece, str)
                else compile_node(parse(source, *piece, template=True))
                for piece in split(source)
            )
        except (ExpressionError, *UNEXPECTED) as exc:
            self.error = str(public_error(exc, source, _WHAT))
            if isinstance(exc, RecursionError):
                # depends on the caller's stack depth, so it must not be cached
                raise _Uncacheable(self) from None

    def render(self, scope: Scope, strict: bool) -> Any:
        if self.error is not None:
            if strict:
                raise ExpressionError(self.error)
            return None
        try:
            if self.whole is not None:
                return copy_json(self.whole(scope))
            return self._join(scope, strict)
        except (ExpressionError, *UNEXPECTED) as exc:
            if strict:
                raise public_error(exc, self.source, _WHAT) from None
            return None

    def _join(self, scope: Scope, strict: bool) -> str:
        chunks: list[str] = []
        size = 0
        for part in self.parts:
            if isinstance(part, str):
                chunk = part
            elif strict:
                chunk = to_text(part(scope))
            else:
                try:
                    chunk = to_text(part(scope))
                except (ExpressionError, *UNEXPECTED):
                    chunk = ""
            size += len(chunk)
            if size > MAX_STRING_BYTES:
                raise Fault(f"template result is larger than {MAX_STRING_BYTES // 2**20} MiB")
            chunks.append(chunk)
        return check_string("".join(chunks), "template")


class _Uncacheable(Exception):
    """Carries a template whose parse failed for a reason that may not repeat."""

    def __init__(self, template: _Template) -> None:
        super().__init__(template.error)
        self.template = template


@lru_cache(maxsize=CACHE_SIZE)
def _cached(text: str) -> _Template:
    return _Template(text)


def _template(text: str) -> _Template:
    try:
        return _cached(text) if len(text) <= MAX_CACHED_TEXT else _Template(text)
    except _Uncacheable as exc:
        return exc.template


def has_template(value: Any) -> bool:
    """True if any string inside ``value`` (dict values, list items) contains ``{{``."""
    if type(value) is str:
        return "{{" in value
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if "{{" in item:
                return True
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif isinstance(item, str):
            if "{{" in item:
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def render_template(text: str, scope: Scope, *, strict: bool = True) -> Any:
    """Resolve one string. Whole-string placeholders return the raw value (a fresh copy);
    lenient mode returns None for a broken template and renders failing placeholders as ""."""
    if not isinstance(text, str):
        if strict:
            raise ExpressionError(f"a template must be a string, got {type(text).__name__}")
        return None
    if "{{" not in text:
        return text
    return _template(text).render(scope, strict)


def resolve_templates(value: Any, scope: Scope, *, strict: bool = True) -> Any:
    """Resolve every string inside a JSON value; returns new containers, never mutates
    ``value``. Object keys are left as they are."""
    return _resolve(value, scope, strict, 0)


def _resolve(value: Any, scope: Scope, strict: bool, depth: int) -> Any:
    kind = type(value)
    if kind is str:
        return _template(value).render(scope, strict) if "{{" in value else value
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if depth >= MAX_VALUE_DEPTH and isinstance(value, Mapping | list | tuple):
        if strict:
            raise ExpressionError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
        return None
    if kind is dict or isinstance(value, Mapping):
        return {key: _resolve(item, scope, strict, depth + 1) for key, item in value.items()}
    if kind is list or isinstance(value, list | tuple):
        return [_resolve(item, scope, strict, depth + 1) for item in value]
    if isinstance(value, str):
        return _resolve(str(value), scope, strict, depth)
    return value
