"""The JSON Lines archive carries hashes and seals, and ``records import`` re-verifies it before
merging (issue 13 item 7; program review F17)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.archive import check_archive, to_import
from casesim.records.export.jsonl import write_jsonl
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play

KEY = b"0123456789abcdef" * 4
OTHER = b"fedcba9876543210" * 4


def _source(path: Path, catalog: Catalog, example: AnalysedScenario, key: bytes | None = None) -> dict[str, str]:
    with SQLiteStore(path, key=key) as store:
        store.upsert_trainee("ann", "Ann Lee", "c1")
        ids = {"assessment": play(store, example, catalog, "ann", EXPERT, mode="assessment"),
               "practice": play(store, example, catalog, "ann", ["introduce-and-ask-time", "undo", *SECRECY]),
               "left": play(store, example, catalog, "ann", LOST[:2]),
               "open": play(store, example, catalog, "bo", EXPERT[:3], finish=False),
               "bo": play(store, example, catalog, "bo", EXPERT, mode="assessment")}
    return ids


def _archive(path: Path, key: bytes | None = None) -> list[str]:
    out = io.StringIO()
    with SQLiteStore(path, readonly=True, key=key) as store:
        write_jsonl(store, out)
    return out.getvalue().splitlines()


def _merge(lines: list[str], target: Path, key: bytes | None = None) -> tuple[int, int]:
    checked = check_archive(lines, key)
    assert checked.problems == ()
    merged = skipped = 0
    with SQLiteStore(target, key=key) as store:
        for item in checked.attempts:
            if store.import_attempt(to_import(item, imported_at="2026-12-01T00:00:00.000000Z")):
                merged += 1
            else:
                skipped += 1
        assert store.verify() == []
    return merged, skipped


def test_an_unkeyed_archive_verifies_and_merges_as_practice_only(tmp_path: Path, catalog: Catalog,
                                                                  example: AnalysedScenario) -> None:
    ids = _source(tmp_path / "campus.db", catalog, example)
    lines = _archive(tmp_path / "campus.db")
    record = json.loads(lines[0])
    assert {"hash", "prev_hash", "seal", "trainee_seq", "debrief_text"} <= set(record["chain"])
    assert all(e["hash"] for e in record["events"])
    assert _merge(lines, tmp_path / "program.db") == (5, 0)
    with SQLiteStore(tmp_path / "program.db", readonly=True) as store:
        merged = {a.id: a for a in store.attempts()}
        assert set(merged) == set(ids.values())
        assessment = merged[ids["assessment"]]
        assert assessment.mode == "practice" and assessment.imported is not None
        assert assessment.imported["original_mode"] == "assessment" and assessment.imported["trusted"] is False
        assert merged[ids["left"]].status == "left" and merged[ids["open"]].status == "in-progress"
        assert assessment.passed is True and assessment.cohort == "c1"
        assert len(store.events(ids["practice"])) == len(_events(lines, ids["practice"]))
        assert store.trainee("ann") is not None and store.trainee("ann").display_name == "Ann Lee"  # type: ignore[union-attr]
    assert _merge(lines, tmp_path / "program.db") == (0, 5)  # de-duplicated by attempt id


def _events(lines: list[str], attempt_id: str) -> list[dict[str, object]]:
    return next(json.loads(line)["events"] for line in lines if json.loads(line)["attempt"]["id"] == attempt_id)


def test_an_archive_signed_with_the_store_key_keeps_its_modes(tmp_path: Path, catalog: Catalog,
                                                              example: AnalysedScenario) -> None:
    ids = _source(tmp_path / "campus.db", catalog, example, KEY)
    lines = _archive(tmp_path / "campus.db", KEY)
    assert _merge(lines, tmp_path / "program.db", KEY) == (5, 0)
    with SQLiteStore(tmp_path / "program.db", readonly=True, key=KEY) as store:
        assessment = store.attempt(ids["assessment"])
        assert assessment.mode == "assessment" and assessment.imported is not None and assessment.imported["trusted"]
    other = check_archive(lines, OTHER)
    assert other.problems and "key" in other.problems[0]
    assert check_archive(lines, None).problems  # a keyed archive cannot be checked without its key


@pytest.mark.parametrize("edit", ["pass", "event", "cut", "forged-attempt", "payload", "not-json"])
def test_an_edited_archive_is_refused_whole(tmp_path: Path, catalog: Catalog, example: AnalysedScenario,
                                            edit: str) -> None:
    ids = _source(tmp_path / "campus.db", catalog, example)
    lines = _archive(tmp_path / "campus.db")
    records = [json.loads(line) for line in lines]
    failed = next(r for r in records if r["attempt"]["id"] == ids["practice"])
    if edit == "pass":
        failed["attempt"]["passed"] = not failed["attempt"]["passed"]
    elif edit == "event":
        failed["events"][1]["payload"]["choice"] = "explain-role-and-limits"
    elif edit == "cut":
        failed["events"].pop()
    elif edit == "payload":
        failed["events"][0]["at"] = "2020-01-01T00:00:00.000000Z"
    if edit == "forged-attempt":  # ann's second attempt replaced by one from another store, relabelled
        with SQLiteStore(tmp_path / "forger.db") as store:
            play(store, example, catalog, "ann", EXPERT)
            play(store, example, catalog, "ann", EXPERT, mode="assessment")
        forged = json.loads(_archive(tmp_path / "forger.db")[1])
        forged["chain"]["store_id"] = failed["chain"]["store_id"]
        records = [forged if r is failed else r for r in records]
    edited = [json.dumps(r) for r in records]
    if edit == "not-json":
        edited[1] = edited[1][:40]
    checked = check_archive(edited, None)
    assert checked.problems, edit
    if edit == "forged-attempt":
        assert "does not follow" in " ".join(checked.problems)


def test_a_filtered_archive_merges_and_its_gaps_are_counted(tmp_path: Path, catalog: Catalog,
                                                            example: AnalysedScenario) -> None:
    ids = _source(tmp_path / "campus.db", catalog, example)
    lines = [line for line in _archive(tmp_path / "campus.db") if ids["practice"] not in line]
    checked = check_archive(lines, None)
    assert checked.problems == () and checked.gaps == 1
