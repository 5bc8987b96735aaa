"""The scrolling transcript: client lines, scene narration and the trainee's words."""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from casesim.play.transcript import Line
from casesim.tui.text import literal

__all__ = ["Transcript", "render_line"]


def render_line(line: Line, client_name: str) -> Content:
    """A transcript line as literal content with a spoken label (meaning never by colour alone)."""
    if line.kind == "client":
        spoken = Content.assemble((f"{line.speaker or client_name}: ", "bold"), literal(line.text))
        if line.original:
            spoken = Content.assemble(spoken, "\n", literal(f"(in the original: {line.original})", "italic"))
        return spoken
    if line.kind == "trainee":
        return Content.assemble(("You: ", "bold"), literal(line.text))
    if line.kind == "narration":
        return Content.assemble(("Scene: ", "bold italic"), literal(line.text, "italic"))
    if line.kind == "timeout":
        return Content.assemble(("Time ran out: ", "bold"), literal(line.text, "italic"))
    title = literal(line.title or "", "bold")
    return Content.assemble(("Ending: ", "bold"), title, "\n", literal(line.text))


class Transcript(VerticalScroll):
    """Shows a list of :class:`~casesim.play.transcript.Line`; updates by appending the difference."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    Transcript > .line { margin-bottom: 1; }
    Transcript > .line-trainee { padding-left: 2; }
    Transcript > .line-narration, Transcript > .line-timeout { color: $text-muted; }
    Transcript > .line-ending { border-top: heavy $accent; padding-top: 0; }
    """

    def __init__(self, client_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client_name = client_name
        self.lines: tuple[Line, ...] = ()

    def show(self, lines: Sequence[Line]) -> None:
        """Display ``lines``: keep the common prefix, replace the rest, scroll to the end."""
        new = tuple(lines)
        keep = 0
        for old, line in zip(self.lines, new, strict=False):
            if old != line:
                break
            keep += 1
        children = list(self.children)
        for child in children[keep:]:
            child.remove()
        widgets = [Static(render_line(line, self.client_name), classes=f"line line-{line.kind}", markup=False)
                   for line in new[keep:]]
        if widgets:
            self.mount_all(widgets)
        self.lines = new
        # Anchored: the view follows new lines until the trainee scrolls up to reread.
        self.anchor()
