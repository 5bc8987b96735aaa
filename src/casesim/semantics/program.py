"""The pure semantics of a scenario: the single definition of what a scenario means.

A :class:`State` is an immutable value: the current node (or ending), the variables, the nodes
visited and the choices made. Two pure functions give a scenario its meaning:

* :func:`open_choices` — which choices are open in a state;
* :func:`apply` — the state after taking a choice;

and two functions give the exploration a finite, small state space:

* :func:`project` — a state with only the history some expression can observe;
* :func:`merge_key` — what the analysis files a projected state under: its variables that
  nothing from its node on can read (:mod:`casesim.semantics.liveness`) blanked out.

``apply(..., observed_only=True)`` is the fast path of ``project(apply(...))`` for a state that
is already projected; the property test ``tests/semantics/test_projection.py`` pins that the two
agree for every bundled scenario.

The live session (a ``transitions`` Machine) and the exhaustive analysis both call these, so
they cannot disagree. Effects of one choice all read the state *before* the choice (they are
applied together, like a simultaneous assignment), then each number is clamped to its declared
range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from casesim.format.expressions import compile_expression, names_used, parse_expression
from casesim.format.framework import Protocol
from casesim.format.scenario import TIMEOUT_PREFIX, CriticalAction, Scenario, timeout_id
from casesim.semantics.liveness import live_variables
from casesim.semantics.protocols import ProtocolRequirement, ProtocolTrack, settle, track_protocols
from casesim.semantics.render import CompiledText, client_line, compile_texts

__all__ = [
    "Program",
    "Rules",
    "Step",
    "State",
    "TIMEOUT_PREFIX",
    "apply",
    "client_line",
    "compile_program",
    "initial_state",
    "is_final",
    "merge_key",
    "open_choices",
    "project",
    "Replay",
    "replay",
    "timeout_id",
    "timeout_step",
    "unmet_requirements",
    "variables",
]

@dataclass(frozen=True, slots=True)
class State:
    """Where a session is: node (or ending) id, variable values, visited nodes, choices made."""

    node: str
    vars: tuple[Any, ...]
    visited: frozenset[str]
    chosen: frozenset[str]


Guard = Callable[[State], Any]


@dataclass(frozen=True, slots=True)
class Effect:
    index: int
    mode: Literal["add", "set"]
    value: Any  # int/bool for add/set literal, or a compiled expression for "expr"
    is_expr: bool


@dataclass(frozen=True, slots=True)
class Step:
    """A choice (or a timer running out) as the semantics sees it, with the text its callers show.

    The text fields are copied from the :class:`~casesim.format.scenario.Choice` or
    :class:`~casesim.format.scenario.TimerExpiry` it was compiled from, so callers read typed
    fields instead of probing which of the two it was.
    """

    id: str
    node: str
    goto: str
    guard: Guard | None
    effects: tuple[Effect, ...]
    scores: tuple[tuple[str, int], ...]
    """Points per criterion, in the order the author wrote them."""
    critical: CriticalAction | None
    is_timeout: bool
    say: str | None = None
    """What the trainee says (or does); None for a timeout. The reply (and who says it), feedback
    and timeout narration depend on the state: :func:`casesim.semantics.render.step_line` reads them."""
    mi: tuple[str, ...] = ()
    """MITI behaviour codes of the utterance; empty for a timeout."""
    protocol_steps: tuple[str, ...] = ()
    """Protocol steps (and triage levels) this choice carries out; empty for a timeout."""
    weight: int = 0
    """The sum of all points: what the analysis maximises for the expert path."""
    never_event: str | None = None
    """The never-event class the choice (or the timer running out) names, if any."""
    expert: bool = False
    """The author marked this choice `expert: true`: the expert route takes it where it can."""
    neutral: bool = False
    """The author marked this choice `neutral: true`: unscored, and left out of the answer-cue audit."""


@dataclass(frozen=True, eq=False)
class Rules:
    """What following a path reads of a compiled scenario: where it starts, which steps each node
    offers and under what condition, what each step changes, and the variables' ranges.

    :func:`initial_state`, :func:`open_choices`, :func:`timeout_step`, :func:`apply` and
    :func:`replay` need nothing else, so a report can replay recorded paths from rules kept on
    disk (:mod:`casesim.semantics.portable`) without validating and compiling the whole scenario.
    A :class:`Program` is a set of rules with everything else compiled beside them."""

    start: str
    """The node a session starts at (the scenario's ``start``)."""
    var_names: tuple[str, ...]
    bounds: tuple[tuple[int, int] | None, ...]
    steps_by_node: Mapping[str, tuple[Step, ...]]
    timeouts: Mapping[str, tuple[Step, ...]]
    """Per timed node: the branches of its expiry, in order (one for the single form); the first
    whose guard holds is what letting the clock run out does (:func:`timeout_step`)."""
    steps: Mapping[str, Step]
    start_values: tuple[Any, ...]
    """The values of ``vars`` at the start: the variables', then the hidden slots'."""
    entry_sets: Mapping[str, tuple[Effect, ...]]
    """Per node: the hidden slots reaching it sets (the answers it declares); already part of the
    effects of every step that leads there, kept for a session that starts at the node."""
    settled_nodes: frozenset[str]
    """Nodes (and endings) from which no step can set a hidden protocol slot: there the analysis
    keeps only the protocol requirements' verdicts (:func:`project`)."""
    protocol_guards: tuple[tuple[ProtocolRequirement, Guard], ...]
    """The protocol requirements with their guards, for settling a state."""
    relevant_nodes: frozenset[str]
    """Nodes some expression asks about with visited(); the analysis keeps only these."""
    relevant_choices: frozenset[str]
    """Choices some expression asks about with chose(); the analysis keeps only these."""


@dataclass(frozen=True, eq=False)
class Program(Rules):
    """A scenario compiled for fast evaluation: guards and effects as closures."""

    scenario: Scenario
    var_index: Mapping[str, int]
    texts: Mapping[str, CompiledText | str]
    """Every state-dependent text (narration, client lines with their speakers, replies, feedback,
    hints, timer branches, endings) by its field id (:mod:`casesim.format.lines`), a plain text as
    itself; shown with :mod:`casesim.semantics.render`."""
    requirements: tuple[tuple[str, Guard], ...]
    """Every must-do requirement (id, holds): the scenario's own, then its protocols' duties."""
    protocol_requirements: Mapping[str, ProtocolRequirement]
    """The requirements the protocols' duties add, by id (reason and citations for the debrief)."""
    tracks: tuple[ProtocolTrack, ...]
    """Where each screening protocol's facts (answers heard, steps asked, triage taken) live in
    the hidden slots of a state's ``vars``, after the scenario's variables."""
    criteria: tuple[str, ...]
    """Every criterion id any step scores, in first-seen order."""
    point_vectors: Mapping[str, tuple[int, ...]]
    """Per step id: its points for each of ``criteria`` in order, then its total (``weight``).
    The analysis adds these element-wise to find every criterion's extremes in one pass."""
    dead_vars: Mapping[str, tuple[int, ...]]
    """Per node and ending: the indices of the variables nothing from there on can read
    (:func:`casesim.semantics.liveness.live_variables`); absent where every variable is live."""


def compile_program(scenario: Scenario, protocols: Mapping[str, Protocol] | None = None) -> Program:
    """Compile a scenario whose expressions have been checked (see ``scenario.checks``).

    ``protocols`` (framework id -> protocol, e.g. ``Catalog.protocols``) are those the scenario
    may use; each one it declares under ``protocols:`` gets hidden slots for its facts and a
    must-do requirement per duty (:mod:`casesim.semantics.protocols`). Without them, protocols
    are not tracked.
    """
    var_names = tuple(scenario.variables)
    var_index = {name: i for i, name in enumerate(var_names)}
    tracked = track_protocols(scenario, protocols or {}, len(var_names))
    bounds: tuple[tuple[int, int] | None, ...] = tuple(
        None if v.min is None or v.max is None else (v.min, v.max) for v in scenario.variables.values()
    ) + (None,) * len(tracked.start_values)
    entry_sets = {node: tuple(Effect(i, "set", v, False) for i, v in sets) for node, sets in tracked.entry_sets.items()}
    relevant_nodes: set[str] = set()
    relevant_choices: set[str] = set()

    def guard(text: str | None) -> Guard | None:
        if text is None:
            return None
        tree = parse_expression(text)
        _, nodes, choices = names_used(tree)
        relevant_nodes.update(nodes)
        relevant_choices.update(choices)
        compiled: Guard = compile_expression(tree, var_index)  # type: ignore[assignment]
        return compiled

    def effects(raw: Mapping[str, Any]) -> tuple[Effect, ...]:
        out = []
        for name, value in raw.items():
            index = var_index[name]
            if isinstance(value, bool):
                out.append(Effect(index, "set", value, False))
            elif isinstance(value, int):
                out.append(Effect(index, "add", value, False))
            else:
                fn = guard(value)
                out.append(Effect(index, "set", fn, True))
        return tuple(out)

    criteria: dict[str, None] = {}
    steps: dict[str, Step] = {}
    by_node: dict[str, tuple[Step, ...]] = {}
    timeouts: dict[str, tuple[Step, ...]] = {}
    for node_id, node in scenario.nodes.items():
        node_steps = []
        for choice in node.choices:
            for c in choice.scores:
                criteria.setdefault(c, None)
            facts = tuple(Effect(i, "set", v, False) for i, v in tracked.choice_sets.get(choice.id, ()))
            step = Step(choice.id, node_id, choice.goto, guard(choice.when),
                        effects(choice.effects) + facts + entry_sets.get(choice.goto, ()),
                        tuple(choice.scores.items()), choice.critical, False,
                        say=choice.say,
                        mi=tuple(choice.mi), protocol_steps=tuple(choice.steps),
                        weight=sum(choice.scores.values()), never_event=choice.never_event,
                        expert=choice.expert, neutral=choice.neutral)
            node_steps.append(step)
            steps[choice.id] = step
        by_node[node_id] = tuple(node_steps)
        if node.timer is not None:
            branches = []
            for sid, expiry in zip(node.timer.step_ids(node_id), node.timer.branches(), strict=True):
                for c in expiry.scores:
                    criteria.setdefault(c, None)
                step = Step(sid, node_id, expiry.goto, guard(getattr(expiry, "when", None)),
                            effects(expiry.effects) + entry_sets.get(expiry.goto, ()),
                            tuple(expiry.scores.items()), expiry.critical, True,
                            weight=sum(expiry.scores.values()), never_event=expiry.never_event)
                branches.append(step)
                steps[step.id] = step
            timeouts[node_id] = tuple(branches)

    def observe(nodes: set[str], choices: set[str]) -> None:
        relevant_nodes.update(nodes)
        relevant_choices.update(choices)

    texts = compile_texts(scenario, var_index, observe)
    requirements: list[tuple[str, Guard | None]] = [(r.id, guard(r.holds)) for r in scenario.requirements]
    requirements += [(req.id, holds) for req, holds in tracked.requirements]
    return Program(
        start=scenario.start,
        scenario=scenario,
        var_names=var_names,
        var_index=var_index,
        bounds=bounds,
        steps_by_node=by_node,
        timeouts=timeouts,
        steps=steps,
        texts=texts,
        requirements=tuple((rid, g) for rid, g in requirements if g is not None),
        protocol_requirements={req.id: req for req, _ in tracked.requirements},
        settled_nodes=_settled_nodes(scenario, steps, len(var_names)) if tracked.tracks else frozenset(),
        protocol_guards=tracked.requirements,
        tracks=tracked.tracks,
        start_values=tuple(v.start for v in scenario.variables.values()) + tracked.start_values,
        entry_sets=entry_sets,
        relevant_nodes=frozenset(relevant_nodes),
        relevant_choices=frozenset(relevant_choices),
        criteria=tuple(criteria),
        point_vectors={sid: _point_vector(step, tuple(criteria)) for sid, step in steps.items()},
        dead_vars=live_variables(scenario, var_index).dead,
    )


def _settled_nodes(scenario: Scenario, steps: Mapping[str, Step], first_slot: int) -> frozenset[str]:
    """Nodes and endings from which no step that sets a hidden slot can be reached (on the graph
    of gotos, ignoring conditions, so a node is called settled only when it surely is)."""
    successors: dict[str, set[str]] = {}
    live: set[str] = set()
    for step in steps.values():
        successors.setdefault(step.node, set()).add(step.goto)
        if any(e.index >= first_slot for e in step.effects):
            live.add(step.node)
    predecessors: dict[str, set[str]] = {}
    for node, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, set()).add(node)
    queue = list(live)
    while queue:
        for source in predecessors.get(queue.pop(), ()):
            if source not in live:
                live.add(source)
                queue.append(source)
    return frozenset(scenario.nodes) - live | frozenset(scenario.endings)


