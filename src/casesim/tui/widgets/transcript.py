"""The scrolling transcript: client lines, scene narration and the trainee's words.

The whole transcript is one widget drawing one :class:`TranscriptText`, not a widget per line:
a choice adds two or three lines, and mounting a widget for each cost the keypress their
styling, a second layout pass and a second frame, and every later frame one more widget to
arrange (issue 15, item 7). Each line is wrapped once per width and kept, so a choice wraps only
the lines it adds.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from casesim.play.transcript import Line
from casesim.tui.text import literal

__all__ = ["Transcript", "TranscriptText", "render_line"]

_INDENT = {"trainee": 2}
"""Columns a kind of line is indented by (the trainee's words sit in from the client's)."""
_MUTED = frozenset({"narration", "timeout"})
"""Kinds of line drawn in the muted text colour (what happens, not what is said)."""
_RULE = "━"
"""An ending is set off by a heavy rule across the transcript, in the accent colour."""


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


class TranscriptText(Visual):
    """Transcript lines wrapped at a width, a blank row after each; ``wrapped`` is shared with the
    next version of the transcript, so a line is wrapped once per width."""

    def __init__(self, lines: Sequence[Line], client_name: str,
                 wrapped: dict[tuple[Line, int], list[Content]]) -> None:
        self.lines = tuple(lines)
        self.client_name = client_name
        self._wrapped = wrapped
        self._rows: dict[int, list[Content]] = {}

    @property
    def plain(self) -> str:
        """Every line's text, unwrapped, one line per line (what a search of the screen sees)."""
        return "\n".join(render_line(line, self.client_name).plain for line in self.lines)

    def _line_rows(self, line: Line, width: int) -> list[Content]:
        rows = self._wrapped.get((line, width))
        if rows is None:
            indent = _INDENT.get(line.kind, 0)
            content = render_line(line, self.client_name)
            if line.kind in _MUTED:
                content = content.stylize_before("$text-muted")
            rows = [Content(" " * indent) + row if indent else row for row in content.wrap(max(1, width - indent))]
            if line.kind == "ending":
                rows.insert(0, Content.styled(_RULE * width, "$accent"))
            rows.append(Content(""))
            self._wrapped[(line, width)] = rows
        return rows

    def rows(self, width: int) -> list[Content]:
        width = max(1, width)
        rows = self._rows.get(width)
        if rows is None:
            rows = self._rows[width] = [row for line in self.lines for row in self._line_rows(line, width)]
        return rows

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return Content("\n").join(self.rows(width)).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.rows(width))


class Transcript(VerticalScroll):
    """Shows a list of :class:`~casesim.play.transcript.Line`, following the newest."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    Transcript > #transcript-text { height: auto; }
    """

    MAX_WRAPPED = 2000
    """Wrapped lines kept (per line and width); past it the cache starts again."""

    def __init__(self, client_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client_name = client_name
        self.lines: tuple[Line, ...] = ()
        self._wrapped: dict[tuple[Line, int], list[Content]] = {}
        self._text = Static(TranscriptText((), client_name, self._wrapped), id="transcript-text", markup=False)

    def compose(self) -> ComposeResult:
        yield self._text

    @property
    def plain(self) -> str:
        """The transcript as wrapped at the current width (80 before the first layout); for tests."""
        width = self._text.content_region.width or 80
        return "\n".join(row.plain for row in TranscriptText(self.lines, self.client_name, self._wrapped).rows(width))

    def show(self, lines: Sequence[Line]) -> None:
        """Display ``lines`` and follow the end (unless the trainee has scrolled up to reread)."""
        new = tuple(lines)
        if new == self.lines:
            return
        if len(self._wrapped) > self.MAX_WRAPPED:
            self._wrapped.clear()
        self.lines = new
        self._text.update(TranscriptText(new, self.client_name, self._wrapped))
        # Anchored: the view follows new lines until the trainee scrolls up to reread.
        self.anchor()
