"""Pratt parser: tokens to a syntax tree, with nesting and size limits.

Precedence, loosest first: pipeline ``|`` (top level only), ternary ``?:``, ``||``/``or``,
``&&``/``and``, prefix ``not``, ``== !=``, ``< <= > >= in``/``not in``, ``+ -``, ``* / %``,
prefix ``!`` and ``-``, then member access, indexing and calls. Nesting deeper than
MAX_PARSE_DEPTH is an error before Python's own recursion limit can be reached.
"""

from __future__ import annotations

from ._ast import (
    ArrayLit,
    Call,
    Chain,
    Filter,
    Index,
    Literal,
    Node,
    Pipeline,
    Segment,
    Subscript,
    Ternary,
    Unary,
)
from ._builtin import arity_text
from ._fault import Fault
from ._filters import FILTERS, HASH_ALGORITHMS
from ._functions import FUNCTIONS
from ._lexer import EOF, LIT, NAME, NUM, STR, Token, tokenize
from ._limits import MAX_EXPRESSION_BYTES, MAX_PARSE_DEPTH
from ._roots import resolve_path
from ._values import utf8_length

# operator token -> (binding power, chain group)
_INFIX: dict[str, tuple[int, str]] = {
    "||": (2, "or"),
    "&&": (3, "and"),
    "==": (5, "equality"),
    "!=": (5, "equality"),
    "<": (6, "compare"),
    "<=": (6, "compare"),
    ">": (6, "compare"),
    ">=": (6, "compare"),
    "in": (6, "compare"),
    "not": (6, "compare"),  # only as "not in"
    "+": (7, "add"),
    "-": (7, "add"),
    "*": (8, "mul"),
    "/": (8, "mul"),
    "%": (8, "mul"),
}
_TERNARY_BP = 1
_NOT_BP = 4
_UNARY_BP = 9


def parse(text: str, start: int = 0, end: int | None = None, *, template: bool = False) -> Node:
    """Parse ``text[start:end]`` (a whole expression or one placeholder's content)."""
    stop = len(text) if end is None else end
    size = stop - start
    if size > MAX_EXPRESSION_BYTES // 4 and (
        size > MAX_EXPRESSION_BYTES or utf8_length(text[start:stop]) > MAX_EXPRESSION_BYTES
    ):
        raise Fault(f"expression is longer than {MAX_EXPRESSION_BYTES // 1024} KiB", start)
    tokens = tokenize(text, start, stop, template=template)
    if tokens[0].kind == EOF:
        raise Fault("empty placeholder" if template else "empty expression", start)
    return _Parser(tokens, template).pipeline()


def _describe(token: Token) -> str:
    if token.kind == EOF:
        return "end of expression"
    if token.kind == NAME:
        return f"name {token.value!r}"
    if token.kind == NUM:
        return f"number {token.value!r}"
    if token.kind == STR:
        return "string"
    if token.kind == LIT:
        return {True: "'true'", False: "'false'", None: "'null'"}[token.value]
    return f"'{token.value or token.kind}'"


