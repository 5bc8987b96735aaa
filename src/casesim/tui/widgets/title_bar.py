"""A one-line bar naming where the trainee is, with a status on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from casesim.tui.text import drawn

__all__ = ["TitleBar"]


class TitleBar(Horizontal):
    """``title`` on the left, ``status`` on the right; both literal content."""

    DEFAULT_CSS = """
    TitleBar { height: 1; dock: top; background: $panel; color: $foreground; }
    TitleBar > #title-text { width: 1fr; text-style: bold; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    TitleBar > #title-status { width: auto; padding: 0 1; text-wrap: nowrap; }
    """

    def __init__(self, title: Content | str = "", status: Content | str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = Content(title) if isinstance(title, str) else title
        self._status = Content(status) if isinstance(status, str) else status

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="title-text", markup=False)
        yield Static(self._status, id="title-status", markup=False)

    def set_title(self, title: Content) -> None:
        self._title = title
        if self.is_mounted:
            self.query_one("#title-text", Static).update(title)

    def set_status(self, status: Content) -> None:
        """Show ``status`` (nothing is redrawn when it is what is shown)."""
        same = drawn(self._status) == drawn(status)
        self._status = status
        if self.is_mounted and not same:
            self.query_one("#title-status", Static).update(status)
