"""The client panel: who the client is, and the visible variables as labelled meters with numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from casesim.format.scenario import Scenario
from casesim.tui.text import drawn, literal
from casesim.tui.widgets.one_pass import OnePassColumn, OnePassText

__all__ = ["ClientPanel", "Meter", "meter_content"]

BAR_WIDTH = 10
INLINE_LABEL = 8
"""The longest label that fits beside its bar in the panel (28 columns inside: label, space, bar,
`` 10/10`` and `` ▲1``). A longer label goes on its own line above the bar, whole: a label is
never cut mid-word."""


def meter_content(label: str, value: int, low: int, high: int, change: int = 0, *, label_width: int = INLINE_LABEL,
                  bar_width: int = BAR_WIDTH) -> Content:
    """``Rapport  ██████░░░░  6/10 ▲1``: the bar's shape, the number and the change say it all.

    ``label_width`` is the width of the longest label in the panel: when it is more than
    :data:`INLINE_LABEL`, every meter puts its label on a line of its own (so the bars still line
    up), and the label wraps at word boundaries if it must."""
    span = max(1, high - low)
    filled = round((value - low) / span * bar_width)
    bar = "█" * filled + "░" * (bar_width - filled)
    head: list[str | Content | tuple[str, str]]
    if label_width > INLINE_LABEL:
        head = [literal(label), "\n"]
    else:
        head = [literal(label.ljust(label_width)), " "]
    parts: list[str | Content | tuple[str, str]] = [*head, (bar, "$accent"), f" {value:>2}/{high}"]
    if change:
        parts.append((f" {'▲' if change > 0 else '▼'}{abs(change)}", "bold"))
    return Content.assemble(*parts)


def _plain_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _change(before: Any, after: Any) -> str:
    if before == after:
        return ""
    if isinstance(after, int) and not isinstance(after, bool) and isinstance(before, int):
        diff = after - before
        return f" {'▲' if diff > 0 else '▼'}{abs(diff)}"
    return " (changed)"


class Meter(OnePassText):
    """One visible variable."""

    DEFAULT_CSS = "Meter { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._shown: tuple[str, tuple[object, ...]] | None = None

    def show(self, content: Content) -> None:
        """Show ``content`` unless it is what is shown already: an update costs a layout pass on
        the keypress, and a choice moves one or two of the meters (issue 15 item 7)."""
        shown = drawn(content)
        if shown != self._shown:
            self._shown = shown
            self.update(content)


class ClientPanel(OnePassColumn):
    """The client's name and the variables the author chose to show, updated after each step."""

    DEFAULT_CSS = """
    ClientPanel { height: auto; border: round $primary; padding: 0 1; }
    ClientPanel > #client-who { color: $text-muted; }
    """

    def __init__(self, scenario: Scenario, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scenario = scenario
        self.border_title = literal(scenario.client.name)
        self._shown = [(name, var) for name, var in scenario.variables.items() if var.show != "hidden"]

    def compose(self) -> ComposeResult:
        c = self.scenario.client
        yield Static(literal(f"{c.age}, {c.pronouns}"), id="client-who", markup=False)
        for name, _ in self._shown:
            yield Meter(id=f"var-{name}")

    def show(self, values: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> None:
        """Show ``values``; a change from ``previous`` is marked with ▲/▼ and the amount."""
        width = max((len(var.label or name) for name, var in self._shown if var.show == "meter"), default=0)
        for name, var in self._shown:
            value = values.get(name)
            before = previous.get(name) if previous is not None else None
            meter = self.query_one(f"#var-{name}", Meter)
            label = var.label or name
            if var.show == "meter" and isinstance(value, int) and var.min is not None and var.max is not None:
                change = value - before if isinstance(before, int) and not isinstance(before, bool) else 0
                meter.show(meter_content(label, value, var.min, var.max, change, label_width=width))
            else:
                meter.show(Content.assemble(literal(f"{label}: "), (_plain_value(value), "bold"),
                                              (_change(before, value) if previous is not None else "", "bold")))
