"""Regression checks for `cultural-humility-interpreter` (issue 12 item 4: cultural humility with a
professional interpreter).

What the scenario teaches, and what an edit must not undo: a qualified interpreter, briefed
before the session, not a family member (NASW 1.03(b)); the client, not the interpreter or her
daughter, is spoken to and decides who is present; her own account of her culture is asked for,
never supplied by the interpreter; language-access law that the project's reference does not
verify (Section 1557) is never scored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.program import replay
from support.scenarios import choices_by_id

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "cultural-humility-interpreter.yaml"
THIRD_PERSON = re.compile(r"\b(please tell her|could you ask her|ask her (?:if|whether|what)|has she|does she|is she)\b",
                          re.IGNORECASE)
"""Speaking about Rosa, to the interpreter, while she sits there ("Lucía, please tell her ...")."""
ROSA_IN_THE_ROOM = ("who-present", "introduction", "consent-limits", "consent-recheck", "how-she-is", "how-she-is-full",
                    "nervios", "her-account", "needs", "plan")
"""The moments when Rosa sits with the interpreter and the case manager speaks to her."""


@pytest.fixture(scope="module")
def rosa(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def test_the_interpreter_is_in_the_cast_and_her_lines_carry_the_original(rosa: AnalysedScenario) -> None:
    cast = rosa.scenario.cast
    assert cast["interpreter"].role == "interpreter"
    assert cast["daughter"].role == "daughter"
    text = PATH.read_text(encoding="utf-8")
    assert text.count("speaker: interpreter") >= 10
    assert text.count("original:") >= 10


def test_the_expert_path_briefs_keeps_the_interpreter_and_lets_rosa_choose(rosa: AnalysedScenario,
                                                                            catalog: Catalog) -> None:
    path = rosa.analysis.expert_path
    assert path[:3] == ("brief-interpreter", "decline-daughter-kindly", "ask-rosa-who-stays")
    final = replay(rosa.program, path).final
    index = rosa.program.var_index
    assert final.vars[index["daughter_interpreting"]] is False
    assert final.vars[index["consent_via_family"]] is False
    assert final.vars[index["rosa_chose_company"]] is True
    assert "via-daughter" not in final.visited
    assert score_path(rosa.program, rosa.analysis, catalog, path).passed


def test_the_expert_path_speaks_to_rosa_not_about_her(rosa: AnalysedScenario) -> None:
    choices = choices_by_id(rosa)
    in_the_room = {c.id for node_id in ROSA_IN_THE_ROOM for c in rosa.scenario.nodes[node_id].choices}
    on_path = [cid for cid in rosa.analysis.expert_path if cid in in_the_room]
    assert len(on_path) >= 7
    for cid in on_path:
        say = choices[cid].say
        assert not THIRD_PERSON.search(say), (cid, say)
    # ...and, with Rosa in the room, every line that asks someone else to "tell her" or "ask her"
    # costs dignity points.
    talking_past = [cid for cid in in_the_room if THIRD_PERSON.search(choices[cid].say)]
    assert len(talking_past) >= 3
    for cid in talking_past:
        assert choices[cid].scores.get("NASW-V3", 0) < 0, cid


def test_a_family_interpreter_is_never_rewarded(rosa: AnalysedScenario) -> None:
    choices = choices_by_id(rosa)
    for cid in ("accept-daughter", "both-interpret", "consent-through-daughter"):
        assert choices[cid].scores.get("NASW-1.03(b)", 0) < 0, cid
    assert choices["decline-daughter-kindly"].scores.get("NASW-1.03(b)", 0) > 0
    requirement = {r.id: r for r in rosa.scenario.requirements}["consent-through-qualified-interpreter"]
    assert requirement.holds == "not consent_via_family"


def test_the_interpreter_is_never_asked_to_speak_for_rosas_culture(rosa: AnalysedScenario) -> None:
    choices = choices_by_id(rosa)
    for cid in ("ask-culture-briefing", "press-for-generalities", "ask-interpreter-culture", "ask-interpreter-opinion"):
        assert choices[cid].scores.get("NASW-1.05", 0) < 0 or choices[cid].scores.get("SAMHSA14-P6", 0) < 0, cid
        assert not choices[cid].expert, cid
    assert choices["ask-her-meaning"].scores.get("NASW-1.05", 0) > 0


def test_unverified_language_access_law_is_not_scored(rosa: AnalysedScenario, catalog: Catalog) -> None:
    # Section 1557 / 45 CFR 92.201 is unverified in the reference: no choice may score it, and
    # no trainee-facing feedback may cite it as fact.
    assert not catalog.criteria["ACA1557-92.201"].verified
    for choice in choices_by_id(rosa).values():
        assert "ACA1557-92.201" not in choice.scores, choice.id
        assert "1557" not in str(choice.feedback), choice.id


def test_the_closing_note_is_scored_against_who_actually_interpreted(rosa: AnalysedScenario, catalog: Catalog) -> None:
    daughter_path = ["brief-interpreter", "accept-daughter", "ask-daughter-about-mom", "ask-rosa-through-daughter",
                     "close-with-daughter"]
    claims = score_path(rosa.program, rosa.analysis, catalog, [*daughter_path, "note-interpreter-untrue", "file-missed"])
    honest = score_path(rosa.program, rosa.analysis, catalog, [*daughter_path, "note-daughter-interpreted", "file-missed"])
    assert claims.total_raw < honest.total_raw
    choices = choices_by_id(rosa)
    assert choices["note-interpreter-accurate"].say == choices["note-interpreter-untrue"].say
    assert choices["note-stereotype"].scores.get("NASW-1.12", 0) < 0
