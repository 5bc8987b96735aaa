"""The guard and effect expression language: parsed, type-checked and evaluated by our own code.

Grammar (lowest precedence first)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum     := unary (("+" | "-") unary)*
    unary   := "-" unary | atom
    atom    := INT | "true" | "false" | STRING | NAME
             | ("visited" | "chose") "(" ID ")" | "(" expr ")"

``NAME`` is a declared variable (snake_case). ``ID`` inside ``visited(...)`` and ``chose(...)``
is a node or choice id, bare (``visited(risk-screen)``) or quoted. There is no ``eval`` and no
``exec``: the parser builds a small tree, the checker gives every part a type (int, bool or
text), and :func:`compile_expression` turns the tree into nested Python closures.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from casesim.errors import ExpressionError
from casesim.format.diagnostics import suggest

__all__ = [
    "Binary",
    "Call",
    "Env",
    "Expr",
    "Literal_",
    "Name",
    "Not",
    "Type",
    "compile_expression",
    "constant_int",
    "names_used",
    "parse_expression",
    "type_of",
]

Type = Literal["int", "bool", "str"]


class StateView(Protocol):
    """What a compiled expression reads from a state."""

    vars: tuple[Any, ...]
    visited: frozenset[str]
    chosen: frozenset[str]


# --- tree -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal_:
    value: int | bool | str
    offset: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    function: Literal["visited", "chose"]
    argument: str
    offset: int
    arg_offset: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    offset: int


Expr = Literal_ | Name | Call | Not | Neg | Binary

# --- lexer ----------------------------------------------------------------------------------

# ASCII only: `\d` and `\s` would also take Arabic-Indic or full-width digits and no-break or
# ideographic spaces, which look alike on screen but are not what the docs call whole numbers.
_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<int>[0-9]+)
  | (?P<str>"[^"\\]*"|'[^'\\]*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE | re.ASCII,
)
_ID = re.compile(r"[ \t]*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_][A-Za-z0-9_.:-]*))[ \t]*\)", re.ASCII)
MAX_DEPTH = 100
"""Deepest tree an expression may build: brackets, `not`, unary minus and every further term
joined by `and`, `or`, `+` or `-` each add a level. Checking, compiling and evaluating recurse
once or twice per level, so this keeps a long but legal guard far from Python's recursion limit."""
MAX_LITERAL = 10**15
"""The largest number an expression may spell out (the reader bounds numbers the same way)."""

# What a trainer types out of habit from other languages or word processors, and what to type instead.
_INSTEAD = {
    "&&": "use `and` instead of `&&`",
    "||": "use `or` instead of `||`",
    "&": "use `and` instead of `&`",
    "|": "use `or` instead of `|`",
    "!": "use `not` instead of `!` (and `!=` for \"is not equal to\")",
    "=": "use `==` to compare (a single `=` is not a comparison)",
    "\u201c": "use straight quotes \" instead of curly quotes \u201c \u201d",
    "\u201d": "use straight quotes \" instead of curly quotes \u201c \u201d",
    "\u2018": "use straight quotes ' instead of curly quotes \u2018 \u2019",
    "\u2019": "use straight quotes ' instead of curly quotes \u2018 \u2019",
    "\u2264": "use `<=` instead of \u2264",
    "\u2265": "use `>=` instead of \u2265",
    "\u2260": "use `!=` instead of \u2260",
    "\u2212": "use the ordinary minus sign - instead of \u2212",
    "\u2013": "use the ordinary minus sign - instead of the dash \u2013",
}


