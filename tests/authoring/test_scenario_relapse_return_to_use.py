"""Regression checks for the relapse scenario's clinical-review items (clinical-review.md 2.6).

The review found the scenario unsafe to teach: its expert path left out the reduced-tolerance
overdose message, treated a naloxone kit in her own purse as the safety step, offered no
medication for opioid use disorder, ignored "Most days" and let a false promise of secrecy pass.
Each test fails if one of those comes back.
"""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.paths import SCENARIOS


@pytest.fixture(scope="module")
def relapse(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(SCENARIOS / "relapse-return-to-use.yaml", catalog)


def _says(item: AnalysedScenario) -> dict[str, str]:
    assert item.scenario is not None
    return {c.id: (c.say or "") for node in item.scenario.nodes.values() for c in node.choices}


def test_the_expert_path_delivers_the_reduced_tolerance_message(relapse: AnalysedScenario) -> None:
    # 2.6 S1: after ninety days the same amount can stop her breathing; asked with permission.
    assert relapse.analysis is not None
    expert = list(relapse.analysis.expert_path)
    says = _says(relapse)
    assert expert.index("share-concern-with-permission") < expert.index("explain-tolerance") < expert.index("plan-if-you-use")
    assert "can i tell you" in says["share-concern-with-permission"].lower()
    message = says["explain-tolerance"].lower()
    assert "ninety days" in message and "stop your breathing" in message


def test_the_expert_path_plans_for_the_use_that_may_happen(relapse: AnalysedScenario) -> None:
    # 2.6 S1, S2: not alone, not Dale (using too), naloxone with someone who knows how, test strips, 911.
    says = _says(relapse)["plan-if-you-use"].lower()
    for needed in ("not alone", "dale", "kit", "knows how", "test strips", "911"):
        assert needed in says, needed


def test_leaving_out_the_tolerance_message_fails_the_attempt(relapse: AnalysedScenario, catalog: Catalog) -> None:
    assert relapse.analysis is not None
    expert = list(relapse.analysis.expert_path)
    vague = [("vague-risk" if step == "explain-tolerance" else step) for step in expert]
    debrief = score_path(relapse.program, relapse.analysis, catalog, expert)
    assert debrief.passed
    debrief = score_path(relapse.program, relapse.analysis, catalog, vague)
    assert not debrief.passed


def test_the_tolerance_criterion_names_its_sources(catalog: Catalog) -> None:
    criterion = catalog.criteria["OD-TOLERANCE"]
    assert criterion.verified
    assert "Overdose Prevention and Response Toolkit" in criterion.source
    assert "AHRQ" in criterion.source


def test_no_known_gap_note_and_no_signoff_claimed(relapse: AnalysedScenario) -> None:
    assert relapse.scenario is not None
    reviewed = relapse.scenario.reviewed
    assert reviewed.status == "draft"
    notes = (reviewed.notes or "").lower()
    assert "known gap" not in notes and "left out" not in notes


def test_the_other_serious_items_stay_fixed(relapse: AnalysedScenario) -> None:
    # S2 who would be with her and knows the kit; S3 MOUD; S4 screen after "Most days"; S5 secrecy critical.
    assert relapse.scenario is not None and relapse.analysis is not None
    expert = list(relapse.analysis.expert_path)
    says = _says(relapse)
    assert "who'd be with you" in says["build-on-her-ideas"] and "build-on-her-ideas" in expert
    assert "offer-moud-referral" in expert
    assert expert.index("plan-if-you-use") < expert.index("ask-q1-most-days") < expert.index("ask-q2-relapse")
    promise = next(c for n in relapse.scenario.nodes.values() for c in n.choices if c.id == "promise-secret")
    assert promise.critical is not None
