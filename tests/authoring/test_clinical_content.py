"""Regression checks for clinical-review items fixed in the bundled scenarios' content.

Each test names the review item it guards (docs: ../shared/reviews/clinical-review.md), so an
edit that brings the error back fails here, not in a classroom.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from support.scenarios import written_choices

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))

NEGATIVE_METERS = {"distress", "shame", "anger"}
"""Meters where a rise means the client is worse off."""


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def _rises(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_asking_a_screener_item_never_raises_distress(path: Path) -> None:
    # X8: meters respond to how a question is asked, never to whether suicide is asked about.
    doc = _load(path)
    bad = [
        f"{node}/{choice['id']}: {name} +{value}"
        for node, choice in written_choices(doc)
        if any(str(step).startswith("CSSRS-Q") for step in choice.get("steps", []))
        for name, value in choice.get("effects", {}).items()
        if name in NEGATIVE_METERS and _rises(value)
    ]
    assert not bad, f"{path.name}: asking a C-SSRS item raises a distress meter: {bad}"


def test_the_er_intake_states_no_invented_part2_exception() -> None:
    # intake-er S2: a Part 2 program has no general "you or someone else in danger" exception.
    doc = _load(ROOT / "scenarios" / "intake-er-follow-up.yaml")
    limits_lines = {"explain-limits", "correct-the-promise", "add-the-exceptions", "own-earlier-promise"}
    for _, choice in written_choices(doc):
        if choice["id"] in limits_lines:
            say = choice["say"].lower()
            assert "someone else" not in say and "immediate danger" not in say, choice["id"]
            assert "child" in say, choice["id"]


def test_the_limits_talk_is_never_scored_as_the_imminent_harm_exception() -> None:
    # X7: explaining limits or promising secrecy is NASW 1.01 (1.07(e) is unverified), not 1.07(c).
    for path in SCENARIOS:
        doc = _load(path)
        for node, choice in written_choices(doc):
            if choice.get("never_event") == "confidentiality-beyond-law" or "limits_explained" in choice.get("effects", {}):
                assert "NASW-1.07(c)" not in choice.get("scores", {}), f"{path.name}: {node}/{choice['id']}"


def test_the_relapse_expert_path_screens_after_most_days_and_offers_moud() -> None:
    # relapse S3, S4: the expert path asks C-SSRS items 1 and 2 after "Most days" and offers MOUD.
    doc = _load(ROOT / "scenarios" / "relapse-return-to-use.yaml")
    expert = doc["tests"][0]["choose"]
    assert expert.index("share-concern-with-permission") < expert.index("ask-q1-most-days") < expert.index("ask-q2-relapse")
    assert "offer-moud-referral" in expert
    assert any(r["id"] == "screen-after-most-days" for r in doc["requirements"])
    assert "deliberately left out" not in doc["reviewed"]["notes"]
