"""A clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def wall(self) -> datetime:
        """The same moment as a time of day, for a record store's clock (``SQLiteStore(clock=...)``),
        so one fake clock drives both the play clock and the recorded timestamps."""
        return datetime.fromtimestamp(self.now, UTC)
