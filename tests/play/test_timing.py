"""Timing accommodations (issue 15 item 2): the reading allowance on every timer, the 1.5x / 2x /
no-limit factors, who may ask for which, the clock that stops under any overlay, the allowance
recorded with the attempt and the instructor's setting kept in the record store."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import CaseSimError, NotFoundError
from casesim.play.clock import PausableClock
from casesim.play.recorder import AttemptRecorder, recorded_timing, resume_session
from casesim.play.session import Session
from casesim.play.timing import (
    TimeChoice,
    attempt_timing,
    effective_allowance,
    parse_allowance,
    reading_seconds,
    timer_limit,
    timing_text,
)
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.pace import READING_WPM, screen_words
from support.clock import FakeClock
from support.program_schema import drop_program_schema


def _at_timed_moment(example: AnalysedScenario, clock: FakeClock, allowance: str = "standard") -> Session:
    session = Session(example.program, mode="assessment", clock=clock, time_allowance=parse_allowance(allowance))
    session.apply_path(["introduce-and-ask-time", "explain-role-and-limits"])
    assert session.node_id == "how-are-you" and session.author_timer_seconds() == 45
    return session


def test_the_reading_allowance_is_the_screen_s_words_at_238_wpm() -> None:
    assert READING_WPM == 238
    assert reading_seconds(238) == 60.0
    assert timer_limit(45, 0) == 45
    assert timer_limit(45, 119) == 75          # 45 + 30 s of reading
    assert timer_limit(45, 119, "2x") == 150   # both the moment and its reading doubled
    assert timer_limit(45, 119, "1.5x") == 113  # 112.5, rounded up: never a second short
    assert timer_limit(45, 119, "none") is None


def test_a_2x_accommodation_doubles_the_timer_with_its_reading_allowance(example: AnalysedScenario) -> None:
    clock = FakeClock()
    standard = _at_timed_moment(example, clock)
    words = screen_words(example.program, standard.state)
    assert words > 0
    assert standard.timer_seconds() == math.ceil(45 + words * 60 / 238)
    doubled = _at_timed_moment(example, clock, "2x")
    assert doubled.timer_seconds() == math.ceil((45 + words * 60 / 238) * 2)
    clock.advance(standard.timer_seconds() or 0)
    assert standard.timer_expired() and not doubled.timer_expired()
    clock.advance((doubled.timer_seconds() or 0) - (standard.timer_seconds() or 0))
    assert doubled.timer_expired()


def test_no_limit_never_runs_out(example: AnalysedScenario) -> None:
    clock = FakeClock()
    session = _at_timed_moment(example, clock, "none")
    clock.advance(10_000)
    assert session.timer_seconds() is None and session.time_left() is None and not session.timer_expired()
    session.choose("reflect-tiredness")  # an assessment answer after any time still counts


def test_the_clock_stops_for_every_hold_until_all_are_released() -> None:
    base = FakeClock()
    clock = PausableClock(base)
    start = clock()
    clock.hold("overlay")
    base.advance(30)
    clock.pause()            # the pause screen opened over help
    base.advance(30)
    clock.release("overlay")  # help closed, still paused
    base.advance(30)
    assert clock() == start and clock.holds == {"pause"}
    clock.resume()
    base.advance(5)
    assert clock() == start + 5 and not clock.paused


@pytest.mark.parametrize(("text", "expected"), [("2x", "2x"), ("2×", "2x"), ("1.5", "1.5x"), ("NONE", "none"),
                                                ("off", "standard"), ("no-limit", "none")])
def test_allowances_are_read_from_what_people_type(text: str, expected: str) -> None:
    assert parse_allowance(text) == expected


def test_an_unknown_allowance_says_what_to_type() -> None:
    with pytest.raises(CaseSimError) as info:
        parse_allowance("3x")
    assert "1.5x, 2x, none" in (info.value.hint or "")


def test_a_student_s_request_applies_in_practice_only_and_the_more_generous_wins() -> None:
    assert effective_allowance("practice", requested="2x") == TimeChoice("2x", "student")
    assert effective_allowance("assessment", requested="2x") == TimeChoice("standard", "standard")
    assert effective_allowance("assessment", instructor="1.5x", requested="none") == TimeChoice("1.5x", "instructor")
    assert effective_allowance("practice", instructor="1.5x", requested="2x") == TimeChoice("2x", "student")
    assert effective_allowance("practice", instructor="none", requested="2x") == TimeChoice("none", "instructor")
    assert timing_text(TimeChoice("2x", "instructor")) == "2× time, set by the instructor"


def test_the_instructor_s_setting_is_kept_with_who_and_when(store: RecordStore) -> None:
    with pytest.raises(NotFoundError):
        store.set_accommodation("nobody", "2x", set_by="Dr Lee")
    store.upsert_trainee("ana", "Ana")
    store.set_accommodation("ana", "2x", set_by="Dr Lee")
    row = store.accommodation("ana")
    assert row is not None and (row.time, row.set_by) == ("2x", "Dr Lee") and row.set_at
    assert attempt_timing(store, "ana", "assessment") == TimeChoice("2x", "instructor")
    store.set_accommodation("ana", None, set_by="Dr Lee")
    assert store.accommodation("ana") is None
    assert attempt_timing(store, "ana", "assessment") == TimeChoice("standard", "standard")


def test_the_migration_adds_the_table_to_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE accommodations")  # schema 5 added it (schema 6: stamped cohorts, import notes)
    drop_program_schema(conn)
    conn.execute("DROP INDEX attempts_by_cohort")
    conn.execute("ALTER TABLE attempts DROP COLUMN cohort")
    conn.execute("ALTER TABLE attempts DROP COLUMN imported")
    conn.execute("PRAGMA user_version = 4")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with open_store(path) as store:
        assert "cohort_stamped_since" in store.chain_info()  # schema 6 ran after it
        store.upsert_trainee("ana", "Ana")
        store.set_accommodation("ana", "1.5x", set_by="Dr Lee")
        assert store.accommodation("ana") is not None


def test_the_allowance_is_recorded_with_the_attempt_and_a_resume_keeps_it(
        example: AnalysedScenario, store: RecordStore) -> None:
    clock = FakeClock()
    session = Session(example.program, mode="assessment", clock=clock, time_allowance="2x")
    recorder = AttemptRecorder.start(store, example, session, trainee_id="ana",
                                     timing=TimeChoice("2x", "instructor"))
    session.choose("introduce-and-ask-time")
    recorder.step()
    events = store.events(recorder.attempt_id)
    assert events[0].payload["accommodation"] == {"time": "2x", "source": "instructor"}
    assert recorded_timing(events) == TimeChoice("2x", "instructor")
    resumed, _ = resume_session(store, recorder.attempt_id, example, clock=clock)
    assert resumed.time_allowance == "2x"
    assert not store.verify()  # the chain covers the payload as it covers every event
