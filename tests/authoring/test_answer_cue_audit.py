"""The answer-cue audit: exact against brute force, and what `validate --strict` says about it."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.authoring.audit import (
    RANDOM_PASS_LIMIT,
    audit_scenario,
    empathy_words,
    is_question_or_reflection,
)
from casesim.authoring.pipeline import audit_and_lint, load_scenario
from casesim.format.diagnostics import Severity
from casesim.format.scenario import Scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.explore import analyse
from casesim.semantics.program import (
    Program,
    State,
    apply,
    compile_program,
    initial_state,
    is_final,
    open_choices,
    timeout_step,
)

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / "tests" / "data" / "audit"

SAYS = ["Okay.", "I hear you.", "What would help?", "It sounds like this has been hard for you.",
        "Let's fill the form.", "You must feel overwhelmed; I understand, and we can work on it together.",
        "No."]


@st.composite
def small_scenarios(draw: st.DrawFn, *, loops: bool) -> Scenario:
    """Small scenarios with guards, effects, never-events, requirements, timers and a pass rule;
    with ``loops``, some choices lead back (scoring nothing, so no scoring cycle)."""
    n = draw(st.integers(2, 5) if loops else st.integers(1, 5))
    node_ids = [f"n{i}" for i in range(n)]
    endings = ["good", "bad"]
    nodes: dict[str, Any] = {}
    counter = 0
    for i, nid in enumerate(node_ids):
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            counter += 1
            back = loops and draw(st.booleans())
            goto = draw(st.sampled_from(node_ids[: i + 1] if back else node_ids[i + 1:] + endings))
            choice: dict[str, Any] = {"id": f"c{counter}", "say": draw(st.sampled_from(SAYS)), "goto": goto,
                                      "feedback": "f"}
            # With loops, only a move to an ending scores, so that points never sit on a loop.
            if not back and (not loops or goto in endings):
                choice["scores"] = {"SAMHSA14-P1": draw(st.integers(-2, 3))}
            guard = draw(st.sampled_from([None, None, "r >= 2", "not flag", "flag", f"visited({nid})", "chose(c1)"]))
            if guard is not None:
                choice["when"] = guard
            effect = draw(st.sampled_from([{}, {"r": 1}, {"r": -1}, {"flag": True}]))
            if effect:
                choice["effects"] = effect
            if draw(st.integers(0, 5)) == 0:
                choice["critical"] = {"reason": "never"}
            choices.append(choice)
        node: dict[str, Any] = {"client": "hi", "choices": choices}
        if draw(st.integers(0, 3)) == 0:
            target = draw(st.sampled_from(node_ids[i + 1:] + endings))
            expire: dict[str, Any] = {"goto": target, "narration": "time"}
            if not loops or target in endings:
                expire["scores"] = {"SAMHSA14-P1": draw(st.integers(-2, 1))}
            if draw(st.booleans()):
                expire["critical"] = {"reason": "too slow"}
            node["timer"] = {"seconds": 30, "expire": expire}
        nodes[nid] = node
    requirements = draw(st.sampled_from([[], [{"id": "q", "holds": "flag or r >= 1", "reason": "must"}]]))
    data = {
        "format": 1, "id": "gen", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"},
        "variables": {"r": {"start": draw(st.integers(0, 2)), "min": 0, "max": 3}, "flag": {"start": False}},
        "start": "n0", "nodes": nodes, "requirements": requirements,
        "pass_rule": {"min_share": draw(st.sampled_from([0.0, 0.5, 0.7, 1.0])), "no_critical": draw(st.booleans())},
        "endings": {e: {"outcome": "success", "title": e, "summary": e} for e in endings},
    }
    return Scenario.model_validate(data)


def _moves(program: Program, state: State) -> list[Any]:
    """What the random chooser can do: the open choices, or the timer when nothing is open."""
    choices = list(open_choices(program, state))
    timeout = timeout_step(program, state)
    return choices or ([timeout] if timeout is not None else [])


def _brute_force(program: Program, catalog: Catalog, depth: int) -> tuple[Fraction, Fraction]:
    """Walk every path of the full (unprojected) semantics up to ``depth`` steps, scoring each
    complete one with the scoring engine: (probability of a passing path, probability of the
    walks cut off at ``depth``)."""
    analysis = analyse(program)
    passed = Fraction(0)
    cut = Fraction(0)

    def walk(state: State, path: list[str], p: Fraction) -> None:
        nonlocal passed, cut
        if is_final(program, state):
            if score_path(program, analysis, catalog, path).passed:
                passed += p
            return
        moves = _moves(program, state)
        if not moves:
            return
        if len(path) >= depth:
            cut += p
            return
        for step in moves:
            walk(apply(program, state, step), [*path, step.id], p / len(moves))

    walk(initial_state(program), [], Fraction(1))
    return passed, cut


@settings(max_examples=150)
@given(small_scenarios(loops=False))
def test_random_pass_probability_equals_brute_force_without_loops(catalog: Catalog, scenario: Scenario) -> None:
    program = compile_program(scenario)
    audit = audit_scenario(scenario, analyse(program))
    passed, cut = _brute_force(program, catalog, depth=10)
    assert cut == 0
    assert audit.random_pass == passed


@settings(max_examples=300)
@given(small_scenarios(loops=True))
def test_random_pass_probability_with_loops_is_within_the_brute_force_bounds(catalog: Catalog, scenario: Scenario) -> None:
    program = compile_program(scenario)
    analysis = analyse(program)
    audit = audit_scenario(scenario, analysis)
    if analysis.scoring_cycles:  # points without end: the lint reports an error, the audit abstains
        assert audit.random_pass is None
        return
    assert audit.random_pass is not None
    passed, cut = _brute_force(program, catalog, depth=8)
    # The exact value lies between what the cut-off walk proves and that plus what it left open.
    assert passed <= audit.random_pass <= passed + cut


@settings(max_examples=150)
@given(small_scenarios(loops=True))
def test_each_naive_strategy_gets_the_scoring_engines_verdict(catalog: Catalog, scenario: Scenario) -> None:
    program = compile_program(scenario)
    analysis = analyse(program)
    for outcome in audit_scenario(scenario, analysis).strategies:
        if outcome.pass_probability is not None:  # pressing 1 meets shuffled nodes: not one path
            assert 0 <= outcome.pass_probability <= 1
            assert outcome.passed == (outcome.pass_probability > RANDOM_PASS_LIMIT)
            continue
        if outcome.ending is None:
            assert not outcome.passed
            continue
        debrief = score_path(program, analysis, catalog, list(outcome.path))
        assert debrief.ending == outcome.ending
        assert debrief.passed == outcome.passed
        assert debrief.total_raw == outcome.points


def test_a_loop_the_chooser_cannot_leave_is_never_passed() -> None:
    data = {
        "format": 1, "id": "loop", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"}, "start": "a",
        "nodes": {
            "a": {"choices": [{"id": "stay", "say": "Let me say that again at some length.", "goto": "a"},
                              {"id": "leave", "say": "Bye.", "goto": "end", "scores": {"SAMHSA14-P1": 1}}]},
        },
        "endings": {"end": {"outcome": "success", "title": "e", "summary": "e"}},
    }
    scenario = Scenario.model_validate(data)
    audit = audit_scenario(scenario, analyse(compile_program(scenario)))
    assert audit.random_pass == 1  # leaving is certain sooner or later
    longest = next(s for s in audit.strategies if s.name == "longest")
    assert longest.ending is None and not longest.passed and longest.path == ("stay",)


def test_a_two_node_loop_is_solved_exactly() -> None:
    # x_a = (x_b + 1 + 0) / 3 and x_b = (x_a + 1) / 2, so x_a = 3/5.
    data = {
        "format": 1, "id": "loop", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"}, "start": "a",
        "nodes": {
            "a": {"choices": [{"id": "to-b", "say": "Go on.", "goto": "b"},
                              {"id": "win", "say": "Yes.", "goto": "end", "scores": {"SAMHSA14-P1": 1}},
                              {"id": "lose", "say": "No.", "goto": "end", "critical": {"reason": "never"}}]},
            "b": {"choices": [{"id": "back", "say": "Again.", "goto": "a"},
                              {"id": "win-2", "say": "Right.", "goto": "end", "scores": {"SAMHSA14-P1": 1}}]},
        },
        "endings": {"end": {"outcome": "success", "title": "e", "summary": "e"}},
    }
    scenario = Scenario.model_validate(data)
    analysis = analyse(compile_program(scenario))
    assert any(len(members) == 2 for members in analysis.components[1])
    assert audit_scenario(scenario, analysis).random_pass == Fraction(3, 5)


def test_surface_shapes() -> None:
    assert is_question_or_reflection("What would help?")
    assert is_question_or_reflection("It sounds like the week was hard.")
    assert not is_question_or_reflection("Fill in the form.")
    assert empathy_words("I hear you, and I understand how you feel.") == 3


def test_best_options_all_longest_is_reported_where_and_what_to_change(catalog: Catalog) -> None:
    report = load_scenario(AUDIT / "cued-longest.yaml", catalog)
    assert report.analysed is not None
    audit, [diag] = audit_and_lint(report.analysed)
    assert audit.random_pass == Fraction(1, 27)
    assert [s.name for s in audit.strategies if s.passed] == ["longest"]
    assert (diag.line, diag.code, diag.severity) == (5, "answer-cue", Severity.WARNING)
    assert ("it picks the best option at 3 of 3 decisions of the expert path, where the best option is the longest "
            "at 3; vary option length so length is not a cue") in diag.message


def test_a_draft_is_warned_too_so_validate_strict_fails_it(catalog: Catalog, tmp_path: Path) -> None:
    text = (AUDIT / "cued-longest.yaml").read_text(encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    draft.write_text(text.replace("  status: reviewed\n", "  status: draft\n"),
                     encoding="utf-8")
    report = load_scenario(draft, catalog)
    assert report.analysed is not None
    [diag] = audit_and_lint(report.analysed)[1]
    assert diag.severity is Severity.WARNING and diag.code == "answer-cue"
    assert "vary option length so length is not a cue" in diag.message


def test_a_random_chooser_above_the_limit_is_reported(catalog: Catalog, tmp_path: Path) -> None:
    text = (AUDIT / "balanced.yaml").read_text(encoding="utf-8").replace("min_share: 0.8", "min_share: 0.3")
    path = tmp_path / "lenient.yaml"
    path.write_text(text, encoding="utf-8")
    report = load_scenario(path, catalog)
    assert report.analysed is not None
    audit, diagnostics = audit_and_lint(report.analysed)
    assert audit.random_pass is not None and audit.random_pass > Fraction(1, 20)
    assert any("a trainee choosing at random passes" in d.message and "raise pass_rule.min_share" in d.message
               for d in diagnostics)


def _casesim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "casesim", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_validate_strict_fails_a_length_cued_scenario_and_passes_a_balanced_one() -> None:
    cued = _casesim("validate", "--strict", str(AUDIT / "cued-longest.yaml"))
    assert cued.returncode == 1, cued.stdout + cued.stderr
    assert "cued-longest.yaml:5:5: warning: a trainee can pass without judging the options: always choosing the " \
           "longest option passes" in cued.stdout
    assert "vary option length so length is not a cue [answer-cue]" in cued.stdout
    balanced = _casesim("validate", "--strict", str(AUDIT / "balanced.yaml"))
    assert balanced.returncode == 0, balanced.stdout + balanced.stderr


def test_analyse_reports_the_audit_as_json() -> None:
    result = _casesim("analyse", "--format", "json", str(AUDIT / "cued-longest.yaml"))
    assert result.returncode == 0, result.stderr
    audit = json.loads(result.stdout)["audit"]
    assert audit["random_pass_exact"] == "1/27"
    assert {s["name"]: s["passed"] for s in audit["strategies"]} == {
        "longest": True, "shortest": False, "empathy-words": False, "first-listed": False}
    assert audit["cues"]["longest"] == 3 and audit["decisions"] == 3
    # Its nodes are shuffled: where the best option is written says nothing, and pressing 1 is the
    # random chooser.
    assert audit["strategy_picks_best"] == {"longest": 3, "shortest": 0, "empathy-words": 0, "first-listed": 0}
    first = next(s for s in audit["strategies"] if s["name"] == "first-listed")
    assert first["pass_probability"] == audit["random_pass"]
    assert audit["passed"] is False


def test_the_library_page_lists_the_audit_figures(catalog: Catalog) -> None:
    from casesim.authoring.library_doc import library_markdown

    loaded = [load_scenario(AUDIT / name, catalog).analysed for name in ("cued-longest.yaml", "balanced.yaml")]
    text = library_markdown([item for item in loaded if item is not None], catalog)
    assert ("**Answer-cue audit.** Failed. A trainee choosing at random passes 3.7% of the time. "
            "Always choosing the longest option: passes (done, 100%)") in text
    assert "**Answer-cue audit.** Passed." in text
    assert "the best option is the longest at 3, " in text


def test_an_incomplete_analysis_leaves_the_audit_undecided(catalog: Catalog) -> None:
    report = load_scenario(AUDIT / "balanced.yaml", catalog)
    assert report.analysed is not None
    partial = analyse(report.analysed.program, state_limit=2)
    audit = audit_scenario(report.analysed.scenario, partial)
    assert audit.random_pass is None and audit.passed is None and audit.verdict == "undecided"
    assert audit.findings() == []


def _best_first(order: str) -> Scenario:
    """Three decisions, the best option written first at each; ``order`` for every node."""
    nodes: dict[str, Any] = {}
    for i, (here, there) in enumerate((("a", "b"), ("b", "c"), ("c", "end"))):
        nodes[here] = {"order": order, "choices": [
            {"id": f"good-{i}", "say": "Good.", "goto": there, "scores": {"SAMHSA14-P1": 1}},
            {"id": f"poor-{i}", "say": "Poor.", "goto": there, "scores": {"SAMHSA14-P1": -1}},
            {"id": f"odd-{i}", "say": "Odd.", "goto": there}]}
    return Scenario.model_validate({
        "format": 1, "id": f"first-{order}", "version": "1.0.0", "title": "g", "kind": "other", "summary": "s",
        "estimated_minutes": 1, "objectives": ["o"], "reviewed": {"status": "draft"},
        "client": {"name": "n", "age": 1, "pronouns": "p", "background": "b"}, "start": "a", "nodes": nodes,
        "endings": {"end": {"outcome": "success", "title": "e", "summary": "e"}}})


def test_pressing_1_is_a_cue_only_where_the_order_is_fixed() -> None:
    for order, picks in (("fixed", 3), ("shuffled", 0)):
        scenario = _best_first(order)
        audit = audit_scenario(scenario, analyse(compile_program(scenario)))
        first = next(s for s in audit.strategies if s.name == "first-listed")
        assert sum("first-listed" in d.picked_by for d in audit.decisions) == picks
        assert audit.cue_count("first") == picks
        if order == "fixed":  # shown as written: pressing 1 takes the best option every time
            assert first.pass_probability is None and first.passed and audit.passed is False
        else:  # the seed decides what is shown first: pressing 1 is the random chooser
            assert first.pass_probability == audit.random_pass == Fraction(1, 27)
            assert not first.passed
