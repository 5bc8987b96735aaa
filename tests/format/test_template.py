"""Placeholders in text: {expr}, {if COND: A else: B}, {{ }} escapes, errors at their offset."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from casesim.errors import ExpressionError
from casesim.format.expressions import Env
from casesim.format.template import (
    Choose,
    Placeholder,
    check_template,
    compile_template,
    parse_template,
)

ENV = Env(variables={"rapport": "int", "told": "bool", "name_said": "bool"}, nodes=frozenset({"intro"}),
          choices=frozenset({"ask"}))
INDEX = {"rapport": 0, "told": 1, "name_said": 2}


@dataclass
class _State:
    vars: tuple[object, ...]
    visited: frozenset[str] = frozenset()
    chosen: frozenset[str] = frozenset()


def _render(text: str, *values: object, chosen: frozenset[str] = frozenset()) -> str:
    template = parse_template(text)
    assert check_template(template, ENV) == []
    return compile_template(template, INDEX)(_State(tuple(values), chosen=chosen))


def test_a_text_without_braces_is_one_literal_piece() -> None:
    assert parse_template("Plain words, no braces.") == ("Plain words, no braces.",)


def test_a_variable_and_an_expression_show_their_value() -> None:
    assert _render("Rapport is {rapport}; next {rapport + 1}.", 4, False, False) == "Rapport is 4; next 5."


def test_if_chooses_a_phrase_and_else_may_be_left_out() -> None:
    text = 'Thanks{if told: " for listening" else: ""}.{if rapport >= 5: " Smiles."}'
    assert _render(text, 5, True, False) == "Thanks for listening. Smiles."
    assert _render(text, 4, False, False) == "Thanks."


def test_history_functions_work_inside_a_condition() -> None:
    text = '{if chose(ask): "You asked." else: "You did not ask."}'
    assert _render(text, 0, False, False, chosen=frozenset({"ask"})) == "You asked."
    assert _render(text, 0, False, False) == "You did not ask."


def test_doubled_braces_are_literal_braces() -> None:
    assert _render("{{not a placeholder}} and {{}}", 0, False, False) == "{not a placeholder} and {}"


def test_colons_commas_and_braces_inside_quoted_phrases_are_text() -> None:
    assert _render('{if told: "yes: a, b }" else: "no"}', 0, True, False) == "yes: a, b }"


def test_pieces_keep_the_offset_of_each_expression() -> None:
    text = 'Hi {rapport} {if told: "a" else: "b"}'
    _, placeholder, _, choose = parse_template(text)
    assert isinstance(placeholder, Placeholder) and placeholder.offset == text.index("rapport")
    assert isinstance(choose, Choose)
    assert choose.condition_offset == text.index("told")
    assert choose.then_offset == text.index('"a"') and choose.otherwise_offset == text.index('"b"')


@pytest.mark.parametrize(("text", "at", "words"), [
    ("An open { brace", 8, "a `{` with no `}` to close it; to show a brace, write `{{`"),
    ("A close } brace", 8, "a `}` with no `{` before it; to show a brace, write `}}`"),
    ("Empty {} here", 6, "empty `{}`"),
    ("Say {rapport +}", 14, "the expression ends too early"),
    ('Say {if told "a"}', 5, "`if` needs a colon after its condition"),
    ("Say {rapport && told}", 13, "use `and` instead of `&&`"),
])
def test_a_syntax_error_is_reported_at_its_offset(text: str, at: int, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_template(text)
    assert caught.value.offset == at and words in caught.value.message


@pytest.mark.parametrize(("text", "at", "words"), [
    ("It is {told}.", 7, "true or false, which cannot be shown as a word"),
    ("It is {nope}.", 7, "unknown variable 'nope'"),
    ('{if rapport: "a"}', 4, "the condition after `if` must be true or false"),
    ('{if told: told}', 10, "a phrase to show must be text in quotes"),
    ("{rapport} and {rapport + told}", 25, "'+' works on numbers"),
])
def test_a_type_error_is_reported_at_the_offending_part(text: str, at: int, words: str) -> None:
    [error] = check_template(parse_template(text), ENV)
    assert error.offset == at and words in error.message


def test_every_bad_placeholder_in_a_text_is_reported() -> None:
    errors = check_template(parse_template("{told} and {nope} and {rapport}"), ENV)
    assert [e.offset for e in errors] == [1, 12]
