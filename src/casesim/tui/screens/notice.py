"""A short message that needs acknowledging (an error written for people, or a notice)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from casesim.tui.text import literal

__all__ = ["NoticeScreen"]


class NoticeScreen(ModalScreen[None]):
    """A title, what happened and what to do next; enter or escape closes it."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close", id="close-notice")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = literal(self._title)
            yield Static(literal(self._message), classes="modal-text", markup=False)
            yield Static(Content("enter or escape: close"), classes="modal-keys", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
