"""Regression checks for the duty-to-protect scenario's clinical-review items (clinical-review.md 2.9).

The review found the risk level handed to the trainee ("serious, not imminent") and the drive-by
left out of the consultation (S1), no suicide screen for a man with homicidal ideation, job loss,
divorce and rifles (S2), a strawman distractor (m2), assessment points scored to EPAS
competency ids and an EPAS22-C9 point earned on every path (m3), and no word on how a duty is
discharged (m4). Each test fails if one of those comes back.
"""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from support.paths import SCENARIOS
from support.scenarios import choices_by_id


@pytest.fixture(scope="module")
def duty(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(SCENARIOS / "duty-to-protect-threat.yaml", catalog)


def test_no_risk_verdict_is_handed_to_the_trainee_and_the_drive_by_reaches_the_consultation(duty: AnalysedScenario) -> None:
    # 2.9 S1
    assert duty.scenario is not None
    parts: list[str] = []
    for node in duty.scenario.nodes.values():
        if isinstance(node.hint, str):
            parts.append(node.hint)
        parts.extend(f"{c.feedback or ''} {c.say or ''}" for c in node.choices)
    text = " ".join(parts).lower()
    assert "serious, not imminent" not in text and "serious but not immediate" not in text
    consult = choices_by_id(duty)["consult-concise"]
    assert "drove past" in (consult.say or "")


def test_the_expert_path_screens_his_own_suicide_risk(duty: AnalysedScenario) -> None:
    # 2.9 S2: a permission-based C-SSRS screen after the means question, through the shared block.
    assert duty.analysis is not None and duty.scenario is not None
    expert = list(duty.analysis.expert_path)
    assert expert.index("ask-means-calmly") < expert.index("ask-permission-self") < expert.index("cssrs-ask-q1-yes")
    assert expert.index("cssrs-ask-q1-yes") < expert.index("cssrs-ask-q2-no") < expert.index("cssrs-ask-q6-no") < expert.index("low-risk-caleb")
    assert "988" in (choices_by_id(duty)["low-risk-caleb"].say or "")
    assert any(r.id == "self-harm-screen" for r in duty.scenario.requirements)


def test_the_warning_distractor_is_the_realistic_one(duty: AnalysedScenario) -> None:
    # 2.9 m2: a well-meant call to warn Kyle, not a strawman reading out the whole file.
    call = choices_by_id(duty)["call-target-now"]
    say = call.say or ""
    assert "Kyle" in say and "everything" not in say and "divorce" not in say
    assert call.critical is not None


def test_the_supervisor_names_how_a_duty_is_usually_discharged(duty: AnalysedScenario) -> None:
    # 2.9 m4
    reply = choices_by_id(duty)["follow-policy-ask-steps"].reply
    text = str(reply).lower()
    for way in ("warning", "police", "hospitalization", "treatment"):
        assert way in text, way


def test_no_choice_scores_an_epas_competency_as_its_criterion(duty: AnalysedScenario, catalog: Catalog) -> None:
    # 2.9 m3: EPAS competencies are ratings the competency map derives from sourced criteria
    # (scoring/competency-map.yaml), not criteria a choice can score directly.
    assert duty.scenario is not None
    competencies = catalog.competencies
    assert competencies, "the catalog has no EPAS competencies: the check would be empty"
    scored = {criterion for node in duty.scenario.nodes.values() for choice in node.choices
              for criterion in choice.scores}
    scored |= {criterion for node in duty.scenario.nodes.values() if node.timer is not None
               for expiry in node.timer.branches() for criterion in expiry.scores}
    assert not scored & competencies, sorted(scored & competencies)
    assert not any(c.startswith("EPAS") for c in scored)


def test_every_criterion_the_scenario_scores_separates_some_paths(duty: AnalysedScenario) -> None:
    # 2.9 m3: "EPAS22-C9 gives +1 on every path (no spread)". tests/authoring/test_criterion_spread.py
    # checks this for every bundled scenario; here with the scenario's own figures.
    assert duty.analysis is not None and duty.analysis.complete
    taken = duty.analysis.steps_taken
    scored = {c for sid in taken for c, p in duty.program.steps[sid].scores if p}
    for criterion in scored:
        extremes = duty.analysis.extremes[criterion]
        assert extremes.worst != extremes.best, criterion


def test_the_check_in_two_days_later_is_neutral_and_the_record_says_what_remains(duty: AnalysedScenario) -> None:
    # The question asked on every path earns nothing; the review record says a violence-risk
    # framework is still missing and no source for one was invented.
    assert duty.scenario is not None
    later = duty.scenario.nodes["next-session"].choices
    assert later and all(c.neutral and not c.scores for c in later)
    m3 = [change for change in duty.scenario.reviewed.changes if change.item == "2.9 m3"]
    assert len(m3) == 1
    text = m3[0].change.lower()
    assert "violence-risk framework" in text and "reviewer" in text
