"""Reusable widgets of the casesim TUI; each carries its own messages and default styles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
    from casesim.tui.widgets.choice_list import ChoiceList
    from casesim.tui.widgets.client_panel import ClientPanel, Meter
    from casesim.tui.widgets.feedback import FeedbackPanel
    from casesim.tui.widgets.prose import Hanging, Para, Prose
    from casesim.tui.widgets.title_bar import TitleBar
    from casesim.tui.widgets.transcript import Transcript

# Imported when first used (casesim.lazy): the library's first frame must not wait for every screen.
__getattr__ = lazy_exports(__name__, {
    "ChoiceList": "casesim.tui.widgets.choice_list",
    "ClientPanel": "casesim.tui.widgets.client_panel",
    "Meter": "casesim.tui.widgets.client_panel",
    "FeedbackPanel": "casesim.tui.widgets.feedback",
    "Hanging": "casesim.tui.widgets.prose",
    "Para": "casesim.tui.widgets.prose",
    "Prose": "casesim.tui.widgets.prose",
    "TitleBar": "casesim.tui.widgets.title_bar",
    "Transcript": "casesim.tui.widgets.transcript",
})

__all__ = ["ChoiceList", "ClientPanel", "FeedbackPanel", "Hanging", "Meter", "Para", "Prose", "TitleBar",
           "Transcript"]
