"""Recording a live session and resuming it at the exact state.

The TUI plays a :class:`~casesim.play.session.Session`; an :class:`AttemptRecorder` beside it
writes each step to the store *before* the next screen is drawn. Every choice carries a
snapshot of the state it led to, so a resumed attempt is checked against what was recorded:

    recorder = AttemptRecorder.start(store, loaded, session, trainee_id="t-042")
    result = session.choose("ask-q1")
    recorder.step()                 # choice + node-entered, one durable commit
    ...
    recorder = AttemptRecorder.resume(store, attempt_id, loaded)   # rebuilds the Session
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casesim.authoring.pipeline import Playable
from casesim.authoring.signoff import playable_signoff
from casesim.errors import ResumeError, SessionError
from casesim.play.session import MonotonicClock, Session
from casesim.play.timing import ALLOWANCES, TimeAllowance, TimeChoice
from casesim.play.transcript import Line, moment_lines, step_lines
from casesim.records.api import (
    AttemptRow,
    EventKind,
    EventRow,
    RecordStore,
    effective_path,
    effective_steps,
)
from casesim.records.outbox import remember_scenario
from casesim.scoring.debrief import Debrief
from casesim.semantics.program import Program, State, variables

__all__ = ["AttemptRecorder", "ResumePoint", "expected_state", "recorded_timing", "resume_point", "resume_session",
           "state_snapshot", "step_payload"]


def state_snapshot(program: Program, state: State) -> dict[str, Any]:
    """A JSON-ready picture of a state: node, variables by name, visited nodes, choices made."""
    return {"node": state.node, "vars": variables(program, state), "visited": sorted(state.visited),
            "chosen": sorted(state.chosen)}


def step_payload(session: Session) -> tuple[EventKind, dict[str, Any]]:
    """The event for the session's last step: ``choice`` or ``timer-expired``, with the state after it."""
    if not session.history:
        raise SessionError("the session has taken no step yet")
    entry = session.history[-1]
    kind: EventKind = "timer-expired" if entry.timed_out else "choice"
    return kind, {"node": entry.node, "choice": entry.step_id, "seconds": round(entry.seconds, 3),
                  "state": state_snapshot(session.program, entry.after),
                  "lines": _ids(step_lines(session.program, session.history, seed=session.seed)
                                + (moment_lines(session.program, session.history, session.state, seed=session.seed)
                                   if session.finished else []))}


def _ids(lines: Sequence[Line]) -> list[str]:
    return [line.id for line in lines if line.id is not None]


