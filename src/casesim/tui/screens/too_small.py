"""Shown instead of a broken layout when the window is smaller than casesim needs."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "TooSmallScreen", "too_small_text"]

MIN_WIDTH = 80
MIN_HEIGHT = 24


def too_small_text(width: int, height: int) -> str:
    """What the notice says: the sizes, and that nothing is lost while it shows."""
    return (f"This window is {width}×{height}; casesim needs at least {MIN_WIDTH}×{MIN_HEIGHT} to show the "
            "conversation and your choices together. Make the window larger, or the text smaller "
            "(often ctrl and -). Nothing is lost: the clock is stopped, and the scenario carries on "
            "when the window is large enough.")


class TooSmallScreen(ModalScreen[None]):
    """A notice that the app itself removes once the window is large enough again; it covers the
    screen below it, so a play screen's clock is held while it shows (see ``PlayScreen``)."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self._first_size = (width, height)

    def on_mount(self) -> None:
        self.show_size(*self._first_size)

    def compose(self) -> ComposeResult:
        with Vertical(id="too-small-box"):
            yield Static(id="too-small-text", markup=False)

    def on_screen_resume(self) -> None:
        size = self.app.size
        if size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT:
            self.dismiss(None)
        else:
            self.show_size(size.width, size.height)

    def show_size(self, width: int, height: int) -> None:
        """Say the window's size now; before the notice is composed, once it is (``on_mount``)."""
        self._first_size = (width, height)
        for text in self.query("#too-small-text").results(Static):
            text.update(Content(too_small_text(width, height)))
