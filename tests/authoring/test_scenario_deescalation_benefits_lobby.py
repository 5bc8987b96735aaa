"""Regression checks for the de-escalation scenario (clinical review 2.5 m1-m6, X7).

The review rated it ready for class after minor fixes; each test fails if one of them is undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from casesim.scoring.catalog import Catalog
from support.scenarios import written_choices

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "scenarios" / "deescalation-benefits-lobby.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


def _choices(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (choice for _, choice in written_choices(doc))


def _choice(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in _choices(doc) if c["id"] == cid)


def test_security_is_backup_in_the_expert_approach_and_a_threat_only_in_the_distractor(doc: dict[str, Any]) -> None:
    # m3: the legitimate role of security (visible backup) is modelled, the opening threat stays critical.
    approach = _choice(doc, "approach-introduce")
    assert "okoro" in approach["say"].lower() and "door" in approach["say"].lower()
    assert _choice(doc, "call-security-first").get("critical")


def test_a_document_really_is_missing(doc: dict[str, Any]) -> None:
    # m4: agreeing with what is true comes without full vindication.
    look = _choice(doc, "look-together-transparent")
    assert "missing" in look["say"].lower() and "our mistake" in look["say"].lower()
    overclaim = _choice(doc, "all-our-fault")
    assert sum(overclaim["scores"].values()) < 0


def test_her_humiliation_at_asking_for_help_can_be_reflected(doc: dict[str, Any]) -> None:
    # m5: the first in her family to ask for public help.
    wants = doc["nodes"]["what-she-wants"]
    assert any("first one" in v.get("say", "") for v in wants["client"])
    reflect = _choice(doc, "reflect-first-to-ask")
    assert reflect["mi"] == ["CR"] and reflect.get("when") == "trust >= 4"


def test_policy_practice_rests_on_more_than_a_reconsideration(doc: dict[str, Any], catalog: Catalog) -> None:
    # m6: C5 evidenced at the level of the agency's process, not only one client's appeal, through a
    # sourced criterion the competency map counts towards C5 (never the competency id as a criterion).
    debrief = _choice(doc, "hold-staff-debrief")
    assert "program manager" in debrief["say"].lower()
    assert catalog.competency_map is not None
    c5 = set(catalog.competency_map.competencies["EPAS22-C5"])
    rewarded = {cid for cid, points in debrief["scores"].items() if points > 0}
    assert rewarded & c5 == {"NASW-6.04"}
    assert not any(cid.startswith("EPAS22-") for _, choice in written_choices(doc) for cid in choice.get("scores", {}))


def test_the_colleague_remark_and_the_side_office_are_handled(doc: dict[str, Any]) -> None:
    # m1, m2 (first wave): the remark named at the glass and raised privately; security told where you are.
    assert "privately" in _choice(doc, "hold-staff-debrief")["say"].lower()
    assert "okoro" in _choice(doc, "offer-two-choices")["say"].lower()
