"""What a line says in a given state: the variant whose `when` holds, a wording drawn from the
attempt's seed, and the placeholders filled in.

Every state-dependent field (:mod:`casesim.format.lines` kinds ``text`` and ``client``) is
compiled once into a :class:`CompiledText`. Showing it is a pure function of the program, the
state, and for ``one_of`` a :class:`Draw`: the attempt's seed and how many times the trainee
had already been at the node. So a resume, a replay from a decision and a transcript rebuilt
from the record show exactly the words shown the first time, and a loop back to a node may
draw a different wording. The draw hashes ``(seed, line id, visit)``, like the choice order
(:mod:`casesim.semantics.order`), so adding a line elsewhere never changes another line's draw.

When a field is read:

* a node's ``narration``, ``client`` and ``hint``: in the state on arriving at the node;
* a choice's ``reply`` and ``feedback``, a timer's ``narration`` and ``feedback``: in the state
  just after the step (its effects applied, ``chose(it)`` true), so feedback can name what the
  trainee has done so far and a reply can follow a change in rapport;
* an ending's ``summary`` and ``client``: in the final state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from casesim.format.expressions import compile_expression, names_used, parse_expression
from casesim.format.lines import Alternative, FieldLines, field_lines, scenario_fields
from casesim.format.scenario import Scenario
from casesim.format.template import (
    Rendered,
    compile_template,
    has_placeholders,
    parse_template,
    template_names,
)

if TYPE_CHECKING:
    from casesim.semantics.program import Program, State, Step

__all__ = ["CompiledText", "Draw", "Shown", "client_line", "compile_texts", "compiled_text", "ending_line", "node_line",
           "step_line", "step_line_id"]

Guard = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Draw:
    """What a ``one_of`` draw depends on: the attempt's seed and the visit to the node (0 first)."""

    seed: int
    visit: int = 0


@dataclass(frozen=True, slots=True)
class Shown:
    """A line as shown: the id of the text used (what the record and a locale file name) and the text."""

    id: str
    text: str
    speaker: str | None = None
    """Who says it: a cast id, None for the client (and for text that is not spoken)."""
    original: str | None = None
    """For an interpreter's line: what was said in the source language."""
    then: tuple[Shown, ...] = ()
    """Further lines said in a row after this one, each with its own id (a ``lines`` variant)."""

    def spoken(self) -> tuple[Shown, ...]:
        """This line and the ones said after it, in order."""
        return (self, *self.then)


@dataclass(frozen=True, slots=True)
class _Alt:
    id: str
    render: Rendered
    speaker: str | None = None
    original: str | None = None
    then: tuple[_Alt, ...] = ()

    def show(self, state: Any) -> Shown:
        return Shown(self.id, self.render(state), self.speaker, self.original,
                     tuple(more.show(state) for more in self.then))


@dataclass(frozen=True, slots=True)
class _Variant:
    guard: Guard | None
    alternatives: tuple[_Alt, ...]


@dataclass(frozen=True, slots=True)
class CompiledText:
    """A field's variants, each with its guard and its wording(s) as functions of a state."""

    id: str
    variants: tuple[_Variant, ...]

    def show(self, state: Any, draw: Draw | None) -> Shown | None:
        """The first variant whose guard holds, one of its wordings (the first without a draw),
        placeholders filled in; None when no variant holds."""
        for variant in self.variants:
            if variant.guard is None or variant.guard(state):
                alts = variant.alternatives
                k = 0 if draw is None or len(alts) == 1 else _pick(draw, alts[0].id, len(alts))
                return alts[k].show(state)
        return None

    def variant_holds(self, state: Any) -> int | None:
        """The index of the variant shown in ``state`` (None: none holds). For the lint."""
        for i, variant in enumerate(self.variants):
            if variant.guard is None or variant.guard(state):
                return i
        return None


