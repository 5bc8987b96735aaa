"""Timing accommodations: more time on every timer, for a trainee who needs it, and a reading
allowance on every timer for everyone.

The UX review (§2) found six of thirteen timed moments need 234–348 words per minute just to read
once, above the average adult rate. So every timer is the author's seconds *plus* the time the words
on screen take to read at :data:`~casesim.scoring.pace.READING_WPM`, and a trainee can have that
multiplied:

* an instructor sets a per-trainee allowance (``casesim records accommodate``); it applies to
  every attempt, practice and assessment alike;
* a student may ask for more time in practice (``casesim play --more-time``); it never applies to an
  assessment, which only an instructor's allowance changes;
* the more generous of the two applies. ``none`` means no limit: the timer never runs out.

The allowance used is recorded with the attempt (the first event's payload, so the hash chain
covers it) and shown on reports as an accommodation, never as a penalty: the score is the same.
No Textual code here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

from casesim.errors import CaseSimError
from casesim.format.mode import Mode
from casesim.records.api import RecordStore
from casesim.records.reports import TIME_LABELS
from casesim.scoring.pace import READING_WPM

__all__ = ["ALLOWANCES", "MULTIPLIERS", "TimeAllowance", "TimeChoice", "allowance_label", "attempt_timing",
           "effective_allowance", "timing_text",
           "parse_allowance", "reading_seconds", "timer_limit"]

TimeAllowance = Literal["standard", "1.5x", "2x", "none"]
ALLOWANCES: tuple[TimeAllowance, ...] = get_args(TimeAllowance)

MULTIPLIERS: dict[TimeAllowance, float | None] = {"standard": 1.0, "1.5x": 1.5, "2x": 2.0, "none": None}
"""Each allowance's factor on a timer; None: no time limit."""

_BY_NAME: dict[str, TimeAllowance] = {a: a for a in ALLOWANCES}

_SPELLINGS: dict[str, TimeAllowance] = {
    "standard": "standard", "off": "standard", "1x": "standard", "1": "standard", "1.0": "standard",
    "1.5x": "1.5x", "1.5": "1.5x", "150%": "1.5x",
    "2x": "2x", "2": "2x", "2.0": "2x", "200%": "2x", "double": "2x",
    "none": "none", "no-limit": "none", "nolimit": "none", "unlimited": "none",
}


def parse_allowance(text: str) -> TimeAllowance:
    """``2x``, ``1.5x``, ``none`` (no limit) or ``off``/``standard``; anything else is a clear error."""
    key = text.strip().casefold().replace("×", "x").replace(" ", "")
    found = _SPELLINGS.get(key)
    if found is None:
        raise CaseSimError(f"{text!r} is not a time allowance", title="unknown time allowance",
                         hint="use 1.5x, 2x, none (no time limit) or off (the standard time)")
    return found


def allowance_label(allowance: TimeAllowance) -> str:
    """How a report names the allowance: "2× time", "no time limit", "standard time"."""
    return TIME_LABELS.get(allowance, "standard time")


def timing_text(choice: TimeChoice) -> str:
    """"2× time, set by your instructor": the allowance and whose it is, as reports name it."""
    whose = {"instructor": ", set by the instructor", "student": ", asked for in practice", "standard": ""}
    return allowance_label(choice.allowance) + whose[choice.source]


def _rank(allowance: TimeAllowance) -> float:
    factor = MULTIPLIERS[allowance]
    return math.inf if factor is None else factor


@dataclass(frozen=True, slots=True)
class TimeChoice:
    """The allowance an attempt plays with, and where it came from (recorded with the attempt)."""

    allowance: TimeAllowance
    source: Literal["standard", "instructor", "student"]

    def payload(self) -> dict[str, str]:
        return {"time": self.allowance, "source": self.source}

    @property
    def accommodated(self) -> bool:
        return self.allowance != "standard"


def effective_allowance(mode: Mode, *, instructor: TimeAllowance | None = None,
                        requested: TimeAllowance | None = None) -> TimeChoice:
    """The allowance for an attempt in ``mode``: the instructor's, or the student's request in
    practice, whichever gives more time."""
    best = TimeChoice("standard", "standard")
    if instructor is not None and _rank(instructor) > _rank(best.allowance):
        best = TimeChoice(instructor, "instructor")
    if mode == "practice" and requested is not None and _rank(requested) > _rank(best.allowance):
        best = TimeChoice(requested, "student")
    return best


def attempt_timing(store: RecordStore | None, trainee_id: str | None, mode: Mode, *,
                   requested: TimeAllowance | None = None) -> TimeChoice:
    """The allowance for a new attempt: the instructor's setting for ``trainee_id`` in ``store``
    (an unreadable setting counts as none) combined with the student's ``requested`` one."""
    row = store.accommodation(trainee_id) if store is not None and trainee_id else None
    instructor = _BY_NAME.get(row.time) if row is not None else None
    return effective_allowance(mode, instructor=instructor, requested=requested)


def reading_seconds(words: int, *, wpm: int = READING_WPM) -> float:
    """How long ``words`` take to read once at ``wpm`` (238: the average adult silent rate)."""
    return words * 60.0 / wpm


def timer_limit(author_seconds: int, words: int, allowance: TimeAllowance = "standard") -> int | None:
    """The seconds a timed moment gives: the author's seconds plus the reading allowance for the
    ``words`` on screen, times the allowance's factor, rounded up to a whole second; None when the
    allowance is ``none`` (no limit)."""
    factor = MULTIPLIERS[allowance]
    if factor is None:
        return None
    return math.ceil((author_seconds + reading_seconds(words)) * factor - 1e-9)
