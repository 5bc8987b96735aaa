"""The author's workbench on a live run, without Textual: edit the state, score so far, say what the run was.

Author mode (``casesim author FILE``) lets a trainer set a variable, or the nodes visited and
choices made, at any moment, to try a branch without playing up to it. Everything here checks
the edit the way the scenario file would (a number within its ``min``..``max``, a flag yes or
no, only ids the scenario has) and hands the new :class:`~casesim.semantics.program.State` to
:meth:`~casesim.play.attempt.LiveAttempt.edit_state`, which refuses a recorded attempt.

The history is what the engine keeps: ``visited`` (nodes and endings reached, which
``visited(...)`` reads) and ``chosen`` (step ids taken, choices and timer expiries, which
``chose(...)`` reads). The node being played is always visited, as the engine makes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from casesim.errors import SessionError
from casesim.format.scenario import Variable
from casesim.play.attempt import LiveAttempt, StateEdit
from casesim.scoring.debrief import Debrief
from casesim.semantics.program import Program, State, timeout_id, variables

__all__ = ["EditError", "carry_over", "edit_history", "edit_variable", "follow", "history_ids", "parse_value",
           "run_notice", "running_score", "shown_value"]

_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")
"""ASCII digits only, and few enough that the number cannot be absurd before the range check."""
_YES = {"yes", "y", "true", "on"}
_NO = {"no", "n", "false", "off"}


class EditError(SessionError):
    """An edit the workbench refuses: the message says what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="cannot edit the state")


def shown_value(value: object) -> str:
    """A variable's value as the inspector shows it (flags as yes/no, like the trainee sees them)."""
    return "yes" if value is True else "no" if value is False else str(value)


def parse_value(program: Program, name: str, text: str) -> int | bool:
    """``text`` as a value of variable ``name``, checked against its type and range."""
    var = program.scenario.variables.get(name)
    if var is None:
        raise EditError(f"the scenario has no variable {name!r}")
    typed = text.strip()
    if isinstance(var.start, bool):
        word = typed.lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise EditError(f"{name} is a yes/no flag: type yes or no" + (f", not {typed!r}" if typed else ""))
    low, high = var.min, var.max
    assert low is not None and high is not None  # the model requires both for a number
    if not _WHOLE.fullmatch(typed):
        what = f", not {typed!r}" if typed else ""
        raise EditError(f"{name} is a whole number: type one from {low} to {high}{what}")
    value = int(typed)
    if not low <= value <= high:
        raise EditError(f"{value} is outside {name}'s range {low}..{high}: type a number from {low} to {high}")
    return value


def edit_variable(attempt: LiveAttempt, name: str, text: str) -> str:
    """Set variable ``name`` of the run to ``text`` (checked); returns what changed, in words."""
    program = attempt.program
    state = attempt.session.state
    _check_playing(attempt)
    value = parse_value(program, name, text)
    old = variables(program, state)[name]
    index = program.var_index[name]
    values = list(state.vars)
    values[index] = value
    what = f"{name} {shown_value(old)} → {shown_value(value)}"
    attempt.edit_state(replace(state, vars=tuple(values)), what)
    return what