def _pick(draw: Draw, first_id: str, count: int) -> int:
    # \x1f cannot occur in an id, so distinct triples never hash the same text.
    digest = hashlib.blake2b(f"{draw.seed}\x1f{first_id}\x1f{draw.visit}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def compile_texts(scenario: Scenario, var_index: Mapping[str, int],
                  observe: Callable[[set[str], set[str]], None]) -> dict[str, CompiledText | str]:
    """Every state-dependent field of ``scenario`` (already checked), by field id: a plain text
    as itself (most fields: nothing to decide, so nothing is built), else compiled.

    ``observe`` is told the nodes and choices each guard and placeholder asks about, so the
    analysis keeps them in its projected states and can tell which variant each state shows.
    """
    out: dict[str, CompiledText | str] = {}
    for line_id, path, kind, value in scenario_fields(scenario):
        if kind == "plain" or value is None:
            continue
        if isinstance(value, str) and not has_placeholders(value):
            out[line_id] = value
            continue
        lines = field_lines(line_id, path, kind, value)
        assert lines is not None
        out[line_id] = _compile(lines, var_index, observe)
    return out


def _compile(lines: FieldLines, var_index: Mapping[str, int],
             observe: Callable[[set[str], set[str]], None]) -> CompiledText:
    variants = []
    for variant in lines.variants:
        guard: Guard | None = None
        if variant.when is not None:
            tree = parse_expression(variant.when)
            _, nodes, choices = names_used(tree)
            observe(nodes, choices)
            guard = compile_expression(tree, var_index)
        alts = tuple(_compile_alt(alt, var_index, observe) for alt in variant.alternatives)
        variants.append(_Variant(guard, alts))
    return CompiledText(lines.id, tuple(variants))


def _compile_alt(alt: Alternative, var_index: Mapping[str, int],
                 observe: Callable[[set[str], set[str]], None]) -> _Alt:
    then = tuple(_compile_alt(more, var_index, observe) for more in alt.then)
    if has_placeholders(alt.text):
        template = parse_template(alt.text)
        _, nodes, choices = template_names(template)
        observe(nodes, choices)
        return _Alt(alt.id, compile_template(template, var_index), alt.speaker, alt.original, then)
    return _Alt(alt.id, _constant(alt.text), alt.speaker, alt.original, then)


def compiled_text(program: Program, line_id: str) -> CompiledText | None:
    """The compiled field ``line_id`` (a plain text is compiled here, on demand), or None."""
    entry = program.texts.get(line_id)
    if entry is None or isinstance(entry, CompiledText):
        return entry
    return CompiledText(line_id, (_Variant(None, (_Alt(line_id, _constant(entry)),)),))


def _show(program: Program, line_id: str, state: State, draw: Draw | None) -> Shown | None:
    entry = program.texts.get(line_id)
    if entry is None:
        return None
    if isinstance(entry, str):
        return Shown(line_id, entry)
    return entry.show(state, draw)


def _constant(text: str) -> Rendered:
    return lambda state: text


NodeField = Literal["narration", "client", "hint"]
StepField = Literal["reply", "feedback", "narration"]
EndingField = Literal["summary", "client"]


def node_line(program: Program, state: State, field: NodeField, draw: Draw | None = None) -> Shown | None:
    """A node's ``narration``, ``client`` or ``hint`` in ``state`` (at that node)."""
    return _show(program, f"node.{state.node}.{field}", state, draw)


def client_line(program: Program, state: State, draw: Draw | None = None) -> str | None:
    """What is said at ``state.node`` (without a draw, the first wording of a ``one_of``), every
    speaker's line run together (for word counts and summaries)."""
    shown = node_line(program, state, "client", draw)
    return " ".join(line.text for line in shown.spoken()) if shown is not None else None


def step_line_id(step: Step, field: StepField) -> str:
    """The field id of a step's text: ``node.N.choice.C.reply``, ``node.N.timer.narration`` or,
    for a branch of a branching expiry (step ``timeout:N/2``), ``node.N.timer.2.narration``."""
    if step.is_timeout:
        _, slash, branch = step.id.partition("/")
        return f"node.{step.node}.timer.{branch}.{field}" if slash else f"node.{step.node}.timer.{field}"
    return f"node.{step.node}.choice.{step.id}.{field}"


def step_line(program: Program, step: Step, after: State, field: StepField, draw: Draw | None = None) -> Shown | None:
    """A step's ``reply``, ``feedback`` or (timeout) ``narration``, read in ``after``, the state
    just after the step."""
    return _show(program, step_line_id(step, field), after, draw)


def ending_line(program: Program, state: State, field: EndingField, draw: Draw | None = None) -> Shown | None:
    """An ending's ``summary`` or ``client`` in the final ``state``."""
    return _show(program, f"ending.{state.node}.{field}", state, draw)
