"""Implausible speed: did an attempt's decisions come faster than its text can be read?

A result only means something if the trainee read what they answered. Pressing 1 through a
20-minute crisis scenario took 12–27 s in the UX review (§0), and nothing said so. Each decision
screen therefore has a *reading time*: the words it shows (the node's narration, the client's
line as shown in that state, and every open choice) at :data:`READING_WPM`. An assessment
attempt is flagged ``too_fast`` when the time its decision screens were on show is below
:data:`TOO_FAST_RATIO` of the reading time of those screens.

* :data:`READING_WPM` = 238 words per minute: the average adult silent reading rate for English
  non-fiction in Brysbaert's meta-analysis of 190 studies (M. Brysbaert, "How many words do we
  read per minute? A review and meta-analysis of reading rate", *Journal of Memory and Language*
  109 (2019) 104047, doi:10.1016/j.jml.2019.104047). Most adults fall between 175 and 300 wpm.
* :data:`TOO_FAST_RATIO` = 0.5: half the reading time is reading at 476 wpm, well above the
  fastest usual rate (300 wpm), so a careful fast reader is not flagged; skimming or not reading
  is. The flag is a prompt for the instructor to look, not a verdict: it does not change the
  score or the pass.

Decision time comes from the record (:func:`casesim.records.api.decision_seconds`), so a resumed
attempt is measured across its sessions without the time the terminal was closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from casesim.scoring.debrief import Pace
from casesim.semantics.program import Program, State, open_choices
from casesim.semantics.render import node_line

__all__ = ["READING_WPM", "TOO_FAST_RATIO", "pace", "screen_words"]

READING_WPM = 238
"""Average adult silent reading rate, English non-fiction (Brysbaert 2019)."""

TOO_FAST_RATIO = 0.5
"""An attempt whose decision time is below this share of its reading time is flagged."""


def _words(text: str | None) -> int:
    return len(text.split()) if text else 0


def screen_words(program: Program, state: State) -> int:
    """The words a decision screen shows in ``state``: narration, the client's line and every open choice."""
    narration, said = node_line(program, state, "narration"), node_line(program, state, "client")
    return (_words(narration.text if narration else None) + _words(said.text if said else None)
            + sum(_words(step.say) for step in open_choices(program, state)))


def pace(program: Program, states: Sequence[State], decision_seconds: float, *,
         wpm: int = READING_WPM, ratio: float = TOO_FAST_RATIO) -> Pace:
    """The speed check of a path whose decisions were taken in ``states`` in ``decision_seconds``."""
    words = sum(screen_words(program, state) for state in states)
    reading = words * 60.0 / wpm
    return Pace(decision_seconds=round(decision_seconds, 3), reading_seconds=round(reading, 3), words=words,
                wpm=wpm, ratio=ratio, too_fast=decision_seconds < ratio * reading)