def history_ids(program: Program) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the history can hold, in file order: (nodes and endings, step ids)."""
    scenario = program.scenario
    return (*scenario.nodes, *scenario.endings), tuple(program.steps)


def edit_history(attempt: LiveAttempt, visited: Iterable[str], chosen: Iterable[str]) -> str | None:
    """Set the nodes visited and the steps chosen of the run; returns what changed, or None."""
    _check_playing(attempt)
    program = attempt.program
    state = attempt.session.state
    nodes, steps = history_ids(program)
    new_visited, new_chosen = frozenset(visited), frozenset(chosen)
    unknown = sorted((new_visited - set(nodes)) | (new_chosen - set(steps)))
    if unknown:
        raise EditError("the scenario has no node or choice " + ", ".join(map(repr, unknown)))
    if state.node not in new_visited:
        raise EditError(f"{state.node} is the node being played, so it counts as visited (the engine marks a "
                        "node visited as soon as it is reached); keep it ticked")
    parts = _changes("visited", state.visited, new_visited, nodes) + _changes("chose", state.chosen, new_chosen, steps)
    if not parts:
        return None
    what = "; ".join(parts)
    attempt.edit_state(State(state.node, state.vars, new_visited, new_chosen), what)
    return what


def _changes(label: str, old: frozenset[str], new: frozenset[str], order: tuple[str, ...]) -> list[str]:
    added = [i for i in order if i in new and i not in old]
    removed = [i for i in order if i in old and i not in new]
    if not added and not removed:
        return []
    return [f"{label}: " + " ".join([*(f"+{i}" for i in added), *(f"−{i}" for i in removed)])]


def _check_playing(attempt: LiveAttempt) -> None:
    if attempt.finished:
        raise EditError("the run has reached an ending; restart (s) or jump (j) to edit a state that is still playing")


def running_score(attempt: LiveAttempt) -> Debrief | None:
    """The debrief of the run so far, as the debrief at an ending would compute it, or None
    while the path analysis it is measured against is still running."""
    if attempt.debrief is not None:
        return attempt.debrief
    if not attempt.scoring_ready:
        return None
    return attempt.score()


def run_notice(attempt: LiveAttempt) -> str | None:
    """What a debrief of this run must say first when the run is not one a trainee could play:
    it began mid-scenario, or its state was edited. None for an ordinary run from the start."""
    program = attempt.program
    parts: list[str] = []
    start = attempt.session.start
    if start != program.scenario.start:
        parts.append(f"This run began mid-scenario, at node {start!r}, with every variable at its starting value "
                     "and nothing visited before it.")
    if attempt.edits:
        changes = "; ".join(f"{e.what} (at {e.node}, after {e.after_steps} step{'' if e.after_steps == 1 else 's'})"
                            for e in attempt.edits)
        parts.append(f"The state was edited during this run: {changes}.")
    if not parts:
        return None
    parts.append("It is not an attempt and was not recorded. The points and the pass rule are measured against "
                 "the expert path from the scenario's start, so read them as a check of the scenario, not a score.")
    return " ".join(parts)


def follow(attempt: LiveAttempt, step_ids: Iterable[str]) -> str | None:
    """Take ``step_ids`` in turn (a timer's expiry by its ``timeout:`` id) as far as they go;
    None when all were taken, else why the next could not be (author mode plays a test's path)."""
    for number, step_id in enumerate(step_ids, start=1):
        try:
            if step_id == timeout_id(attempt.session.node_id):
                attempt.expire_timer()
            else:
                attempt.choose(step_id)
        except SessionError as exc:
            return f"step {number}, {step_id}, cannot be taken at {attempt.session.node_id}: {exc.message}"
    return None


def _fits(var: Variable, value: object) -> bool:
    if isinstance(var.start, bool):
        return isinstance(value, bool)
    return (isinstance(value, int) and not isinstance(value, bool) and var.min is not None and var.max is not None
            and var.min <= value <= var.max)


def carry_over(attempt: LiveAttempt, old: LiveAttempt) -> bool:
    """Give ``attempt`` (the run on a reloaded version, at the node ``old`` was at) the variables
    and history ``old`` had, wherever they still fit the new version; True if that changed it.

    Used when the author had edited the state (a replay of the choices alone would lose the
    edits) or when the choices no longer fit and the run restarted at the same node.
    """
    state = attempt.session.state
    before = old.session.state
    if attempt.finished or before.node != state.node:
        return False
    program = attempt.program
    values = list(state.vars)
    for name, value in variables(old.program, before).items():
        var = program.scenario.variables.get(name)
        if var is not None and _fits(var, value):
            values[program.var_index[name]] = value
    nodes, steps = history_ids(program)
    carried = State(state.node, tuple(values), frozenset(n for n in before.visited if n in nodes) | {state.node},
                    frozenset(s for s in before.chosen if s in steps))
    if carried == state:
        return False
    same_path = attempt.session.path == old.session.path
    edits = list(old.edits) if same_path and old.edits else [
        StateEdit(len(attempt.session.history), state.node, "state carried over from the version before the save")]
    attempt.edit_state(carried, edits[-1].what)
    attempt.edits = edits
    return True
