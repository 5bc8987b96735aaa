"""The pause screen: a short grounding break, always one key away, with a way out that costs nothing."""

from __future__ import annotations

from enum import Enum
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

__all__ = ["PauseChoice", "PauseScreen", "GROUNDING"]


class PauseChoice(Enum):
    """What the trainee decided on the pause screen."""

    RESUME = "resume"
    STOP_FOR_NOW = "stop"
    LEAVE = "leave"


GROUNDING = (
    "Take a moment. The clock is stopped and nothing is scored while this is open.\n\n"
    "Breathe in for a count of four, hold for four, and breathe out for six. Three times.\n"
    "Then notice five things you can see, four you can hear, three you can touch.\n\n"
    "If this scenario touched something hard for you, it is fine to leave it. Leaving is "
    "not a fail and is not scored. Talk to your instructor or someone you trust; in the US "
    "you can call or text 988 at any hour."
)


class PauseScreen(ModalScreen[PauseChoice]):
    """Resume, stop for now (resume later), or leave without penalty."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,r,p", "choose('resume')", "Resume", id="pause-resume"),
        Binding("s", "choose('stop')", "Stop for now", id="pause-stop"),
        Binding("l", "choose('leave')", "Leave, no penalty", id="pause-leave"),
    ]

    def __init__(self, *, can_stop_for_now: bool = True) -> None:
        super().__init__()
        self._can_stop = can_stop_for_now

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content("Paused")
            yield Static(Content(GROUNDING), classes="modal-text", markup=False)
            options = [Option(Content.assemble(("r  ", "bold"), "Resume where I was"), id="resume")]
            if self._can_stop:
                options.append(Option(Content.assemble(("s  ", "bold"), "Stop for now; resume later from the library"),
                                      id="stop"))
            options.append(Option(Content.assemble(("l  ", "bold"), "Leave this scenario (not scored, no penalty)"),
                                  id="leave"))
            yield OptionList(*options, id="pause-options")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#pause-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self.action_choose(event.option_id)

    def action_choose(self, choice: str) -> None:
        picked = PauseChoice(choice)
        if picked is PauseChoice.STOP_FOR_NOW and not self._can_stop:
            return
        self.dismiss(picked)
