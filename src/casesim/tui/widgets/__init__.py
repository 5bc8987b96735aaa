"""Reusable widgets of the casesim TUI; each carries its own messages and default styles."""

from __future__ import annotations

from casesim.tui.widgets.choice_list import ChoiceList
from casesim.tui.widgets.client_panel import ClientPanel, Meter
from casesim.tui.widgets.feedback import FeedbackPanel
from casesim.tui.widgets.prose import Hanging, Para, Prose
from casesim.tui.widgets.title_bar import TitleBar
from casesim.tui.widgets.transcript import Transcript

__all__ = ["ChoiceList", "ClientPanel", "FeedbackPanel", "Hanging", "Meter", "Para", "Prose", "TitleBar",
           "Transcript"]
