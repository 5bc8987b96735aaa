"""App-wide messages.

Notices say what happened to an attempt (the tests observe them; the records agree). Requests
(below) are how a screen asks the app to move: the app handles them, so no screen calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from casesim.format.mode import Mode

if TYPE_CHECKING:  # types only: the library screen draws before the domain is loaded
    from casesim.authoring.pipeline import Playable
    from casesim.play.timing import TimeChoice
    from casesim.scoring.debrief import Debrief

__all__ = ["AttemptFinished", "AttemptLeft", "AttemptStarted", "BackToLibrary", "BeginAttempt", "ContinueAttempt", "LibraryLoaded",
           "ShowBeforeStart"]


class LibraryLoaded(Message):
    """The scenario library finished loading."""

    def __init__(self, playable: int, broken: int) -> None:
        super().__init__()
        self.playable = playable
        self.broken = broken


class AttemptStarted(Message):
    """An attempt began (or was resumed) and its first screen is about to be drawn."""

    def __init__(self, attempt_id: str | None, scenario_id: str, mode: str, *, resumed: bool = False,
                 replay_from: int | None = None) -> None:
        super().__init__()
        self.attempt_id = attempt_id
        self.scenario_id = scenario_id
        self.mode = mode
        self.resumed = resumed
        self.replay_from = replay_from


class AttemptFinished(Message):
    """An attempt reached an ending and was scored; the debrief is about to be shown."""

    def __init__(self, attempt_id: str | None, debrief: Debrief) -> None:
        super().__init__()
        self.attempt_id = attempt_id
        self.debrief = debrief


class AttemptLeft(Message):
    """The trainee left an attempt from the pause screen (``stopped_for_now``: kept to resume)."""

    def __init__(self, attempt_id: str | None, *, stopped_for_now: bool) -> None:
        super().__init__()
        self.attempt_id = attempt_id
        self.stopped_for_now = stopped_for_now


# --- requests: a screen asks, the app moves between screens ------------------------------


class ShowBeforeStart(Message):
    """Open the before-you-start screen of a scenario."""

    def __init__(self, loaded: Playable, *, mode: Mode | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.loaded = loaded
        self.mode = mode
        self.seed = seed


class BeginAttempt(Message):
    """Start an attempt and replace the current screen with play."""

    def __init__(self, loaded: Playable, *, mode: Mode, seed: int | None = None, prefix: Sequence[str] = (),
                 replay_from: int | None = None, start: str | None = None,
                 trainee_name: str | None = None, timing: TimeChoice | None = None) -> None:
        super().__init__()
        self.loaded = loaded
        self.mode = mode
        self.seed = seed
        self.prefix = tuple(prefix)
        self.replay_from = replay_from
        self.start = start
        self.trainee_name = trainee_name
        """Remember this name (and the mode) for next time before starting; None keeps the current one."""
        self.timing = timing
        """The time allowance to play with: a replay keeps the one recorded with the attempt it
        replays; None works it out as for any new attempt (:func:`casesim.play.timing.attempt_timing`)."""


class ContinueAttempt(Message):
    """Carry on an in-progress attempt from the record store."""

    def __init__(self, loaded: Playable, attempt_id: str) -> None:
        super().__init__()
        self.loaded = loaded
        self.attempt_id = attempt_id


class BackToLibrary(Message):
    """Close every screen above the library (or quit in author mode, which has none)."""