def _point_vector(step: Step, criteria: tuple[str, ...]) -> tuple[int, ...]:
    points = dict(step.scores)
    return (*(points.get(c, 0) for c in criteria), step.weight)


def initial_state(program: Rules, start: str | None = None) -> State:
    """The state at the start of the scenario (or at ``start``, for play-from-here)."""
    node = start or program.start
    values = program.start_values
    entry = program.entry_sets.get(node)
    if entry:
        new = list(values)
        for effect in entry:
            new[effect.index] = effect.value
        values = tuple(new)
    return State(node, values, frozenset((node,)), frozenset())


def is_final(program: Program, state: State) -> bool:
    """Whether ``state`` is at an ending."""
    return state.node in program.scenario.endings


def timeout_step(program: Rules, state: State) -> Step | None:
    """What letting the clock run out at ``state`` does: the first branch of the node's expiry
    whose condition holds (None when the node has no timer)."""
    for step in program.timeouts.get(state.node, ()):
        if step.guard is None or step.guard(state):
            return step
    return None


def open_choices(program: Rules, state: State) -> tuple[Step, ...]:
    """The choices open in ``state``, in the order the author wrote them (timeouts excluded)."""
    steps = program.steps_by_node.get(state.node, ())
    return tuple(s for s in steps if s.guard is None or s.guard(state))


