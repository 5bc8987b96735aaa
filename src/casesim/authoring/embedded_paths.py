"""Following an embedded test's path: the state its ``given:`` sets up, and, when the path cannot
be followed, why, in words a trainer understands.

A test that cannot be followed proves nothing, and the trainer who wrote it usually finds out
only when ``casesim test`` fails far from the cause. So the load pipeline follows every test's
path right after compiling (it is cheap: no exploration), and ``validate`` reports a broken one
at the failing ``choose:`` entry, naming the node the path reached, the choices open there, the
conditions of those that are closed, and the variables. ``casesim test`` prints the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.reader import SourceDocument
from casesim.format.scenario import PedagogicalTest, Scenario, timeout_id
from casesim.semantics.program import (
    Program,
    Replay,
    State,
    Step,
    apply,
    initial_state,
    is_final,
    open_choices,
    timeout_step,
    variables,
)

__all__ = ["Blocked", "FollowedPath", "blocked_message", "check_test_paths", "describe_variables", "follow_test",
           "given_state"]


@dataclass(frozen=True)
class Blocked:
    """Where a test's path stops being followable."""

    index: int
    """The position of the failing entry in ``choose:`` (0-based)."""
    step_id: str
    """The choice id (or ``timeout:<node>``) written there."""
    state: State
    """The state the path is in when it tries that step."""


@dataclass(frozen=True)
class FollowedPath:
    """A test's path followed from the state its ``start`` and ``given`` set up."""

    initial: State
    replay: Replay | None
    """The steps taken and the end state; None when the path is blocked."""
    blocked: Blocked | None


def given_state(program: Program, test: PedagogicalTest) -> State:
    """The state a test starts in: its ``start`` node (or the scenario's), with the variables,
    visited nodes, choices made and screener answers of its ``given:`` set on top.

    Names were checked when the file loaded; a screener answer the scenario never hears has no
    slot to go in and is left out (``check_test_paths`` reports it).
    """
    state = initial_state(program, test.start)
    given = test.given
    if given is None:
        return state
    values = list(state.vars)
    for name, value in given.variables.items():
        index = program.var_index.get(name)
        if index is not None:
            values[index] = value
    for track in program.tracks:
        for step, answer in given.answers.items():
            slot = track.answer_slots.get(step)
            if slot is not None:
                values[slot] = answer
    return State(state.node, tuple(values), state.visited | frozenset(given.visited),
                 state.chosen | frozenset(given.chose))


def follow_test(program: Program, test: PedagogicalTest) -> FollowedPath:
    """Follow ``test.choose`` step by step from :func:`given_state`, stopping at the first step
    that is not open where the path is."""
    initial = given_state(program, test)
    state = initial
    taken: list[tuple[State, Step]] = []
    for index, step_id in enumerate(test.choose):
        step = program.steps.get(step_id)
        if not is_final(program, state) and (step_id == timeout_id(state.node) or (
                step is not None and step.is_timeout and step.node == state.node)):
            # `timeout:NODE` names whichever branch of a branching expiry applies here (as replay
            # reads it); a named branch must be the one that applies
            applies = timeout_step(program, state)
            step = applies if step is None or step is applies else None
        if (step is None or is_final(program, state) or step.node != state.node
                or (not step.is_timeout and step.guard is not None and not step.guard(state))):
            return FollowedPath(initial, None, Blocked(index, step_id, state))
        taken.append((state, step))
        state = apply(program, state, step)
    return FollowedPath(initial, Replay(tuple(taken), state), None)


def describe_variables(program: Program, state: State) -> str:
    """The variables of ``state`` as ``name=value``, flags as true/false."""
    shown = [f"{name}={str(v).lower() if isinstance(v, bool) else v}" for name, v in variables(program, state).items()]
    return ", ".join(shown) if shown else "no variables"


def blocked_message(program: Program, blocked: Blocked) -> str:
    """Why the path cannot take ``blocked.step_id`` where it is, what it could do there instead,
    and the state it is in."""
    scenario = program.scenario
    state, step_id = blocked.state, blocked.step_id
    taken = f"after {blocked.index} step{'' if blocked.index == 1 else 's'}"
    if is_final(program, state):
        return (f"the path cannot go on with {step_id!r}: it already ended at {state.node!r} {taken}; "
                "remove the steps after the ending, or check the steps before it")
    where = f"variables: {describe_variables(program, state)}"
    choices = _choices_here(program, state)
    step = program.steps.get(step_id)
    if step is None:
        return f"the path cannot go on with {step_id!r}: there is no such choice; {choices}; {where}"
    if step.node != state.node:
        owner = f"the timer of node {step.node!r}" if step.is_timeout else f"a choice of node {step.node!r}"
        return (f"the path cannot go on with {step_id!r}: {taken} it is at node {state.node!r}, and {step_id!r} is "
                f"{owner}; {choices}; {where}; check the steps before it, or start the test where {step_id!r} is "
                "with `start:`")
    condition = _condition(scenario, step.node, step_id)
    return (f"the path cannot go on with {step_id!r}: {taken} it is at node {state.node!r}, where {step_id!r} is "
            f"closed because its condition `{condition}` is false; {_choices_here(program, state, step_id)}; {where}; "
            "choose an open choice, or set up the state the test needs with `given:`")


def _choices_here(program: Program, state: State, blocked: str = "") -> str:
    """What is open at the path's node, and the conditions of what is closed (but ``blocked``,
    whose condition the message already gives)."""
    opened = open_choices(program, state)
    open_ids = {s.id for s in opened}
    parts = [f"open there: {', '.join(repr(s.id) for s in opened) or 'nothing'}"]
    node = program.scenario.nodes.get(state.node)
    if node is not None:
        closed = [f"{c.id!r} (when: {c.when})" for c in node.choices
                  if c.id not in open_ids and c.id != blocked and c.when]
        if closed:
            parts.append(f"closed: {', '.join(closed)}")
        if node.timer is not None:
            parts.append(f"its timer can run out: {timeout_id(state.node)!r}")
    return "; ".join(parts)


def _condition(scenario: Scenario, node_id: str, choice_id: str) -> str:
    node = scenario.nodes[node_id]
    return next((c.when or "" for c in node.choices if c.id == choice_id), "")


def check_test_paths(scenario: Scenario, doc: SourceDocument, program: Program) -> list[Diagnostic]:
    """An error at the failing ``choose:`` entry of every test whose path cannot be followed,
    and at every screener answer in a ``given:`` that the scenario never hears."""
    out: list[Diagnostic] = []

    def report(path: tuple[str | int, ...], code: str, message: str, *, key: bool = False) -> None:
        pos = doc.position(path, key=key)
        out.append(Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, code, message))

    heard = {step for track in program.tracks for step in track.answer_slots}
    for i, test in enumerate(scenario.tests):
        for step in test.given.answers if test.given is not None else {}:
            if step not in heard:
                report(("tests", i, "given", "answers", step), "unknown-step",
                       f"test {test.name!r}: no node or choice of this scenario gives an answer to {step}, so a "
                       "test cannot give one either; remove it, or add the answer where the client gives it",
                       key=True)
        blocked = follow_test(program, test).blocked
        if blocked is not None:
            report(("tests", i, "choose", blocked.index), "test-path-blocked",
                   f"test {test.name!r}: {blocked_message(program, blocked)}")
    return out
