"""``g`` on the debrief: the glossary entries of the terms the debrief uses (C-SSRS, MITI, ...),
from :mod:`casesim.scoring.glossary`; the clock is not involved (play has ended)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from casesim.scoring.glossary import GlossaryEntry
from casesim.tui.text import literal
from casesim.tui.widgets.prose import Para, Prose, blank, para

__all__ = ["GlossaryScreen", "glossary_paras"]


def glossary_paras(entries: Sequence[GlossaryEntry]) -> list[Para]:
    """Each term in bold, what it stands for, then the framework file's plain words."""
    out: list[Para] = []
    for entry in entries:
        if out:
            out.append(blank())
        out.append(para((entry.term, "bold"), ": ", literal(entry.title, "italic")))
        out.append(para(literal(entry.plain), indent=2))
    return out or [para("This debrief uses no abbreviation the glossary explains.")]


class GlossaryScreen(ModalScreen[None]):
    """The glossary; escape, g or enter closes it."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g,enter,q", "close", "Close", id="close-glossary"),
    ]

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        super().__init__()
        self.entries = tuple(entries)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content("Glossary")
            with VerticalScroll(id="glossary-scroll"):
                yield Prose(glossary_paras(self.entries))
            yield Static(Content("escape, g or enter: close"), classes="modal-keys", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
