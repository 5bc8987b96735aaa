"""Author mode: pick a node to play from."""

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

from casesim.format.lines import field_lines
from casesim.format.scenario import Scenario
from casesim.tui.text import literal

__all__ = ["JumpScreen"]


def _first_words(text: str, limit: int = 46) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class JumpScreen(ModalScreen[str | None]):
    """Every node, in file order, with the start of what the client says there."""

    CSS_PATH = Path(__file__).with_name("modals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel-jump")]

    def __init__(self, scenario: Scenario, current: str | None = None) -> None:
        super().__init__()
        self._scenario = scenario
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for node_id, node in self._scenario.nodes.items():
            lines = field_lines(f"node.{node_id}.client", (), "client", node.client)
            said = lines.variants[0].alternatives[0].text if lines is not None else ""  # the first variant
            mark = " (here)" if node_id == self._current else ""
            options.append(Option(Content.assemble((node_id + mark, "bold"), "  ", literal(_first_words(said))),
                                  id=node_id))
        with Vertical(classes="modal-box") as box:
            box.border_title = Content("Play from node")
            yield OptionList(*options, id="jump-nodes")
            yield Static(Content("enter: play from this node (variables start fresh)   escape: cancel"),
                         classes="modal-keys", markup=False)

    def on_mount(self) -> None:
        nodes = self.query_one(OptionList)
        nodes.focus()
        if self._current in self._scenario.nodes:
            nodes.highlighted = list(self._scenario.nodes).index(self._current)

    @on(OptionList.OptionSelected, "#jump-nodes")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
