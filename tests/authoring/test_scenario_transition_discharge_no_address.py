"""Regression checks of the clinical content of the discharge transition scenario.

The scenario teaches a transition of care after a psychiatric stay: the client decides what his
sister hears, the medication gap is closed by the prescriber (never by the case manager's dose
advice), the first contact is set inside the first week, and the first contact after discharge
begins the C-SSRS screen, by phone only once his location and a callback number are known. Each
test below fails if one of those lessons is edited out. The path analysis is not needed, so the
scenario is only compiled, which keeps these tests fast.
"""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import Playable, load_scenario
from casesim.format.scenario import Choice, Scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import Replay, replay, unmet_requirements, variables
from support.paths import SCENARIOS

SCENARIO = SCENARIOS / "transition-discharge-no-address.yaml"


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
    assert expert.final.node == "bridged"


def test_his_sister_hears_nothing_before_he_is_asked(playable: Playable, expert: Replay) -> None:
    ids = [step.id for _, step in expert.taken]
    assert ids.index("ask-andre-what-to-share") < ids.index("sister-terms-ask-nadege-what-she-can-offer")
    told = choices(playable.scenario)["tell-sister-the-story"]
    assert told.critical is not None and told.never_event == "disclosure-without-consent"
    assert "NASW-1.07(b)" in told.critical.cites


def test_dose_advice_is_outside_the_role_and_the_bridge_goes_to_the_prescriber(playable: Playable,
                                                                               expert: Replay) -> None:
    by_id = choices(playable.scenario)
    halve = by_id["stretch-the-pills"]
    assert halve.critical is not None and halve.never_event == "outside-role"
    bridge = by_id["ask-for-bridge"]
    assert "Dr Adjei" in bridge.say and bridge.scores.get("NASW-2.03", 0) > 0
    assert "ask-for-bridge" in [step.id for _, step in expert.taken]


def test_the_first_contact_is_set_inside_the_week_before_he_leaves_the_unit(playable: Playable,
                                                                             expert: Replay) -> None:
    """The requirement exists, cites the seven-day practice point, and the expert path meets it
    before the scenario leaves the discharge meeting."""
    requirement = next(r for r in playable.scenario.requirements if r.id == "seven-day-follow-up")
    assert "FP-DISCHARGE-7D" in requirement.cites
    before_leaving = next(state for state, step in expert.taken if state.node == "after-discharge")
    assert variables(playable.program, before_leaving)["followup"] == 2
    card = choices(playable.scenario)["card-and-call"]
    assert card.scores["FP-DISCHARGE-7D"] < 0


def test_the_first_contact_after_discharge_begins_the_screen_and_triages_moderate(playable: Playable,
                                                                                 expert: Replay) -> None:
    asked = [s for _, step in expert.taken for s in step.protocol_steps]
    assert asked[:1] == ["CSSRS-Q1"]
    assert asked[-1] == "CSSRS-RISK-MOD"
    assert {"CSSRS-Q2", "CSSRS-Q3", "CSSRS-Q4", "CSSRS-Q5", "CSSRS-Q6", "CSSRS-Q6a"} <= set(asked)
    screen = next(r for r in playable.scenario.requirements if r.id == "screen-after-discharge")
    assert "visited(cssrs-q1)" in screen.holds
    over = choices(playable.scenario)["triage-911"]
    assert over.critical is not None and over.never_event == "client-choice-overridden"


def test_by_phone_his_location_and_callback_come_before_any_risk_question(playable: Playable) -> None:
    by_id = choices(playable.scenario)
    first = by_id["where-and-callback"]
    assert first.goto == "check-in" and first.scores["FP-TELE-LOCATION"] > 0
    assert by_id["straight-to-nights"].scores["FP-TELE-LOCATION"] < 0
    phone_path = next(t for t in playable.scenario.tests if "no-show" in t.name and t.expect.passed is True)
    ids = list(phone_path.choose)
    assert ids.index("where-and-callback") < ids.index("ask-permission-screen") < ids.index("cssrs-ask-q1-yes")


def test_asking_about_suicide_never_raises_a_meter(playable: Playable) -> None:
    """Meters follow how a question is asked, never whether suicide is asked about: no choice
    that starts or carries out the screen raises distress or lowers trust."""
    for choice in choices(playable.scenario).values():
        if choice.goto == "cssrs-q1" or any(step.startswith("CSSRS-Q") for step in choice.steps):
            effects = choice.effects or {}
            assert not (isinstance(effects.get("distress"), int) and effects["distress"] > 0), choice.id
            assert not (isinstance(effects.get("trust"), int) and effects["trust"] < 0), choice.id


def test_no_clinician_sign_off_is_claimed(playable: Playable) -> None:
    assert playable.scenario.reviewed.status == "draft"
    assert "No licensed clinician has reviewed" in (playable.scenario.reviewed.notes or "")
