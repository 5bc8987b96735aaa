"""The plain, line-oriented player for screen readers, Braille displays and pipes (no Textual).

It sits between ``play`` (the live attempt it drives) and ``cli`` (which starts it), beside the
terminal UI: the two never import each other.
"""

from __future__ import annotations

from casesim.plain.console import PlainConsole
from casesim.plain.player import Outcome, PlainPlayer
from casesim.plain.report import DebriefDocument, build_debrief, debrief_html, debrief_text

__all__ = ["DebriefDocument", "Outcome", "PlainConsole", "PlainPlayer", "build_debrief", "debrief_html",
           "debrief_text"]
