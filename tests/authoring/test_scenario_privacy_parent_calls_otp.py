"""Regression checks for `privacy-parent-calls-otp` (issue 12 items 4 and 6).

A parent calls an opioid treatment program about her adult son. What the scenario teaches, and
what an edit must not undo: the program never confirms or denies that he is a patient (42 CFR
Part 2 needs his written consent, §2.31; NASW 1.07(b)), by word or by implication; it still
helps the caller; and the contact note that ends every path is scored against what actually
happened on the call, never rewarding a plan to disclose or a record that hides a disclosure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.program import State, open_choices, replay

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "privacy-parent-calls-otp.yaml"
DOC_NODES = ("doc-data", "doc-assessment", "doc-plan", "doc-disclosed")


@pytest.fixture(scope="module")
def otp(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def _var(item: AnalysedScenario, state: State, name: str) -> object:
    return state.vars[item.program.var_index[name]]


def _sets_true(choice_effects: dict[str, object], name: str) -> bool:
    return choice_effects.get(name) is True


def test_the_expert_path_never_confirms_he_is_a_patient(otp: AnalysedScenario, catalog: Catalog) -> None:
    path = otp.analysis.expert_path
    final = replay(otp.program, path).final
    assert _var(otp, final, "confirmed") is False
    assert "confirmed-relief" not in final.visited
    debrief = score_path(otp.program, otp.analysis, catalog, path)
    assert debrief.passed and debrief.ending == "handled-and-noted"


def test_every_confirmation_costs_part2_points_and_none_is_rewarded(otp: AnalysedScenario) -> None:
    # However warm the words, a choice that confirms (or implies) enrollment earns nothing under
    # 42 CFR §2.31 or NASW 1.07(b); an edit that rewards one brings back the error.
    confirming = [(node_id, c) for node_id, node in otp.scenario.nodes.items() for c in node.choices
                  if _sets_true(dict(c.effects), "confirmed")]
    assert len(confirming) >= 10
    for node_id, choice in confirming:
        part2 = choice.scores.get("42CFR2-2.31", 0) + choice.scores.get("NASW-1.07(b)", 0)
        assert part2 < 0, (node_id, choice.id)
        assert not choice.expert, (node_id, choice.id)
        # X2: one never-event policy. A confirmation, open or implied, fails the attempt like
        # every other disclosure without consent in the library; no path reaches the breach
        # ending and still passes.
        assert choice.critical is not None, (node_id, choice.id)
        assert choice.never_event == "disclosure-without-consent", (node_id, choice.id)


def test_each_confirmation_is_a_never_event_of_the_library_class(otp: AnalysedScenario) -> None:
    explicit = {"confirm-came-in", "cant-discuss-his-treatment", "confirm-since-bottle", "bottle-means-yes",
                "invent-emergency-exception", "promise-to-tell-him", "bring-form-next-visit", "describe-his-risk",
                "family-meeting-here", "call-her-back-from-desk", "answer-a-little"}
    choices = {c.id: c for node in otp.scenario.nodes.values() for c in node.choices}
    for cid in explicit:
        assert choices[cid].critical is not None, cid
        assert choices[cid].never_event == "disclosure-without-consent", cid


def test_no_rewarded_line_teaches_an_emergency_exception_for_family(otp: AnalysedScenario) -> None:
    # The reference gives Part 2 no "a relative is worried" exception; §2.51 is unverified.
    for node in otp.scenario.nodes.values():
        for choice in node.choices:
            if sum(choice.scores.values()) > 0:
                say = choice.say.lower()
                assert "emergency changes" not in say and "exception" not in say, choice.id


def test_every_ending_is_reached_only_through_the_documentation_task(otp: AnalysedScenario) -> None:
    sc = otp.scenario
    into_endings = {node_id for node_id, node in sc.nodes.items() for c in node.choices if c.goto in sc.endings}
    assert into_endings == {"file-note", "supervisor-reads"}
    into_filing = {node_id for node_id, node in sc.nodes.items() for c in node.choices
                   if c.goto in into_endings and node_id not in into_endings}
    assert into_filing == {"doc-disclosed"}
    assert all(node in otp.analysis.reachable_nodes for node in DOC_NODES)


def _doc_state(otp: AnalysedScenario, path: list[str]) -> State:
    final = replay(otp.program, path).final
    assert final.node == "doc-data", final.node
    return final


CALL_WITHOUT_RESOURCES = ["neither-confirm-nor-deny", "reflect-fear", "hold-line-warmly", "no-rule-for-family",
                          "family-group-only", "take-message-no-confirm", "explain-consent-generally",
                          "summarise-and-check", "start-note-now"]
EXPERT_CALL = ["neither-confirm-nor-deny", "reflect-fear", "hold-line-warmly", "emergency-steps", "if-wont-wake",
               "offer-harm-reduction-info", "take-message-no-confirm", "explain-consent-generally",
               "summarise-and-check", "start-note-now"]
EXPERT_NOTE = ["data-full", "assess-observed", "plan-team-and-message", "disclosed-nothing", "file-clean"]


def test_the_note_that_is_right_depends_on_what_happened_on_the_call(otp: AnalysedScenario, catalog: Catalog) -> None:
    # The same words ("advised 911 ... given naloxone and 988") are a rewarded statement after a
    # call that gave them, and a penalised one after a call that did not.
    after_expert = {s.id: s for s in open_choices(otp.program, _doc_state(otp, EXPERT_CALL))}
    after_gap = {s.id: s for s in open_choices(otp.program, _doc_state(otp, CALL_WITHOUT_RESOURCES))}
    assert "data-full" in after_expert and "data-full-untrue" not in after_expert
    assert "data-full-untrue" in after_gap and "data-full" not in after_gap
    assert after_expert["data-full"].say == after_gap["data-full-untrue"].say
    assert after_expert["data-full"].weight > 0 > after_gap["data-full-untrue"].weight


def test_the_note_rejects_a_planned_part2_disclosure(otp: AnalysedScenario, catalog: Catalog) -> None:
    good = score_path(otp.program, otp.analysis, catalog, EXPERT_CALL + EXPERT_NOTE)
    assert good.passed
    bad_note = ["data-full", "assess-observed", "plan-call-mother-back", "disclosed-nothing", "file-with-errors"]
    bad = score_path(otp.program, otp.analysis, catalog, EXPERT_CALL + bad_note)
    assert not bad.passed
    assert "note-plans-no-disclosure" in {c.id for c in bad.critical}


def test_the_note_rejects_stigmatising_and_speculative_statements(otp: AnalysedScenario) -> None:
    choices = {c.id: c for node in otp.scenario.nodes.values() for c in node.choices}
    for cid in ("data-speculative", "assess-stigma", "assess-diagnose-her"):
        assert choices[cid].scores.get("NASW-3.04", 0) < 0, cid
    assert choices["assess-stigma"].scores.get("NASW-1.12", 0) < 0


def test_a_note_hiding_a_disclosure_is_penalised_and_the_honest_one_rewarded(otp: AnalysedScenario) -> None:
    breach_call = ["confirm-came-in", "stop-and-own-error", "emergency-steps", "if-wont-wake",
                   "offer-harm-reduction-info", "take-message-no-confirm", "explain-consent-generally",
                   "summarise-and-check", "start-note-now", "data-full", "assess-observed", "plan-team-and-message"]
    at_disclosed = replay(otp.program, breach_call).final
    assert at_disclosed.node == "doc-disclosed"
    open_ids = {s.id: s for s in open_choices(otp.program, at_disclosed)}
    assert "disclosed-nothing" not in open_ids
    assert open_ids["disclosed-nothing-untrue"].weight < 0 < open_ids["disclosed-honestly"].weight
