"""The path each sealed attempt keeps for reports (``attempts.path``, :mod:`casesim.records.paths`).

The item analysis groups attempts by it instead of reading every path event (issue 13
benchmark), so it must say exactly what the events say: written with the seal, read back the
same as from the events, checked by ``records verify``, never trusted when it does not read as a
path, and written for the attempts of a store made before it existed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import RecordStore
from casesim.records.paths import path_steps, path_text
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play

# Undone choices, a timer run out, an attempt left midway and one still in progress.
PLAN = [("ann", EXPERT, "practice", True), ("ann", [SECRECY[0], SECRECY[1], "undo", *EXPERT[1:]], "practice", True),
        ("bo", LOST, "assessment", True), ("bo", LOST[:3], "practice", True), ("cy", EXPERT[:4], "practice", False),
        ("cy", [EXPERT[0], EXPERT[1], "undo"], "practice", True)]


def _played(store: RecordStore, example: AnalysedScenario, catalog: Catalog) -> None:
    for tid in ("ann", "bo", "cy"):
        store.upsert_trainee(tid, tid.title(), "fall")
    for tid, path, mode, finish in PLAN:
        play(store, example, catalog, tid, path, mode=mode, finish=finish)


def _by_events(store: RecordStore, attempt_id: str) -> str | None:
    return path_text((e.kind, e.payload.get("node"), e.payload.get("choice")) for e in store.events(attempt_id))


def _paths(store: RecordStore) -> list[tuple[object, ...]]:
    return sorted((p.trainee_id, p.steps, p.nodes, p.attempts) for p in store.decision_paths(cohort="fall"))


def test_the_seal_stores_the_path_the_events_leave_and_reports_read_the_same(
        open_records: Callable[..., RecordStore], sql_rows: Callable[..., list[tuple[object, ...]]],
        raw_sql: Callable[..., int], catalog: Catalog, example: AnalysedScenario) -> None:
    with open_records() as store:
        _played(store, example, catalog)
        attempts = {a.id: a for a in store.attempts()}
        stored = dict(sql_rows("SELECT id, path FROM attempts"))
        for aid, attempt in attempts.items():
            if attempt.status == "in-progress":
                assert stored[aid] is None  # read from its events until it is sealed
            else:
                assert stored[aid] is not None and stored[aid] == _by_events(store, aid)
        undone = [aid for aid in attempts if any(e.kind == "undo" for e in store.events(aid))]
        assert undone and all(path_steps(str(stored[aid])) is not None for aid in undone
                              if attempts[aid].status != "in-progress")
        from_stored = _paths(store)
        assert store.verify() == []
    # The same paths from the events alone (every copy taken away).
    assert raw_sql("UPDATE attempts SET path = NULL") == len(attempts)
    with open_records(readonly=True) as store:
        assert _paths(store) == from_stored
        assert store.verify() == []


def test_an_edited_path_is_named_by_verify_and_an_unreadable_one_is_not_trusted(
        open_records: Callable[..., RecordStore], raw_sql: Callable[..., int], catalog: Catalog,
        example: AnalysedScenario) -> None:
    with open_records() as store:
        _played(store, example, catalog)
        truth = _paths(store)
        bo = [a.id for a in store.attempts(trainee_id="bo") if a.mode == "assessment"][0]
    # Bo's assessment made to read as the expert's path: the report would count it so, and
    # verify says the copy is not what the events say.
    assert raw_sql("UPDATE attempts SET path = (SELECT path FROM attempts WHERE trainee_id = 'ann' "
                   "ORDER BY n LIMIT 1) WHERE id = ?", (bo,)) == 1
    with open_records(readonly=True) as store:
        problems = store.verify()
        assert [(p.kind, p.attempt_id) for p in problems] == [("edited", bo)]
        assert "stored path" in problems[0].message
    # A copy that is not a path at all is not trusted: that attempt is read from its events.
    for garbage in ("not json", '{"a": 1}', "[[1, 2]]", '[["only-one"]]'):
        assert raw_sql("UPDATE attempts SET path = ? WHERE id = ?", (garbage, bo)) == 1
        with open_records(readonly=True) as store:
            assert _paths(store) == truth, garbage
            assert [p.attempt_id for p in store.verify()] == [bo]


def test_a_store_from_before_the_stored_path_gains_it_for_its_sealed_attempts(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    db = tmp_path / "older.db"
    with SQLiteStore(db) as store:
        _played(store, example, catalog)
        before = _paths(store)
    with sqlite3.connect(db, isolation_level=None) as conn:  # what the file was one migration ago
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute("DROP INDEX attempts_paths")
        conn.execute("DROP INDEX attempts_unstamped")
        conn.execute("ALTER TABLE attempts DROP COLUMN path")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(current - 1),))
        conn.execute(f"PRAGMA user_version = {current - 1}")
    conn.close()
    with SQLiteStore(db) as store:
        rows = store._conn.execute("SELECT id, status, path FROM attempts").fetchall()
        assert rows and all((path is None) == (status == "in-progress") for _, status, path in rows)
        assert all(path == _by_events(store, aid) for aid, status, path in rows if status != "in-progress")
        assert _paths(store) == before
        assert store.verify() == []