def _unexpected(text: str, at: int) -> ExpressionError:
    """An error for the character at ``at`` that no token starts with, saying what to type instead."""
    char = text[at]
    pair = text[at:at + 2]
    if char == "=" and text[:at].rstrip()[-1:] in ("<", ">", "=", "!"):
        return ExpressionError("unexpected '='; the comparisons are == != < <= > >=", at)
    if pair in _INSTEAD:
        return ExpressionError(f"{pair!r} is not part of casesim's expressions; {_INSTEAD[pair]}", at)
    if char in _INSTEAD:
        return ExpressionError(f"{char!r} is not part of casesim's expressions; {_INSTEAD[char]}", at)
    if char.isdigit():
        return ExpressionError(f"{char!r} is not one of the digits 0-9; type the number with the digits 0-9", at)
    if char.isspace():
        return ExpressionError(f"a special space ({_codepoint(char)}) is here; type an ordinary space instead", at)
    if char.isprintable():
        return ExpressionError(f"unexpected character {char!r}", at)
    return ExpressionError(f"an invisible character ({_codepoint(char)}) is here; delete it", at)


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"
_KEYWORDS = {"and", "or", "not", "true", "false", "visited", "chose"}
MAX_EXPRESSION_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise ExpressionError(f"expression is longer than {MAX_EXPRESSION_LENGTH} characters", 0)
        self.text = text
        self.pos = 0
        self.depth = 0
        self.tok = self._next()

    def _next(self) -> _Tok:
        while self.pos < len(self.text):
            m = _TOKEN.match(self.text, self.pos)
            if m is None:
                raise _unexpected(self.text, self.pos)
            start = self.pos
            self.pos = m.end()
            kind = m.lastgroup or ""
            if kind == "ws":
                continue
            return _Tok(kind, m.group(), start)
        return _Tok("end", "", len(self.text))

    def _advance(self) -> _Tok:
        tok = self.tok
        self.tok = self._next()
        return tok

    def _expect(self, text: str) -> _Tok:
        if self.tok.text != text:
            found = "the end of the expression" if self.tok.kind == "end" else repr(self.tok.text)
            raise ExpressionError(f"expected {text!r} but found {found}", self.tok.offset)
        return self._advance()

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise ExpressionError("empty expression", 0)
        expr = self._or()
        if self.tok.kind != "end":
            raise ExpressionError(f"unexpected {self.tok.text!r}; did you forget 'and' or 'or'?", self.tok.offset)
        return expr

    def _or(self) -> Expr:
        left = self._and()
        entered = self.depth
        while self.tok.kind == "name" and self.tok.text == "or":
            tok = self._advance()
            self._enter(tok.offset)
            left = Binary("or", left, self._and(), tok.offset)
        self.depth = entered
        return left

    def _and(self) -> Expr:
        left = self._not()
        entered = self.depth
        while self.tok.kind == "name" and self.tok.text == "and":
            tok = self._advance()
            self._enter(tok.offset)
            left = Binary("and", left, self._not(), tok.offset)
        self.depth = entered
        return left

    def _not(self) -> Expr:
        if self.tok.kind == "name" and self.tok.text == "not":
            tok = self._advance()
            self._enter(tok.offset)
            operand = self._not()
            self.depth -= 1
            return Not(operand, tok.offset)
        return self._compare()

    def _compare(self) -> Expr:
        left = self._sum()
        if self.tok.kind == "op" and self.tok.text in ("==", "!=", "<", "<=", ">", ">="):
            tok = self._advance()
            right = self._sum()
            if self.tok.kind == "op" and self.tok.text in ("==", "!=", "<", "<=", ">", ">="):
                raise ExpressionError("comparisons cannot be chained; join them with 'and'", self.tok.offset)
            return Binary(tok.text, left, right, tok.offset)
        return left

    def _sum(self) -> Expr:
        left = self._unary()
        entered = self.depth
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            tok = self._advance()
            self._enter(tok.offset)
            left = Binary(tok.text, left, self._unary(), tok.offset)
        self.depth = entered
        return left

    def _unary(self) -> Expr:
        if self.tok.kind == "op" and self.tok.text == "-":
            tok = self._advance()
            self._enter(tok.offset)
            operand = self._unary()
            self.depth -= 1
            return Neg(operand, tok.offset)
        return self._atom()

    def _enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression is too long or too deeply nested (more than {MAX_DEPTH} brackets, "
                                  "`not`s and joined terms); split it into simpler conditions or effects", offset)

    def _atom(self) -> Expr:
        tok = self.tok
        if tok.kind == "int":
            if len(tok.text) > 16 or int(tok.text) > MAX_LITERAL:
                raise ExpressionError(f"number {tok.text[:20]}{'...' if len(tok.text) > 20 else ''} is too large; "
                                      f"numbers stay within {MAX_LITERAL:,}", tok.offset)
            self._advance()
            return Literal_(int(tok.text), tok.offset)
        if tok.kind == "str":
            self._advance()
            return Literal_(tok.text[1:-1], tok.offset)
        if tok.kind == "op" and tok.text == "(":
            self._advance()
            self._enter(tok.offset)
            inner = self._or()
            self.depth -= 1
            self._expect(")")
            return inner
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                self._advance()
                return Literal_(tok.text == "true", tok.offset)
            if tok.text in ("visited", "chose"):
                return self._call(tok)
            if tok.text in _KEYWORDS:
                raise ExpressionError(f"{tok.text!r} cannot start a value here", tok.offset)
            self._advance()
            return Name(tok.text, tok.offset)
        if tok.kind == "end":
            raise ExpressionError("the expression ends too early", tok.offset)
        raise ExpressionError(f"unexpected {tok.text!r}", tok.offset)

    def _call(self, tok: _Tok) -> Expr:
        # The argument is an id that may contain hyphens, so it is read raw, not tokenised.
        after = self.pos
        if self.tok.offset + len(tok.text) != after:
            raise ExpressionError("internal tokeniser state", tok.offset)  # pragma: no cover
        rest = self.text[after:]
        stripped = rest.lstrip()
        if not stripped.startswith("("):
            raise ExpressionError(f"{tok.text} needs an id in brackets, like {tok.text}(some-id)", tok.offset)
        open_at = after + (len(rest) - len(stripped))
        m = _ID.match(self.text, open_at + 1)
        if m is None:
            raise ExpressionError(f"{tok.text}(...) takes one node or choice id", open_at + 1)
        argument = next(g for g in m.groups() if g is not None)
        arg_offset = m.start(1) if m.group(1) is not None else (m.start(2) if m.group(2) is not None else m.start(3))
        self.pos = m.end()
        self.tok = self._next()
        function: Literal["visited", "chose"] = "visited" if tok.text == "visited" else "chose"
        return Call(function, argument, tok.offset, arg_offset)


