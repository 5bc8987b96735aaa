"""Time in play: a clock that stops while the trainee is paused, so a break never costs time on a
timer, and how long new choices settle before a key chooses."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["CHOICE_SETTLE_SECONDS", "PausableClock"]

CHOICE_SETTLE_SECONDS = 0.7
"""How long new choices must stay on screen, with no choosing key pressed, before one is taken.

Without it an Enter carried over from the previous screen, a double press, or a held number key
chooses an option nobody has read (UX review §1 and P2). Each key ignored in that time restarts
the wait, so a held key's repeats (about 30 a second) never get through, and the first repeat
comes after the keyboard's repeat delay (500 ms on Windows and GNOME, 600 ms on KDE, 660 ms on
bare X11), which is inside 0.7 s. No one reads a node's choices that fast, so a trainee never
waits on it. Measured on the app's injected clock; ``choice_settle_seconds`` in ``config.yaml`` (and
``make_app(choice_settle_seconds=...)``) overrides it (0 in deterministic tests)."""


class PausableClock:
    """Seconds from ``base`` minus every paused interval; callable like ``time.monotonic``."""

    def __init__(self, base: Callable[[], float]) -> None:
        self._base = base
        self._offset = 0.0
        self._paused_at: float | None = None

    def __call__(self) -> float:
        now = self._paused_at if self._paused_at is not None else self._base()
        return now - self._offset

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._base()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._offset += self._base() - self._paused_at
            self._paused_at = None
