"""App-wide messages: what happened to an attempt (the tests and the records agree on these)."""

from __future__ import annotations

from textual.message import Message

from casesim.scoring.debrief import Debrief

__all__ = ["AttemptFinished", "AttemptLeft", "AttemptStarted", "LibraryLoaded"]


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
