"""Named limits of the expression language.

Every limit protects the engine from user-supplied text or data that would otherwise make a
step hang or exhaust memory: a sequence definition or a context value is untrusted input.
"""

from __future__ import annotations

MAX_EXPRESSION_BYTES = 64 * 1024
"""Longest expression (or single ``{{ }}`` placeholder) accepted, in UTF-8 bytes."""

MAX_PARSE_DEPTH = 64
"""Deepest syntactic nesting (parentheses, brackets, calls, unary operators, ternaries)."""

MAX_ARRAY_ELEMENTS = 100_000
"""Largest array an array function, filter or operator will read or produce."""

MAX_STRING_BYTES = 4 * 1024 * 1024
"""Largest string (UTF-8 bytes) produced by a filter, a function, ``+`` or an inline template."""

MAX_VALUE_DEPTH = 256
"""Deepest JSON value walked by equality, copying and template resolution."""

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
"""Integers stay within a signed 64-bit range (like JSON numbers in Orch8); beyond it they
become floats, and floats beyond the double range are an error."""

CACHE_SIZE = 4096
"""Entries in each parse cache (expressions and templates)."""

MAX_CACHED_TEXT = 16 * 1024
"""Longer texts are parsed on every use instead of being pinned in the cache."""

MAX_ROUND_DIGITS = 15
"""``round(n)`` accepts 0..15 decimal places (a double has ~15-17 significant digits)."""