@functools.lru_cache(maxsize=8192)
def parse_expression(text: str) -> Expr:
    """Parse ``text``; raises :class:`ExpressionError` with the offset of the first problem.

    Trees are immutable, so parses are cached: authors repeat guards like "rapport >= 5".
    """
    return _Parser(text).parse()


# --- types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Env:
    """The names an expression may use."""

    variables: Mapping[str, Type]
    nodes: frozenset[str]
    choices: frozenset[str]


def type_of(expr: Expr, env: Env) -> Type:
    """The type of ``expr``; raises :class:`ExpressionError` at the offending part."""
    if isinstance(expr, Literal_):
        if isinstance(expr.value, bool):
            return "bool"
        return "int" if isinstance(expr.value, int) else "str"
    if isinstance(expr, Name):
        if expr.name not in env.variables:
            extra = suggest(expr.name, env.variables,
                            f"; declared variables: {', '.join(sorted(env.variables))}" if env.variables else
                            "; declare it under `variables:`")
            raise ExpressionError(f"unknown variable {expr.name!r}{extra}", expr.offset)
        return env.variables[expr.name]
    if isinstance(expr, Call):
        known = env.nodes if expr.function == "visited" else env.choices
        if expr.argument not in known:
            what = "node" if expr.function == "visited" else "choice"
            extra = suggest(expr.argument, known)
            raise ExpressionError(f"unknown {what} {expr.argument!r} in {expr.function}(){extra}", expr.arg_offset)
        return "bool"
    if isinstance(expr, Not):
        _require(expr.operand, env, "bool", "'not' needs a true/false value")
        return "bool"
    if isinstance(expr, Neg):
        _require(expr.operand, env, "int", "'-' needs a number")
        return "int"
    op = expr.op
    if op in ("and", "or"):
        _require(expr.left, env, "bool", f"'{op}' joins true/false values")
        _require(expr.right, env, "bool", f"'{op}' joins true/false values")
        return "bool"
    if op in ("+", "-"):
        _require(expr.left, env, "int", f"'{op}' works on numbers")
        _require(expr.right, env, "int", f"'{op}' works on numbers")
        return "int"
    if op in ("<", "<=", ">", ">="):
        _require(expr.left, env, "int", f"'{op}' compares numbers")
        _require(expr.right, env, "int", f"'{op}' compares numbers")
        return "bool"
    left, right = type_of(expr.left, env), type_of(expr.right, env)
    if left != right:
        raise ExpressionError(f"'{op}' compares a {_TYPE_WORD[left]} with a {_TYPE_WORD[right]}", expr.offset)
    return "bool"


