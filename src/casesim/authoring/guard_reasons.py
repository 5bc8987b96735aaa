"""Why a condition is never true, or closed in a dead end, in words a trainer can act on.

"Its condition is false in every reachable state" is true but leaves the trainer to find out
why. What they need is the cause: which choices (or timers) alone change the variable the
condition reads, and what values it actually takes at the node; or that nothing changes it at
all; or that the choice or node it asks about with ``chose()``/``visited()`` never happens
first. The exhaustive analysis already holds every reachable state, so the values are exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from casesim.format.expressions import names_used, parse_expression
from casesim.format.scenario import TimerExpiry
from casesim.semantics.explore import Analysis
from casesim.semantics.program import State, Step

__all__ = ["closed_reason", "never_true_reason"]

_SHOWN_SETTERS = 4
"""Setters named in one message; past this, "and N more"."""


def never_true_reason(analysis: Analysis, condition: str, node_id: str) -> str:
    """Why ``condition`` is false at ``node_id`` in every reachable state: per name it reads, the
    values met there and what changes them (or that nothing does)."""
    states = [s for s in analysis.states if s.node == node_id]
    return "; ".join(_reasons(analysis, condition, node_id, states, values=True))


def closed_reason(analysis: Analysis, condition: str, node_id: str, state: State) -> str:
    """Why ``condition`` is false in the dead-end ``state`` (whose values the caller shows):
    what changes the variables it reads, or that nothing does."""
    return "; ".join(_reasons(analysis, condition, node_id, [state], values=False))


def _reasons(analysis: Analysis, condition: str, node_id: str, states: list[State], *, values: bool) -> list[str]:
    program = analysis.program
    variables, nodes, choices = names_used(parse_expression(condition))
    out: list[str] = []
    for name in _in_order(condition, variables):
        index = program.var_index[name]
        setters = [step for step in program.steps.values() if any(e.index == index for e in step.effects)]
        start = _value(program.start_values[index])
        if not setters:
            out.append(f"nothing changes `{name}`, so it is always {start} (its start value)")
            continue
        verb = "changes" if len(setters) == 1 else "change"
        changed = f"only {_setters(analysis, setters, name)} {verb} it"
        if values and states:
            seen = _values_text(sorted({s.vars[index] for s in states}))
            out.append(f"at node {node_id!r} `{name}` is {seen} (it starts at {start}, and {changed})")
        else:
            out.append(f"`{name}` starts at {start}, and {changed}")
    for choice in _in_order(condition, choices):
        if choice not in analysis.steps_taken:
            out.append(f"choice {choice!r} is never offered, so `chose({choice})` is never true")
        elif values and not any(choice in s.chosen for s in states):
            out.append(f"no path makes choice {choice!r} before node {node_id!r}")
    for node in _in_order(condition, nodes):
        if node not in analysis.reachable_nodes and node not in analysis.reachable_endings:
            out.append(f"node {node!r} is never reached, so `visited({node})` is never true")
        elif values and not any(node in s.visited for s in states):
            out.append(f"no path passes node {node!r} before node {node_id!r}")
    if not out and values and states and len(variables) + len(nodes) + len(choices) > 1:
        out.append(f"each part of it can hold at node {node_id!r}, but never all of them at once")
    return out


def _in_order(text: str, names: Iterable[str]) -> list[str]:
    """``names`` in the order they first appear in ``text`` (sets have none)."""
    return sorted(names, key=lambda name: (text.find(name), name))


def _value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _values_text(values: list[Any]) -> str:
    if len(values) == 1:
        return f"always {_value(values[0])}"
    if all(isinstance(v, bool) for v in values):
        return "sometimes true, sometimes false"
    return f"only ever {values[0]} to {values[-1]}"


def _setters(analysis: Analysis, setters: list[Step], name: str) -> str:
    """The steps that change variable ``name``, with the change each makes and where it is."""
    scenario = analysis.program.scenario
    shown = []
    for step in setters[:_SHOWN_SETTERS]:
        node = scenario.nodes[step.node]
        raw = _timeout_effects(node.timer.branches(), step.id) if step.is_timeout and node.timer is not None else next(
            (c.effects for c in node.choices if c.id == step.id), {})
        change = _change(raw.get(name))
        what = f"the timer of node {step.node!r}" if step.is_timeout else f"choice {step.id!r} at node {step.node!r}"
        never = "" if step.id in analysis.steps_taken else ", never offered"
        shown.append(f"{what} ({change}{never})")
    more = len(setters) - _SHOWN_SETTERS
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _timeout_effects(branches: tuple[TimerExpiry, ...], step_id: str) -> dict[str, Any]:
    """The effects of the expiry branch a timeout step was compiled from (`timeout:NODE/2` is
    the second branch of a branching expiry; plain `timeout:NODE` the only one)."""
    _, _, index = step_id.rpartition("/")
    branch = branches[int(index) - 1] if index.isdigit() and 0 < int(index) <= len(branches) else branches[0]
    return dict(branch.effects)


def _change(value: Any) -> str:
    if isinstance(value, bool):
        return f"to {_value(value)}"
    if isinstance(value, int):
        return f"{value:+d}"
    return f'"{value}"'

