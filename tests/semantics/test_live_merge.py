"""The live-variable merge changes how many states the analysis keeps, never what it finds.

Two states at a node that differ only in variables nothing from there on reads are filed as one
(:mod:`casesim.semantics.liveness`). These tests analyse with and without the merge and compare
every result the library reports: reachability, dead ends and loops, path counts, extremes, the
expert and best paths, the best totals the debrief ranks choices by (looked up from real
sessions), the answer-cue audit and the lint. Over every bundled scenario, and over generated
small programs where a brute-force check of liveness itself is cheap.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.authoring.audit import audit_scenario
from casesim.authoring.intent import lint_expert_marks
from casesim.authoring.lint import lint_analysis
from casesim.authoring.pipeline import load_scenario
from casesim.authoring.variant_lint import lint_variants
from casesim.format.scenario import Scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, Budget, analyse
from casesim.semantics.liveness import live_variables
from casesim.semantics.program import (
    Program,
    State,
    Step,
    apply,
    compile_program,
    initial_state,
    is_final,
    merge_key,
    open_choices,
    project,
    timeout_step,
    unmet_requirements,
)
from casesim.semantics.render import compiled_text, step_line_id
from support.paths import SCENARIOS


def _summary(analysis: Analysis) -> dict[str, Any]:
    """Everything an analysis reports that does not name a state by its index."""
    states = analysis.states
    return {
        "complete": analysis.complete, "stopped": analysis.stopped,
        "reachable_nodes": analysis.reachable_nodes, "reachable_endings": analysis.reachable_endings,
        "steps_taken": analysis.steps_taken,
        "dead_end_nodes": {states[i].node for i in analysis.dead_ends},
        "trapped_nodes": {states[i].node for i in analysis.trapped},
        "path_count": analysis.path_count, "scoring_cycles": analysis.scoring_cycles,
        "total": analysis.total, "extremes": dict(analysis.extremes),
        "clean_path_exists": analysis.clean_path_exists, "expert_total": analysis.expert_total,
        "expert_path": analysis.expert_path, "best_path": analysis.best_path,
    }


def _walk(program: Program, rng: random.Random) -> list[State]:
    """The full states of one random session from the start (timeouts included)."""
    state = initial_state(program)
    seen = [state]
    for _ in range(200):
        if is_final(program, state):
            break
        steps: tuple[Step, ...] = open_choices(program, state)
        timeout = timeout_step(program, state)
        if timeout is not None:
            steps = (*steps, timeout)
        if not steps:
            break
        state = apply(program, state, rng.choice(steps))
        seen.append(state)
    return seen


def _same_for_sessions(program: Program, plain: Analysis, merged: Analysis, walks: int, seed: int) -> None:
    """A live session finds its state in both analyses, with the same best totals to go and the
    same ranking of its open choices (what the debrief shows)."""
    rng = random.Random(seed)
    for _ in range(walks):
        for state in _walk(program, rng):
            a, b = plain.state_id(state), merged.state_id(state)
            assert (a is None) == (b is None), f"{program.scenario.id}: {state}"
            if a is None or b is None:
                continue
            assert plain.best_to_go[a] == merged.best_to_go[b]
            assert plain.best_any_to_go[a] == merged.best_any_to_go[b]
            assert plain.can_finish[a] == merged.can_finish[b]
            ranked = [(step.id, value) for step, value in plain.better_choices(state)]
            assert ranked == [(step.id, value) for step, value in merged.better_choices(state)]


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_reports_the_same_with_and_without_the_merge(path: Any, catalog: Catalog) -> None:
    report = load_scenario(path, catalog, analyse_paths=False)
    assert report.playable is not None
    playable = report.playable
    program = playable.program
    # Without the merge a scenario may need more than the default budget (that is what the
    # merge is for: the ER intake with its screen after the limits talk reaches 1.2 million
    # states, about 1.1 GB), so the unmerged run gets a larger one.
    plain = analyse(program, merge=False, budget=Budget(states=4_000_000, seconds=1800, memory_bytes=4 * 1024**3))
    merged = analyse(program, merge=True)
    assert plain.complete and not plain.merged and merged.merged
    assert _summary(plain) == _summary(merged)
    assert merged.state_count <= plain.state_count
    assert audit_scenario(playable.scenario, plain) == audit_scenario(playable.scenario, merged)
    for lint in (lambda a: lint_analysis(playable.scenario, playable.document, a, catalog),
                 lambda a: lint_expert_marks(playable.scenario, playable.document, a),
                 lambda a: lint_variants(playable.scenario, playable.document, a)):
        assert lint(plain) == lint(merged)
    _same_for_sessions(program, plain, merged, walks=20, seed=len(program.scenario.id))


def test_the_merge_is_not_vacuous_on_the_library(catalog: Catalog) -> None:
    """Some bundled scenario has dead variables and keeps fewer states for them: otherwise the
    comparison above could not tell a merge that does nothing from one that is right."""
    report = load_scenario(SCENARIOS / "deescalation-benefits-lobby.yaml", catalog, analyse_paths=False)
    assert report.playable is not None
    program = report.playable.program
    assert program.dead_vars
    assert analyse(program, merge=True).state_count * 2 < analyse(program, merge=False).state_count


# --- generated small programs ------------------------------------------------------------------

_GUARDS = [None, "r >= 2", "not flag", "flag", "r < 1", "note", "not note and r > 0", "chose(c1)", "visited(n1)"]
_EFFECTS: list[dict[str, Any]] = [{}, {"r": 1}, {"r": -1}, {"flag": True}, {"flag": False}, {"note": True},
                                  {"note": "flag"}, {"r": "r + 2"}, {"r": "0"}, {"flag": "note or flag"},
                                  {"flag": False, "note": False}, {"s": 1}, {"s": "r"}]
_SAID: list[Any] = ["plain", [{"when": "s >= 2", "say": "high"}, {"say": "low"}], "r is {r}",
                    [{"when": "note", "say": "noted"}, {"say": "not noted"}]]
_TEXTS: list[Any] = ["plain", [{"when": "s >= 2", "text": "high"}, {"text": "low"}], "r is {r}",
                     [{"when": "note", "text": "noted"}, {"text": "not noted"}]]


@st.composite
def small_scenarios(draw: st.DrawFn) -> Scenario:
    """A small format-2 scenario with numbers and flags that are read, overwritten and left
    unread in every way, text variants and placeholders, a timer and a requirement."""
    n = draw(st.integers(2, 6))
    node_ids = [f"n{i}" for i in range(n)]
    endings = ["good", "bad"]
    nodes: dict[str, Any] = {}
    counter = 0
    for i, nid in enumerate(node_ids):
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            counter += 1
            later = node_ids[i + 1:] if draw(st.booleans()) else node_ids
            choice: dict[str, Any] = {"id": f"c{counter}", "say": "x", "goto": draw(st.sampled_from(later + endings)),
                                      "feedback": draw(st.sampled_from(_TEXTS)),
                                      "scores": {"SAMHSA14-P1": draw(st.integers(-2, 2))}}
            guard = draw(st.sampled_from(_GUARDS))
            if guard is not None:
                choice["when"] = guard
            effect = draw(st.sampled_from(_EFFECTS))
            if effect:
                choice["effects"] = effect
            if draw(st.integers(0, 5)) == 0:
                choice["critical"] = {"reason": "r", "cites": ["SAMHSA14-P1"]}
            choices.append(choice)
        node: dict[str, Any] = {"client": draw(st.sampled_from(_SAID)), "choices": choices}
        if draw(st.integers(0, 4)) == 0:
            node["timer"] = {"seconds": 30, "expire": [
                {"when": draw(st.sampled_from(["flag", "r >= 1", "note"])), "goto": draw(st.sampled_from(endings)),
                 "narration": "n", "effects": draw(st.sampled_from(_EFFECTS))},
                {"goto": draw(st.sampled_from(node_ids + endings)), "narration": draw(st.sampled_from(_TEXTS))}]}
        nodes[nid] = node
    data: dict[str, Any] = {
        "format": 2, "id": "gen", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": draw(st.integers(0, 3)), "min": 0, "max": 3},
                      "s": {"start": 0, "min": 0, "max": 3},
                      "flag": {"start": False}, "note": {"start": draw(st.booleans())}},
        "start": "n0", "nodes": nodes,
        "endings": {e: {"outcome": "success", "title": e, "summary": draw(st.sampled_from(["done", "{s} left"]))}
                    for e in endings},
        "pass_rule": {"min_share": 0.5, "no_critical": True},
    }
    if draw(st.booleans()):
        data["requirements"] = [{"id": "req", "holds": draw(st.sampled_from(["flag", "not note", "s <= 1"])),
                                 "reason": "r", "cites": ["SAMHSA14-P1"]}]
    return Scenario.model_validate(data)


def _full_states(program: Program) -> set[State]:
    """Every reachable full state (no projection, no merge): finite, as variables are bounded
    and histories only grow."""
    seen: set[State] = set()
    stack = [initial_state(program)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        if is_final(program, state):
            continue
        steps: tuple[Step, ...] = open_choices(program, state)
        timeout = timeout_step(program, state)
        stack.extend(apply(program, state, step) for step in (*steps, *(() if timeout is None else (timeout,))))
    return seen


def _observable(program: Program, state: State, depth: int) -> tuple[object, ...]:
    """What can be seen from ``state`` in ``depth`` more steps: the variants of the texts read
    on arrival, the requirements at an ending, and per open step (timeouts included) its id
    and what is observable after it."""
    texts = [f"node.{state.node}.client"] if state.node in program.scenario.nodes else [
        f"ending.{state.node}.summary"]
    shown = tuple(_shown(program, fid, state) for fid in texts)
    if is_final(program, state):
        return (shown, unmet_requirements(program, state))
    steps: tuple[Step, ...] = open_choices(program, state)
    timeout = timeout_step(program, state)
    if timeout is not None:
        steps = (*steps, timeout)
    out: list[object] = [shown]
    for step in steps:
        after = apply(program, state, step)
        feedback = _shown(program, step_line_id(step, "feedback"), after) if not step.is_timeout else None
        out.append((step.id, feedback, _observable(program, after, depth - 1) if depth else None))
    return tuple(out)


def _shown(program: Program, field_id: str, state: State) -> object:
    text = compiled_text(program, field_id)
    if text is None:
        return None
    variant = text.variant_holds(state)
    return None if variant is None else (variant, text.variants[variant].alternatives[0].render(state))


@settings(max_examples=150)
@given(small_scenarios())
def test_states_with_the_same_merge_key_look_the_same_from_there_on(scenario: Scenario) -> None:
    """Liveness itself, by brute force: any two reachable full states with the same merge key
    (after projection) offer the same steps, show the same texts and meet the same
    requirements, for the next few steps."""
    program = compile_program(scenario)
    groups: dict[State, State] = {}
    for state in _full_states(program):
        key = merge_key(program, project(program, state))
        first = groups.setdefault(key, state)
        if first is not state:
            assert _observable(program, first, 3) == _observable(program, state, 3), (key, first, state)


@settings(max_examples=150)
@given(small_scenarios())
def test_generated_programs_report_the_same_with_and_without_the_merge(scenario: Scenario) -> None:
    program = compile_program(scenario)
    plain, merged = analyse(program, merge=False), analyse(program, merge=True)
    assert merged.state_count <= plain.state_count
    if plain.scoring_cycles:
        # A loop that scores is an error the lint reports (scoring-cycle), and the best clean
        # total has no meaning there: it counts the points inside a loop as zero, and what is
        # inside depends on how the loop is unrolled (a dead meter raised on each lap makes a
        # chain of states without the merge, one state with it). What is exact on loops (the
        # extremes: "unbounded") must still agree.
        clean = {"expert_total", "expert_path", "best_path"}
        assert {k: v for k, v in _summary(plain).items() if k not in clean} == {
            k: v for k, v in _summary(merged).items() if k not in clean}
        return
    assert _summary(plain) == _summary(merged)
    assert audit_scenario(scenario, plain) == audit_scenario(scenario, merged)
    _same_for_sessions(program, plain, merged, walks=5, seed=0)


def test_a_flag_overwritten_before_it_is_read_is_dead_until_then() -> None:
    """A hand-made case: `note` is overwritten on both ways out of n0 and read only at n2, after
    n1 overwrites it on one branch; `r` is added to at n0, shown by a placeholder on arriving at
    n1, and never read again."""
    scenario = Scenario.model_validate({
        "format": 2, "id": "hand", "version": "1.0.0", "title": "h", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": 0, "min": 0, "max": 3}, "note": {"start": False}},
        "start": "n0",
        "nodes": {
            "n0": {"client": "hi", "choices": [
                {"id": "a", "say": "a", "goto": "n1", "feedback": "f", "effects": {"note": True, "r": 1}},
                {"id": "b", "say": "b", "goto": "n1", "feedback": "f", "effects": {"note": False}}]},
            "n1": {"client": "r is {r}", "choices": [
                {"id": "c", "say": "c", "goto": "n2", "feedback": "f", "effects": {"note": False}},
                {"id": "d", "say": "d", "goto": "n2", "feedback": "f"}]},
            "n2": {"client": "hi", "choices": [
                {"id": "e", "say": "e", "goto": "end", "feedback": "f", "when": "note"},
                {"id": "g", "say": "g", "goto": "end", "feedback": "f"}]},
        },
        "endings": {"end": {"outcome": "success", "title": "e", "summary": "s"}},
    })
    live = live_variables(scenario, {"r": 0, "note": 1})
    assert live.live["n0"] == frozenset({0})
    assert live.live["n1"] == frozenset({0, 1})
    assert live.live["n2"] == frozenset({1})
    assert live.live["end"] == frozenset()
    program = compile_program(scenario)
    assert program.dead_vars == {"n0": (1,), "n2": (0,), "end": (0, 1)}
    # n2 and the ending each have (r, note) = (1, F), (1, T), (0, F) without the merge; with it,
    # n2 has note F or T and the ending one state.
    assert (analyse(program, merge=False).state_count, analyse(program, merge=True).state_count) == (9, 6)


def test_a_strategy_walking_a_loop_that_raises_a_dead_meter_reports_the_same_path() -> None:
    """Found by the property above: a node that loops to itself raising `r`, which nothing
    reads. Without the merge each lap is a new state until `r` reaches its cap; with it, every
    lap is the same state. The audit's strategies once stopped on a repeated analysis state, so
    with the merge they reported one lap instead of four (and a quarter of the points)."""
    scenario = Scenario.model_validate({
        "format": 2, "id": "lap", "version": "1.0.0", "title": "l", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": 0, "min": 0, "max": 3}, "flag": {"start": False}},
        "start": "n0",
        "nodes": {
            "n0": {"client": "hi", "choices": [
                {"id": "c1", "say": "x", "goto": "n0", "feedback": "f", "effects": {"r": 1},
                 "scores": {"SAMHSA14-P1": 1}, "critical": {"reason": "r", "cites": ["SAMHSA14-P1"]}}],
                   "timer": {"seconds": 30, "expire": [
                       {"when": "flag", "goto": "good", "narration": "n"},
                       {"goto": "n0", "narration": "n"}]}},
        },
        "endings": {"good": {"outcome": "success", "title": "g", "summary": "done"}},
        "pass_rule": {"min_share": 0.5, "no_critical": True},
    })
    program = compile_program(scenario)
    plain, merged = analyse(program, merge=False), analyse(program, merge=True)
    assert merged.state_count < plain.state_count
    first = audit_scenario(scenario, plain).strategies[0]
    assert first.path == ("c1",) * 4 and first.ending is None
    assert audit_scenario(scenario, plain) == audit_scenario(scenario, merged)


def _clean_reach(analysis: Analysis) -> list[bool]:
    """Which states can still reach an ending cleanly (no critical step, requirements met): a
    plain search backwards over the non-critical steps, independent of the components."""
    program = analysis.program
    n = analysis.state_count
    back: list[list[int]] = [[] for _ in range(n)]
    for sid, out in enumerate(analysis.edges):
        for step, target in out:
            if step.critical is None:
                back[target].append(sid)
    reach = [is_final(program, s) and not unmet_requirements(program, s) for s in analysis.states]
    stack = [i for i in range(n) if reach[i]]
    while stack:
        for sid in back[stack.pop()]:
            if not reach[sid]:
                reach[sid] = True
                stack.append(sid)
    return reach


@settings(max_examples=150)
@given(small_scenarios(), st.booleans())
def test_a_clean_total_is_found_exactly_where_a_clean_path_remains(scenario: Scenario, merge: bool) -> None:
    """With or without the merge, the clean total of a state is finite exactly when some path
    from it ends without a critical step. A cycle whose only way round is a critical step does
    not let its members share a clean exit."""
    analysis = analyse(compile_program(scenario), merge=merge)
    reach = _clean_reach(analysis)
    assert [value != float("-inf") for value in analysis.best_to_go] == reach
    assert analysis.clean_path_exists == reach[0]


def test_a_cycle_closed_only_by_a_critical_step_shares_no_clean_exit() -> None:
    """Found by the merge property: n0 waits (a timer back to itself, or on to the ending once
    `flag` is set) or goes to n1, whose one choice is critical, sets `flag` and returns. Every
    way to the ending takes the critical step, so no clean path exists; the clean total once
    gave each member of the cycle n0 -> n1 -> n0 the exit of n0 and said one did."""
    scenario = Scenario.model_validate({
        "format": 2, "id": "ring", "version": "1.0.0", "title": "r", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"flag": {"start": False}},
        "start": "n0",
        "nodes": {
            "n0": {"client": "hi", "choices": [{"id": "c1", "say": "x", "goto": "n1", "feedback": "f"}],
                   "timer": {"seconds": 30, "expire": [{"when": "flag", "goto": "good", "narration": "n"},
                                                       {"goto": "n0", "narration": "n"}]}},
            "n1": {"client": "hi", "choices": [
                {"id": "c2", "say": "x", "goto": "n0", "feedback": "f", "effects": {"flag": True},
                 "critical": {"reason": "r", "cites": ["SAMHSA14-P1"]}}]},
        },
        "endings": {"good": {"outcome": "success", "title": "g", "summary": "done"}},
    })
    program = compile_program(scenario)
    for merge in (False, True):
        analysis = analyse(program, merge=merge)
        assert not analysis.clean_path_exists and analysis.expert_path == ()
        for sid, state in enumerate(analysis.states):
            # Only the ending, and n0 after the critical step (flag set, then wait), have one.
            clean_from_here = state.node == "good" or (state.node == "n0" and state.vars == (True,))
            assert (analysis.best_to_go[sid] == 0) == clean_from_here


def test_the_expert_path_never_goes_round_a_loop_for_nothing() -> None:
    """Found by the merge property: n0 offers a choice back to itself that raises `r` (read
    nowhere) before its timer moves on. Without the merge each value of `r` is a state of its
    own, and the expert path once took the loop three times (the first best step in the
    author's order) before waiting; with the merge it waited at once. Both now wait at once."""
    scenario = Scenario.model_validate({
        "format": 2, "id": "wait", "version": "1.0.0", "title": "w", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": 0, "min": 0, "max": 3}},
        "start": "n0",
        "nodes": {"n0": {"client": "hi", "choices": [
            {"id": "c1", "say": "x", "goto": "n0", "feedback": "f", "effects": {"r": 1}}],
            "timer": {"seconds": 30, "expire": {"goto": "good", "narration": "n"}}}},
        "endings": {"good": {"outcome": "success", "title": "g", "summary": "done"}},
    })
    program = compile_program(scenario)
    wait = timeout_step(program, initial_state(program))
    assert wait is not None
    for merge in (False, True):
        analysis = analyse(program, merge=merge)
        assert analysis.expert_path == analysis.best_path == (wait.id,)
