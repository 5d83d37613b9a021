"""Orch8's expression language and ``{{ }}`` templates, parsed by our own code (never eval).

Expressions drive router conditions, loop ``condition``/``break_on``, ``when``, ``retry_if``
and ``assert``; templates resolve step ``params`` and ``cache_key``. Both read the same
:class:`Scope`. See ``docs/expressions.md`` for the language.
"""

from __future__ import annotations

from orch8_nb.errors import ExpressionError

from ._expression import CompiledExpression, compile_expression, evaluate
from ._scope import Scope
from ._templates import has_template, render_template, resolve_templates
from ._values import truthy

__all__ = [
    "CompiledExpression",
    "ExpressionError",
    "Scope",
    "compile_expression",
    "evaluate",
    "has_template",
    "render_template",
    "resolve_templates",
    "truthy",
]
