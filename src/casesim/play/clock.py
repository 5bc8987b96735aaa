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
    """Seconds from ``base`` minus every stopped interval; callable like ``time.monotonic``.

    The clock stops for the trainee's pause and for each *hold*: help, the case file or any other
    overlay on top of play (UX review §2: the clock ran while help was open). It runs again only
    when the pause is over and every hold is released, so overlays may nest in any order.
    """

    def __init__(self, base: Callable[[], float]) -> None:
        self._base = base
        self._offset = 0.0
        self._paused_at: float | None = None
        self._reasons: set[str] = set()

    def __call__(self) -> float:
        now = self._paused_at if self._paused_at is not None else self._base()
        return now - self._offset

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def holds(self) -> frozenset[str]:
        """Why the clock is stopped now (``pause`` and the open overlays)."""
        return frozenset(self._reasons)

    def hold(self, reason: str) -> None:
        """Stop the clock for ``reason`` (an overlay opened); idempotent per reason."""
        if not self._reasons and self._paused_at is None:
            self._paused_at = self._base()
        self._reasons.add(reason)

    def release(self, reason: str) -> None:
        """``reason`` is over; the clock runs again once nothing else holds it."""
        self._reasons.discard(reason)
        if not self._reasons and self._paused_at is not None:
            self._offset += self._base() - self._paused_at
            self._paused_at = None

    def pause(self) -> None:
        self.hold("pause")

    def resume(self) -> None:
        self.release("pause")
