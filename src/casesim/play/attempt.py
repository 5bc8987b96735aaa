"""A live attempt: a :class:`~casesim.play.session.Session`, its clock and its record, in step.

Every step goes through :class:`~casesim.play.recorder.AttemptRecorder`, which makes it durable
*before* the caller draws anything, so a crash or a closed terminal loses nothing and the
attempt can be resumed. Without a store (author mode previews a draft, which is not evidence
of anyone's competency) the same calls simply record nothing. No Textual code here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from casesim.authoring.pipeline import Playable
from casesim.errors import NotFoundError, SessionError, StoreError
from casesim.format.mode import Mode
from casesim.play.clock import PausableClock
from casesim.play.recorder import AttemptRecorder, recorded_timing
from casesim.play.session import Session, StepResult
from casesim.play.timing import TimeChoice
from casesim.records.api import RecordStore
from casesim.records.api import decision_seconds as recorded_decision_seconds
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief
from casesim.scoring.engine import score_replay
from casesim.semantics.explore import Analysis
from casesim.semantics.program import State, timeout_id

__all__ = ["LiveAttempt", "StateEdit"]


@dataclass(frozen=True, slots=True)
class StateEdit:
    """A change the author made to the state of an unrecorded run (author mode's inspector)."""

    after_steps: int
    """How many steps had been taken when the state was edited."""
    node: str
    what: str
    """What changed, in words (``rapport 6 -> 9``, ``visited: + ask-q1``)."""


class LiveAttempt:
    """One trainee's attempt in progress, recorded as it goes."""

    def __init__(self, loaded: Playable, catalog: Catalog, session: Session, clock: PausableClock,
                 recorder: AttemptRecorder | None, analysis: Future[Analysis]) -> None:
        self.loaded = loaded
        self.program = loaded.program
        self.analysis = analysis
        """Needed only to score; it may still be running while the trainee plays."""
        self.catalog = catalog
        self.session = session
        self.clock = clock
        self.recorder = recorder
        self.debrief: Debrief | None = None
        """Set once the attempt reached an ending and was scored."""
        self.closed = False
        self.edits: list[StateEdit] = []
        """Edits to the state still in effect (an undo past one drops it); only unrecorded runs have any."""
        self.timing = TimeChoice("standard", "standard")
        """The time allowance this attempt plays with, and whose it is (instructor or student)."""

    # --- starting -------------------------------------------------------------------------

    @classmethod
    def begin(cls, loaded: Playable, catalog: Catalog, analysis: Future[Analysis], *, mode: Mode,
              trainee_id: str | None, store: RecordStore | None, clock: Callable[[], float], seed: int | None = None,
              start: str | None = None, prefix: Sequence[str] = (), timing: TimeChoice | None = None) -> LiveAttempt:
        """Start a new attempt; the ``prefix`` steps are taken at once (replay from a decision).

        ``timing`` is the attempt's time allowance (:func:`casesim.play.timing.effective_allowance`)."""
        pclock = PausableClock(clock)
        timing = timing or TimeChoice("standard", "standard")
        session = Session(loaded.program, mode=mode, start=start, clock=pclock, seed=seed,
                          time_allowance=timing.allowance)
        recorder = None
        if store is not None and trainee_id:
            store.upsert_trainee(trainee_id, trainee_id)
            recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee_id, timing=timing)
        attempt = cls(loaded, catalog, session, pclock, recorder, analysis)
        attempt.timing = timing
        for step_id in prefix:
            attempt._step(step_id, replayed=True)
        return attempt

    @classmethod
    def resume(cls, loaded: Playable, catalog: Catalog, analysis: Future[Analysis], attempt_id: str, *,
               store: RecordStore, clock: Callable[[], float]) -> LiveAttempt:
        """Carry on an in-progress attempt at exactly the state its record stops at."""
        pclock = PausableClock(clock)
        recorder = AttemptRecorder.resume(store, attempt_id, loaded, clock=pclock)
        attempt = cls(loaded, catalog, recorder.session, pclock, recorder, analysis)
        attempt.timing = recorded_timing(store.events(attempt_id))
        return attempt

    # --- reading --------------------------------------------------------------------------

    @property
    def attempt_id(self) -> str | None:
        return self.recorder.attempt_id if self.recorder is not None else None

    @property
    def mode(self) -> Mode:
        return self.session.mode

    @property
    def finished(self) -> bool:
        return self.session.finished

    @property
    def scoring_ready(self) -> bool:
        """Whether :meth:`finish` can score without waiting for the analysis."""
        return self.analysis.done()

    # --- acting ---------------------------------------------------------------------------

    def _step(self, step_id: str, *, replayed: bool = False) -> StepResult:
        step = self.session.program.steps.get(step_id)
        if step_id == timeout_id(self.session.node_id) or (step is not None and step.is_timeout):
            return self.expire_timer(replayed=replayed)
        return self.choose(step_id, replayed=replayed)

    def choose(self, step_id: str, *, replayed: bool = False) -> StepResult:
        """Take a choice and record it (with the seconds taken and a state snapshot)."""
        result = self.session.choose(step_id)
        self._record_step(replayed)
        return result

    def expire_timer(self, *, replayed: bool = False) -> StepResult:
        """Let the current node's timer run out, and record it."""
        result = self.session.expire_timer()
        self._record_step(replayed)
        return result

    def _record_step(self, replayed: bool = False) -> None:
        """Record the step just taken; if the store refuses (disk full, read-only file), take
        the step back so nothing on screen is unsaved, and re-raise for the UI to report."""
        if self.recorder is None:
            return
        try:
            self.recorder.step(replayed=replayed)
        except (StoreError, NotFoundError) as exc:  # the attempt may have been closed or removed meanwhile
            self.session.retract_last()
            raise StoreError(f"Your last choice was not saved, so it has not been taken: {exc.message} "
                             "Everything before it is saved.",
                             title="could not save your choice",
                             hint=exc.hint or "free some disk space or check the database file's permissions, "
                                              "then choose again") from exc

    def undo(self) -> State:
        """Go back one step (practice mode) and record it."""
        state = self.session.undo()
        if self.recorder is not None:
            self.recorder.undo()
        self.edits = [e for e in self.edits if e.after_steps <= len(self.session.history)]
        return state

    def edit_state(self, state: State, what: str) -> None:
        """Put the run in ``state`` (same node), an author's edit described by ``what``.

        Refused for a recorded attempt: a record is evidence of what a trainee did, and an
        edited state is not something a trainee could reach.
        """
        if self.recorder is not None:
            raise SessionError("the state of a recorded attempt cannot be edited",
                               hint="edit state in author mode (`casesim author FILE`), which records nothing")
        self.session.replace_state(state)
        self.edits.append(StateEdit(len(self.session.history), state.node, what))

    def pause(self) -> None:
        """Stop the clock and record the pause (the trainee opened the break screen)."""
        self.clock.pause()
        if self.recorder is not None:
            self.recorder.pause()

    def resume_play(self) -> None:
        """Restart the clock after a pause, and record it."""
        self.clock.resume()
        if self.recorder is not None:
            self.recorder.unpause()

    def leave(self) -> None:
        """The trainee leaves without penalty: the attempt is closed as left, not scored."""
        if self.closed:
            return
        if self.recorder is not None:
            self.recorder.leave()
        self.close()

    def finish(self) -> Debrief:
        """Score the path at its ending and close the record with the debrief (once).

        Blocks until the analysis is ready; the TUI calls it from a worker when it is not.
        """
        if self.debrief is None:
            debrief = self.score(decision_seconds=self._decision_seconds())
            if self.recorder is not None:
                self.recorder.finish(debrief)
            self.debrief = debrief
            self.close()
        return self.debrief

    def _decision_seconds(self) -> float | None:
        """The time the decision screens were on show, from the record (so a resumed attempt
        counts every session); None without a record, or in practice, which is not checked."""
        if self.recorder is None or self.mode != "assessment":
            return None
        return recorded_decision_seconds(self.recorder.store.events(self.recorder.attempt_id))

    def score(self, *, decision_seconds: float | None = None) -> Debrief:
        """The debrief of the path so far (it may stop short of an ending); ``decision_seconds``
        adds the implausible-speed check."""
        return score_replay(self.program, self.analysis.result(), self.catalog, self.session.taken(),
                            mode=self.session.mode, decision_seconds=decision_seconds)

    def close(self) -> None:
        """Detach the session from the shared Machine (the attempt stays as recorded)."""
        if not self.closed:
            self.session.close()
            self.closed = True
