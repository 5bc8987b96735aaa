"""The live class view (``casesim class watch COHORT``): who is where, now, and what the class chooses.

During a class an instructor wants to see, at a glance and without re-running reports (ux review
§4): each trainee's scenario and the decision they are at, who has paused, who left (no penalty),
who finished and how, which attempts go faster than their text can be read, and the item analysis
of one scenario building up as the class chooses. This module computes that picture from the
store; the Textual screen (:mod:`casesim.tui.screens.class_watch`) only draws it.

**Reading without a polling storm.** A :class:`ClassWatch` holds the store's
:class:`~casesim.records.api.ChangeWatch`: checking it is a few microseconds and reads no table
(SQLite ``PRAGMA data_version``; PostgreSQL ``LISTEN``/``NOTIFY``), so the view checks it every
second and reads the class only after a commit. A read is two store calls whatever the class size:
:meth:`~casesim.records.api.RecordStore.cohort_activity` (the trainees, their latest attempts
and those attempts' events, in one snapshot) and, for the selected scenario,
:meth:`~casesim.records.api.RecordStore.decision_paths` (replayed by
:func:`~casesim.records.reports.item_analysis`, so "offered / chosen" is counted as in the cohort
report). The time since each trainee's last choice is worked out when drawn, from the times read,
so it moves every second without reading the store again.

**Implausibly fast.** A finished attempt carries the speed check its debrief made
(:mod:`casesim.scoring.pace`: decisions faster than half the reading time of their screens at 238
words a minute). An attempt in progress is checked the same way over the decisions made so far,
once there are at least :data:`LIVE_PACE_MIN_DECISIONS` (one or two screens are too little to
judge: a student who knows the opening from a retake answers it quickly). As in the debrief, only
assessment attempts are checked, and the flag is a prompt to look, never a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from casesim.authoring.pipeline import Playable
from casesim.format.scenario import Mode
from casesim.records.api import (
    ActivityEvent,
    AttemptPace,
    RecordStore,
    TraineeActivity,
    decision_seconds,
    effective_steps,
    left_without_penalty,
)
from casesim.records.chain import parse_iso
from casesim.records.decisions import Replayer
from casesim.records.reports import Departure, ScenarioItems, expert_choices, item_analysis
from casesim.scoring.pace import pace
from casesim.semantics.program import replay

__all__ = ["LIVE_PACE_MIN_DECISIONS", "ClassNow", "ClassView", "ClassWatch", "TraineeNow", "WatchStatus",
           "trainee_now"]

LIVE_PACE_MIN_DECISIONS = 3
"""Decisions an attempt in progress must have made before the speed check may flag it."""

WatchStatus = Literal["not started", "playing", "paused", "left", "passed", "not passed", "finished"]
"""``finished``: completed without a pass or fail (nothing to pass: an attempt without scoring)."""

_PAUSE_KINDS = ("pause", "resume")
_PLACE_KINDS = ("node-entered", "undo", "pause", "resume", "left")
"""Events whose node is where the trainee is now (a choice's node is where they were)."""


@dataclass(frozen=True, slots=True)
class TraineeNow:
    """One trainee's place in the class now: their latest attempt in the cohort."""

    trainee_id: str
    name: str
    status: WatchStatus
    attempts: int
    """Attempts started in this cohort."""
    attempt_id: str | None = None
    scenario_id: str | None = None
    scenario_title: str | None = None
    mode: Mode | None = None
    node: str | None = None
    """The node they are at (in progress), or the ending they reached."""
    decisions: int = 0
    """Decisions in effect (undone ones removed): one playing is at decision ``decisions + 1``."""
    expert_decisions: int | None = None
    """Decisions on the scenario's expert path, as a yardstick (None: not known)."""
    last_choice_at: str | None = None
    """When they last chose (or started, before a first choice); ISO-8601 UTC."""
    since: str | None = None
    """When the status began: the pause, the leaving, the end (None while playing)."""
    pace: AttemptPace | None = None
    """The speed check: the debrief's when finished, worked out so far while in progress."""

    @property
    def too_fast(self) -> bool:
        return self.pace is not None and self.pace.too_fast

    def seconds_since_choice(self, now: datetime) -> float | None:
        """How long since the last choice, at ``now`` (None: no attempt, or it is over)."""
        if self.last_choice_at is None or self.status not in ("playing", "paused"):
            return None
        return max(0.0, (now - parse_iso(self.last_choice_at)).total_seconds())


@dataclass(frozen=True, slots=True)
class ClassNow:
    """The whole cohort, as read at one moment."""

    cohort: str
    trainees: tuple[TraineeNow, ...]

    def count(self, status: WatchStatus) -> int:
        return sum(t.status == status for t in self.trainees)

    @property
    def too_fast(self) -> int:
        return sum(t.too_fast for t in self.trainees)

    @property
    def scenarios(self) -> tuple[str, ...]:
        """The scenarios of the trainees' latest attempts, those being played by most first."""
        playing = Counter(t.scenario_id for t in self.trainees if t.scenario_id and t.status in ("playing", "paused"))
        every = Counter(t.scenario_id for t in self.trainees if t.scenario_id)
        return tuple(sorted(every, key=lambda s: (-playing[s], -every[s], s)))


@dataclass(frozen=True, slots=True)
class ClassView:
    """What the live view shows: the class, and the item analysis of one scenario."""

    now: ClassNow
    scenario_id: str | None
    mode: Mode | None
    items: ScenarioItems | None
    """The selected scenario's item analysis (None: nobody in the cohort has decided in it yet)."""
    departures: tuple[Departure, ...]
    """Where the class departs from the expert in that scenario, most departed decisions first."""


def _status(activity: TraineeActivity) -> WatchStatus:
    attempt = activity.attempt
    if attempt is None:
        return "not started"
    if attempt.status == "in-progress":
        last = next((e for e in reversed(activity.events) if e.kind in _PAUSE_KINDS), None)
        return "paused" if last is not None and last.kind == "pause" else "playing"
    if left_without_penalty(attempt.status):
        return "left"
    return "finished" if attempt.passed is None else "passed" if attempt.passed else "not passed"


def _where(loaded: Playable | None, content_hash: str, start: str, events: Sequence[ActivityEvent]) -> str | None:
    """The node a finished path ends on (its ending: the last choice enters no node to record),
    replayed on the file it was played on (None: that file is not at hand)."""
    if loaded is None or loaded.content_hash != content_hash:
        return None
    try:
        return replay(loaded.program, [str(e.choice) for e in effective_steps(events)], start=start).final.node
    except (KeyError, ValueError):
        return None


def _live_pace(loaded: Playable | None, content_hash: str, start: str,
               events: Sequence[ActivityEvent]) -> AttemptPace | None:
    """The speed check over an attempt in progress so far (None: too few decisions, or the file
    it was played on is not the one at hand, so its screens' words are not known)."""
    steps = effective_steps(events)
    if loaded is None or loaded.content_hash != content_hash or len(steps) < LIVE_PACE_MIN_DECISIONS:
        return None
    try:
        taken = replay(loaded.program, [str(e.choice) for e in steps], start=start)
    except (KeyError, ValueError):
        return None
    check = pace(loaded.program, [state for state, _ in taken.taken], decision_seconds(events))
    return AttemptPace(check.decision_seconds, check.reading_seconds, check.too_fast)


def trainee_now(activity: TraineeActivity, library: Mapping[str, Playable],
                expert_lengths: Mapping[str, int | None] | None = None,
                paces: MutableMapping[tuple[str, int], AttemptPace | None] | None = None) -> TraineeNow:
    """One trainee's row of the live view, from what the store read (``paces``: the speed checks
    of attempts in progress by (attempt, last event), kept by the caller so an attempt that did not
    move is not checked again)."""
    trainee, attempt, events = activity.trainee, activity.attempt, activity.events
    status = _status(activity)
    if attempt is None:
        return TraineeNow(trainee.id, trainee.display_name, status, activity.attempts)
    loaded = library.get(attempt.scenario_id)
    steps = effective_steps(events)
    node = _where(loaded, attempt.content_hash, attempt.start_node, events) if attempt.status == "completed" else None
    node = node or next((e.node for e in reversed(events) if e.kind in _PLACE_KINDS and e.node), attempt.start_node)
    since: str | None = None
    if status == "paused":
        since = next(e.at for e in reversed(events) if e.kind == "pause")
    elif status != "playing":
        since = attempt.ended_at
    if attempt.status == "in-progress":
        checked = None
        if attempt.mode == "assessment":
            key = (attempt.id, events[-1].seq if events else 0)
            if paces is None or key not in paces:
                checked = _live_pace(loaded, attempt.content_hash, attempt.start_node, events)
                if paces is not None:
                    paces[key] = checked
            else:
                checked = paces[key]
    else:
        checked = attempt.pace
    lengths = expert_lengths if expert_lengths is not None else {}
    return TraineeNow(
        trainee.id, trainee.display_name, status, activity.attempts, attempt_id=attempt.id,
        scenario_id=attempt.scenario_id,
        scenario_title=loaded.scenario.title if loaded is not None and loaded.scenario is not None else None,
        mode=attempt.mode, node=node, decisions=len(steps), expert_decisions=lengths.get(attempt.scenario_id),
        last_choice_at=steps[-1].at if steps else attempt.started_at, since=since, pace=checked)


class ClassWatch:
    """Keeps one cohort's live view, reading the store only after something was committed.

    Not bound to a thread: the TUI calls it from one worker at a time. Close it when done (it holds
    the store's change watch, a connection of its own).
    """

    def __init__(self, store: RecordStore, cohort: str, library: Mapping[str, Playable]) -> None:
        """``library``: the scenario files by id; it may analyse each on its first lookup
        (:class:`~casesim.play.shelf.ScenarioShelf`), which then happens in :meth:`read`."""
        self.store = store
        self.cohort = cohort
        self.library = library
        self._changes = store.change_watch(cohort)  # before the first read: a commit in between is not lost
        self._expert: dict[str, int | None] = {}
        self._paces: dict[tuple[str, int], AttemptPace | None] = {}
        self._replayers: dict[str, Replayer | None] = {}
        self.reads = 0
        """How many times the class was read from the store (the tests count re-reads)."""

    def changed(self) -> bool:
        """Whether something was committed since the last check (cheap: no table is read)."""
        return self._changes.changed()

    def read(self, scenario_id: str | None = None, mode: Mode | None = None) -> ClassView:
        """Read the class, and the item analysis of ``scenario_id`` (None: the scenario most of the
        class is playing) over ``mode``'s attempts (None: every mode)."""
        self.reads += 1
        activity = self.store.cohort_activity(self.cohort)
        for sid in {a.attempt.scenario_id for a in activity if a.attempt is not None} - set(self._expert):
            loaded = self.library.get(sid)  # a lazy library analyses it here, once (in the caller's worker)
            self._expert[sid] = (len(expert_choices(loaded)) or None) if loaded is not None else None
        now = ClassNow(self.cohort, tuple(trainee_now(a, self.library, self._expert, self._paces) for a in activity))
        # forget the checks of attempts that moved on or ended (the cache stays the class's size)
        current = {(a.attempt.id, a.events[-1].seq if a.events else 0) for a in activity if a.attempt is not None}
        self._paces = {key: value for key, value in self._paces.items() if key in current}
        if scenario_id is None and now.scenarios:
            scenario_id = now.scenarios[0]
        items: ScenarioItems | None = None
        departures: tuple[Departure, ...] = ()
        if scenario_id is not None:
            found, departures = item_analysis(
                self.store.decision_paths(cohort=self.cohort, scenario_id=scenario_id, mode=mode), self.library,
                scenario_id=scenario_id, replayers=self._replayers)
            items = next(iter(found), None)
        return ClassView(now, scenario_id, mode, items, departures)

    def close(self) -> None:
        self._changes.close()

    def __enter__(self) -> ClassWatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
