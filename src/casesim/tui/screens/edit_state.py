"""Author mode: edit one variable, or the history, of the run being played.

The checks are the workbench's (:mod:`casesim.play.workbench`): the modal hands what was typed
or ticked to an ``apply`` callback and shows its refusal in place, so a wrong value is
explained and can be corrected without leaving the dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static

from casesim.errors import CaseSimError
from casesim.tui.text import literal

__all__ = ["EditHistoryScreen", "EditValueScreen"]


class EditValueScreen(ModalScreen[str | None]):
    """Type a new value; ``apply(text)`` sets it (and returns what changed) or raises with why not."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel-edit-value")]

    def __init__(self, title: str, current: str, explain: str, apply: Callable[[str], str]) -> None:
        super().__init__()
        self._title = title
        self._current = current
        self._explain = explain
        self._apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = literal(self._title)
            yield Static(literal(self._explain), classes="modal-text", markup=False)
            yield Input(self._current, id="edit-value", select_on_focus=True,
                        compact=True)
            yield Static(id="edit-error", classes="modal-text", markup=False)
            yield Static(Content("enter: set it   escape: cancel"), classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()
        field.select_all()  # typing replaces the value shown

    @on(Input.Submitted, "#edit-value")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            what = self._apply(event.value)
        except CaseSimError as exc:
            self.query_one("#edit-error", Static).update(Content.styled(exc.message, "bold"))
            return
        self.dismiss(what)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditHistoryScreen(ModalScreen[str | None]):
    """Tick the nodes visited and the steps chosen; ``apply(visited, chosen)`` sets them."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Apply", id="apply-edit-history"),
        Binding("escape", "cancel", "Cancel", id="cancel-edit-history"),
    ]

    def __init__(self, nodes: Iterable[tuple[str, bool]], steps: Iterable[tuple[str, bool]],
                 apply: Callable[[list[str], list[str]], str | None]) -> None:
        super().__init__()
        self._visited_ticks = list(nodes)
        self._chosen_ticks = list(steps)
        self._apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="history-box") as box:
            box.border_title = Content("Edit the history")
            yield Static(Content("What visited(...) and chose(...) read: the nodes reached and the steps taken "
                                 "(choices and timers running out)."), classes="modal-text", markup=False)
            with Horizontal(id="history-lists"):
                visited: SelectionList[str] = SelectionList(*((n, n, on) for n, on in self._visited_ticks), id="history-visited")
                visited.border_title = Content("Visited")
                yield visited
                chosen: SelectionList[str] = SelectionList(*((s, s, on) for s, on in self._chosen_ticks), id="history-chosen")
                chosen.border_title = Content("Chosen")
                yield chosen
            yield Static(id="edit-error", classes="modal-text", markup=False)
            yield Static(Content("space: tick   tab: other list   ctrl+s: apply   escape: cancel"),
                         classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#history-visited", SelectionList).focus()

    def action_save(self) -> None:
        visited: SelectionList[str] = self.query_one("#history-visited", SelectionList)
        chosen: SelectionList[str] = self.query_one("#history-chosen", SelectionList)
        try:
            what = self._apply(list(visited.selected), list(chosen.selected))
        except CaseSimError as exc:
            self.query_one("#edit-error", Static).update(Content.styled(exc.message, "bold"))
            return
        self.dismiss(what)

    def action_cancel(self) -> None:
        self.dismiss(None)
