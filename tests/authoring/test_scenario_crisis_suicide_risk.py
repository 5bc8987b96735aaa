"""Regression checks for the crisis scenario (clinical review 2.4).

Each test fails if a serious or minor item the review found comes back: skipping items 3-5
(S1), the list of who gets what ignored (S2), the cold hand-off after arrival as a never-event
(S3), no branch where he leaves despite good practice (S5), and lethal-means counselling that
passes a dead spouse's pain pills to a friend and never asks about his own medicines or
alcohol (m6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.scenarios import written_choices

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "scenarios" / "crisis-suicide-risk.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


def _choices(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (choice for _, choice in written_choices(doc))


def _choice(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in _choices(doc) if c["id"] == cid)


def test_skipping_items_3_to_5_fails_the_attempt(doc: dict[str, Any]) -> None:
    # S1: the protocol duty, not a guessed triage, decides.
    failing = [t for t in doc["tests"] if "cssrs-screener-items-3-to-5" in (t["expect"].get("critical") or [])]
    assert failing and all(t["expect"]["passed"] is False for t in failing)


def test_the_expert_path_asks_about_the_list_after_6a(doc: dict[str, Any]) -> None:
    # S2: recent preparatory behaviour is asked about, not left on the desk.
    expert = doc["tests"][0]["choose"]
    assert expert.index("ask-q6a") < expert.index("ask-about-list") < expert.index("triage-high-stay")


def test_the_cold_handoff_after_arrival_is_a_scored_lapse(doc: dict[str, Any]) -> None:
    # S3 / X2: a warm hand-off is best practice, not a never-event.
    cold = _choice(doc, "cold-handoff")
    assert "critical" not in cold and sum(cold["scores"].values()) < 0


def test_he_can_leave_despite_good_practice(doc: dict[str, Any]) -> None:
    # S5: a branch where a respectful request to stay does not work.
    assert any("leave" in t["name"] and "despite" in t["name"] for t in doc["tests"])


def test_lethal_means_disposes_of_the_pills_and_asks_about_his_own_medicines_and_alcohol(doc: dict[str, Any]) -> None:
    # m6: a pharmacy drop box or take-back beats handing the pills on; his medicines, alcohol, guns.
    for cid in ("lethal-means-pills", "lethal-means-open"):
        say = _choice(doc, cid)["say"].lower()
        assert "alcohol" in say and "own medicines" in say and "gun" in say, cid
    pills = _choice(doc, "lethal-means-pills")
    assert "drop box" in pills["say"].lower() and "dennis could take the pills" not in pills["reply"].lower()
    assert "take-back" in " ".join([pills["feedback"]]).lower()


def test_no_stigmatising_word_in_the_transparent_explanation(doc: dict[str, Any]) -> None:
    # m7: "you're not crazy" repeats the word it means to lift.
    assert "crazy" not in _choice(doc, "explain-transparent")["say"].lower()
