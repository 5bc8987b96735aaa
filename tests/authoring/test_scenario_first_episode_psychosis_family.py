"""Regression checks for the first-episode psychosis scenario (clinical review 2.10 and fix 3).

The review found that the case manager decided hospital care, cited NASW 1.02 as if it were an
admission criterion, answered the mother's question with a wrong legal standard, consulted no
one, and let one double-barrelled question stand in for a suicide screen. Each test below fails
if one of those comes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from support.scenarios import written_choices

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "scenarios" / "first-episode-psychosis-family.yaml"

HOSPITAL_WORDS = re.compile(r"\b(hospital\w*|admi(t|ts|tted|ssion)|inpatient|emergency department|ER|bed)\b")
"""Words that put a sentence about hospital care."""

DECIDES_ADMISSION = re.compile(
    r"(nobody is sending you|nobody's sending you|not sending you|isn't going to happen"
    r"|wouldn't keep her|only keep someone|you can sign her in|they'll keep her"
    r"|i need you to be checked at the emergency|safest thing is to take her to the er"
    r"|needs to be admitted|sort out a bed)",
    re.IGNORECASE,
)
"""Ways a case manager's line decides, promises or rules out hospital care."""


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def psychosis(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def _choices(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (choice for _, choice in written_choices(doc))


def _texts(value: object) -> Iterator[str]:
    """Every string inside a YAML value (variants, lines, notes)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+", text) if s]


def test_nasw_102_is_never_cited_as_an_admission_rule(doc: dict[str, Any]) -> None:
    # 2.10 S1(b): NASW 1.02 governs a social worker limiting self-determination; it is not a
    # hospital admission criterion, so no sentence pairs it with hospital care. (The review record
    # under `reviewed:` says what was removed, so it names the old error; trainees never see it.)
    offenders = [s for text in _texts({k: v for k, v in doc.items() if k not in ("tests", "reviewed")})
                 for s in _sentences(text) if "1.02" in s and HOSPITAL_WORDS.search(s)]
    assert offenders == []
    hospital_choices = [c["id"] for c in _choices(doc) if HOSPITAL_WORDS.search(c["say"])]
    assert hospital_choices, "the scenario should still raise the hospital question"
    for choice in _choices(doc):
        if choice["id"] in hospital_choices and choice.get("never_event") is None:
            assert "NASW-1.02" not in choice.get("scores", {}) or choice["scores"]["NASW-1.02"] < 0, choice["id"]


def test_no_line_that_decides_hospital_care_earns_points(doc: dict[str, Any]) -> None:
    # 2.10 S1(a): whether inpatient care is indicated is the psychiatrist's decision. A line that
    # decides, promises or rules it out may exist only as a distractor: it loses points, is
    # never marked expert, and records that the case manager decided.
    deciding = [c for c in _choices(doc) if DECIDES_ADMISSION.search(c["say"])]
    assert len(deciding) >= 5, [c["id"] for c in deciding]
    for choice in deciding:
        assert sum(choice.get("scores", {}).values()) < 0, choice["id"]
        assert not choice.get("expert"), choice["id"]


def test_the_objectives_no_longer_teach_the_imminent_risk_standard_for_hospital(doc: dict[str, Any]) -> None:
    # The old objective read "explain that hospital care is for serious, foreseeable and imminent risk".
    for objective in doc["objectives"]:
        assert not ("imminent" in objective and HOSPITAL_WORDS.search(objective)), objective
    assert any("psychiatrist" in o and "state" in o for o in doc["objectives"])


def test_the_mother_is_told_who_decides_and_that_the_law_varies(doc: dict[str, Any]) -> None:
    # 2.10 S1(c): the answer to "Can they keep her there?" names the psychiatrist and state variation.
    node = doc["nodes"]["hospital-question"]
    best = next(c for c in node["choices"] if c.get("expert"))
    say = best["say"].lower()
    assert "psychiatrist" in say and "state" in say and "today" in say
    assert "isn't mine to decide" in say or "not mine to decide" in say
    requirement = next(r for r in doc["requirements"] if r["id"] == "mother-told-who-decides")
    assert requirement["holds"] == "not mother_misinformed"
    wrong_rules = [c for c in node["choices"] if c["id"] in ("imminent-only", "parent-can-sign")]
    assert len(wrong_rules) == 2 and all(c["effects"]["mother_misinformed"] is True for c in wrong_rules)


def test_the_expert_path_screens_consults_today_and_never_decides_admission(psychosis: AnalysedScenario) -> None:
    # 2.10 S2 and fix 3: a structured screen (the shared C-SSRS block) and a same-day consultation.
    path = psychosis.analysis.expert_path
    assert path, "the scenario has no expert path"
    assert "ask-permission-screen" in path
    assert {"cssrs-ask-q1-yes", "cssrs-ask-q2-yes", "cssrs-ask-q6-yes"} <= set(path)
    assert "step-out-consult" in path and "consult-concise" in path
    assert path.index("consult-concise") < path.index("seek-shared-plan"), "the consultation comes before the plan"
    assert "psychiatrist-decides" in path and "who-decides" in path
    doc_choices = {c["id"]: c for c in _choices(yaml.safe_load(PATH.read_text(encoding="utf-8")))}
    for step in path:
        if step in doc_choices:
            assert not DECIDES_ADMISSION.search(doc_choices[step]["say"]), step
            assert not doc_choices[step].get("effects", {}).get("mother_misinformed"), step
    required = {r.id for r in psychosis.scenario.requirements}
    assert {"structured-screen", "team-consulted-today"} <= required


def test_the_screen_comes_from_the_shared_block_and_one_no_does_not_settle_it(doc: dict[str, Any]) -> None:
    # 2.10 S2: the single double-barrelled question no longer ends the safety check.
    assert any(inc["file"] == "shared/cssrs-screen.yaml" for inc in doc["include"])
    offer = doc["nodes"]["screen-offer"]
    assert any(c["goto"] == "cssrs-q1" for c in offer["choices"])
    double = next(c for c in _choices(doc) if c["id"] == "ask-both-at-once")
    assert double["goto"] == "screen-offer", "after the double question the structured screen is still offered"
    assert not double.get("effects", {}).get("screened")


def test_speakers_are_cast_not_folded_into_the_client(doc: dict[str, Any]) -> None:
    # 2.10 m4: mother and daughter are separate voices, with the interpreter and the psychiatrist.
    assert {"mother", "interpreter", "psychiatrist", "counselor"} <= set(doc["cast"])
    assert "mother" not in doc["client"]["name"].lower() and "Nguyễn" not in doc["client"]["name"]


def test_the_roles_talk_states_no_minors_rule_from_memory(doc: dict[str, Any]) -> None:
    # 2.10 m1: the rules for teens come from state law and program policy; "when I can", not a promise.
    say = next(c for c in _choices(doc) if c["id"] == "clarify-roles-both")["say"].lower()
    assert "state" in say and "when i can" in say
    assert "most of what you tell me alone stays with me" not in say


def test_the_harsh_strawman_is_gone_and_reality_testing_is_the_error(doc: dict[str, Any]) -> None:
    # 2.10 m5: "crazy talk" was a strawman; the realistic error is gentle reality-testing.
    ids = {c["id"] for c in _choices(doc)}
    assert "argue-harshly" not in ids
    assert not any("crazy talk" in c["say"].lower() for c in _choices(doc))
    assert {"argue-logic", "explain-away"} <= ids
