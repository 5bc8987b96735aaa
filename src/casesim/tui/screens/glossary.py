"""The debrief's glossary (:mod:`casesim.scoring.glossary`): ``g`` lists the terms the debrief
uses (C-SSRS, MITI, ...) and the criteria it cites (NASW-1.01), enter opens one; a click on an
underlined term or criterion id in the debrief opens it directly. Both are overlays over the
debrief, which has no clock, so nothing waits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casesim.scoring.glossary import GlossaryEntry
from casesim.tui.text import literal
from casesim.tui.widgets.prose import Para, Prose, blank, para

__all__ = ["GlossaryScreen", "TermScreen", "term_paras"]


def term_paras(entry: GlossaryEntry) -> list[Para]:
    """What the term stands for, then the framework file's plain words."""
    return [para(literal(entry.title, "bold")), blank(), para(literal(entry.plain))]


class TermScreen(ModalScreen[None]):
    """One term's definition; escape or enter goes back to where it was opened from."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Back", id="close-term"),
    ]

    def __init__(self, entry: GlossaryEntry, *, back_to: str = "the debrief") -> None:
        super().__init__()
        self.entry = entry
        self.back_to = back_to

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = literal(self.entry.term)
            with VerticalScroll(id="term-scroll"):
                yield Prose(term_paras(self.entry), id="term-text")
            yield Static(Content(f"escape or enter: back to {self.back_to}"), classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        # Focus the scroll, so a definition longer than the box scrolls with the arrow keys.
        self.query_one("#term-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class GlossaryScreen(ModalScreen[None]):
    """The terms of this debrief, one a line; enter opens a term; escape or g closes the list."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g,q", "close", "Close", id="close-glossary"),
    ]

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        super().__init__()
        self.entries = tuple(entries)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content("Glossary: the terms and criteria in this debrief")
            if self.entries:
                yield OptionList(*(Option(Content.assemble((e.term, "bold"), " · ", literal(e.title)), id=e.anchor)
                                   for e in self.entries), id="glossary-terms")
                keys = "up / down, enter: what a term means · escape: back to the debrief"
            else:
                yield Prose([para("This debrief uses no abbreviation the glossary explains.")],
                            classes="modal-text")
                keys = "escape: back to the debrief"
            yield Static(Content(keys), classes="modal-keys", markup=False)

    @on(OptionList.OptionSelected, "#glossary-terms")
    def _open(self, event: OptionList.OptionSelected) -> None:
        entry = next(e for e in self.entries if e.anchor == event.option.id)
        self.app.push_screen(TermScreen(entry, back_to="the glossary"))

    def action_close(self) -> None:
        self.dismiss(None)
