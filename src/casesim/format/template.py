"""Text that names a value or varies a short phrase: ``{rapport}`` and ``{if COND: "a" else: "b"}``.

A *template* is player-facing text with placeholders in braces. Inside the braces is the same
safe expression language guards use (:mod:`casesim.format.expressions`), so there is nothing
new to learn and nothing that can run code::

    "You have met {visits} times{if rapport >= 6: ", and Dana smiles" else: ""}."

* ``{EXPR}`` shows the value of a number or text expression (``{rapport}``, ``{plan_points + 1}``);
  a true/false value cannot be shown as is (which word would a trainee see?), so it must choose
  a phrase instead;
* ``{if COND: A else: B}`` shows ``A`` when ``COND`` is true, else ``B``; ``else: B`` may be left
  out (then nothing is shown). ``A`` and ``B`` are text (``"yes, "``) or number expressions;
* ``{{`` and ``}}`` are a literal ``{`` and ``}``, as in Python's format strings.

The syntax is the brief's own: Python-like ``if ...:`` reads as English, and the colon is the one
every YAML author already uses to separate a key from its value. Phrases are quoted so a comma
or a colon inside one cannot be mistaken for syntax. Every error carries the character offset in
the text, so a check can point at the exact column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from casesim.errors import ExpressionError
from casesim.format.expressions import (
    Env,
    Expr,
    StateView,
    compile_expression,
    names_used,
    parse_expression,
    type_of,
)

__all__ = ["Choose", "Placeholder", "Template", "check_template", "compile_template", "has_placeholders",
           "parse_template", "template_names"]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """``{EXPR}``: the value of an expression; ``offset`` is where the expression starts."""

    expr: Expr
    offset: int


@dataclass(frozen=True, slots=True)
class Choose:
    """``{if COND: THEN else: OTHERWISE}``, with each part's offset in the text."""

    condition: Expr
    condition_offset: int
    then: Expr
    then_offset: int
    otherwise: Expr | None
    otherwise_offset: int


Piece = str | Placeholder | Choose
Template = tuple[Piece, ...]

_BRACES = re.compile(r"[{}]")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_IF = re.compile(r"\s*if\s")
_ELSE = re.compile(r"\belse\s*:")


def has_placeholders(text: str) -> bool:
    """Whether ``text`` holds a brace at all (most text does not and is shown as written)."""
    return _BRACES.search(text) is not None


