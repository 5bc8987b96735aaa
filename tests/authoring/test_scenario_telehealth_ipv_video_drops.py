"""Regression checks of the clinical content of the telehealth intake with a partner at home.

The scenario teaches the order of a safe video or phone contact when intimate-partner violence
may be present: where she is and a direct callback number before any risk question, a safe
phrase, nothing disclosed to the partner, a callback on the agreed number when the video drops,
the C-SSRS screen once it is safe to talk, and a plan on her terms that is honest about her
child. Each test below fails if one of those lessons is edited out. The scenario is only
compiled (no path analysis), so these tests are fast.
"""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import Playable, load_scenario
from casesim.format.scenario import Choice, Scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import Replay, replay, unmet_requirements, variables
from support.paths import SCENARIOS

SCENARIO = SCENARIOS / "telehealth-ipv-video-drops.yaml"
RISK_NODES = {"still-okay", "disclosure", "cssrs-q1"}
"""Where a question about violence or suicide is asked, or has just been answered."""


@pytest.fixture(scope="module")
def playable(catalog: Catalog) -> Playable:
    report = load_scenario(SCENARIO, catalog, analyse_paths=False)
    assert report.playable is not None, report.errors
    return report.playable


@pytest.fixture(scope="module")
def expert(playable: Playable) -> Replay:
    """The path the scenario's own test calls the expert path, replayed step by step."""
    test = next(t for t in playable.scenario.tests if t.name.startswith("the expert path"))
    return replay(playable.program, test.choose)


def choices(scenario: Scenario) -> dict[str, Choice]:
    return {c.id: c for node in scenario.nodes.values() for c in node.choices}


def test_the_expert_path_meets_every_requirement_and_is_clean(playable: Playable, expert: Replay) -> None:
    assert unmet_requirements(playable.program, expert.final) == ()
    assert [step.id for _, step in expert.taken if step.critical or step.never_event] == []
    assert expert.final.node == "safer-and-connected"


def test_location_and_callback_come_before_any_risk_question_on_the_expert_path(playable: Playable,
                                                                                 expert: Replay) -> None:
    """Every state in which the expert path asks about violence or suicide already knows where
    she is and a number that reaches her, and a safe phrase is agreed before the first one."""
    first_risk = next(i for i, (state, _) in enumerate(expert.taken) if state.node in RISK_NODES)
    ids = [step.id for _, step in expert.taken]
    assert ids.index("location-callback-first") < first_risk
    assert ids.index("agree-safe-phrase") < first_risk
    for state, _ in expert.taken[first_risk:]:
        assert variables(playable.program, state)["reach_known"] is True, state.node
    asked = [s for _, step in expert.taken for s in step.protocol_steps]
    assert asked[0] == "CSSRS-Q1" and asked[-1] == "CSSRS-RISK-MOD"


def test_every_question_about_violence_is_checked_against_the_location(playable: Playable) -> None:
    """Each choice that asks about violence records whether the location was known, so the
    requirement cannot be passed by asking first and locating later."""
    by_id = choices(playable.scenario)
    for cid in ("ask-directly-now", "ask-why-angry", "ask-hurt-or-afraid", "ask-does-he-hit"):
        assert "risk_before_location" in (by_id[cid].effects or {}), cid
    requirement = next(r for r in playable.scenario.requirements if r.id == "location-before-risk-questions")
    assert requirement.holds == "not risk_before_location" and "FP-TELE-LOCATION" in requirement.cites
    for cid in ("ask-permission-screen", "ask-permission-screen-late"):
        assert by_id[cid].goto == "cssrs-q1"
        assert by_id[cid].when in ("reach_known", None)
    late = by_id["where-are-you-now"]
    assert late.when == "not reach_known" and late.goto == "ask-screen"
    assert (late.effects or {}).get("reach_known") is True


def test_the_partner_hears_nothing_and_no_couples_work_is_offered(playable: Playable) -> None:
    by_id = choices(playable.scenario)
    told = by_id["tell-cole-why"]
    assert told.critical is not None and told.never_event == "disclosure-without-consent"
    assert by_id["neutral-appointment-call"].scores["FP-IPV-ALONE"] > 0
    assert by_id["suggest-joint-session"].scores["FP-IPV-ALONE"] < 0
    assert by_id["carry-on-topic"].goto == "partner-heard"


def test_a_dropped_call_is_returned_on_the_agreed_number(playable: Playable, expert: Replay) -> None:
    by_id = choices(playable.scenario)
    assert by_id["call-her-cell"].when == "reach_known" and by_id["call-her-cell"].scores["NASW-1.15"] > 0
    assert by_id["wait-in-room"].scores["NASW-1.15"] < 0
    assert "call-her-cell" in [step.id for _, step in expert.taken]


def test_the_plan_is_hers_and_honest_about_her_child(playable: Playable) -> None:
    by_id = choices(playable.scenario)
    promise = by_id["promise-no-report"]
    assert promise.critical is not None and promise.never_event == "confidentiality-beyond-law"
    honest = by_id["honest-and-consult"]
    # Honest about a limit that varies by state, and the report (if required) is the worker's own.
    assert "state's law" in honest.say and "I make it" in honest.say and honest.scores["NASW-1.01"] > 0
    assert by_id["leave-him-tonight"].scores["FP-IPV-PLAN"] < 0
    police = by_id["triage-911-now"]
    assert police.critical is not None and police.never_event == "client-choice-overridden"


def test_asking_about_suicide_never_moves_a_meter_the_wrong_way(playable: Playable) -> None:
    for choice in choices(playable.scenario).values():
        if choice.goto == "cssrs-q1" or any(step.startswith("CSSRS-Q") for step in choice.steps):
            trust = (choice.effects or {}).get("trust")
            assert not (isinstance(trust, int) and trust < 0), choice.id


def test_no_clinician_sign_off_is_claimed(playable: Playable) -> None:
    assert playable.scenario.reviewed.status == "draft"
    assert "No licensed clinician has reviewed" in (playable.scenario.reviewed.notes or "")
