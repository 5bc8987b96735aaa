"""The scoring engine: normalisation, critical actions, and scores that always lie between the analysed extremes."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring import score_path
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import score_text
from casesim.scoring.engine import rating_for_share
from casesim.semantics.program import apply, initial_state, is_final, open_choices, timeout_step
from support.paths import ROOT

EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"
EXPERT = ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness", "ask-q1", "ask-q2",
          "ask-q6", "affirm-and-plan", "agree-visit-with-aunt"]


@pytest.fixture(scope="module")
def example(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(EXAMPLE, catalog)


def test_expert_path_scores_100_percent_and_passes(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.program and example.analysis
    assert list(example.analysis.expert_path) == EXPERT
    debrief = score_path(example.program, example.analysis, catalog, EXPERT)
    assert debrief.score == 1.0
    assert debrief.total_raw == debrief.total_best == 18  # 17 before the privacy check at the opening (clinical review check-in S1)
    assert debrief.passed and debrief.critical == ()
    assert debrief.ending == "engaged" and debrief.outcome == "success"
    assert all(d.on_expert_path for d in debrief.decisions)


def test_criterion_shares_are_against_worst_and_best_achievable(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.program and example.analysis
    worst_path = ["launch-into-questions", "promise-total-secrecy", "cheer-up", "skip-screen", "mail-forms"]
    debrief = score_path(example.program, example.analysis, catalog, worst_path)
    assert debrief.total_raw == debrief.total_worst
    assert debrief.score == 0.0
    for result in debrief.criteria:
        assert result.worst <= result.raw <= result.best
        if result.share is not None:
            assert result.share == pytest.approx((result.raw - result.worst) / (result.best - result.worst))


def test_a_critical_action_fails_an_attempt_that_is_otherwise_perfect(example: AnalysedScenario, catalog: Catalog) -> None:
    # The expert path with the never-event in place of the limits: the critical action fails it,
    # and the one score says so beside the percentage.
    assert example.program and example.analysis
    path = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2",
            "ask-q6", "affirm-and-plan", "agree-visit-with-aunt"]
    debrief = score_path(example.program, example.analysis, catalog, path)
    assert not debrief.passed
    assert score_text(debrief) == ("56% of the expert's points, below the 70% needed, and a never-event and a "
                                   "missed requirement: not passed")
    kinds = {(c.kind, c.id) for c in debrief.critical}
    assert ("never-event", "promise-total-secrecy") in kinds
    assert ("missed-requirement", "limits-before-screening") in kinds
    cited = {c.id for item in debrief.critical for c in item.cites}
    assert "NASW-1.01" in cited
    assert any("Critical action" in r for r in debrief.reasons)
    decision = next(d for d in debrief.decisions if d.choice == "promise-total-secrecy")
    assert decision.better is not None and decision.better.choice == "explain-role-and-limits"
    assert decision.better_feedback and "1.03(a)" in decision.better_feedback


def test_a_critical_action_caps_the_competencies_it_touches(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.program and example.analysis and catalog.competency_map
    path = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2",
            "ask-q6", "affirm-and-plan", "agree-visit-with-aunt"]
    debrief = score_path(example.program, example.analysis, catalog, path)
    c1 = next(c for c in debrief.competencies if c.id == "EPAS22-C1")
    assert c1.rating is not None and c1.rating <= catalog.competency_map.critical_action_cap


def test_leaving_before_an_ending_fails_and_says_so(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.program and example.analysis
    debrief = score_path(example.program, example.analysis, catalog, EXPERT[:3])
    assert not debrief.passed and debrief.ending is None
    assert "stopped before an ending" in debrief.reasons[0]


def test_rating_bands(catalog: Catalog) -> None:
    cmap = catalog.competency_map
    assert cmap is not None
    assert rating_for_share(cmap, 1.0) == 5
    assert rating_for_share(cmap, 0.0) == 1
    ratings = [rating_for_share(cmap, x / 100) for x in range(101)]
    assert ratings == sorted(ratings)
    three = next(b.min_share for b in cmap.bands if b.rating == 3)
    assert rating_for_share(cmap, three) == 3


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_debrief_scores_lie_between_the_analysed_worst_and_best(
        catalog: Catalog, library: list[AnalysedScenario], seed: int) -> None:
    rng = random.Random(seed)
    for loaded in library:
        assert loaded.program and loaded.analysis
        state = initial_state(loaded.program)
        path: list[str] = []
        for _ in range(500):
            if is_final(loaded.program, state):
                break
            steps = list(open_choices(loaded.program, state))
            timeout = timeout_step(loaded.program, state)
            if timeout is not None:
                steps.append(timeout)
            step = rng.choice(steps)
            path.append(step.id)
            state = apply(loaded.program, state, step)
        if not is_final(loaded.program, state):
            continue
        debrief = score_path(loaded.program, loaded.analysis, catalog, path)
        assert debrief.total_worst <= debrief.total_raw
        assert 0.0 <= debrief.score <= 1.0
        for result in debrief.criteria:
            assert result.worst <= result.raw <= result.best, (loaded.path, result.id, path)



def test_no_bundled_expert_path_is_told_it_is_below_fair(library: list[AnalysedScenario], catalog: Catalog) -> None:
    """A perfect run is never labelled below fair (issue 10); scenarios without a change goal get
    no MITI summary score at all, and the one that declares a goal gets every score it reports."""
    rated = []
    for item in library:
        debrief = score_path(item.program, item.analysis, catalog, item.analysis.expert_path)
        labels = {m.id: m.label for m in debrief.mi.metrics}
        assert "below fair" not in labels.values(), (item.scenario.id, labels)
        assert "below fair" not in debrief.model_dump_json(), item.scenario.id
        if item.scenario.mi_target is None:
            assert not debrief.mi.rated and debrief.mi.metrics == (), item.scenario.id
        else:
            rated.append(item.scenario.id)
            assert debrief.mi.target == item.scenario.mi_target
            assert labels["MITI421-RQ"] in ("fair", "good") and labels["MITI421-PCTCR"] in ("fair", "good")
    assert rated == ["relapse-return-to-use"]
def test_a_never_event_shows_its_class_title_with_the_reason(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.program and example.analysis
    path = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2",
            "ask-q6", "affirm-and-plan", "agree-visit-with-aunt"]
    debrief = score_path(example.program, example.analysis, catalog, path)
    promise = next(c for c in debrief.critical if c.id == "promise-total-secrecy")
    assert promise.never_event == "confidentiality-beyond-law"
    assert promise.never_event_title == "Confidentiality promised beyond the law"
    assert promise.headline == f"Confidentiality promised beyond the law: {promise.reason}"
    assert f"Critical action (Confidentiality promised beyond the law): {promise.reason}" in " ".join(debrief.reasons)
    decision = next(d for d in debrief.decisions if d.choice == "promise-total-secrecy")
    assert decision.critical == promise.headline
    # A requirement without a class keeps its plain reason.
    limits = next(c for c in debrief.critical if c.id == "limits-before-screening")
    assert limits.never_event is None and limits.headline == limits.reason


INTAKE_START = ["introduce-role", "explain-consent-to-services", "promise-total-confidentiality"]
INTAKE_SCREEN = ["ask-safety-screen", "cssrs-ask-q1-yes", "cssrs-ask-q2-yes", "cssrs-ask-q3-no", "cssrs-ask-q4-no",
                 "cssrs-ask-q5-no", "cssrs-ask-q6-yes", "cssrs-ask-q6a-no", "respond-moderate-risk"]
"""The screen that follows the limits talk (a path that skips the talk never reaches it)."""
INTAKE_REST = ["reflect-scare-and-recovery", "ask-what-has-helped", "ask-family-meaning",
               "collaborative-priorities", "explain-written-consent"]


def _intake_end(loaded: AnalysedScenario) -> list[str]:
    """The rest of the visit as the expert plays it, from agreeing the scope of the release (read
    from the analysis, so the scenario's later naloxone check is followed as written)."""
    assert loaded.analysis is not None
    expert = list(loaded.analysis.expert_path)
    return expert[expert.index("let-him-define-scope"):]


def test_a_secrecy_promise_corrected_before_harm_passes_and_an_uncorrected_one_fails(catalog: Catalog) -> None:
    loaded = require_scenario(ROOT / "scenarios" / "intake-er-follow-up.yaml", catalog)
    corrected = [*INTAKE_START, "correct-the-promise", "clarify-reporting-duty", *INTAKE_SCREEN, *INTAKE_REST,
                 "explain-why-written", *_intake_end(loaded)]
    debrief = score_path(loaded.program, loaded.analysis, catalog, corrected)
    assert debrief.passed and debrief.critical == ()
    assert next(c for c in debrief.criteria if c.id == "NASW-1.01").raw < 0  # the slip still costs points

    late = [*INTAKE_START, "let-him-continue", *INTAKE_REST, "own-earlier-promise", *_intake_end(loaded)]
    debrief = score_path(loaded.program, loaded.analysis, catalog, late)
    assert not debrief.passed
    harm = next(c for c in debrief.critical if c.id == "no-history-under-false-promise")
    assert harm.kind == "missed-requirement"
    assert harm.never_event_title == "Confidentiality promised beyond the law"
    assert "promise-total-confidentiality" not in {c.id for c in debrief.critical}


def test_a_debrief_without_classes_serializes_as_before_the_policy(example: AnalysedScenario, catalog: Catalog) -> None:
    """Stored debriefs are sealed over their JSON: a critical result without a class must not
    gain keys, or re-sealing an old record would change its digest."""
    from casesim.scoring.debrief import CriticalResult, Debrief

    plain = CriticalResult(kind="missed-requirement", id="r", reason="Why.", cites=())
    assert "never_event" not in plain.model_dump_json()
    assert example.program and example.analysis
    path = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2",
            "ask-q6", "affirm-and-plan", "agree-visit-with-aunt"]
    debrief = score_path(example.program, example.analysis, catalog, path)
    assert '"never_event":"confidentiality-beyond-law"' in debrief.model_dump_json()
    assert Debrief.model_validate_json(debrief.model_dump_json()) == debrief
