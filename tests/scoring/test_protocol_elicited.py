"""The C-SSRS screener graded on what the trainee elicited: the answers heard on the path, the
items asked, and the skip-logic and triage duties as must-do requirements."""

from __future__ import annotations

import pytest

from casesim.authoring.audit import audit_scenario
from casesim.authoring.pipeline import AnalysedScenario, load_scenario_bytes, require_scenario
from casesim.scoring import score_path
from casesim.scoring.catalog import Catalog
from support.paths import ROOT
from support.screener import ITEMS, critical_ids, cssrs, full_path, load, screener

ROWS = [
    # answers heard (yes items)          level called for   the triage choice that matches
    ({"Q1": True}, "CSSRS-RISK-LOW", "triage-low"),
    ({"Q1": True, "Q2": True}, "CSSRS-RISK-LOW", "triage-low"),
    ({"Q1": True, "Q2": True, "Q3": True}, "CSSRS-RISK-MOD", "triage-mod"),
    ({"Q1": True, "Q2": True, "Q4": True}, "CSSRS-RISK-HIGH", "triage-high"),
    ({"Q1": True, "Q2": True, "Q5": True}, "CSSRS-RISK-HIGH", "triage-high"),
    ({"Q6": True}, "CSSRS-RISK-MOD", "triage-mod"),                     # Q6 yes, Q6a no: long ago
    ({"Q6": True, "Q6a": True}, "CSSRS-RISK-HIGH", "triage-high"),      # behaviour in the past 3 months
    ({}, None, "no-triage"),                                            # all no: a negative screen
]


@pytest.mark.parametrize(("yes", "level", "matching"), ROWS)
def test_cssrs_triage_row_by_row_on_elicited_answers(catalog: Catalog, yes: dict[str, bool], level: str | None,
                                                     matching: str) -> None:
    answers = {item: yes.get(item, False) for item in ITEMS}
    loaded = load(catalog, screener(answers))
    path = full_path(answers)
    debrief = score_path(loaded.program, loaded.analysis, catalog, [*path, matching])
    result = cssrs(debrief)
    assert result.level_called_for == level
    assert result.complete and result.level_certain
    assert result.action_matches is True and not result.under_triage
    assert result.share == 1.0
    assert critical_ids(debrief) == set()
    assert dict(result.answers) == {f"CSSRS-{i}": answers[i] for i in ITEMS if f"CSSRS-{i}" in result.done}
    # One step less severe (or none at all) is under-triage: a missed requirement.
    order = ["triage-high", "triage-mod", "triage-low", "no-triage"]
    for lower in order[order.index(matching) + 1:]:
        under = score_path(loaded.program, loaded.analysis, catalog, [*path, lower])
        assert "cssrs-screener-triage" in critical_ids(under), lower
        assert cssrs(under).under_triage and cssrs(under).action_matches is False
        assert not under.passed
    # More severe than called for is not a missed requirement, but earns no triage credit.
    for higher in order[:order.index(matching)]:
        over = score_path(loaded.program, loaded.analysis, catalog, [*path, higher])
        assert critical_ids(over) == set(), higher
        assert cssrs(over).action_matches is False and not cssrs(over).under_triage
        assert cssrs(over).share < 1.0


def test_skipping_items_3_to_5_after_a_yes_to_item_2_is_missed_even_with_a_high_triage(catalog: Catalog) -> None:
    # The client would say yes to intent (Q4) if asked; the trainee never asks.
    answers = {"Q1": True, "Q2": True, "Q3": True, "Q4": True, "Q5": False, "Q6": False, "Q6a": False}
    loaded = load(catalog, screener(answers))
    path = ["ask-q1", "ask-q2", "skip-q3-to-q5", "ask-q6"]
    lucky = score_path(loaded.program, loaded.analysis, catalog, [*path, "triage-high"])
    assert "cssrs-screener-items-3-to-5" in critical_ids(lucky)
    assert not lucky.passed
    result = cssrs(lucky)
    assert result.level_called_for == "CSSRS-RISK-LOW"  # only Q1 and Q2 were heard
    assert not result.complete and not result.level_certain
    assert result.missing == ("CSSRS-Q3", "CSSRS-Q4", "CSSRS-Q5")
    assert result.action_matches is False  # high is a guess, not what was heard
    # Low matches what was heard; the skipped items are still a missed requirement.
    honest = score_path(loaded.program, loaded.analysis, catalog, [*path, "triage-low"])
    assert cssrs(honest).action_matches is True
    assert critical_ids(honest) == {"cssrs-screener-items-3-to-5"}


