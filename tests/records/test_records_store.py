"""The store on both backends: what it writes and how it reads back (and, for SQLite, the file's
permissions and journal mode)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import NotFoundError, StoreError
from casesim.records import effective_path, open_store
from casesim.records.api import RecordStore
from casesim.records.chain import iso_utc, parse_iso
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play


@pytest.mark.sqlite_only
def test_database_and_its_journals_are_readable_by_the_owner_only(store: SQLiteStore, db_path: Path) -> None:
    store.upsert_trainee("t1", "Ann")
    for name in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        assert stat.S_IMODE(name.stat().st_mode) == 0o600, name


@pytest.mark.sqlite_only
def test_store_uses_wal_and_full_sync(store: SQLiteStore) -> None:
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.sqlite_only
def test_timestamps_are_iso_8601_utc_text(db_path: Path) -> None:
    moment = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)
    store = SQLiteStore(db_path, clock=lambda: moment)
    attempt = store.start_attempt(trainee_id="t1", scenario_id="s", scenario_version="1.0.0", content_hash="h",
                                  mode="practice", seed=0, start_node="a")
    event = store.record_event(attempt, "node-entered", {"node": "a"})
    assert event.at == "2026-11-22T10:00:00.123456Z" == store.attempt(attempt).started_at
    assert store._conn.execute("SELECT typeof(at) FROM events").fetchone()[0] == "text"
    assert parse_iso(event.at) == moment
    assert iso_utc(moment.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))) == event.at
    with pytest.raises(ValueError):
        iso_utc(datetime(2026, 1, 1))  # naive times are refused


def test_upsert_trainee_keeps_the_cohort_unless_given(store: SQLiteStore) -> None:
    store.upsert_trainee("t1", "Ann Lee", "fall-2026")
    store.upsert_trainee("t1", "Ann B. Lee")
    trainee = store.trainee("t1")
    assert trainee is not None and (trainee.display_name, trainee.cohort) == ("Ann B. Lee", "fall-2026")
    store.upsert_trainee("t1", "Ann B. Lee", "spring-2027")
    assert [t.id for t in store.trainees("spring-2027")] == ["t1"]
    assert store.cohorts() == ["spring-2027"]


def test_a_played_attempt_is_stored_with_events_and_debrief(store: SQLiteStore, example: AnalysedScenario,
                                                            catalog: Catalog) -> None:
    store.upsert_trainee("t1", "Ann", "c1")
    attempt_id = play(store, example, catalog, "t1", EXPERT, mode="assessment")
    attempt = store.attempt(attempt_id)
    assert attempt.status == "completed" and attempt.passed is True and attempt.ended_at is not None
    assert attempt.content_hash == example.content_hash and attempt.scenario_version == example.scenario.version
    events = store.events(attempt_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].kind == "node-entered" and events[0].payload == {
        "node": "opening", "lines": ["node.opening.narration", "node.opening.client"]}
    assert effective_path(events) == EXPERT
    choice = next(e for e in events if e.kind == "choice")
    assert set(choice.payload) == {"node", "choice", "seconds", "state", "lines"}
    debrief = store.debrief(attempt_id)
    assert debrief is not None and debrief.passed and debrief.ending == "engaged"
    points = store.competency_points(trainee_id="t1")
    assert {p.competency for p in points} == {c.id for c in debrief.competencies}
    assert store.criterion_rows(cohort="c1")
    assert store.verify() == []


def test_timeouts_and_abandoned_attempts(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t2", LOST[:3])
    attempt = store.attempt(attempt_id)
    assert attempt.status == "left" and attempt.passed is None and store.debrief(attempt_id) is None
    kinds = [e.kind for e in store.events(attempt_id)]
    assert "timer-expired" in kinds and kinds[-1] == "left"
    assert store.trainee("t2") is not None  # created on the fly


def test_listing_attempts_by_trainee_cohort_and_progress(store: SQLiteStore, example: AnalysedScenario,
                                                         catalog: Catalog) -> None:
    store.upsert_trainee("a", "A", "c1")
    store.upsert_trainee("b", "B", "c2")
    first = play(store, example, catalog, "a", EXPERT)
    second = play(store, example, catalog, "a", EXPERT[:2], finish=False)
    other = play(store, example, catalog, "b", EXPERT[:1], finish=False)
    assert [a.id for a in store.attempts(trainee_id="a")] == [first, second]
    assert [a.id for a in store.attempts(cohort="c2")] == [other]
    assert [a.id for a in store.in_progress()] == [other, second]
    assert [a.id for a in store.in_progress("a")] == [second]


def test_events_cannot_be_added_to_a_finished_attempt(store: SQLiteStore, example: AnalysedScenario,
                                                      catalog: Catalog) -> None:
    attempt_id = play(store, example, catalog, "t", EXPERT)
    with pytest.raises(StoreError, match="completed"):
        store.record_event(attempt_id, "pause", {"node": "x"})
    with pytest.raises(StoreError, match="already"):
        store.finish_attempt(attempt_id, "abandoned", None)
    with pytest.raises(NotFoundError, match="no attempt"):
        store.record_event("nope", "pause", {"node": "x"})
    with pytest.raises(NotFoundError, match="no attempt"):
        store.finish_attempt("nope", "abandoned", None)


def test_bad_events_are_refused_before_anything_is_written(store: SQLiteStore) -> None:
    attempt = store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1.0.0", content_hash="h",
                                  mode="practice", seed=0, start_node="a")
    with pytest.raises(ValueError, match="kind"):
        store.record_event(attempt, "jump", {"node": "a"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="choice"):
        store.record_event(attempt, "choice", {"node": "a"})
    with pytest.raises(ValueError, match="JSON"):
        store.record_event(attempt, "pause", {"node": float("nan")})
    assert store.events(attempt) == []


def test_read_only_store_reads_but_never_writes(open_records: Callable[..., RecordStore], example: AnalysedScenario,
                                               catalog: Catalog) -> None:
    with open_records() as store:
        attempt_id = play(store, example, catalog, "t", EXPERT)
    reader = open_records(readonly=True)
    assert reader.attempt(attempt_id).status == "completed"
    with pytest.raises(StoreError, match="read-only"):
        reader.upsert_trainee("x", "X")
    reader.close()


def test_read_only_open_of_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no records database"):
        open_store(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()


def test_a_store_is_usable_from_another_thread(store: SQLiteStore) -> None:
    import threading

    errors: list[BaseException] = []

    def work() -> None:
        try:
            store.upsert_trainee("thread", "T")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert not errors and store.trainee("thread") is not None


def test_clock_going_backwards_keeps_event_order(open_records: Callable[..., RecordStore]) -> None:
    times = iter([datetime(2026, 1, 2, tzinfo=UTC) - timedelta(seconds=i) for i in range(10)])
    store = open_records(clock=lambda: next(times))
    attempt = store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1.0.0", content_hash="h",
                                  mode="practice", seed=0, start_node="a")
    for node in "abc":
        store.record_event(attempt, "node-entered", {"node": node})
    assert [e.payload["node"] for e in store.events(attempt)] == ["a", "b", "c"]
    assert store.verify() == []
    store.close()
