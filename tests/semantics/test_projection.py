"""The history projection and ``apply(observed_only=True)`` are one rule written twice for speed.

The analysis stores states built with ``apply(..., observed_only=True)`` and looks a live
session's state up with ``project``; if the two ever disagreed, the lookup would miss and the
debrief would call every decision the expert choice. These properties pin them together over
every bundled scenario.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.semantics.program import (
    Program,
    State,
    Step,
    apply,
    initial_state,
    is_final,
    open_choices,
    project,
    timeout_step,
)
from support.scenarios import bundled_programs


def _open_steps(program: Program, state: State) -> tuple[Step, ...]:
    """Everything that can happen next: the open choices and, on a timed node, the timeout."""
    steps = open_choices(program, state)
    timeout = timeout_step(program, state)
    return steps if timeout is None else (*steps, timeout)


SCENARIO_COUNT = len(bundled_programs())


@settings(max_examples=400)
@given(which=st.integers(0, SCENARIO_COUNT - 1), picks=st.lists(st.integers(0, 2**16), min_size=1, max_size=60))
def test_projecting_after_a_step_equals_the_observed_only_step_from_the_projection(
    which: int, picks: list[int]
) -> None:
    """A random walk from the start with full history; at every state on it, every open step
    commutes with the projection."""
    program = bundled_programs()[which]
    state = initial_state(program)
    for pick in picks:
        if is_final(program, state):
            break
        steps = _open_steps(program, state)
        if not steps:
            break
        projected = project(program, state)
        for step in steps:
            assert project(program, apply(program, state, step)) == apply(
                program, projected, step, observed_only=True
            ), f"{program.scenario.id}: {step.id} from {state}"
        state = apply(program, state, steps[pick % len(steps)])


def test_the_property_is_not_vacuous_some_bundled_scenario_observes_part_of_its_history() -> None:
    """The projection keeps some history and drops some: otherwise the property above could not fail."""
    observing = [p for p in bundled_programs() if p.relevant_nodes or p.relevant_choices]
    assert observing, "no bundled scenario uses visited() or chose()"
    for program in observing:
        unobserved = set(program.scenario.nodes) - program.relevant_nodes
        if unobserved:
            node = sorted(unobserved)[0]
            state = initial_state(program, node)
            assert project(program, state).visited == frozenset()
            return
    raise AssertionError("every node of every observing scenario is observed: projection never drops anything")
