"""The practice-mode feedback panel: why the last choice helped or harmed, or a hint."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from casesim.tui.text import literal
from casesim.tui.widgets.one_pass import OnePassScroll, OnePassText

__all__ = ["FeedbackPanel"]


class FeedbackPanel(OnePassScroll):
    """Hidden while empty; shows a labelled teaching note.

    Shown and hidden through ``display``, not a class: a class change restyles the panel and
    everything in it against the app's whole stylesheet, on the keypress (issue 15, item 7)."""

    DEFAULT_CSS = """
    FeedbackPanel {
        height: auto; max-height: 7; border: round $secondary; padding: 0 1; display: none;
        border-title-color: $text; border-title-style: bold;
    }
    FeedbackPanel > Static { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield OnePassText(id="feedback-text", markup=False)

    def show(self, heading: str, text: str) -> None:
        self.border_title = Content(heading)
        self.query_one("#feedback-text", Static).update(literal(text))
        self.display = True
        self.scroll_home(animate=False)

    def clear(self) -> None:
        self.display = False