def test_skipping_item_2_is_a_missed_requirement(catalog: Catalog) -> None:
    answers = {"Q1": True, "Q2": True, "Q6": False}
    loaded = load(catalog, screener(answers))
    debrief = score_path(loaded.program, loaded.analysis, catalog, ["ask-q1", "skip-q2", "ask-q6", "triage-low"])
    assert critical_ids(debrief) == {"cssrs-screener-items-1-2-6"}
    assert cssrs(debrief).missing == ("CSSRS-Q2",)
    # Items 3–5 are not due: the yes to item 2 was never heard.
    assert "CSSRS-Q3" not in cssrs(debrief).required


def test_skipping_item_6a_after_a_yes_to_item_6_is_a_missed_requirement(catalog: Catalog) -> None:
    answers = {"Q1": False, "Q2": False, "Q6": True, "Q6a": True}
    loaded = load(catalog, screener(answers))
    debrief = score_path(loaded.program, loaded.analysis, catalog, ["ask-q1", "ask-q2", "ask-q6", "skip-q6a", "triage-mod"])
    assert critical_ids(debrief) == {"cssrs-screener-item-6a"}
    assert cssrs(debrief).level_called_for == "CSSRS-RISK-MOD" and not cssrs(debrief).level_certain


def test_never_beginning_the_screen_is_not_a_protocol_duty_and_never_matches(catalog: Catalog) -> None:
    loaded = load(catalog, screener({}))
    debrief = score_path(loaded.program, loaded.analysis, catalog, ["skip-screen", "no-triage"])
    result = cssrs(debrief)
    assert critical_ids(debrief) == set()  # whether to screen at all is the scenario's requirement
    assert not result.begun and not result.complete
    assert result.level_called_for is None and result.level_action is None
    assert result.action_matches is False
    assert result.share == 0.0


def test_the_old_answer_table_counts_an_answer_only_when_its_item_is_asked(catalog: Catalog) -> None:
    answers = {"Q1": True, "Q2": True, "Q3": True, "Q4": True, "Q5": False, "Q6": False}
    report = load_scenario_bytes(screener(answers, table=True).encode(), "screen.yaml", catalog)
    assert any(d.code == "protocol-answers-table" and not d.is_error for d in report.diagnostics)
    loaded = report.analysed
    assert loaded is not None
    asked = score_path(loaded.program, loaded.analysis, catalog, [*full_path(answers), "triage-high"])
    assert cssrs(asked).level_called_for == "CSSRS-RISK-HIGH" and cssrs(asked).action_matches
    assert critical_ids(asked) == set()
    skipped = score_path(loaded.program, loaded.analysis, catalog,
                         ["ask-q1", "ask-q2", "skip-q3-to-q5", "ask-q6", "triage-high"])
    assert cssrs(skipped).level_called_for == "CSSRS-RISK-LOW"  # Q3 and Q4 were never heard
    assert dict(cssrs(skipped).answers) == {"CSSRS-Q1": True, "CSSRS-Q2": True, "CSSRS-Q6": False}
    assert critical_ids(skipped) == {"cssrs-screener-items-3-to-5"}


def test_the_analysis_counts_the_protocol_duties(catalog: Catalog) -> None:
    # Skipping items 3-5 earns more points than asking them, yet the expert path asks them: the
    # skip misses a requirement, which the analysis sees like any other.
    answers = {"Q1": True, "Q2": True, "Q3": False, "Q4": False, "Q5": False, "Q6": False}
    loaded = load(catalog, screener(answers, skip_points=10))
    analysis = loaded.analysis
    assert "skip-q3-to-q5" not in analysis.expert_path
    assert analysis.total is not None and analysis.expert_total is not None
    assert analysis.total.best > analysis.expert_total
    assert any(d.code == "critical-on-best-path" for d in loaded.warnings)
    audit = audit_scenario(loaded.scenario, analysis)
    first = next(s for s in audit.strategies if s.name == "first-listed")
    assert first.path[:3] == ("ask-q1", "ask-q2", "ask-q3")
    shortest = next(s for s in audit.strategies if s.name == "shortest")
    assert not shortest.passed