_TYPE_WORD = {"int": "number", "bool": "true/false value", "str": "text"}


def _require(expr: Expr, env: Env, wanted: Type, why: str) -> None:
    got = type_of(expr, env)
    if got != wanted:
        raise ExpressionError(f"{why}, but this is a {_TYPE_WORD[got]}", _offset(expr))


def _offset(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _offset(expr.left)
    return expr.offset


def constant_int(expr: Expr) -> int | None:
    """The value of ``expr`` when it is a whole number written out (``3``, ``-2``, ``--1``,
    ``2 + 1``), else None. Lets a check compare an assigned constant with a variable's range
    without converting the expression's text a second time."""
    if isinstance(expr, Literal_):
        return expr.value if isinstance(expr.value, int) and not isinstance(expr.value, bool) else None
    if isinstance(expr, Neg):
        inner = constant_int(expr.operand)
        return None if inner is None else -inner
    if isinstance(expr, Binary) and expr.op in ("+", "-"):
        left, right = constant_int(expr.left), constant_int(expr.right)
        if left is None or right is None:
            return None
        return left + right if expr.op == "+" else left - right
    return None


def names_used(expr: Expr) -> tuple[set[str], set[str], set[str]]:
    """(variables, nodes in visited(), choices in chose()) that ``expr`` reads."""
    variables: set[str] = set()
    nodes: set[str] = set()
    choices: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Name):
            variables.add(e.name)
        elif isinstance(e, Call):
            (nodes if e.function == "visited" else choices).add(e.argument)
        elif isinstance(e, (Not, Neg)):
            stack.append(e.operand)
        elif isinstance(e, Binary):
            stack.extend((e.left, e.right))
    return variables, nodes, choices


# --- evaluation -----------------------------------------------------------------------------

Compiled = Callable[[StateView], Any]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_expression(expr: Expr, var_index: Mapping[str, int]) -> Compiled:
    """Turn a type-checked tree into a closure over a state (no eval, no exec)."""
    if isinstance(expr, Literal_):
        value = expr.value
        return lambda s: value
    if isinstance(expr, Name):
        i = var_index[expr.name]
        return lambda s: s.vars[i]
    if isinstance(expr, Call):
        arg = expr.argument
        if expr.function == "visited":
            return lambda s: arg in s.visited
        return lambda s: arg in s.chosen
    if isinstance(expr, Not):
        inner = compile_expression(expr.operand, var_index)
        return lambda s: not inner(s)
    if isinstance(expr, Neg):
        inner = compile_expression(expr.operand, var_index)
        return lambda s: -inner(s)
    left = compile_expression(expr.left, var_index)
    right = compile_expression(expr.right, var_index)
    if expr.op == "and":
        return lambda s: left(s) and right(s)
    if expr.op == "or":
        return lambda s: left(s) or right(s)
    fn = _OPS[expr.op]
    return lambda s: fn(left(s), right(s))