def entered_payload(session: Session) -> dict[str, Any]:
    """The ``node-entered`` event: the node, and the ids of the lines shown there (which variant,
    which ``one_of`` wording), so the record says what the trainee actually read."""
    lines = moment_lines(session.program, session.history, session.state, seed=session.seed)
    return {"node": session.node_id, "lines": _ids(lines)}


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where an interrupted attempt stands, read from its events."""

    attempt: AttemptRow
    path: list[str]
    """The step ids in effect (undone steps removed), for ``Session.apply_path``."""
    expected: Mapping[str, Any] | None
    """The recorded state snapshot after the last step in effect (None: no step yet)."""
    events: Sequence[EventRow]


def expected_state(events: Sequence[EventRow]) -> Mapping[str, Any] | None:
    """The recorded snapshot after the last step in effect (None: no step yet, or none recorded)."""
    steps = effective_steps(events)
    state = steps[-1].payload.get("state") if steps else None
    return state if isinstance(state, Mapping) else None


def recorded_timing(events: Sequence[EventRow]) -> TimeChoice:
    """The timing accommodation an attempt was played with: the ``accommodation`` of its first
    event (absent: the standard time, as every attempt recorded before accommodations reads)."""
    first = events[0].payload.get("accommodation") if events else None
    if isinstance(first, Mapping):
        time, source = first.get("time"), first.get("source")
        if time in ALLOWANCES and source in ("instructor", "student"):
            allowance: TimeAllowance = time
            return TimeChoice(allowance, "instructor" if source == "instructor" else "student")
    return TimeChoice("standard", "standard")


def resume_point(store: RecordStore, attempt_id: str) -> ResumePoint:
    attempt = store.attempt(attempt_id)
    events = store.events(attempt_id)
    return ResumePoint(attempt, effective_path(events), expected_state(events), events)


def _program(scenario: Playable | Program) -> tuple[Program, str | None]:
    if isinstance(scenario, Program):
        return scenario, None
    return scenario.program, scenario.content_hash


def resume_session(store: RecordStore, attempt_id: str, scenario: Playable | Program, *,
                   clock: MonotonicClock = time.monotonic, allow_changed: bool = False) -> tuple[Session, ResumePoint]:
    """Rebuild the live session of an in-progress attempt, at the exact recorded state.

    Raises :class:`~casesim.errors.ResumeError` when the attempt is finished, when the scenario file changed since
    the attempt began (unless ``allow_changed``; the path is still checked step by step), or when
    the rebuilt state differs from the recorded snapshot.
    """
    point = resume_point(store, attempt_id)
    attempt = point.attempt
    if attempt.status != "in-progress":
        raise ResumeError(f"attempt {attempt_id} is {attempt.status}; only an attempt in progress can be resumed")
    program, content_hash = _program(scenario)
    if program.scenario.id != attempt.scenario_id:
        raise ResumeError(f"attempt {attempt_id} is of scenario {attempt.scenario_id}, not {program.scenario.id}")
    if content_hash is not None and content_hash != attempt.content_hash and not allow_changed:
        raise ResumeError(f"the scenario {attempt.scenario_id} has changed since attempt {attempt_id} began "
                          f"(version {attempt.scenario_version} then, {program.scenario.version} now)",
                          hint="start a new attempt; the old one stays in the record")
    session = Session(program, mode=attempt.mode, start=attempt.start_node, seed=attempt.seed, clock=clock,
                      time_allowance=recorded_timing(point.events).allowance)
    try:
        session.apply_path(point.path)
    except SessionError as exc:
        session.close()
        raise ResumeError(f"attempt {attempt_id} cannot be replayed on this version of the scenario: {exc}",
                          hint="start a new attempt; the old one stays in the record") from exc
    if point.expected is not None and dict(point.expected) != state_snapshot(program, session.state):
        session.close()
        raise ResumeError(f"attempt {attempt_id}: the rebuilt state differs from the recorded one",
                          hint="start a new attempt; the old one stays in the record")
    return session, point


class AttemptRecorder:
    """Writes a live session's steps to the store, each one durable before the UI moves on."""

    def __init__(self, store: RecordStore, attempt_id: str, session: Session) -> None:
        self.store = store
        self.attempt_id = attempt_id
        self.session = session

    @classmethod
    def start(cls, store: RecordStore, scenario: Playable, session: Session, *,
              trainee_id: str, timing: TimeChoice | None = None) -> AttemptRecorder:
        """Open an attempt for ``session`` (not yet stepped) and record the first node, with the
        timing accommodation it plays with (when there is one), so the chain covers it."""
        program = session.program
        remember_scenario(scenario, store)  # the store's outbox statements name its options and points
        attempt_id = store.start_attempt(
            trainee_id=trainee_id, scenario_id=program.scenario.id, scenario_version=program.scenario.version,
            content_hash=scenario.content_hash, mode=session.mode, seed=session.seed, start_node=session.start,
            signoff=playable_signoff(scenario))
        recorder = cls(store, attempt_id, session)
        first: dict[str, Any] = entered_payload(session)
        if timing is not None and timing.accommodated:
            first["accommodation"] = timing.payload()
        recorder._record([("node-entered", first)])
        return recorder

    @classmethod
    def resume(cls, store: RecordStore, attempt_id: str, scenario: Playable | Program, *,
               clock: MonotonicClock = time.monotonic, allow_changed: bool = False) -> AttemptRecorder:
        """Rebuild the session of an interrupted attempt and record that it resumed."""
        session, _ = resume_session(store, attempt_id, scenario, clock=clock, allow_changed=allow_changed)
        if isinstance(scenario, Playable):
            remember_scenario(scenario, store)
        recorder = cls(store, attempt_id, session)
        recorder._record([("resume", {"node": session.node_id})])
        return recorder

    def _record(self, events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> list[EventRow]:
        return list(self.store.record_events(self.attempt_id, events))

    def step(self, *, replayed: bool = False) -> list[EventRow]:
        """Record the step the session just took (and the node it entered) in one commit.

        ``replayed`` marks a step taken automatically to replay an earlier decision path (the
        debrief's "replay from this decision"), not chosen by the trainee in this attempt.
        """
        kind, payload = step_payload(self.session)
        if replayed:
            payload = {**payload, "replayed": True}
        events: list[tuple[EventKind, Mapping[str, Any]]] = [(kind, payload)]
        if not self.session.finished:
            events.append(("node-entered", entered_payload(self.session)))
        return self._record(events)

    def undo(self) -> EventRow:
        """Record an undo the session just made (the node returned to, and its state)."""
        payload = {"node": self.session.node_id, "state": state_snapshot(self.session.program, self.session.state)}
        return self._record([("undo", payload)])[0]

    def pause(self) -> EventRow:
        return self._record([("pause", {"node": self.session.node_id})])[0]

    def unpause(self) -> EventRow:
        return self._record([("resume", {"node": self.session.node_id})])[0]

    def leave(self) -> None:
        """The trainee left the scenario without penalty: record it and close the attempt as left."""
        self._record([("left", {"node": self.session.node_id})])
        self.store.finish_attempt(self.attempt_id, "left", None)

    def finish(self, debrief: Debrief) -> None:
        """Close the attempt as completed, with its debrief (sealed into the chain)."""
        self.store.finish_attempt(self.attempt_id, "completed", debrief)
