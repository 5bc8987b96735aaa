"""The live class view's domain: who is where, pauses, leaves, the speed check, the item analysis
building up, and re-reading the store only after a commit (records.class_watch, sqlite.live)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records import open_store
from casesim.records.api import RecordStore, decision_seconds
from casesim.records.class_watch import LIVE_PACE_MIN_DECISIONS, ClassWatch, TraineeNow
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.clock import FakeClock
from support.records import EXPERT, SECRECY, play

DRIVER = Path(__file__).resolve().parents[1] / "support" / "class_driver.py"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CASESIM_DB", None)
    return env


def _by_id(watch: ClassWatch, **kwargs: Any) -> dict[str, TraineeNow]:
    return {t.trainee_id: t for t in watch.read(**kwargs).now.trainees}


@pytest.fixture
def timed_store(records_db: str | Path, clock: FakeClock) -> Iterator[RecordStore]:
    """Records timed on a fake clock, so the speed check and "since" are the same everywhere."""
    s = open_store(records_db, clock=clock.wall)
    yield s
    s.close()


class CountingStore:
    """A real store that counts the calls made to it (the view's reads)."""

    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if callable(value) and name != "change_watch":
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return value(*args, **kwargs)
            return counted
        return value


def test_each_trainee_is_shown_at_their_place_with_pauses_leaves_and_results(
        store: RecordStore, example: AnalysedScenario, catalog: Catalog) -> None:
    for tid in ("ann", "bo", "cy", "dee", "eve"):
        store.upsert_trainee(tid, tid.title(), "fall")
    store.upsert_trainee("zed", "Zed", "spring")
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    play(store, example, catalog, "bo", SECRECY, mode="assessment")
    play(store, example, catalog, "cy", EXPERT[:2], finish=True)  # not at an ending: left, no penalty
    play(store, example, catalog, "dee", EXPERT[:2] + ["cheer-up", "undo"], finish=False)
    play(store, example, catalog, "zed", EXPERT[:1], finish=False)
    with ClassWatch(store, "fall", {example.scenario.id: example}) as watch:
        rows = _by_id(watch)
    assert sorted(rows) == ["ann", "bo", "cy", "dee", "eve"], "another cohort's trainee is not shown"
    assert {tid: r.status for tid, r in rows.items()} == {
        "ann": "passed", "bo": "not passed", "cy": "left", "dee": "playing", "eve": "not started"}
    dee = rows["dee"]
    assert dee.decisions == 2, "the undone choice is not counted"
    assert dee.node == "how-are-you" and dee.expert_decisions == len(EXPERT)
    assert dee.scenario_title == example.scenario.title and dee.mode == "practice"
    assert rows["ann"].node == "engaged" and rows["ann"].since is not None, "a finished attempt is at its ending"
    assert rows["eve"].attempt_id is None and rows["eve"].attempts == 0


def test_the_latest_attempt_in_the_cohort_is_the_one_shown(store: RecordStore, example: AnalysedScenario,
                                                            catalog: Catalog) -> None:
    store.upsert_trainee("ann", "Ann", "fall")
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    second = play(store, example, catalog, "ann", EXPERT[:3], finish=False)
    with ClassWatch(store, "fall", {example.scenario.id: example}) as watch:
        ann = _by_id(watch)["ann"]
    assert (ann.attempt_id, ann.status, ann.decisions, ann.attempts) == (second, "playing", 3, 2)


def test_a_pause_shows_as_paused_since_then_and_resuming_clears_it(
        timed_store: RecordStore, example: AnalysedScenario, clock: FakeClock) -> None:
    timed_store.upsert_trainee("ann", "Ann", "fall")
    session = Session(example.program)
    recorder = AttemptRecorder.start(timed_store, example, session, trainee_id="ann")
    session.choose(EXPERT[0])
    recorder.step()
    chose_at = clock.wall()
    clock.advance(30)
    recorder.pause()
    with ClassWatch(timed_store, "fall", {example.scenario.id: example}) as watch:
        ann = _by_id(watch)["ann"]
        assert ann.status == "paused" and ann.since is not None and ann.since.startswith(clock.wall().isoformat()[:19])
        assert ann.seconds_since_choice(chose_at + timedelta(seconds=95)) == pytest.approx(95)
        recorder.unpause()
        assert watch.changed()
        assert _by_id(watch)["ann"].status == "playing"


def test_nothing_committed_means_no_re_read_and_one_commit_one_re_read(
        store: RecordStore, records_db: str | Path, example: AnalysedScenario, catalog: Catalog) -> None:
    store.upsert_trainee("ann", "Ann", "fall")
    counting = CountingStore(store)
    with ClassWatch(counting, "fall", {example.scenario.id: example}) as watch:  # type: ignore[arg-type]
        watch.read()
        calls = list(counting.calls)
        assert calls == ["cohort_activity"], "nobody has decided yet: no item analysis to read"
        for _ in range(50):
            assert not watch.changed()
        assert counting.calls == calls, "checking for changes reads no table through the store"
        # A commit by another connection (another student's process) moves the watch once.
        with open_store(records_db) as other:
            play(other, example, catalog, "ann", EXPERT[:1], finish=False)
        assert watch.changed()
        assert not watch.changed()
        view = watch.read()
        assert counting.calls[len(calls):] == ["cohort_activity", "decision_paths"]
        assert view.items is not None and view.items.attempts == 1
        # The store's own writes (same process, its own connection) are seen too.
        store.upsert_trainee("bo", "Bo", "fall")
        assert watch.changed()


@contextmanager
def _statements_run(store: RecordStore, statements: list[str]) -> Iterator[None]:
    """Every SQL statement the store runs in the block, appended to ``statements``."""
    if isinstance(store, SQLiteStore):
        store._conn.set_trace_callback(statements.append)
        try:
            yield
        finally:
            store._conn.set_trace_callback(None)
        return
    import psycopg

    real = psycopg.Connection.execute

    def traced(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(query.decode() if isinstance(query, bytes) else str(query))
        return real(self, query, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Connection, "execute", traced)
        yield


def test_a_read_is_two_queries_whatever_the_size_of_the_class(store: RecordStore, example: AnalysedScenario,
                                                               catalog: Catalog) -> None:
    statements: list[str] = []

    def count(size: int) -> int:
        for i in range(size):
            tid = f"s{size}-{i:02d}"
            store.upsert_trainee(tid, tid, f"class-{size}")
            play(store, example, catalog, tid, EXPERT[: 1 + i % 4], finish=False)
        with ClassWatch(store, f"class-{size}", {example.scenario.id: example}) as watch, \
                _statements_run(store, statements):
            view = watch.read()
        assert len(view.now.trainees) == size
        selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        statements.clear()
        return len(selects)

    assert count(3) == count(30) <= 3


def test_the_item_analysis_builds_up_as_the_class_chooses(store: RecordStore, example: AnalysedScenario) -> None:
    recorders = {}
    for tid in ("ann", "bo", "cy"):
        store.upsert_trainee(tid, tid, "fall")
        recorders[tid] = AttemptRecorder.start(store, example, Session(example.program), trainee_id=tid)
    with ClassWatch(store, "fall", {example.scenario.id: example}) as watch:
        assert watch.read().items is None
        seen = []
        for tid, step in (("ann", EXPERT[0]), ("bo", EXPERT[0]), ("cy", "launch-into-questions")):
            recorders[tid].session.choose(step)
            recorders[tid].step()
            assert watch.changed()
            items = watch.read().items
            assert items is not None
            opening = next(n for n in items.nodes if n.node == "opening")
            seen.append({o.choice: (o.chosen_when_offered, o.offered) for o in opening.options if o.count})
        assert seen == [{EXPERT[0]: (1, 1)}, {EXPERT[0]: (2, 2)},
                        {EXPERT[0]: (2, 3), "launch-into-questions": (1, 3)}]
        view = watch.read()
        assert view.scenario_id == example.scenario.id and view.items is not None
        assert (view.items.attempts, view.items.trainees) == (3, 3)
        assert [(d.node, d.departed, d.offered) for d in view.departures] == [("opening", 1, 3)]
        assert watch.read(mode="assessment").items is None, "the mode filter applies to the item analysis"


def _play_timed(store: RecordStore, example: AnalysedScenario, clock: FakeClock, tid: str, steps: list[str],
                seconds: float, mode: str = "assessment") -> None:
    store.upsert_trainee(tid, tid, "fall")
    session = Session(example.program, mode="assessment" if mode == "assessment" else "practice")
    recorder = AttemptRecorder.start(store, example, session, trainee_id=tid)
    for step in steps:
        clock.advance(seconds)
        session.choose(step)
        recorder.step()


def test_an_attempt_in_progress_is_flagged_too_fast_once_it_has_enough_decisions(
        timed_store: RecordStore, example: AnalysedScenario, clock: FakeClock) -> None:
    enough = EXPERT[:LIVE_PACE_MIN_DECISIONS]
    _play_timed(timed_store, example, clock, "quick", enough, 1.0)
    _play_timed(timed_store, example, clock, "early", enough[:-1], 1.0)
    _play_timed(timed_store, example, clock, "careful", enough, 90.0)
    _play_timed(timed_store, example, clock, "practising", enough, 1.0, mode="practice")
    with ClassWatch(timed_store, "fall", {example.scenario.id: example}) as watch:
        rows = _by_id(watch)
    assert rows["quick"].too_fast and rows["quick"].pace is not None
    assert rows["quick"].pace.decision_seconds == pytest.approx(3.0)  # from the first screen to the last choice
    assert rows["early"].pace is None, "too few decisions to judge"
    assert rows["careful"].pace is not None and not rows["careful"].too_fast
    assert rows["practising"].pace is None, "as in the debrief, only assessment attempts are checked"


def test_a_finished_attempt_shows_the_speed_check_of_its_debrief(
        timed_store: RecordStore, example: AnalysedScenario, catalog: Catalog, clock: FakeClock) -> None:
    _play_timed(timed_store, example, clock, "ann", EXPERT, 2.0)
    attempt_id = timed_store.in_progress("ann")[0].id
    seconds = decision_seconds(timed_store.events(attempt_id))
    assert example.analysis is not None
    timed_store.finish_attempt(attempt_id, "completed", score_path(
        example.program, example.analysis, catalog, EXPERT, mode="assessment", decision_seconds=seconds))
    with ClassWatch(timed_store, "fall", {example.scenario.id: example}) as watch:
        ann = _by_id(watch)["ann"]
    stored = timed_store.attempt(attempt_id).pace
    assert stored is not None and stored.decision_seconds == pytest.approx(16.0)
    assert ann.status == "passed" and ann.too_fast and ann.pace == stored
    assert ann.node == "engaged", "a finished attempt is at its ending"


def test_trainees_writing_in_threads_are_seen_step_by_step(records_db: str | Path, example: AnalysedScenario) -> None:
    """Four trainees, each with their own connection in their own thread, take a step per round;
    after each round the watch has moved and every trainee is one decision further."""
    names = ["t1", "t2", "t3", "t4"]
    with open_store(records_db) as setup:
        for tid in names:
            setup.upsert_trainee(tid, tid, "fall")
    rounds = 4
    ready = threading.Barrier(len(names) + 1)
    go = threading.Barrier(len(names) + 1)
    errors: list[BaseException] = []

    def trainee(tid: str) -> None:
        try:
            with open_store(records_db) as own:
                session = Session(example.program)
                recorder = AttemptRecorder.start(own, example, session, trainee_id=tid)
                for step in EXPERT[:rounds]:
                    go.wait(timeout=60)
                    session.choose(step)
                    recorder.step()
                    ready.wait(timeout=60)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            go.abort()
            ready.abort()

    threads = [threading.Thread(target=trainee, args=(tid,)) for tid in names]
    with open_store(records_db, readonly=True) as reader, ClassWatch(reader, "fall", {example.scenario.id: example}) as watch:
        for thread in threads:
            thread.start()
        for done in range(1, rounds + 1):
            go.wait(timeout=60)
            ready.wait(timeout=60)
            assert watch.changed()
            view = watch.read()
            assert {t.trainee_id: t.decisions for t in view.now.trainees} == dict.fromkeys(names, done)
            assert view.items is not None and view.items.attempts == len(names)
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []


def test_trainees_in_other_processes_are_seen(records_db: str | Path, example: AnalysedScenario) -> None:
    with open_store(records_db) as setup:
        setup.upsert_trainee("setup", "Setup", "fall")
    with open_store(records_db, readonly=True) as reader, ClassWatch(reader, "fall", {example.scenario.id: example}) as watch:
        watch.read()
        assert not watch.changed()
        plan = [("ann", "assessment", "finish", EXPERT), ("bo", "practice", "pause", EXPERT[:3]),
                ("cy", "practice", "leave", EXPERT[:1]), ("dee", "assessment", "stay", EXPERT[:2])]
        procs = [subprocess.Popen([sys.executable, str(DRIVER), str(records_db), "fall", tid, mode, then, *steps],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
                 for tid, mode, then, steps in plan]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.startswith("done ")
        assert watch.changed()
        rows = _by_id(watch)
    assert {tid: (rows[tid].status, rows[tid].decisions) for tid, *_ in plan} == {
        "ann": ("passed", len(EXPERT)), "bo": ("paused", 3), "cy": ("left", 1), "dee": ("playing", 2)}


def test_a_read_after_one_trainee_moved_checks_the_pace_of_that_trainee_only(
        timed_store: RecordStore, example: AnalysedScenario, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from casesim.records import class_watch

    checked: list[str] = []
    real = class_watch._live_pace

    def counted(loaded: Any, content_hash: str, start: str, events: Any) -> Any:
        checked.append(start)
        return real(loaded, content_hash, start, events)

    monkeypatch.setattr(class_watch, "_live_pace", counted)
    for tid in ("ann", "bo", "cy"):
        _play_timed(timed_store, example, clock, tid, EXPERT[:3], 1.0)
    with ClassWatch(timed_store, "fall", {example.scenario.id: example}) as watch:
        assert all(t.too_fast for t in watch.read().now.trainees)
        assert len(checked) == 3
        watch.read()
        assert len(checked) == 3, "nobody moved: nothing checked again"
        attempt = timed_store.in_progress("bo")[0]
        timed_store.record_event(attempt.id, "pause", {"node": "ask-screen"})
        rows = _by_id(watch)
        assert len(checked) == 4 and rows["bo"].status == "paused" and rows["bo"].too_fast
