"""A live session: one trainee playing one scenario, driven by the shared ``transitions`` Machine.

Two modes:

* **practice** — feedback after each choice, hints, undo; timers are shown but not enforced;
* **assessment** — no feedback until the debrief, no hints, no undo, timers enforced.

Time comes from an injectable clock (seconds, monotonic), so tests control it. Undo is a stack
of state snapshots, never a replay. Every step is kept in ``history`` with the time it took.

The session's ``seed`` (recorded with the attempt) orders the choices on screen
(:func:`~casesim.semantics.order.shown_choices`); steps are always taken and recorded by id.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casesim.errors import SessionError
from casesim.format.scenario import MODES, Mode
from casesim.play.machine import Cursor, fire, machine_for, may_fire
from casesim.play.timing import TimeAllowance, timer_limit
from casesim.scoring.pace import screen_words
from casesim.semantics.order import shown_choices
from casesim.semantics.program import (
    Program,
    Replay,
    State,
    Step,
    initial_state,
    is_final,
    open_choices,
    timeout_id,
    timeout_step,
)
from casesim.semantics.render import Draw, Shown, node_line, step_line

__all__ = ["HistoryEntry", "MonotonicClock", "Session", "StepResult", "new_seed"]

MonotonicClock = Callable[[], float]
"""Seconds that only move forward, for how long a decision took and for timers (not a time of day)."""


def new_seed() -> int:
    """A fresh attempt seed: 31 random bits, exact in SQLite, JSON and every xAPI consumer."""
    return secrets.randbits(31)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One step taken: which, from where, and how long the trainee took."""

    step_id: str
    node: str
    seconds: float
    before: State
    after: State
    timed_out: bool


@dataclass(frozen=True, slots=True)
class StepResult:
    """What the UI shows after a step."""

    step: Step
    state: State
    reply: str | None
    """The client's immediate reply to the choice, if the author wrote one."""
    feedback: str | None
    """Teaching feedback (practice mode only; None in assessment)."""
    narration: str | None
    """For a timeout: what happened while the trainee hesitated."""
    finished: bool
    shown: tuple[Shown, ...] = ()
    """The lines above with the ids of the texts used (reply or narration, then feedback): what
    the record keeps, so it says which variant or wording the trainee actually saw."""


