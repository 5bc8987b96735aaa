"""The two modes an attempt is played in, on their own so the records, the trainee settings and
the CLI can name them without importing the scenario models (a second of pydantic at start-up)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["MODES", "Mode"]

Mode = Literal["practice", "assessment"]
"""How an attempt is played: practice shows feedback and hints and never fails; assessment
enforces timers, hides feedback until the debrief and can fail."""
MODES: tuple[Mode, ...] = get_args(Mode)