def apply(program: Rules, state: State, step: Step, *, observed_only: bool = False) -> State:
    """The state after taking ``step`` in ``state``. ``step`` must belong to ``state.node``.

    With ``observed_only`` the new node and choice enter the history only if some expression
    asks about them (``visited(...)``/``chose(...)``): it is the fast path of :func:`project`,
    ``apply(project(s), x, observed_only=True) == project(apply(s, x))``, which the analysis
    uses so that it never builds the full history only to cut it down again.
    """
    if step.node != state.node:
        raise ValueError(f"choice {step.id!r} belongs to node {step.node!r}, not {state.node!r}")
    values = state.vars
    if step.effects:
        new = list(values)
        for effect in step.effects:
            if effect.is_expr:
                value = effect.value(state)
            elif effect.mode == "add":
                value = values[effect.index] + effect.value
            else:
                value = effect.value
            bound = program.bounds[effect.index]
            if bound is not None:
                low, high = bound
                value = low if value < low else high if value > high else value
            new[effect.index] = value
        values = tuple(new)
    if observed_only and step.goto in program.settled_nodes:
        values = settle(values, len(program.var_names), program.protocol_guards)
    visited, chosen = state.visited, state.chosen
    if not observed_only or step.goto in program.relevant_nodes:
        visited = visited | {step.goto}
    if not observed_only or step.id in program.relevant_choices:
        chosen = chosen | {step.id}
    return State(step.goto, values, visited, chosen)


