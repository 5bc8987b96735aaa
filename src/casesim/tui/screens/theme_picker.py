"""Pick the colour theme (ctrl+t): dark, light or high contrast, remembered for next time."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casesim.tui.text import literal
from casesim.tui.themes import OFFERED_THEMES

__all__ = ["ThemeScreen"]


class ThemeScreen(ModalScreen[str | None]):
    """The themes casesim checks for contrast; enter picks one (dismissed with its name)."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="close-theme")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = "Colours"
            yield Static(Content("Every theme here keeps text at WCAG AA contrast or better. Your terminal's "
                                 "own zoom (often ctrl and + or -) makes the text larger."),
                         classes="modal-text", markup=False)
            options = OptionList(*[
                Option(literal(f"{offered.label}{' (now)' if offered.theme.name == self._current else ''}: "
                               f"{offered.description}"), id=offered.theme.name)
                for offered in OFFERED_THEMES], id="theme-list")
            yield options
            yield Static(Content("enter: use this theme · escape: keep the current one"), classes="modal-keys",
                         markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = [offered.theme.name for offered in OFFERED_THEMES]
        options.highlighted = names.index(self._current) if self._current in names else 0
        options.focus()

    @on(OptionList.OptionSelected, "#theme-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