class _Parser:
    __slots__ = ("depth", "pos", "template", "tokens")

    def __init__(self, tokens: list[Token], template: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.template = template
        self.depth = 0

    # -- token helpers ---------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise Fault(f"expected '{kind}' but found {_describe(token)}", token.pos)
        return self.advance()

    def nested(self, min_bp: int, pos: int) -> Node:
        """Parse a sub-expression one nesting level deeper, enforcing the depth limit."""
        if self.depth >= MAX_PARSE_DEPTH:
            raise Fault(f"expression nested deeper than {MAX_PARSE_DEPTH} levels", pos)
        self.depth += 1
        try:
            return self.expression(min_bp)
        finally:
            self.depth -= 1

    # -- grammar ---------------------------------------------------------------------------------
    def pipeline(self) -> Node:
        first = self.expression(0)
        steps: list[Filter | Node] = []
        while self.peek().kind == "|":
            self.advance()
            steps.append(self.pipe_step())
        token = self.peek()
        if token.kind != EOF:
            raise Fault(f"unexpected {_describe(token)}", token.pos)
        return Pipeline(first, tuple(steps)) if steps else first

    def pipe_step(self) -> Filter | Node:
        token = self.peek()
        if token.kind == NAME and token.value in FILTERS:
            following = self.tokens[self.pos + 1].kind
            if following in ("(", "|", EOF):
                return self.filter()
        return self.expression(0)

    def filter(self) -> Filter:
        token = self.advance()
        name: str = token.value
        spec = FILTERS[name]
        args: tuple[Node, ...] = ()
        if self.peek().kind == "(":
            args = self.hash_algorithm() if name == "hash" else ()
            if not args:
                args = self.arguments()
        if not spec.min_args <= len(args) <= spec.max_args:
            raise Fault(
                f"filter '{name}' takes {arity_text(spec.min_args, spec.max_args)} "
                f"({spec.signature}), got {len(args)}",
                token.pos,
            )
        following = self.peek()
        if following.kind not in ("|", EOF):
            raise Fault(f"unexpected {_describe(following)} after filter '{name}'", following.pos)
        return Filter(name, args, token.pos)

    def hash_algorithm(self) -> tuple[Node, ...]:
        """Accept ``hash(sha1)`` as well as ``hash('sha1')``: a bare algorithm name is text."""
        window = self.tokens[self.pos : self.pos + 3]
        if (
            len(window) == 3
            and window[1].kind == NAME
            and str(window[1].value).lower() in HASH_ALGORITHMS
            and window[2].kind == ")"
        ):
            word = window[1]
            self.pos += 3
            return (Literal(word.value, word.pos),)
        return ()

    def arguments(self) -> tuple[Node, ...]:
        opening = self.expect("(")
        args: list[Node] = []
        if self.peek().kind != ")":
            args.append(self.nested(0, opening.pos))
            while self.peek().kind == ",":
                self.advance()
                args.append(self.nested(0, opening.pos))
        self.expect(")")
        return tuple(args)

    def expression(self, min_bp: int) -> Node:
        left = self.prefix()
        group = ""
        first: Node = left
        rest: list[tuple[str, Node, int]] = []
        while True:
            token = self.peek()
            kind = token.kind
            if kind == "?" and min_bp <= _TERNARY_BP:
                if rest:
                    left, group, rest = Chain(group, first, tuple(rest)), "", []
                self.advance()
                then = self.nested(0, token.pos)
                self.expect(":")
                other = self.nested(_TERNARY_BP, token.pos)
                left = Ternary(left, then, other, token.pos)
                continue
            info = _INFIX.get(kind)
            if info is None or info[0] < min_bp:
                break
            bp, op_group = info
            self.advance()
            op = kind
            if kind == "not":
                self.expect("in")
                op = "not in"
            right = self.expression(bp + 1)
            if op_group != group:
                if rest:
                    left = Chain(group, first, tuple(rest))
                group, first, rest = op_group, left, []
            rest.append((op, right, token.pos))
        if rest:
            left = Chain(group, first, tuple(rest))
        return left

    def prefix(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind in (NUM, STR, LIT):
            return self.postfix(Literal(token.value, token.pos))
        if kind == NAME:
            if self.peek().kind == "(":
                return self.postfix(self.call(token))
            segments = self.segments()
            return resolve_path(token.value, segments, token.pos, template=self.template)
        if kind == "(":
            inner = self.nested(0, token.pos)
            self.expect(")")
            return self.postfix(inner)
        if kind == "[":
            return self.postfix(self.array(token))
        if kind == "-":
            operand = self.nested(_UNARY_BP, token.pos)
            value = operand.value if isinstance(operand, Literal) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Literal(-value, token.pos)
            return Unary("-", operand, token.pos)
        if kind == "!":
            return Unary("!", self.nested(_UNARY_BP, token.pos), token.pos)
        if kind == "not":
            return Unary("not", self.nested(_NOT_BP, token.pos), token.pos)
        raise Fault(f"unexpected {_describe(token)}", token.pos)

    def call(self, name_token: Token) -> Call:
        name: str = name_token.value
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise Fault(f"unknown function '{name}'", name_token.pos)
        args = self.arguments()
        if not spec.min_args <= len(args) <= spec.max_args:
            raise Fault(
                f"function '{name}' takes {arity_text(spec.min_args, spec.max_args)} "
                f"({spec.signature}), got {len(args)}",
                name_token.pos,
            )
        return Call(name, args, name_token.pos)

    def array(self, opening: Token) -> ArrayLit:
        items: list[Node] = []
        if self.peek().kind != "]":
            items.append(self.nested(0, opening.pos))
            while self.peek().kind == ",":
                self.advance()
                items.append(self.nested(0, opening.pos))
        self.expect("]")
        return ArrayLit(tuple(items), opening.pos)

    def postfix(self, target: Node) -> Node:
        segments = self.segments()
        return Subscript(target, segments, target_pos(target)) if segments else target

    def segments(self) -> tuple[Segment, ...]:
        """Read ``.name``, ``.0`` and ``[expr]`` suffixes; literal indexes become static."""
        found: list[Segment] = []
        while True:
            token = self.peek()
            if token.kind == ".":
                self.advance()
                member = self.advance()
                if member.kind == NAME or (member.kind == NUM and isinstance(member.value, int)):
                    found.append(member.value)
                else:
                    raise Fault(
                        f"expected a name after '.' but found {_describe(member)}", member.pos
                    )
            elif token.kind == "[":
                self.advance()
                inner = self.nested(0, token.pos)
                self.expect("]")
                found.append(_static_segment(inner, token.pos))
            else:
                return tuple(found)


def _static_segment(node: Node, pos: int) -> Segment:
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
    return Index(node, pos)


def target_pos(node: Node) -> int:
    """Source offset where a node starts (for error columns)."""
    if isinstance(node, Chain):
        return target_pos(node.first)
    if isinstance(node, Pipeline):
        return target_pos(node.first)
    if isinstance(node, Ternary):
        return target_pos(node.cond)
    return node.pos
