"""xAPI fixes of issue 13 item 8 (program review F8, F10, F11; redteam review M10).

Each test reproduces a finding of the reviews and checks every exported statement with Ralph's
strict pydantic model (``ralph-malph``'s ``BaseXapiStatement``, the checker the program review
used; a strict LRS rejects what it rejects).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.play.library import load_scenario_versions
from casesim.records.export.xapi import check_iri, iri_segment, statements
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE
from support.records import EXPERT, LOST, play

BASE = "https://sim.eastside.edu"
VARIANT_SAY = "VARIANT: I'm calling about your housing referral; straight into the intake questions."


def _strict(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every statement passes Ralph's strict model (a validation error fails the test)."""
    out = list(items)
    assert out
    for statement in out:
        BaseXapiStatement(**statement)
    return out


def _variant(folder: Path, catalog: Catalog) -> AnalysedScenario:
    """An older version of the example (same id, another version and one option's words)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("\nversion: 1.1.0\n", "\nversion: 1.0.0\n", 1)
    text = text.replace("Hi, I'm calling about your housing referral. I know you're busy, so I'll go straight "
                        "into the intake questions and keep it quick. First, where are you sleeping at the moment?",
                        VARIANT_SAY, 1)
    assert VARIANT_SAY in text
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "example-check-in.yaml").write_text(text, encoding="utf-8")
    return require_scenario(folder / "example-check-in.yaml", catalog)


@pytest.mark.parametrize("cohort", ["MSW Fall 2026 #1", "MSW Online – Süd Campus 2026", "a/b?c=d"])
def test_cohort_names_from_data_are_percent_encoded_in_iris(store: SQLiteStore, example: AnalysedScenario,
                                                            catalog: Catalog, cohort: str) -> None:
    # M10 / F8: the raw cohort made 149/149 statements invalid IRIs ("#" even started a fragment).
    store.upsert_trainee("s1", "Ann Lee", cohort)
    play(store, example, catalog, "s1", EXPERT, mode="assessment")
    items = _strict(statements(store, library=[example], base_iri=BASE))
    courses = {g["id"] for s in items for g in s["context"]["contextActivities"].get("grouping", ())
               if g["definition"]["type"].endswith("/course")}
    assert courses == {f"{BASE}/xapi/activities/course/{iri_segment(cohort)}"}
    assert all("#" not in s["object"]["id"] and " " not in s["object"]["id"] for s in items)


def test_iri_segment_escapes_every_delimiter() -> None:
    assert iri_segment("MSW Fall 2026 #1") == "MSW%20Fall%202026%20%231"
    assert iri_segment("a/b?c") == "a%2Fb%3Fc"
    assert iri_segment("example-check-in") == "example-check-in"  # slug ids are unchanged


@pytest.mark.parametrize("value", ["not a url", "Eastside SSO", "sim.eastside.edu", "ftp://sim.eastside.edu",
                                   "https://", "https://sim.eastside.edu/#x", "https://sim.eastside.edu/?a=1",
                                   "https://sim.eastside.edu/\x1b]0;x\x07", ""])
def test_base_iri_and_home_page_must_be_absolute_http_urls(filled_store: SQLiteStore, value: str) -> None:
    # F8 / M10: "--home-page 'Eastside SSO'" was exported; Ralph rejected all 246 statements (HTTP 500).
    with pytest.raises(ValueError, match="URL"):
        check_iri(value)
    with pytest.raises(ValueError, match="base IRI"):
        next(statements(filled_store, base_iri=value))
    with pytest.raises(ValueError, match="home page"):
        next(statements(filled_store, base_iri=BASE, home_page=value))


def test_valid_base_iris_are_kept_as_given() -> None:
    for value in (BASE, "http://localhost:8100/lrs/", "https://sim.eastside.edu/field-ed"):
        assert check_iri(value) == value


@pytest.fixture
def filled_store(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> SQLiteStore:
    store.upsert_trainee("s1", "Ann Lee", "fall")
    play(store, example, catalog, "s1", EXPERT, mode="assessment")
    play(store, example, catalog, "s2", LOST)
    return store


def test_each_attempt_is_read_against_the_version_it_was_played_on(store: SQLiteStore, example: AnalysedScenario,
                                                                   catalog: Catalog, tmp_path: Path) -> None:
    # F10: attempts were read against whatever file had the id now, so an older attempt got the
    # newer file's options (or none at all when the file was gone).
    old = _variant(tmp_path / "old", catalog)
    assert old.content_hash != example.content_hash
    play(store, old, catalog, "s1", ["launch-into-questions"], finish=False)
    play(store, example, catalog, "s2", ["launch-into-questions"], finish=False)
    items = _strict(statements(store, library={"example-check-in": example, "old": old}, base_iri=BASE))
    answered = {s["context"]["registration"]: s for s in items if s["verb"]["display"]["en-US"] == "answered"}
    by_version = {s["context"]["revision"]: s for s in answered.values()}
    assert set(by_version) == {"1.0.0", "1.1.0"}  # each statement names the version played
    says = {v: {c["id"]: c["description"]["en-US"] for c in s["object"]["definition"]["choices"]}
            for v, s in by_version.items()}
    assert says["1.0.0"]["launch-into-questions"] == VARIANT_SAY
    assert says["1.1.0"]["launch-into-questions"] != VARIANT_SAY
    assert all(s["context"]["extensions"][f"{BASE}/xapi/extensions/content-hash"] in
               (old.content_hash, example.content_hash) for s in items)


def test_a_missing_version_is_named_in_a_note_not_silently_degraded(store: SQLiteStore, example: AnalysedScenario,
                                                                     catalog: Catalog, tmp_path: Path) -> None:
    # F10: without the file, 205/246 "answered" had no choices, score or success, and no warning.
    old = _variant(tmp_path / "old", catalog)
    play(store, old, catalog, "s1", EXPERT, mode="assessment")
    play(store, old, catalog, "s1", EXPERT[:2], finish=False)
    notes: list[str] = []
    items = _strict(statements(store, library=[example], base_iri=BASE, notes=notes))
    answered = [s for s in items if s["verb"]["display"]["en-US"] == "answered"]
    assert answered and all("choices" not in s["object"]["definition"] for s in answered)
    assert len(notes) == 1
    assert "2 attempt(s) of example-check-in were played on version 1.0.0" in notes[0]
    assert old.content_hash[:12] in notes[0] and "--versions" in notes[0]


def test_scenario_versions_are_found_by_content_hash_among_files_with_the_same_id(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    old = _variant(tmp_path / "archive" / "2025", catalog)
    found = load_scenario_versions([EXAMPLE.parent, tmp_path / "archive"], catalog,
                                   {old.content_hash, example.content_hash, "0" * 64})
    assert {p.content_hash for p in found} == {old.content_hash, example.content_hash}
    assert load_scenario_versions([EXAMPLE.parent], catalog, set()) == []


def test_timeout_responses_are_among_the_choices(filled_store: SQLiteStore, example: AnalysedScenario) -> None:
    # F11: 24 "timeout:<node>" responses were not among the node's choices.
    items = _strict(statements(filled_store, library=[example], base_iri=BASE))
    answered = [s for s in items if s["verb"]["display"]["en-US"] == "answered"]
    timeouts = [s for s in answered if s["result"]["response"].startswith("timeout:")]
    assert timeouts
    for s in answered:
        assert s["result"]["response"] in {c["id"] for c in s["object"]["definition"]["choices"]}
