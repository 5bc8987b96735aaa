"""The expression language: parsing, type checking and evaluation, with positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from casesim.errors import ExpressionError
from casesim.format.expressions import (
    Env,
    compile_expression,
    names_used,
    parse_expression,
    type_of,
)

ENV = Env(variables={"rapport": "int", "distress": "int", "told": "bool"},
          nodes=frozenset({"start", "risk-screen"}), choices=frozenset({"ask-q1", "explain-limits"}))
INDEX = {"rapport": 0, "distress": 1, "told": 2}


@dataclass(frozen=True)
class S:
    vars: tuple[Any, ...]
    visited: frozenset[str]
    chosen: frozenset[str]


STATE = S((5, 7, True), frozenset({"start"}), frozenset({"ask-q1"}))


def evaluate(text: str) -> Any:
    tree = parse_expression(text)
    type_of(tree, ENV)
    return compile_expression(tree, INDEX)(STATE)


@pytest.mark.parametrize(("text", "value"), [
    ("rapport >= 5", True),
    ("rapport > 5", False),
    ("rapport + 2 == 7", True),
    ("distress - rapport - 1 == 1", True),
    ("-rapport < 0", True),
    ("not told", False),
    ("told and rapport < 3 or distress == 7", True),
    ("told and (rapport < 3 or distress == 7)", True),
    ("not (told and rapport < 3)", True),
    ("visited(start) and not visited(risk-screen)", True),
    ("chose(ask-q1) and not chose('explain-limits')", True),
    ("'a' == 'a' and \"b\" != 'a'", True),
    ("true != false", True),
])
def test_expression_values(text: str, value: Any) -> None:
    assert evaluate(text) == value


@pytest.mark.parametrize(("text", "offset", "fragment"), [
    ("rapport >= ", 11, "ends too early"),
    ("rapport >== 3", 10, "unexpected"),
    ("raport > 1", 0, "did you mean 'rapport'"),
    ("visited(nowhere)", 8, "unknown node 'nowhere'"),
    ("chose(ask-q9)", 6, "did you mean 'ask-q1'"),
    ("rapport and told", 0, "'and' joins true/false values"),
    ("told + 1", 0, "'+' works on numbers"),
    ("rapport == told", 8, "compares a number with a true/false value"),
    ("1 < 2 < 3", 6, "cannot be chained"),
    ("rapport $ 2", 8, "unexpected character"),
    ("", 0, "empty expression"),
    ("visited 3", 0, "needs an id in brackets"),
    ("__import__('os')", 10, "unexpected '('"),
    ("__import__", 0, "unknown variable '__import__'"),
])
def test_expression_errors_carry_offsets(text: str, offset: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        type_of(parse_expression(text), ENV)
    assert info.value.offset == offset
    assert fragment in info.value.message


def test_names_used_lists_variables_nodes_and_choices() -> None:
    variables, nodes, choices = names_used(parse_expression("rapport > 1 and visited(start) or chose(ask-q1)"))
    assert (variables, nodes, choices) == ({"rapport"}, {"start"}, {"ask-q1"})


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExpressionError):
        parse_expression("not " * 500 + "true")


def test_overlong_expression_is_refused() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("1 + " * 1000 + "1")
