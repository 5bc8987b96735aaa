"""Regression checks for the ER follow-up intake (clinical review 2.2).

Each test fails if an item the review found comes back: a Part 2 limits script with an invented
"someone else in danger" exception (S2), a promise of secrecy that fails the attempt even when
corrected at once (S3), the consented letter sent without its notice (m1), an intake that ends
without the C-SSRS screen or the naloxone question (S1), the screen anywhere but straight after
the limits talk, and variables reset only to keep the path analysis in budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.program import replay
from support.scenarios import written_choices

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "scenarios" / "intake-er-follow-up.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


def _choices(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (choice for _, choice in written_choices(doc))


def _test(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(t for t in doc["tests"] if t["name"].startswith(prefix))


def test_the_unreachable_roi_variant_stays_gone(doc: dict[str, Any]) -> None:
    # A client variant at roi-scope after the file was already sent could never be shown.
    for variant in doc["nodes"]["roi-scope"]["client"]:
        assert "send-file-on-verbal-ok" not in variant.get("when", ""), variant


def test_the_consented_letter_goes_with_the_redisclosure_notice(doc: dict[str, Any]) -> None:
    # m1: the letter to the rental office carries the notice that it may not be passed on.
    share = next(c for c in _choices(doc) if c["id"] == "share-within-consent")
    assert "notice" in share["say"].lower() and "passed on" in share["say"].lower()


def test_no_invented_part2_exception_in_any_limits_line(doc: dict[str, Any]) -> None:
    # S2: no general "you or someone else in danger" exception in a Part 2 program.
    for choice in _choices(doc):
        say = choice["say"].lower()
        assert "someone else" not in say and "serious, immediate danger" not in say, choice["id"]


def test_a_promise_corrected_at_once_is_a_slip_not_a_failure(doc: dict[str, Any]) -> None:
    # S3 / X2: the immediately corrected promise passes; the harm requirement judges the rest.
    promise = next(c for c in _choices(doc) if c["id"] == "promise-total-confidentiality")
    assert promise["never_event"] == "confidentiality-beyond-law" and "critical" not in promise
    corrected = _test(doc, "a promise of total confidentiality corrected at once")["expect"]
    assert corrected["passed"] is True and corrected["critical"] == []
    harm = next(r for r in doc["requirements"] if r["id"] == "no-history-under-false-promise")
    assert harm["holds"] == "not relied_on_promise" and harm["never_event"] == "confidentiality-beyond-law"


@pytest.fixture(scope="module")
def intake(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


SCREEN_ITEMS = ["cssrs-ask-q1-yes", "cssrs-ask-q2-yes", "cssrs-ask-q3-no", "cssrs-ask-q4-no",
                "cssrs-ask-q5-no", "cssrs-ask-q6-yes", "cssrs-ask-q6a-no"]


def test_the_analysis_is_complete_within_its_budget(intake: AnalysedScenario) -> None:
    # With the screen after the limits talk the state space once outgrew the analysis budget
    # (1.4 million states); merging states that differ only in dead variables keeps it small
    # without resetting anything.
    assert intake.analysis.complete and intake.analysis.stopped is None and intake.analysis.merged
    assert intake.analysis.state_count < 100_000


def test_no_effect_resets_a_variable_to_a_constant(doc: dict[str, Any]) -> None:
    # The resets (distress: "4", flags: "false" after the phone call) were there only for the
    # analysis budget; an expression effect must compute from the state, not overwrite it.
    for _, choice in written_choices(doc):
        for name, value in (choice.get("effects") or {}).items():
            if isinstance(value, str):
                assert not value.strip().lstrip("-").isdigit() and value.strip() not in ("true", "false"), \
                    (choice["id"], name, value)


def test_the_distress_meter_goes_through_the_phone_call_unchanged(intake: AnalysedScenario) -> None:
    # The meter the trainee watches must not jump to a reset value after the call.
    paths = [list(t.choose) for t in intake.scenario.tests] + [list(intake.analysis.expert_path)]
    index = intake.program.var_index["distress"]
    seen = set()
    for path in paths:
        for state, step in replay(intake.program, path).taken:
            if step.node == "housing-call" and step.goto == "naloxone":
                after = replay(intake.program, path[:path.index(step.id) + 1]).final
                assert after.vars[index] == state.vars[index], step.id
                seen.add(state.vars[index])
    assert len(seen) > 1, "no path reaches the call at two distress levels: the check is too weak"


def test_the_screen_comes_straight_after_the_limits_talk(intake: AnalysedScenario, doc: dict[str, Any]) -> None:
    # Clinical review 2.2 S1: "a permissioned C-SSRS screen after the limits have been explained".
    # Every way out of the limits talk leads to the screen offer, and the screen leads on to his story.
    exits = {c["id"]: c["goto"] for c in doc["nodes"]["limits-reaction"]["choices"]}
    assert {goto for cid, goto in exits.items() if cid != "reflect-custody-worry"} == {"screen-offer"}
    assert {c["goto"] for c in doc["nodes"]["screen-response"]["choices"]} == {"er-story"}
    path = list(intake.analysis.expert_path)
    assert path[path.index("clarify-reporting-duty") + 1] == "ask-safety-screen"
    assert path.index("respond-moderate-risk") < path.index("reflect-scare-and-recovery")
    assert "before-you-go" not in doc["nodes"]


def test_the_expert_path_screens_with_the_cssrs_items_then_checks_naloxone(
        intake: AnalysedScenario, catalog: Catalog) -> None:
    # S1: with permission, every screener item in order (items 3 to 5 after his yes to item 2,
    # 6a after his yes to 6), a moderate-risk response, and the naloxone question before he goes.
    path = list(intake.analysis.expert_path)
    start = path.index("ask-safety-screen")
    assert path[start + 1:start + 1 + len(SCREEN_ITEMS)] == SCREEN_ITEMS
    after = path[start + 1 + len(SCREEN_ITEMS):]
    assert after[0] == "respond-moderate-risk" and after[-2:] == ["ask-naloxone", "collaborative-summary"]
    final = replay(intake.program, path).final
    index = intake.program.var_index
    assert final.vars[index["screened"]] is True and final.vars[index["naloxone_checked"]] is True
    debrief = score_path(intake.program, intake.analysis, catalog, path)
    assert debrief.passed and debrief.ending == "engaged-with-plan"


@pytest.mark.parametrize(("instead", "missed"), [
    ("screen-next-visit", "safety-screen"),
    ("tolerance-lecture", "naloxone-check"),
])
def test_leaving_out_the_screen_or_the_naloxone_check_fails(
        intake: AnalysedScenario, catalog: Catalog, instead: str, missed: str) -> None:
    path = list(intake.analysis.expert_path)
    if instead == "screen-next-visit":
        start = path.index("ask-safety-screen")
        path[start:start + len(SCREEN_ITEMS) + 2] = [instead]
    else:
        path[path.index("ask-naloxone")] = instead
    debrief = score_path(intake.program, intake.analysis, catalog, path)
    assert not debrief.passed
    assert missed in {c.id for c in debrief.critical if c.kind == "missed-requirement"}


def test_the_screen_comes_from_the_shared_block_as_a_scored_protocol(doc: dict[str, Any]) -> None:
    assert {"file": "shared/cssrs-screen.yaml", "prefix": "cssrs-", "with": {"done": "screen-response"}} in doc["include"]
    assert any(p["protocol"] == "cssrs-screener" for p in doc["protocols"])
    holds = {r["id"]: r["holds"] for r in doc["requirements"]}
    assert holds["safety-screen"] == "screened" and holds["naloxone-check"] == "naloxone_checked"
    assert "held back" not in str(doc["reviewed"]) and "NOT YET FIXED" not in doc["reviewed"]["notes"]
