"""Property tests of the exploration: the analysis agrees with a brute-force walk of the graph."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.format.scenario import Scenario
from casesim.semantics.explore import TOTAL, analyse
from casesim.semantics.program import (
    Program,
    State,
    apply,
    compile_program,
    initial_state,
    is_final,
    open_choices,
)


@st.composite
def small_scenarios(draw: st.DrawFn, *, acyclic: bool) -> Scenario:
    n = draw(st.integers(2, 6))
    node_ids = [f"n{i}" for i in range(n)]
    endings = ["good", "bad"]
    nodes: dict[str, Any] = {}
    counter = 0
    for i, nid in enumerate(node_ids):
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            counter += 1
            later = node_ids[i + 1:] if acyclic else node_ids
            goto = draw(st.sampled_from(later + endings))
            choice: dict[str, Any] = {"id": f"c{counter}", "say": "x", "goto": goto, "feedback": "f",
                                      "scores": {"SAMHSA14-P1": draw(st.integers(-2, 2))}}
            guard = draw(st.sampled_from([None, "r >= 2", "not flag", "flag", "r < 1", f"visited({nid})",
                                          "chose(c1)", "r + 1 > 3"]))
            if guard is not None:
                choice["when"] = guard
            effect = draw(st.sampled_from([{}, {"r": 1}, {"r": -1}, {"flag": True}, {"r": "r + 2"}]))
            if effect:
                choice["effects"] = effect
            choices.append(choice)
        nodes[nid] = {"client": "hi", "choices": choices}
    data = {
        "format": 1, "id": "gen", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": draw(st.integers(0, 3)), "min": 0, "max": 3}, "flag": {"start": False}},
        "start": "n0", "nodes": nodes,
        "endings": {e: {"outcome": "success", "title": e, "summary": e} for e in endings},
    }
    return Scenario.model_validate(data)


def _brute_force(program: Program, limit: int = 12) -> tuple[set[str], set[str], set[str], bool, list[int], int]:
    """Walk every path (up to ``limit`` steps) without any projection."""
    nodes: set[str] = set()
    endings: set[str] = set()
    taken: set[str] = set()
    dead_end = False
    totals: list[int] = []
    paths = 0

    def walk(state: State, total: int, depth: int) -> None:
        nonlocal dead_end, paths
        if is_final(program, state):
            endings.add(state.node)
            totals.append(total)
            paths += 1
            return
        nodes.add(state.node)
        steps = open_choices(program, state)
        if not steps:
            dead_end = True
            return
        if depth >= limit:
            return
        for step in steps:
            taken.add(step.id)
            walk(apply(program, state, step), total + sum(p for _, p in step.scores), depth + 1)

    walk(initial_state(program), 0, 0)
    return nodes, endings, taken, dead_end, totals, paths


@settings(max_examples=200)
@given(small_scenarios(acyclic=True))
def test_analysis_agrees_with_brute_force_on_acyclic_graphs(scenario: Scenario) -> None:
    program = compile_program(scenario)
    analysis = analyse(program)
    nodes, endings, taken, dead_end, totals, paths = _brute_force(program)
    assert analysis.reachable_nodes == nodes
    assert analysis.reachable_endings == endings
    assert analysis.steps_taken == taken
    assert bool(analysis.dead_ends) == dead_end
    assert analysis.path_count == paths
    if totals:
        assert analysis.extremes[TOTAL].best == max(totals)
        assert analysis.extremes[TOTAL].worst == min(totals)
    else:
        assert TOTAL not in analysis.extremes


@settings(max_examples=200)
@given(small_scenarios(acyclic=False))
def test_analysis_reachability_agrees_with_brute_force_on_cyclic_graphs(scenario: Scenario) -> None:
    program = compile_program(scenario)
    analysis = analyse(program)
    # Exhaustive search over full (unprojected) states: finite because variables are bounded
    # and visited/chosen sets can only grow.
    seen: set[State] = set()
    stack = [initial_state(program)]
    nodes: set[str] = set()
    endings: set[str] = set()
    taken: set[str] = set()
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        if is_final(program, state):
            endings.add(state.node)
            continue
        nodes.add(state.node)
        for step in open_choices(program, state):
            taken.add(step.id)
            stack.append(apply(program, state, step))
    assert analysis.reachable_nodes == nodes
    assert analysis.reachable_endings == endings
    assert analysis.steps_taken == taken