class Session:
    """One attempt at one scenario."""

    def __init__(self, program: Program, *, mode: Mode = "practice", start: str | None = None,
                 clock: MonotonicClock = time.monotonic, seed: int | None = None,
                 time_allowance: TimeAllowance = "standard") -> None:
        if mode not in MODES:
            raise SessionError(f"unknown mode {mode!r}; use practice or assessment")
        if start is not None and start not in program.scenario.nodes:
            raise SessionError(f"there is no node {start!r} to start from")
        self.program = program
        self.mode: Mode = mode
        self.start = start or program.scenario.start
        self.clock = clock
        self.seed = seed if seed is not None else new_seed()
        """Recorded with the attempt; it orders the choices on screen (None draws a fresh one)."""
        self.time_allowance: TimeAllowance = time_allowance
        """The timing accommodation (:mod:`casesim.play.timing`): a factor on every timer, or no limit."""
        self._machine = machine_for(program)
        self._cursor = Cursor(initial_state(program, self.start))
        self._machine.add_model(self._cursor, initial=self.start)
        self.history: list[HistoryEntry] = []
        self._undo: list[tuple[State, int]] = []
        self._entered_at = clock()
        self._closed = False

    # --- reading ------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._cursor.state

    @property
    def node_id(self) -> str:
        return self._cursor.node

    @property
    def finished(self) -> bool:
        return is_final(self.program, self.state)

    @property
    def path(self) -> list[str]:
        """Step ids taken so far, in order (undone steps excluded)."""
        return [h.step_id for h in self.history]

    def draw(self) -> Draw:
        """The draw for ``one_of`` wordings at the current node: the seed, and how many times
        the trainee had been at this node before (so a transcript rebuilt from the history
        draws the same, :mod:`casesim.play.transcript`)."""
        return Draw(self.seed, sum(1 for h in self.history if h.node == self.node_id))

    def client_line(self) -> str | None:
        """What is said at the current node, every speaker's line run together (the transcript
        names each speaker: :mod:`casesim.play.transcript`)."""
        shown = node_line(self.program, self.state, "client", self.draw())
        return " ".join(line.text for line in shown.spoken()) if shown is not None else None

    def open_choices(self) -> tuple[Step, ...]:
        """The choices open now, in author order; each is also a trigger the Machine allows."""
        if self.finished:
            return ()
        return open_choices(self.program, self.state)

    def shown_choices(self) -> tuple[Step, ...]:
        """The choices open now, in the order this attempt shows them (its seed; number 1 first)."""
        if self.finished:
            return ()
        return shown_choices(self.program, self.state, self.seed)

    def hint(self) -> str | None:
        """The node's hint, in practice mode only."""
        if self.mode != "practice" or self.finished:
            return None
        shown = node_line(self.program, self.state, "hint", self.draw())
        return shown.text if shown is not None else None

    def author_timer_seconds(self) -> int | None:
        """The seconds the author gave this moment (before the reading allowance and any accommodation)."""
        node = self.program.scenario.nodes.get(self.node_id)
        return node.timer.seconds if node is not None and node.timer is not None else None

    def timer_seconds(self) -> int | None:
        """The seconds this moment gives: the author's, plus the time its words take to read, times
        the attempt's allowance; None when untimed or the allowance is no limit."""
        author = self.author_timer_seconds()
        if author is None:
            return None
        return timer_limit(author, screen_words(self.program, self.state), self.time_allowance)

    def time_left(self) -> float | None:
        """Seconds left on the current node's timer, or None when it has none."""
        total = self.timer_seconds()
        if total is None or self.finished:
            return None
        return max(0.0, total - (self.clock() - self._entered_at))

    def taken(self) -> Replay:
        """The steps taken so far, each with the state it was really taken in, and the state now.

        Scoring reads this rather than replaying the step ids, so a run whose state the author
        edited between two steps (:meth:`replace_state`) is judged on what happened in it.
        """
        return Replay(tuple((h.before, self.program.steps[h.step_id]) for h in self.history), self.state)

    @property
    def can_undo(self) -> bool:
        return self.mode == "practice" and bool(self._undo)

    # --- acting -------------------------------------------------------------------------

    def choose(self, step_id: str) -> StepResult:
        """Take the open choice ``step_id``; raises :class:`SessionError` if it is not open."""
        self._check_open()
        if self.mode == "assessment" and self.timer_expired():
            raise SessionError("the time for this decision has run out; the timeout applies")
        step = self.program.steps.get(step_id)
        if step is None or step.is_timeout or step.node != self.node_id:
            raise SessionError(f"{step_id!r} is not a choice at this point")
        if not may_fire(self._cursor, step_id):
            raise SessionError(f"{step_id!r} is not open now")
        return self._fire(step, timed_out=False)

    def timer_expired(self) -> bool:
        left = self.time_left()
        return left is not None and left <= 0.0

    def expire_timer(self) -> StepResult:
        """Let the current node's timer run out (the UI calls this when the countdown ends).

        In assessment mode this always applies; in practice mode the UI may call it too, but
        the session refuses only if the node has no timer.
        """
        self._check_open()
        step = timeout_step(self.program, self.state)
        if step is None:
            raise SessionError("this moment has no timer")
        return self._fire(step, timed_out=True)

    def apply_path(self, step_ids: Sequence[str]) -> None:
        """Take several steps at once (resume, replay-from-here); timeouts by their ``timeout:`` id."""
        for sid in step_ids:
            step = self.program.steps.get(sid)
            if sid == timeout_id(self.node_id) or (step is not None and step.is_timeout):
                self.expire_timer()
            else:
                self.choose(sid)

    def replace_state(self, state: State) -> None:
        """Put the session in ``state``, at the node it is at (the author's workbench edits
        variables or history; :mod:`casesim.play.workbench` checks the values first).

        The steps taken so far stay; undo still restores the snapshot before the last step.
        """
        self._check_open()
        if state.node != self.node_id:
            raise SessionError(f"an edited state must stay at node {self.node_id!r}, not move to {state.node!r}")
        if len(state.vars) != len(self.state.vars):
            raise SessionError("an edited state must keep every variable")
        self._cursor.state = state

    def undo(self) -> State:
        """Go back one step (practice mode only): restores the exact prior state snapshot."""
        if self.mode != "practice":
            raise SessionError("undo is only available in practice mode")
        if not self._undo:
            raise SessionError("there is nothing to undo")
        state = self.retract_last()
        self._entered_at = self.clock()
        return state

    def retract_last(self) -> State:
        """Take back the last step in either mode, because it could not be recorded.

        Not a trainee's undo (assessment has none): the UI calls it when the record store
        refused the write, so the screen, the session and the record stay in agreement and the
        trainee can simply choose again once the problem is fixed.
        """
        if not self._undo:
            raise SessionError("there is no step to take back")
        state, history_len = self._undo.pop()
        self._set_state(state)
        del self.history[history_len:]
        return state

    def close(self) -> None:
        """Detach from the shared Machine (call when the session ends)."""
        if not self._closed:
            self._machine.remove_model(self._cursor)
            self._closed = True

    # --- internals ----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SessionError("this session is closed")
        if self.finished:
            raise SessionError("the scenario has ended")

    def _fire(self, step: Step, *, timed_out: bool) -> StepResult:
        before = self.state
        draw = self.draw()
        now = self.clock()
        ok = fire(self._cursor, step.id)
        if not ok:  # pragma: no cover - may_trigger was checked
            raise SessionError(f"{step.id!r} could not be taken")
        after = self.state
        if after.node != self._cursor.node:  # pragma: no cover - the callback keeps them equal
            raise SessionError("internal error: the machine and the semantics disagree")
        self._undo.append((before, len(self.history)))
        self.history.append(HistoryEntry(step.id, before.node, max(0.0, now - self._entered_at), before, after, timed_out))
        self._entered_at = now
        said = step_line(self.program, step, after, "narration" if timed_out else "reply", draw)
        feedback = step_line(self.program, step, after, "feedback") if self.mode == "practice" else None
        return StepResult(
            step=step,
            state=after,
            reply=" ".join(line.text for line in said.spoken()) if said is not None and not timed_out else None,
            feedback=feedback.text if feedback is not None else None,
            narration=said.text if said is not None and timed_out else None,
            finished=self.finished,
            shown=tuple(x for x in (said, feedback) if x is not None),
        )

    def _set_state(self, state: State) -> None:
        self._cursor.state = state
        # Move the Machine's notion of the node to match the restored snapshot.
        self._machine.set_state(state.node, model=self._cursor)
