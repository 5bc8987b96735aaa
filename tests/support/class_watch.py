"""A class in progress for the live class view's tests: five trainees of cohort ``msw-fall`` at
different places, recorded on a fake clock through the real session layer."""

from __future__ import annotations

from datetime import datetime, timedelta

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records.api import RecordStore, decision_seconds
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.clock import FakeClock
from support.records import EXPERT, SECRECY

COHORT = "msw-fall"
SEEN_AFTER = 75.0
"""The view's clock stands this many seconds after the last recorded event."""


def _attempt(store: RecordStore, example: AnalysedScenario, clock: FakeClock, trainee: str, steps: list[str], *,
             seconds: float, mode: str = "practice") -> AttemptRecorder:
    session = Session(example.program, mode="assessment" if mode == "assessment" else "practice")
    recorder = AttemptRecorder.start(store, example, session, trainee_id=trainee)
    for step in steps:
        clock.advance(seconds)
        session.choose(step)
        recorder.step()
    return recorder


def populate(store: RecordStore, example: AnalysedScenario, catalog: Catalog, clock: FakeClock) -> datetime:
    """Ann passed, Bo is playing, Cy left, Dee is going implausibly fast, Eve paused, Fay has not
    started; returns the moment the view should show (:data:`SEEN_AFTER` after the last event)."""
    for tid, name in (("ann", "Ann Lee"), ("bo", "Bo Chen"), ("cy", "Cy Diaz"), ("dee", "Dee Okafor-Williamson"),
                      ("eve", "Eve Park"), ("fay", "Fay Ortiz")):
        store.upsert_trainee(tid, name, COHORT)
    store.upsert_trainee("zed", "Zed Other", "msw-spring")
    ann = _attempt(store, example, clock, "ann", EXPERT, seconds=40.0, mode="assessment")
    assert example.analysis is not None
    ann.finish(score_path(example.program, example.analysis, catalog, EXPERT, mode="assessment",
                          decision_seconds=decision_seconds(store.events(ann.attempt_id))))
    _attempt(store, example, clock, "bo", SECRECY[:3], seconds=35.0)
    _attempt(store, example, clock, "cy", EXPERT[:2], seconds=20.0).leave()
    _attempt(store, example, clock, "dee", EXPERT[:4], seconds=1.0, mode="assessment")
    eve = _attempt(store, example, clock, "eve", EXPERT[:1], seconds=50.0)
    clock.advance(10)
    eve.pause()
    return clock.wall() + timedelta(seconds=SEEN_AFTER)
