"""The numbered choices: keys 1–9, or arrows and Enter.

Nothing is highlighted when new choices appear: a highlighted first option reads as a
recommendation, and a stray Enter would say it (UX review P1). Enter does nothing until an arrow
key has highlighted an option (down highlights the first, up the last).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from casesim.tui.text import literal
from casesim.tui.widgets.prose import Hanging, Para

__all__ = ["ChoiceList", "CONTINUE"]

CONTINUE = "__continue__"
"""The option id of the single "continue" option shown at an ending."""


class ChoiceList(OptionList):
    """Choices numbered from 1 in the order given; the option id is the choice id."""

    DEFAULT_CSS = """
    ChoiceList { height: auto; max-height: 11; border: round $primary; padding: 0 0; }
    ChoiceList:focus { border: round $accent; }
    ChoiceList > .option-list--option { padding: 0 1; }
    """

    _drawn_width = -1

    def on_resize(self, event: events.Resize) -> None:
        """Wrap the options again only for a new width. Textual's list draws itself anew on any
        resize, and the choices are resized with nearly every choice (the feedback above them
        changes height): that drew the choice a second frame (issue 15, item 7)."""
        event.prevent_default()  # not OptionList's own handler
        if event.size.width != self._drawn_width:
            self._drawn_width = event.size.width
            self._clear_caches()

    def show_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """Replace the options with ``(choice id, what the trainee says)`` pairs, numbered."""
        self.clear_options()
        self.add_options([
            Option(Hanging([Para(literal(" ".join(say.split())), 3, Content.styled(f"{i}.", "bold"))]), id=cid)
            for i, (cid, say) in enumerate(choices, start=1)
        ])
        self.highlighted = None
        self.scroll_home(animate=False)

    def show_waiting(self, label: str) -> None:
        """A disabled line while something finishes (scoring)."""
        self.clear_options()
        self.add_option(Option(literal(label, "italic"), disabled=True))
        self.highlighted = None

    def show_continue(self, label: str) -> None:
        """One option that moves on (to the debrief)."""
        self.clear_options()
        self.add_option(Option(Hanging([Para(literal(label), 3, Content.styled("1.", "bold"))]), id=CONTINUE))
        self.highlighted = 0
