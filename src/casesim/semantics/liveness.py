"""Which variables can still matter from each node on: the live-variable merge of the analysis.

A variable is *dead* at a node when no path from there reads its value before overwriting it:
no later choice condition, timer branch, effect, requirement, text variant or placeholder sees
it. Two sessions at the same node whose variables differ only in dead ones offer the same
choices, score the same, end the same and show the same variants from then on, so the
exhaustive analysis treats them as one state (:func:`casesim.semantics.program.merge_key`).
Without this, a flag that was only a working note for an early node (or a meter nothing later
reads) keeps every combination of its past values apart until the end, and the state space
multiplies for nothing.

What counts as a read is everything the program evaluates against a state, located where it
is evaluated (:mod:`casesim.semantics.render` says when each text is read):

* at a node: its choices' and its timer branches' conditions, the expressions of its steps'
  effects (when the variable they set is live afterwards), and its narration, client line and
  hint (conditions and placeholders);
* just after a step, that is on arriving at its target: the step's reply and feedback (or a
  timer's narration and feedback);
* at an ending: every must-do requirement, and the ending's summary and client line;
* a variable a step *adds to* keeps its old value alive exactly when the result is live.

A value is killed only by an effect that overwrites it (a true/false flag, or an expression).
The hidden slots where protocols keep the screener facts are never merged here (their own
reduction is ``settle`` at settled nodes). Anything this module cannot place, a text field it
does not know, is taken to be read everywhere: what cannot be proved dead stays live.

Meter and number displays are not reads for the analysis: they show the live session's own
state, never one of the analysis' states (a merged state keeps the real values of the first
session that reached it, and a session looks itself up by its merge key), so the trainee still
sees every meter move. ``tests/semantics/test_live_merge.py`` checks that every result the
library reports is the same with and without the merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from casesim.format.expressions import names_used, parse_expression
from casesim.format.lines import Alternative, field_lines, scenario_fields
from casesim.format.scenario import Scenario
from casesim.format.template import has_placeholders, parse_template, template_names

__all__ = ["Liveness", "live_variables"]


@dataclass(frozen=True, slots=True)
class Liveness:
    """Per node and ending: the scenario variables (by index) live on arriving there."""

    live: Mapping[str, frozenset[int]]
    dead: Mapping[str, tuple[int, ...]]
    """Per node and ending with at least one dead variable: their indices, ascending."""


@dataclass(frozen=True, slots=True)
class _Edge:
    target: str
    kills: int
    """Bit mask of the variables the step overwrites whatever their old value."""
    computed: tuple[tuple[int, int], ...]
    """(variable set by an expression, mask of the variables the expression reads)."""


def live_variables(scenario: Scenario, var_index: Mapping[str, int]) -> Liveness:
    """Backward dataflow to a fixed point over the graph of gotos (conditions ignored, so a
    variable is live wherever *some* path may read it)."""
    places = [*scenario.nodes, *scenario.endings]
    reads: dict[str, int] = dict.fromkeys(places, 0)
    edges: dict[str, list[_Edge]] = {place: [] for place in places}
    always = 0

    def mask(names: Iterable[str]) -> int:
        out = 0
        for name in names:
            out |= 1 << var_index[name]
        return out

    def expression(text: str | None) -> int:
        return 0 if text is None else mask(names_used(parse_expression(text))[0])

    for node_id, node in scenario.nodes.items():
        branches = [(c.when, c.effects, c.goto) for c in node.choices]
        if node.timer is not None:
            branches += [(getattr(e, "when", None), e.effects, e.goto) for e in node.timer.branches()]
        for when, effects, goto in branches:
            reads[node_id] |= expression(when)
            kills = 0
            computed = []
            for name, value in effects.items():
                index = var_index[name]
                if isinstance(value, bool):
                    kills |= 1 << index
                elif not isinstance(value, int):
                    kills |= 1 << index
                    computed.append((index, expression(value)))
            edges[node_id].append(_Edge(goto, kills, tuple(computed)))
    for requirement in scenario.requirements:
        needed = expression(requirement.holds)
        for ending_id in scenario.endings:
            reads[ending_id] |= needed
    for line_id, path, kind, written in scenario_fields(scenario):
        if kind == "plain" or written is None:
            continue
        lines = field_lines(line_id, path, kind, written)
        if lines is None:
            continue
        needed = 0
        for variant in lines.variants:
            needed |= expression(variant.when)
            for alternative in variant.alternatives:
                needed |= mask(_placeholder_names(alternative))
        if not needed:
            continue
        where = _read_at(scenario, path)
        if where is None:
            always |= needed
        else:
            reads[where] |= needed

    live = dict(reads)
    predecessors: dict[str, set[str]] = {place: set() for place in places}
    for source, out in edges.items():
        for edge in out:
            predecessors[edge.target].add(source)
    pending = list(places)
    queued = set(pending)
    while pending:
        place = pending.pop()
        queued.discard(place)
        value = reads[place]
        for edge in edges[place]:
            after = live[edge.target]
            value |= after & ~edge.kills
            for index, needed in edge.computed:
                if after >> index & 1:
                    value |= needed
        if value != live[place]:
            live[place] = value
            for source in predecessors[place]:
                if source not in queued:
                    queued.add(source)
                    pending.append(source)
    out_live: dict[str, frozenset[int]] = {}
    out_dead: dict[str, tuple[int, ...]] = {}
    for place in places:
        bits = live[place] | always
        out_live[place] = frozenset(i for i in range(len(var_index)) if bits >> i & 1)
        dead = tuple(i for i in range(len(var_index)) if not bits >> i & 1)
        if dead:
            out_dead[place] = dead
    return Liveness(out_live, out_dead)


def _placeholder_names(alternative: Alternative) -> Iterator[str]:
    for line in alternative.spoken():
        if has_placeholders(line.text):
            yield from template_names(parse_template(line.text))[0]


def _read_at(scenario: Scenario, path: tuple[str | int, ...]) -> str | None:
    """The node or ending in whose arrival state the text at ``path`` is read, or None when
    this module does not know the field (then it is taken to be read everywhere)."""
    if len(path) == 3 and path[0] in ("nodes", "endings"):
        return str(path[1])
    if len(path) == 5 and path[0] == "nodes" and path[2] == "choices" and path[4] in ("reply", "feedback"):
        node = scenario.nodes[str(path[1])]
        index = path[3]
        return node.choices[index].goto if isinstance(index, int) else None
    if path[:1] == ("nodes",) and len(path) >= 5 and path[2:4] == ("timer", "expire"):
        timer = scenario.nodes[str(path[1])].timer
        if timer is None:
            return None
        branches = timer.branches()
        if len(path) == 5:
            return branches[0].goto
        index = path[4]
        return branches[index].goto if isinstance(index, int) and len(path) == 6 else None
    return None