def project(program: Program, state: State) -> State:
    """``state`` with only the history some expression can observe, and, at a settled node, only
    the verdicts of the protocol requirements instead of the facts they were judged on.

    Nothing else can change what happens next, so two states with the same projection behave
    identically from then on: the analysis stores projected states, and looks a live session's
    state up by its projection (:meth:`casesim.semantics.explore.Analysis.state_id`).
    """
    visited = state.visited & program.relevant_nodes if program.relevant_nodes else frozenset()
    chosen = state.chosen & program.relevant_choices if program.relevant_choices else frozenset()
    values = state.vars
    if state.node in program.settled_nodes:
        values = settle(values, len(program.var_names), program.protocol_guards)
    if visited == state.visited and chosen == state.chosen and values is state.vars:
        return state
    return State(state.node, values, visited, chosen)


def merge_key(program: Program, state: State) -> State:
    """``state`` (already projected) with its dead variables blanked out (None): the key under
    which the analysis files it when merging live variables.

    Two states with the same key offer the same choices, take the same timer branches, score,
    end and show the same variants from then on, since only dead variables tell them apart
    (:mod:`casesim.semantics.liveness`). The key is never shown or evaluated as a state: the
    analysis keeps, for each key, the first real state that had it.
    """
    dead = program.dead_vars.get(state.node)
    if not dead:
        return state
    values = list(state.vars)
    for index in dead:
        values[index] = None
    return State(state.node, tuple(values), state.visited, state.chosen)


