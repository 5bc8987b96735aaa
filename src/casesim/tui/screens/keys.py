"""``?``: the keys that work on the screen underneath, in plain words."""

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

from casesim.tui.widgets.prose import Para, Prose

__all__ = ["KeysScreen", "describe_bindings"]

ALWAYS = (
    ("tab / shift+tab", "move between parts of the screen"),
    ("ctrl+q", "quit casesim (an attempt in progress can be resumed later)"),
)


def describe_bindings(screen_bindings: Sequence[tuple[str, str]],
                      always: Sequence[tuple[str, str]] = ALWAYS) -> list[Para]:
    """One paragraph per key, the descriptions aligned after the widest key; ``always`` (the keys
    every screen of the app has) last, except a key the screen gives a meaning of its own (the
    debrief's tab moves between decisions): that key is listed once, with the screen's meaning."""
    own = {key for key, _ in screen_bindings}
    rows = [*screen_bindings, *((key, text) for key, text in always if key not in own)]
    width = max(len(k) for k, _ in rows) + 2
    return [Para(Content(text), width, Content.styled(key, "bold")) for key, text in rows]


class KeysScreen(ModalScreen[None]):
    """A list of keys and what they do; any of escape, ? or enter closes it."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,enter,q", "close", "Close", id="close-keys"),
    ]

    def __init__(self, title: str, bindings: Sequence[tuple[str, str]],
                 always: Sequence[tuple[str, str]] = ALWAYS) -> None:
        super().__init__()
        self._title = title
        self._rows = bindings
        self._always = always

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = Content(f"Keys: {self._title}")
            with VerticalScroll(id="keys-scroll"):
                yield Prose(describe_bindings(self._rows, self._always))
            yield Static(Content("escape, ? or enter: close"), classes="modal-keys", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
