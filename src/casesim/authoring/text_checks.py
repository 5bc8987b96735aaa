"""Checks of the player-facing text: variants, ``one_of`` and placeholders, at the exact column.

Every field with variants or placeholders is checked the same way here, whether it sits in a
scenario or in a locale file's translation (``authoring.locale_checks``):

* each ``when`` is a true/false expression;
* a variant without ``when`` comes last (it always applies, so any after it could never show),
  and a required text (an ending's summary, a timer's narration) ends with such a fallback;
* every placeholder parses and type-checks (:mod:`casesim.format.template`);
* a placeholder written where text is shown as written (a title, the trainee's own words) is
  pointed out, since the trainee would see the braces.

Whether some reachable state shows no variant at all is a question for the analysis: see
:func:`lint_variants`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casesim.errors import ExpressionError
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.expressions import Env, parse_expression, type_of
from casesim.format.lines import FieldLines, LineKind, field_lines, scenario_fields
from casesim.format.reader import Position, SourceDocument
from casesim.format.scenario import Scenario
from casesim.format.template import (
    Choose,
    Placeholder,
    check_template,
    has_placeholders,
    parse_template,
)

__all__ = ["REQUIRED_FIELDS", "TextProblem", "check_texts", "locate", "scenario_env", "text_problems"]

PathKey = tuple[str | int, ...]

REQUIRED_FIELDS = (".summary", ".timer.narration")
"""Field ids ending so are required texts: with variants, their last must be the fallback."""

TEMPLATE_FIELDS = "narration, client lines, replies, feedback, hints, timer text and ending summaries"


@dataclass(frozen=True, slots=True)
class TextProblem:
    """A problem at ``offset`` in one text."""

    offset: int
    severity: Severity
    code: str
    message: str


def scenario_env(scenario: Scenario) -> Env:
    """The names expressions in ``scenario``'s text may use."""
    return Env(variables={name: v.type for name, v in scenario.variables.items()},
               nodes=frozenset(scenario.nodes) | frozenset(scenario.endings),
               choices=frozenset(c.id for node in scenario.nodes.values() for c in node.choices))


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 50 else flat[:47] + "..."


def text_problems(text: str, kind: LineKind, env: Env) -> list[TextProblem]:
    """What is wrong with the placeholders of one text of a field of ``kind``."""
    if not has_placeholders(text):
        return []
    try:
        template = parse_template(text)
        if kind == "plain":
            placeholder = next((p for p in template if isinstance(p, (Placeholder, Choose))), None)
            if placeholder is None:
                return []
            at = text.index("{")
            return [TextProblem(at, Severity.WARNING, "placeholder-not-shown",
                                f"the braces in {_excerpt(text)!r} are shown as written here: placeholders work in "
                                f"{TEMPLATE_FIELDS}; write `{{{{` and `}}}}` to show braces")]
        errors = check_template(template, env)
    except ExpressionError as exc:
        if kind == "plain":
            return []
        errors = [exc]
    return [TextProblem(e.offset, Severity.ERROR, "text-placeholder", f"in {_excerpt(text)!r}: {e.message}")
            for e in errors]


def locate(doc: SourceDocument, source: str | None, path: PathKey, text: str, offset: int) -> Position:
    """The line and column of character ``offset`` of ``text``, the value at ``path`` in ``doc``.

    The reader knows where each value starts, not where each of its characters is (quotes,
    folded lines and escapes move them). So the characters at ``offset`` (up to the next space,
    which folding may turn into a line break) are looked for in the source after the value's
    start, counting earlier copies of them in the text; the value's start is the fallback.
    """
    start = doc.position(path)
    if source is None or not 0 <= offset < len(text):
        return start
    end = offset
    while end < len(text) and not text[end].isspace() and end - offset < 24:
        end += 1
    snippet = text[offset:max(end, offset + 1)]
    earlier = text[:offset].count(snippet)
    lines = source.split("\n")
    if not 0 < start.line <= len(lines):
        return start
    at = sum(len(line) + 1 for line in lines[:start.line - 1]) + start.col - 1
    limit = at + 2 * len(text) + 400
    for _ in range(earlier + 1):
        found = source.find(snippet, at, limit)
        if found < 0:
            return start
        at = found + 1
    found = at - 1
    line = source.count("\n", 0, found) + 1
    return Position(line, found - (source.rfind("\n", 0, found) + 1) + 1)


def _field_problems(lines: FieldLines, env: Env) -> Iterable[tuple[PathKey, str, int, TextProblem]]:
    """(path, text, offset, problem) for one field."""
    last = len(lines.variants) - 1
    for i, variant in enumerate(lines.variants):
        if variant.when is not None:
            try:
                got = type_of(parse_expression(variant.when), env)
            except ExpressionError as exc:
                yield variant.when_path, variant.when, exc.offset, TextProblem(
                    exc.offset, Severity.ERROR, "expression", f"in {variant.when!r}: {exc.message}")
            else:
                if got != "bool":
                    words = {"int": "a number", "str": "text"}
                    yield variant.when_path, variant.when, 0, TextProblem(
                        0, Severity.ERROR, "expression-type",
                        f"{variant.when!r} gives {words[got]}, but true or false is needed here")
        elif i != last:
            yield (*variant.when_path[:-1],), "", 0, TextProblem(
                0, Severity.ERROR, "variant-shadows",
                "a variant without `when` always applies, so the variants after it are never used; put the default "
                "variant last")
        for alt in variant.alternatives:
            for problem in text_problems(alt.text, lines.kind, env):
                yield alt.path, alt.text, problem.offset, problem
    if lines.variants[last].when is not None and lines.id.endswith(REQUIRED_FIELDS):
        yield lines.path, "", 0, TextProblem(
            0, Severity.ERROR, "variant-no-fallback",
            "every variant here has `when`, so in a state where none holds there would be no text; end the list "
            "with a variant without `when` (the fallback)")


def check_texts(scenario: Scenario, doc: SourceDocument, source: str | None) -> list[Diagnostic]:
    """Every problem in ``scenario``'s player-facing text, positioned in ``doc`` (``source`` is
    the file's text, for exact columns inside a line)."""
    env = scenario_env(scenario)
    out = []
    for line_id, field_path, kind, value in scenario_fields(scenario):
        if value is None or (isinstance(value, str) and not has_placeholders(value)):
            continue  # most texts: one plain text, nothing to check (and nothing built)
        lines = field_lines(line_id, field_path, kind, value)
        assert lines is not None
        for path, text, offset, problem in _field_problems(lines, env):
            pos = locate(doc, source, path, text, offset) if text else doc.position(path)
            out.append(Diagnostic(doc.path, pos.line, pos.col, problem.severity, problem.code, problem.message))
    return out