@dataclass(frozen=True, slots=True)
class Replay:
    """A path followed step by step: each step with the state it was taken in, and the end."""

    taken: tuple[tuple[State, Step], ...]
    """(state before, step) for each step of the path, in order."""
    final: State
    """The state after the last step (the start state for an empty path)."""


def replay(program: Rules, step_ids: Sequence[str], *, start: str | None = None,
           initial: State | None = None) -> Replay:
    """Follow ``step_ids`` from the start (or from ``start``, or from the state ``initial``, as
    an embedded test's ``given:`` sets it up) with the full history.

    Raises ValueError naming the first step that does not belong to the node reached or whose
    condition does not hold there; a timeout is always open on its own node, and ``timeout:NODE``
    names whichever branch of a branching expiry applies in the state reached.
    """
    state = initial if initial is not None else initial_state(program, start)
    taken: list[tuple[State, Step]] = []
    for sid in step_ids:
        step = program.steps.get(sid)
        if sid == timeout_id(state.node) or (step is not None and step.is_timeout and step.node == state.node):
            applies = timeout_step(program, state)
            if applies is None:
                raise ValueError(f"{sid!r}: node {state.node!r} has no timer")
            if step is not None and step is not applies:
                raise ValueError(f"{sid!r} is not the branch of the timer that applies at node {state.node!r} "
                                 f"in this state ({applies.id!r} does)")
            step = applies
        if step is None or step.node != state.node:
            raise ValueError(f"{sid!r} is not a choice at node {state.node!r}")
        if not step.is_timeout and step.guard is not None and not step.guard(state):
            raise ValueError(f"{sid!r} is not open at node {state.node!r} in this state")
        taken.append((state, step))
        state = apply(program, state, step)
    return Replay(tuple(taken), state)


def unmet_requirements(program: Program, state: State) -> tuple[str, ...]:
    """Ids of must-do requirements that do not hold in ``state`` (meaningful at an ending)."""
    return tuple(rid for rid, holds in program.requirements if not holds(state))


def variables(program: Program, state: State) -> dict[str, Any]:
    """The variables of ``state`` by name (the hidden protocol slots are not variables)."""
    return dict(zip(program.var_names, state.vars[:len(program.var_names)], strict=True))