# --- the bundled crisis scenario: clinical review X6 -------------------------------------------

CRISIS = ROOT / "scenarios" / "crisis-suicide-risk.yaml"
SKIP_3_TO_5 = ["reflect-after", "ask-permission-direct", "ask-q1", "ask-q2", "skip-to-behaviour", "ask-q6a", "accept-nothing-since"]
PLAN = ["explain-transparent", "offer-safety-plan", "evoke-warning-signs", "evoke-coping", "explore-distraction-places",
        "reflect-burden-fear", "ask-who-could-help", "add-988-and-clinic", "lethal-means-open", "agree-where-kept",
        "warm-handoff", "write-full-note", "follow-up-strong"]


@pytest.fixture(scope="module")
def crisis(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(CRISIS, catalog)


def test_x6_skipping_items_3_to_5_and_guessing_high_now_fails(crisis: AnalysedScenario, catalog: Catalog) -> None:
    debrief = score_path(crisis.program, crisis.analysis, catalog, [*SKIP_3_TO_5, "triage-high-stay", *PLAN])
    assert debrief.ending == "safe-with-plan"
    assert not debrief.passed
    assert "cssrs-screener-items-3-to-5" in critical_ids(debrief)
    result = cssrs(debrief)
    assert result.level_called_for == "CSSRS-RISK-MOD"  # yes to 1, 2 and 6; no to 6a
    assert result.action_matches is False


def test_x6_a_moderate_triage_on_what_was_heard_is_graded_as_matching(crisis: AnalysedScenario,
                                                                      catalog: Catalog) -> None:
    debrief = score_path(crisis.program, crisis.analysis, catalog, [*SKIP_3_TO_5, "triage-moderate", "confirm-send-home"])
    result = cssrs(debrief)
    assert result.level_called_for == "CSSRS-RISK-MOD"
    assert result.action_matches is True and not result.under_triage
    assert "cssrs-screener-triage" not in critical_ids(debrief)
    assert "cssrs-screener-items-3-to-5" in critical_ids(debrief)  # the error was the skip


def test_the_crisis_expert_path_hears_a_high_risk_screen_and_passes(crisis: AnalysedScenario, catalog: Catalog) -> None:
    debrief = score_path(crisis.program, crisis.analysis, catalog, list(crisis.analysis.expert_path))
    assert debrief.passed and debrief.critical == ()
    result = cssrs(debrief)
    assert result.level_called_for == "CSSRS-RISK-HIGH" and result.action_matches and result.complete
    assert result.share == 1.0
    assert dict(result.answers) == {"CSSRS-Q1": True, "CSSRS-Q2": True, "CSSRS-Q3": True, "CSSRS-Q4": True,
                                    "CSSRS-Q5": False, "CSSRS-Q6": True, "CSSRS-Q6a": True}
    # 6a is first answered no ("nothing since"), then yes once he says the list of who gets what
    # was part of getting ready (clinical review crisis S2): the last answer heard counts.


def test_under_triage_after_hearing_intent_is_a_missed_requirement(crisis: AnalysedScenario, catalog: Catalog) -> None:
    full = ["reflect-after", "ask-permission-direct", "ask-q1", "ask-q2", "ask-q3", "offer-pause", "ask-q4",
            "reflect-intent-ask-q5", "ask-q6", "ask-q6a", "ask-about-list"]
    debrief = score_path(crisis.program, crisis.analysis, catalog, [*full, "triage-moderate", "confirm-send-home"])
    assert "cssrs-screener-triage" in critical_ids(debrief)
    assert cssrs(debrief).under_triage


def test_a_screener_item_asked_without_an_answer_is_reported(catalog: Catalog) -> None:
    text = screener({"Q1": True}).replace(', "answers": {"CSSRS-Q1": true}', "")
    report = load_scenario_bytes(text.encode(), "screen.yaml", catalog)
    missing = [d for d in report.diagnostics if d.code == "answer-missing"]
    assert len(missing) == 1 and "'ask-q1' asks CSSRS-Q1" in missing[0].message and not missing[0].is_error
