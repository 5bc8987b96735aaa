"""The speed check on recorded attempts: decision time from the record, breaks and resume gaps
left out, the flag stored with the attempt and reported (issue 10, item 8)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.attempt import LiveAttempt
from casesim.records.api import EventKind, EventRow, decision_seconds
from casesim.records.export.pdf import render_pdf
from casesim.records.render import cohort_text, trainee_text
from casesim.records.reports import cohort_report, trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import minutes_text
from casesim.scoring.pace import screen_words
from casesim.semantics.explore import Analysis
from casesim.semantics.program import replay
from support.clock import FakeClock
from support.pdf import pdf_text, reads_in_order
from support.records import EXPERT


def _analysis(example: AnalysedScenario) -> Future[Analysis]:
    future: Future[Analysis] = Future()
    future.set_result(example.analysis)
    return future


def _steps(attempt: LiveAttempt, clock: FakeClock, steps: Sequence[str], seconds_each: float) -> None:
    for step in steps:
        clock.advance(seconds_each)
        attempt.choose(step)


def _event(seq: int, kind: EventKind, at: float) -> EventRow:
    clock = FakeClock(at)
    stamp = clock.wall().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {"node": "n", "choice": f"c{seq}"} if kind == "choice" else {"node": "n"}
    return EventRow("a", seq, kind, stamp, payload)


def test_decision_time_leaves_out_breaks_and_the_gap_before_a_resume() -> None:
    events = [_event(1, "node-entered", 0), _event(2, "choice", 10), _event(3, "node-entered", 10),
              _event(4, "pause", 15), _event(5, "resume", 615),          # a 10-minute break: not counted
              _event(6, "choice", 620), _event(7, "node-entered", 620),
              _event(8, "resume", 90620),                                  # the terminal closed overnight
              _event(9, "choice", 90624), _event(10, "node-entered", 90624)]
    assert decision_seconds(events) == 10 + 5 + 5 + 4
    assert decision_seconds(events[:1]) == 0.0


def test_a_fast_assessment_is_flagged_in_the_debrief_the_record_and_the_reports(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "records.db"
    with SQLiteStore(db, clock=clock.wall) as store:
        store.upsert_trainee("s1", "Sam One", "fall")
        attempt = LiveAttempt.begin(example, catalog, _analysis(example), mode="assessment", trainee_id="s1",
                                    store=store, clock=clock)
        _steps(attempt, clock, EXPERT, 2.5)  # pressing through: 20 s for several hundred words
        debrief = attempt.finish()
        assert debrief.passed  # the flag does not change the score or the pass
        assert debrief.pace is not None and debrief.pace.too_fast
        assert debrief.pace.decision_seconds == 20.0
        path = replay(example.program, EXPERT)
        assert debrief.pace.words == sum(screen_words(example.program, state) for state, _ in path.taken)
        [row] = store.attempts()
        assert row.pace is not None and row.pace.too_fast and row.pace.decision_seconds == 20.0
        assert store.verify() == []
        expected = f"finished in 20 s; reading alone takes about {minutes_text(debrief.pace.reading_seconds)}"
        assert expected in trainee_text(trainee_report(store, "s1", catalog=catalog))
        cohort = cohort_text(cohort_report(store, "fall", catalog=catalog))
        assert "Implausibly fast assessment attempts" in cohort and expected in cohort
        report = trainee_report(store, "s1", catalog=catalog)
        pdf = pdf_text(render_pdf(report, tmp_path / "s1.pdf", catalog=catalog))
        assert "Implausibly fast attempts" in pdf and reads_in_order(expected, pdf)
    # Removing the flag from the row is an edit verify reports (it is a copy of the sealed debrief).
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET too_fast = 0")
    with SQLiteStore(db) as store:
        assert any("verdict or pace flag was edited" in p.message for p in store.verify())


def test_a_careful_pace_is_not_flagged_and_practice_is_not_checked(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    clock = FakeClock()
    with SQLiteStore(tmp_path / "records.db", clock=clock.wall) as store:
        for mode, expect_pace in (("assessment", True), ("practice", False)):
            attempt = LiveAttempt.begin(example, catalog, _analysis(example), mode=mode, trainee_id="s1",
                                        store=store, clock=clock)
            _steps(attempt, clock, EXPERT, 30)
            debrief = attempt.finish()
            assert (debrief.pace is not None) == expect_pace
            if debrief.pace is not None:
                assert not debrief.pace.too_fast and debrief.pace.decision_seconds == 240.0
        assert [a.pace is not None and a.pace.too_fast for a in store.attempts()] == [False, False]


def test_a_resumed_attempt_is_measured_without_the_time_it_was_closed(
        example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "records.db"
    with SQLiteStore(db, clock=clock.wall) as store:
        attempt = LiveAttempt.begin(example, catalog, _analysis(example), mode="assessment", trainee_id="s1",
                                    store=store, clock=clock)
        _steps(attempt, clock, EXPERT[:4], 2)
        attempt_id = attempt.attempt_id
        attempt.close()  # the terminal is closed mid-attempt
    assert attempt_id is not None
    clock.advance(86_400)  # a day later
    with SQLiteStore(db, clock=clock.wall) as store:
        resumed = LiveAttempt.resume(example, catalog, _analysis(example), attempt_id, store=store, clock=clock)
        _steps(resumed, clock, EXPERT[4:], 2)
        debrief = resumed.finish()
    assert debrief.pace is not None and debrief.pace.decision_seconds == 16.0 and debrief.pace.too_fast
