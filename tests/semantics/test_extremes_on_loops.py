"""The worst and best scores are exact when points sit on loops: a finite number only when it is
the true extreme over every complete path, "unbounded" (None) exactly when a loop that gains
(or loses) points can be gone round as often as a trainee likes and still finish.

The oracle is independent of the analysis' component-by-component optimisation: all-pairs
min-plus (and max-plus) distances over the explored state graph (Floyd-Warshall), where a
negative diagonal entry on a state that can still finish is a loop that loses points for ever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from casesim.authoring.pipeline import load_scenario
from casesim.format.scenario import Scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import TOTAL, Analysis, analyse
from casesim.semantics.program import compile_program, is_final
from support.paths import DATA

CRITERIA = ("A-1", "B-2")
INF = float("inf")


@st.composite
def looping_scenarios(draw: st.DrawFn) -> Scenario:
    """Small scenarios whose choices and timers may loop back, with points of either sign."""
    node_ids = [f"n{i}" for i in range(draw(st.integers(1, 4)))]
    endings = ["good", "bad"]
    nodes: dict[str, Any] = {}
    counter = 0
    for nid in node_ids:
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            counter += 1
            choice: dict[str, Any] = {"id": f"c{counter}", "say": "x", "feedback": "f",
                                      "goto": draw(st.sampled_from(node_ids + endings)),
                                      "scores": {c: draw(st.integers(-2, 2)) for c in CRITERIA}}
            guard = draw(st.sampled_from([None, "r >= 1", "r < 2", "not flag", "flag"]))
            if guard is not None:
                choice["when"] = guard
            effect = draw(st.sampled_from([{}, {"r": 1}, {"r": -1}, {"flag": True}]))
            if effect:
                choice["effects"] = effect
            choices.append(choice)
        node: dict[str, Any] = {"client": "hi", "choices": choices}
        if draw(st.booleans()):
            node["timer"] = {"seconds": 10, "expire": {
                "goto": draw(st.sampled_from(node_ids + endings)), "narration": "time",
                "scores": {draw(st.sampled_from(CRITERIA)): draw(st.integers(-2, 2))}}}
        nodes[nid] = node
    data = {
        "format": 1, "id": "gen", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": draw(st.integers(0, 2)), "min": 0, "max": 2}, "flag": {"start": False}},
        "start": "n0", "nodes": nodes,
        "endings": {e: {"outcome": "success", "title": e, "summary": e} for e in endings},
    }
    return Scenario.model_validate(data)


def _oracle(analysis: Analysis, k: int, *, maximise: bool) -> float | None:
    """The extreme of dimension ``k`` of the point vectors from the start to any ending: a number,
    +inf/-inf when a loop makes it unbounded, None when no ending can be reached."""
    program = analysis.program
    n = analysis.state_count
    sign = -1 if maximise else 1  # maximising is minimising the negated points
    dist: list[list[float]] = [[INF] * n for _ in range(n)]
    for i in range(n):
        dist[i][i] = 0
    for sid, out in enumerate(analysis.edges):
        for step, target in out:
            dist[sid][target] = min(dist[sid][target], sign * program.point_vectors[step.id][k])
    for m in range(n):
        row_m = dist[m]
        for i in range(n):
            via = dist[i][m]
            if via == INF:
                continue
            row_i = dist[i]
            for j in range(n):
                if via + row_m[j] < row_i[j]:
                    row_i[j] = via + row_m[j]
    finals = [i for i in range(n) if is_final(program, analysis.states[i])]
    if all(dist[0][f] == INF for f in finals):
        return None
    # A loop through a state the start reaches and from which an ending is reached.
    if any(dist[i][i] < 0 and dist[0][i] < INF and any(dist[i][f] < INF for f in finals) for i in range(n)):
        return -sign * INF
    return sign * min(dist[0][f] for f in finals)


@settings(max_examples=60)
@given(looping_scenarios())
def test_extremes_match_every_complete_path_or_are_unbounded(scenario: Scenario) -> None:
    analysis = analyse(compile_program(scenario))
    assume(analysis.state_count <= 40)
    program = analysis.program
    names = [*program.criteria, TOTAL]
    for k, name in enumerate(names):
        worst, best = _oracle(analysis, k, maximise=False), _oracle(analysis, k, maximise=True)
        if worst is None:
            assert name not in analysis.extremes
            continue
        extremes = analysis.extremes[name]
        assert extremes.worst == (None if worst == -INF else worst), (name, worst, extremes)
        assert extremes.best == (None if best == INF else best), name


def test_a_penalised_timer_on_a_loop_makes_the_worst_unbounded(tmp_path: Path, catalog: Catalog) -> None:
    loaded = load_scenario(DATA / "analysis" / "timer-loop.yaml", catalog)
    assert loaded.analysed is not None
    total = loaded.analysed.analysis.total
    assert total is not None
    assert (total.worst, total.best) == (None, 2)
