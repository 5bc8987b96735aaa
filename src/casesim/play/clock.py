"""A clock that stops while the trainee is paused, so a break never costs time on a timer."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["PausableClock"]


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