def _unquoted_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The parts of ``text[start:end]`` outside quoted strings, as (start, end) pairs."""
    at = start
    for m in _QUOTED.finditer(text, start, end):
        yield at, m.start()
        at = m.end()
    yield at, end


def _find_unquoted(text: str, char: str, start: int, end: int) -> int:
    """The first ``char`` in ``text[start:end]`` outside a quoted string, or -1."""
    for lo, hi in _unquoted_spans(text, start, end):
        found = text.find(char, lo, hi)
        if found >= 0:
            return found
    return -1


def _closing(text: str, start: int) -> int:
    """The ``}`` that closes the placeholder opened just before ``start`` (quotes skipped), or -1."""
    at = start
    while at < len(text):
        char = text[at]
        if char == "}":
            return at
        if char in "\"'":
            close = text.find(char, at + 1)
            if close < 0:
                return -1
            at = close + 1
            continue
        at += 1
    return -1


def _expr(text: str, start: int, end: int, what: str) -> tuple[Expr, int]:
    """Parse ``text[start:end]`` as an expression; errors are offset into ``text``."""
    inner = text[start:end]
    lead = len(inner) - len(inner.lstrip())
    body = inner.strip()
    if not body:
        raise ExpressionError(f"{what} is empty", start)
    try:
        return parse_expression(body), start + lead
    except ExpressionError as exc:
        raise ExpressionError(exc.message, start + lead + exc.offset) from None


def _placeholder(text: str, start: int, end: int) -> Piece:
    """The placeholder written in ``text[start:end]`` (between the braces)."""
    if not text[start:end].strip():
        raise ExpressionError("empty `{}`: write a variable name inside, like {rapport}, or `{{` and `}}` "
                              "to show braces", start - 1)
    m = _IF.match(text, start, end)
    if m is None:
        expr, at = _expr(text, start, end, "the placeholder")
        return Placeholder(expr, at)
    colon = _find_unquoted(text, ":", m.end(), end)
    if colon < 0:
        raise ExpressionError('`if` needs a colon after its condition, like {if rapport >= 5: "yes" else: "no"}',
                              m.start())
    condition, condition_at = _expr(text, m.end(), colon, "the condition after `if`")
    otherwise: Expr | None = None
    otherwise_at = end
    else_at = -1
    for lo, hi in _unquoted_spans(text, colon + 1, end):
        found = _ELSE.search(text, lo, hi)
        if found is not None:
            else_at = found.start()
            otherwise, otherwise_at = _expr(text, found.end(), end, "the text after `else:`")
            break
    then, then_at = _expr(text, colon + 1, else_at if else_at >= 0 else end, "the text after the colon")
    return Choose(condition, condition_at, then, then_at, otherwise, otherwise_at)


@functools.lru_cache(maxsize=4096)
def parse_template(text: str) -> Template:
    """The pieces of ``text``: literal runs and placeholders. Raises :class:`ExpressionError`
    with the offset in ``text`` of the first problem (an unclosed brace, a bad expression)."""
    pieces: list[Piece] = []
    literal: list[str] = []
    at = 0
    while True:
        m = _BRACES.search(text, at)
        if m is None:
            literal.append(text[at:])
            break
        literal.append(text[at:m.start()])
        brace = m.group()
        if text.startswith(brace * 2, m.start()):
            literal.append(brace)
            at = m.start() + 2
            continue
        if brace == "}":
            raise ExpressionError("a `}` with no `{` before it; to show a brace, write `}}`", m.start())
        close = _closing(text, m.start() + 1)
        if close < 0:
            raise ExpressionError("a `{` with no `}` to close it; to show a brace, write `{{`", m.start())
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(_placeholder(text, m.start() + 1, close))
        at = close + 1
    tail = "".join(literal)
    if tail:
        pieces.append(tail)
    return tuple(pieces)


_WORD = {"int": "a number", "bool": "true or false", "str": "text"}


def check_template(template: Template, env: Env) -> list[ExpressionError]:
    """Type-check every placeholder: one error (with its offset in the text) per bad placeholder."""
    errors = []
    for piece in template:
        try:
            _check_piece(piece, env)
        except ExpressionError as exc:
            errors.append(exc)
    return errors


def _check_piece(piece: Piece, env: Env) -> None:
    if isinstance(piece, Placeholder):
        got = _typed(piece.expr, piece.offset, env)
        if got == "bool":
            raise ExpressionError("this is true or false, which cannot be shown as a word; choose a phrase "
                                  'instead, like {if ...: "yes" else: "no"}', piece.offset)
    elif isinstance(piece, Choose):
        if _typed(piece.condition, piece.condition_offset, env) != "bool":
            raise ExpressionError("the condition after `if` must be true or false (e.g. rapport >= 5)",
                                  piece.condition_offset)
        for part, offset in ((piece.then, piece.then_offset), (piece.otherwise, piece.otherwise_offset)):
            if part is not None and _typed(part, offset, env) == "bool":
                raise ExpressionError('a phrase to show must be text in quotes (like "yes, ") or a number',
                                      offset)


def _typed(expr: Expr, offset: int, env: Env) -> str:
    try:
        return type_of(expr, env)
    except ExpressionError as exc:
        raise ExpressionError(exc.message, offset + exc.offset) from None


def template_names(template: Template) -> tuple[set[str], set[str], set[str]]:
    """(variables, nodes in visited(), choices in chose()) the placeholders read."""
    variables: set[str] = set()
    nodes: set[str] = set()
    choices: set[str] = set()
    for piece in template:
        exprs = [piece.expr] if isinstance(piece, Placeholder) else (
            [e for e in (piece.condition, piece.then, piece.otherwise) if e is not None]
            if isinstance(piece, Choose) else [])
        for expr in exprs:
            v, n, c = names_used(expr)
            variables |= v
            nodes |= n
            choices |= c
    return variables, nodes, choices


Rendered = Callable[[StateView], str]


def compile_template(template: Template, var_index: Mapping[str, int]) -> Rendered:
    """A function from a state to the text (a checked template; no eval, no exec)."""
    parts = [_compile_piece(piece, var_index) for piece in template]

    def render(state: StateView) -> str:
        return "".join(str(part(state)) for part in parts)

    return render


def _compile_piece(piece: Piece, var_index: Mapping[str, int]) -> Callable[[StateView], object]:
    if isinstance(piece, str):
        text = piece
        return lambda state: text
    if isinstance(piece, Placeholder):
        return compile_expression(piece.expr, var_index)
    cond = compile_expression(piece.condition, var_index)
    then = compile_expression(piece.then, var_index)
    other = compile_expression(piece.otherwise, var_index) if piece.otherwise is not None else None

    def choose(state: StateView) -> object:
        if cond(state):
            return then(state)
        return other(state) if other is not None else ""

    return choose
