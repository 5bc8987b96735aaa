"""Regression checks for `home-visit-older-adult-self-neglect` (issue 12 items 4 and 6).

An older woman who lives alone with risks she knows about. What the scenario teaches, and what an
edit must not undo: her right to choose unless a risk is serious, foreseeable and imminent (NASW
1.02); a capacity judgement is a qualified clinician's, never the case manager's (NASW 1.04); her
family hears only what she agrees to (NASW 1.07(b)); Adult Protective Services duties depend on
state law and agency policy, so no rewarded line states a rule of its own, and APS is never a
threat or a promise; and the DAP note that ends every path is scored against what actually
happened on that path (NASW 3.04), never rewarding labels, speculation or things never said.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.program import State, open_choices, replay
from support.scenarios import choices_by_id

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "home-visit-older-adult-self-neglect.yaml"
NOTE_NODES = ("note-data", "note-fall", "note-assessment", "note-plan", "note-family")

# For each path-dependent note line: the flag whose value decides whether it is true on this path.
# A line listed under True is accurate exactly when the flag is true; under False, when it is false.
ACCURATE_WHEN = {
    "note-fall": ("fall_disclosed", {True: {"note-fall-reported"}, False: {"note-fall-from-referral"}}),
    "note-plan": ("nurse_agreed", {True: {"note-plan-nurse"}, False: {"note-plan-declined"}}),
}


@pytest.fixture(scope="module")
def visit(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def _var(item: AnalysedScenario, state: State, name: str) -> object:
    return state.vars[item.program.var_index[name]]


def test_the_expert_path_passes_with_her_choices_kept_and_an_accurate_note(
        visit: AnalysedScenario, catalog: Catalog) -> None:
    path = visit.analysis.expert_path
    final = replay(visit.program, path).final
    debrief = score_path(visit.program, visit.analysis, catalog, path)
    assert debrief.passed and debrief.ending == "staying-home-supported"
    assert _var(visit, final, "note_errors") == 0
    assert _var(visit, final, "heater_safer") is True
    assert _var(visit, final, "ruptured") is False
    # She is never moved, placed or referred behind her back on the expert path.
    for banned in ("declare-incapable", "push-assisted-living", "agree-to-call-aps", "secret-referral",
                   "note-plan-placement", "note-lacks-capacity"):
        assert banned not in path


def test_no_rewarded_line_invents_an_aps_rule(visit: AnalysedScenario) -> None:
    # The reference says only that APS duties vary by state (per-state rules unverified): a line
    # that earns points may mention APS only with the state's law or the agency's policy beside it,
    # and never as a flat duty ("must report", "required to report").
    for node in visit.scenario.nodes.values():
        for choice in node.choices:
            say = choice.say.lower()
            if re.search(r"\baps\b|adult protective", say):
                assert not re.search(r"\bmust (report|call)|required to (report|call)", say), choice.id
                if sum(choice.scores.values()) > 0:
                    assert "state" in say or "policy" in say, choice.id


def test_aps_is_never_a_threat_or_a_promise(visit: AnalysedScenario) -> None:
    choices = choices_by_id(visit)
    assert choices["aps-as-leverage"].never_event == "coercive-threat"
    assert choices["aps-as-leverage"].critical is not None
    assert choices["promise-never-report"].never_event == "confidentiality-beyond-law"
    assert choices["promise-never-report"].critical is not None


def test_capacity_is_never_the_case_managers_finding(visit: AnalysedScenario) -> None:
    choices = choices_by_id(visit)
    declare = choices["declare-incapable"]
    assert declare.never_event == "outside-role" and declare.critical is not None
    assert "NASW-1.04" in declare.critical.cites
    # Any line, spoken or written, that states she lacks capacity or is "senile" scores below zero.
    for cid, choice in choices.items():
        say = choice.say.lower()
        if "lacks capacity" in say or "senile" in say or "can make these decisions" in say:
            assert sum(choice.scores.values()) < 0, cid


def test_stigmatising_note_language_never_earns_points(visit: AnalysedScenario) -> None:
    labels = ("hoarder", "squalor", "noncompliant", "resistant", "poor insight", "filthy", "refuses")
    for node_id in NOTE_NODES:
        for choice in visit.scenario.nodes[node_id].choices:
            say = choice.say.lower()
            if any(label in say for label in labels):
                assert choice.scores.get("NASW-3.04", 0) < 0 or choice.scores.get("NASW-1.12", 0) < 0, choice.id
                assert choice.effects.get("note_errors") == 1, choice.id


def test_the_right_note_line_depends_on_what_happened_on_the_path(visit: AnalysedScenario) -> None:
    # In every reachable state at a path-dependent note node, the accurate line (and only it)
    # earns positive points, and which line that is follows the flag set by the conversation.
    seen: dict[str, set[bool]] = {node: set() for node in ACCURATE_WHEN}
    for state in visit.analysis.states:
        if state.node not in ACCURATE_WHEN:
            continue
        flag, accurate = ACCURATE_WHEN[state.node]
        value = _var(visit, state, flag)
        assert isinstance(value, bool)
        seen[state.node].add(value)
        positive = {s.id for s in open_choices(visit.program, state) if sum(p for _, p in s.scores) > 0}
        assert positive == accurate[value], (state.node, flag, value, positive)
    # Both branches are reachable, so the note really is different on different paths.
    assert all(values == {True, False} for values in seen.values()), seen


def test_the_same_statement_is_right_on_one_path_and_wrong_on_another(visit: AnalysedScenario) -> None:
    # The twin lines share their words and differ only in whether they happened.
    choices = choices_by_id(visit)
    for right, wrong in (("note-fall-reported", "note-fall-reported-unsaid"),
                         ("note-plan-nurse", "note-plan-nurse-unsaid"),
                         ("note-paulo-consent", "note-paulo-consent-unsaid"),
                         ("note-paulo-nothing", "note-paulo-nothing-untrue")):
        assert choices[right].say == choices[wrong].say
        assert sum(choices[right].scores.values()) > 0 > sum(choices[wrong].scores.values())


def test_every_ending_is_reached_through_the_whole_note(visit: AnalysedScenario) -> None:
    # The documentation task is a chain every path walks: only note-family leads to follow-up,
    # only follow-up to the endings, and each note node is entered only from the one before it.
    sc = visit.scenario

    def sources(target: str) -> set[str]:
        return {node_id for node_id, node in sc.nodes.items() for c in node.choices if c.goto == target}

    assert {node_id for node_id, node in sc.nodes.items() for c in node.choices if c.goto in sc.endings} == {"follow-up"}
    assert sources("follow-up") == {"note-family"}
    for before, after in pairwise(NOTE_NODES):
        assert sources(after) == {before}, after
    assert sources("note-data") == {"consult", "supervisor-says"}


def test_an_inaccurate_note_takes_away_the_success_ending(visit: AnalysedScenario, catalog: Catalog) -> None:
    path = list(visit.analysis.expert_path)
    path[path.index("note-her-words")] = "note-hoarder"
    path[-1] = "call-thursday-flawed-note"
    final = replay(visit.program, path).final
    assert final.node == "record-misleads"
    assert _var(visit, final, "note_errors") == 1


def test_paulo_hears_only_what_she_allows(visit: AnalysedScenario) -> None:
    choices = choices_by_id(visit)
    for cid in ("tell-paulo-everything", "add-a-little-more"):
        assert choices[cid].never_event == "disclosure-without-consent"
        assert choices[cid].critical is not None
    assert choices["ask-what-to-share"].scores["NASW-1.07(b)"] > 0
