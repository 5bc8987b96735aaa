"""Every criterion's extremes, found in one pass over the state graph, agree with walking every path.

The analysis carries one vector per state (each criterion, then the total); these properties
check each component of it against brute force on small random scenarios where different
choices score different criteria, so a mix-up between criteria would show.
"""

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

CRITERIA = ("A-1", "B-2", "C-3")


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Acyclic scenarios (points on a cycle are an error the analysis reports, not scores)."""
    node_ids = [f"n{i}" for i in range(draw(st.integers(2, 6)))]
    endings = ["good", "bad"]
    nodes: dict[str, Any] = {}
    counter = 0
    for i, nid in enumerate(node_ids):
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            counter += 1
            scored = draw(st.lists(st.sampled_from(CRITERIA), unique=True, max_size=2))
            choice: dict[str, Any] = {
                "id": f"c{counter}", "say": "x", "goto": draw(st.sampled_from(node_ids[i + 1:] + endings)),
                "scores": {c: draw(st.integers(-3, 3)) for c in scored},
            }
            guard = draw(st.sampled_from([None, "r >= 2", "not flag", "flag", f"visited({nid})", "chose(c1)"]))
            if guard is not None:
                choice["when"] = guard
            effect = draw(st.sampled_from([{}, {"r": 1}, {"r": -1}, {"flag": True}]))
            if effect:
                choice["effects"] = effect
            choices.append(choice)
        nodes[nid] = {"client": "hi", "choices": choices}
    return Scenario.model_validate({
        "format": 1, "id": "gen", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": draw(st.integers(0, 3)), "min": 0, "max": 3}, "flag": {"start": False}},
        "start": "n0", "nodes": nodes,
        "endings": {e: {"outcome": "success", "title": e, "summary": e} for e in endings},
    })


def _path_points(program: Program) -> list[dict[str, int]]:
    """Points per criterion (and the total) of every complete path, walked without projection."""
    out: list[dict[str, int]] = []

    def walk(state: State, points: dict[str, int]) -> None:
        if is_final(program, state):
            out.append(points)
            return
        for step in open_choices(program, state):
            after = dict(points)
            for criterion, p in step.scores:
                after[criterion] = after.get(criterion, 0) + p
            after[TOTAL] = after.get(TOTAL, 0) + step.weight
            walk(apply(program, state, step), after)

    walk(initial_state(program), {})
    return out


@settings(max_examples=200)
@given(scenarios())
def test_every_criterions_extremes_agree_with_brute_force(scenario: Scenario) -> None:
    program = compile_program(scenario)
    analysis = analyse(program)
    paths = _path_points(program)
    if not paths:
        assert analysis.extremes == {} and analysis.total is None
        return
    assert set(analysis.extremes) == {*program.criteria, TOTAL}
    for criterion in (*program.criteria, TOTAL):
        values = [points.get(criterion, 0) for points in paths]
        found = analysis.extremes[criterion]
        assert (found.worst, found.best) == (min(values), max(values)), criterion
    assert analysis.total == analysis.extremes[TOTAL]
    assert analysis.best_any_to_go[0] == max(points.get(TOTAL, 0) for points in paths)
