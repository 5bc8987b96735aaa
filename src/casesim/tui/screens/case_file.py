"""``c``: the client's case file over play (the clock stops while it is open), and the same file
drawn on the before-you-start screen. The words come from :mod:`casesim.play.casefile`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from casesim.play.casefile import CaseFile

__all__ = ["CaseFileScreen", "case_file_content"]


def case_file_content(case: CaseFile) -> Content:
    """The sections as bold headings and their text; objectives as a numbered list."""
    parts: list[str | tuple[str, str] | Content] = []
    for section in case.sections:
        if parts:
            parts.append("\n")
        parts.append((section.heading, "bold"))
        if section.text:
            parts.extend([": ", Content(section.text)])
        for i, item in enumerate(section.items, start=1):
            parts.extend(["\n", f"  {i}. ", Content(item)])
    return Content.assemble(*parts)


class CaseFileScreen(ModalScreen[None]):
    """The case file; escape, c or enter closes it. The play screen under it stops the clock."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,c,enter,q", "close", "Close", id="close-case-file"),
    ]

    def __init__(self, case: CaseFile) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content(self.case.title)
            with VerticalScroll(id="case-scroll"):
                yield Static(case_file_content(self.case), classes="modal-text", markup=False)
            yield Static(Content("The clock is stopped while this is open. escape, c or enter: close"),
                         classes="modal-keys", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
