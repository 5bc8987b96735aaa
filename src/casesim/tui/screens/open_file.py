"""Open a scenario file by path (from the library)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

__all__ = ["OpenFileScreen"]


class OpenFileScreen(ModalScreen[Path | None]):
    """Type a path; enter opens it, escape cancels."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel-open")]

    def __init__(self, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content("Open a scenario file")
            yield Static(Content("The path of a .yaml scenario file (~ is your home folder):"),
                         classes="modal-text", markup=False)
            field = Input(placeholder="e.g. ~/scenarios/my-scenario.yaml", id="open-path")
            field.cursor_blink = self._blink
            yield field
            yield Static(Content("enter: open   escape: cancel"), classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#open-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
