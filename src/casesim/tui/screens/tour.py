"""The guided first run: short callouts, one at a time, over play (the clock is held meanwhile)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from casesim.play.tour import Callout
from casesim.tui.text import literal

__all__ = ["TourScreen"]


class TourScreen(ModalScreen[bool]):
    """Enter (or right) for the next note, s or escape to skip the rest. Dismisses with True when
    read to the end, False when skipped: either way the tour is done."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,right,space", "next", "Next", id="tour-next"),
        Binding("s,escape", "skip", "Skip", id="tour-skip"),
    ]

    def __init__(self, callouts: Sequence[Callout]) -> None:
        super().__init__()
        self._callouts = tuple(callouts)
        self.index = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="tour-box"):
            yield Static(id="tour-text", classes="modal-text", markup=False)
            yield Static(id="tour-keys", classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        callout = self._callouts[self.index]
        last = self.index == len(self._callouts) - 1
        self.query_one("#tour-box").border_title = Content.assemble(
            literal(callout.title), f" ({self.index + 1} of {len(self._callouts)})")
        self.query_one("#tour-text", Static).update(literal(callout.text))
        self.query_one("#tour-keys", Static).update(Content(
            "enter: start playing" if last else "enter: next · s: skip the tour"))

    def action_next(self) -> None:
        if self.index == len(self._callouts) - 1:
            self.dismiss(True)
            return
        self.index += 1
        self._show()

    def action_skip(self) -> None:
        self.dismiss(False)
