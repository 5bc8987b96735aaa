"""Regression checks for the ER follow-up intake (clinical review 2.2).

Each test fails if an item the review found comes back: a Part 2 limits script with an invented
"someone else in danger" exception (S2), a promise of secrecy that fails the attempt even when
corrected at once (S3), the consented letter sent without its notice (m1). S1 (the suicide and
naloxone screen) is not fixed yet: see the scenario's reviewed notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "scenarios" / "intake-er-follow-up.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


def _choices(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for node in doc["nodes"].values():
        yield from node.get("choices", [])


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
