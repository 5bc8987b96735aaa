"""The ``transitions`` Machine that drives live sessions: one per scenario, shared by all sessions.

The Machine drives; the pure functions decide. Every choice is a trigger (prefixed, so it can
never collide with an attribute of the cursor) whose condition calls the compiled guard and
whose callback applies :func:`casesim.semantics.program.apply`. Callbacks are callables, never
strings: ``transitions`` would import a dotted string as code.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from transitions import EventData, Machine

from casesim.semantics.program import Program, State, Step, apply

__all__ = ["Cursor", "fire", "machine_for", "may_fire", "trigger_name"]

_TRIGGER_PREFIX = "cs__"
_MACHINES: weakref.WeakKeyDictionary[Program, Machine] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def trigger_name(step_id: str) -> str:
    """The trigger for a step (choice or timeout) id."""
    return _TRIGGER_PREFIX + step_id


class Cursor:
    """The small plain object a session adds to the shared Machine.

    ``node`` is kept by ``transitions``; ``state`` is the immutable semantic state, replaced
    by the transition callback. They always agree after a trigger.
    """

    def __init__(self, state: State) -> None:
        self.state = state
        self.node: str = state.node
        self.last_step: Step | None = None

    # transitions adds trigger(), may_trigger() and the cs__* triggers to this object; the
    # class must not define them, or transitions silently skips its own (its FAQ's pitfall).


def may_fire(cursor: Cursor, step_id: str) -> bool:
    """Whether the Machine allows ``step_id`` from the cursor's node (its guard included)."""
    return bool(cursor.may_trigger(trigger_name(step_id)))  # type: ignore[attr-defined]  # added by transitions


def fire(cursor: Cursor, step_id: str) -> bool:
    """Fire ``step_id``'s trigger on the cursor; True when the transition happened."""
    return bool(cursor.trigger(trigger_name(step_id)))  # type: ignore[attr-defined]  # added by transitions


def machine_for(program: Program) -> Machine:
    """The Machine of ``program``, built once and cached for as long as the program lives."""
    with _LOCK:
        machine = _MACHINES.get(program)
        if machine is None:
            machine = _build(program)
            _MACHINES[program] = machine
        return machine


def _build(program: Program) -> Machine:
    scenario = program.scenario
    states = [*scenario.nodes, *scenario.endings]
    transitions: list[dict[str, Any]] = []
    for step in program.steps.values():
        transitions.append({
            "trigger": trigger_name(step.id),
            "source": step.node,
            "dest": step.goto,
            "conditions": [_guard(step)],
            "after": [_effect(program, step)],
        })
    return Machine(
        model=None,
        states=states,
        initial=scenario.start,
        transitions=transitions,
        auto_transitions=False,
        send_event=True,
        model_attribute="node",
        name=scenario.id,
    )


def _guard(step: Step) -> Any:
    guard = step.guard

    def condition(event: EventData) -> bool:
        if step.is_timeout:
            return True
        cursor: Cursor = event.model  # type: ignore[assignment]
        return guard is None or bool(guard(cursor.state))

    return condition


def _effect(program: Program, step: Step) -> Any:
    def callback(event: EventData) -> None:
        cursor: Cursor = event.model  # type: ignore[assignment]
        cursor.state = apply(program, cursor.state, step)
        cursor.last_step = step

    return callback
