"""The scrolling transcript: client lines, scene narration and the trainee's words.

The whole transcript is one line-API widget drawing the rows of a :class:`TranscriptText`, not
a widget per line: a choice adds two or three lines, and mounting a widget for each cost the
keypress their styling, a second layout pass and a second frame, and every later frame one more
widget to arrange (issue 15, item 7). Each line is wrapped once per width and kept, so a choice
wraps only the lines it adds.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions

from casesim.play.transcript import Line
from casesim.tui.text import literal
from casesim.tui.widgets.one_pass import OnePass

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


class TranscriptText:
    """Transcript lines wrapped at a width, a blank row after each; ``wrapped`` is shared with the
    next version of the transcript, so a line is wrapped once per width (:class:`Transcript`
    draws the rows)."""

    def __init__(self, lines: Sequence[Line], client_name: str,
                 wrapped: dict[tuple[Line, int], list[Content]]) -> None:
        self.lines = tuple(lines)
        self.client_name = client_name
        self._wrapped = wrapped

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
        return [row for line in self.lines for row in self._line_rows(line, width)]


class _ScrollBar(OnePass, ScrollBar):
    """The transcript's scrollbar (see :attr:`Transcript.vertical_scrollbar`)."""


class Transcript(ScrollView):
    """Shows a list of :class:`~casesim.play.transcript.Line`, following the newest (at the
    bottom, just above the choices, while they do not fill it).

    A line-API widget: it knows its own height (the rows of its lines wrapped at its width) when
    lines are shown, so Textual lays the screen out once for a choice. A scrolling container of
    text learns its height in the layout pass, and a height found there asks for a second layout
    and a second frame (issue 15, item 7). Only the rows in view are drawn, each once per width.
    """

    DEFAULT_CSS = """
    Transcript { width: 1fr; height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    MAX_WRAPPED = 2000
    """Wrapped lines kept (per line and width); past it the cache starts again."""

    def __init__(self, client_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client_name = client_name
        self.lines: tuple[Line, ...] = ()
        self._wrapped: dict[tuple[Line, int], list[Content]] = {}
        self._rows: list[Content] = []
        self._width = 0
        """The width ``_rows`` are wrapped at (0: not laid out yet)."""
        self._strips: dict[int, tuple[Content, Strip]] = {}
        """Drawn rows by index, with the row drawn (a row at an index can change: undo, a new line)."""

    @property
    def text(self) -> TranscriptText:
        """What is shown, as one visual (its ``plain``: every line's text, unwrapped)."""
        return TranscriptText(self.lines, self.client_name, self._wrapped)

    @property
    def plain(self) -> str:
        """The transcript as wrapped at the current width (80 before the first layout); for tests."""
        return "\n".join(row.plain for row in (self._rows if self._width else self.text.rows(80)))

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def show(self, lines: Sequence[Line]) -> None:
        """Display ``lines``. New lines bring the newest into view (they answer the trainee's
        choice, or tell that the time ran out); the same lines again leave the view where the
        trainee scrolled it to reread."""
        new = tuple(lines)
        if new == self.lines:
            return
        self.lines = new
        self._rewrap(self._width)
        # Anchored: the view follows the newest line (also as the height changes) until the
        # trainee scrolls up to reread.
        self.anchor()

    def _rewrap(self, width: int) -> None:
        """Wrap the lines at ``width`` (0: not yet known) and size the scrolled area to them."""
        if len(self._wrapped) > self.MAX_WRAPPED:
            self._wrapped.clear()
            self._strips.clear()
        if width != self._width:
            self._strips.clear()
        self._width = width
        self._rows = self.text.rows(width) if width else []
        self.virtual_size = Size(width, len(self._rows))
        self.refresh()

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The scrollbar, made as Textual makes it but of a class whose new size, found in a layout
        pass, asks for no second pass (:mod:`casesim.tui.widgets.one_pass`): the transcript's
        height changes with the choices below it, on nearly every choice."""
        if self._vertical_scrollbar is None:
            bar = self._vertical_scrollbar = _ScrollBar(vertical=True, name="vertical",
                                                        thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        before = self.size
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if self.is_anchored and not self._anchor_released and self.scroll_y != self.max_scroll_y:
            # Following the newest line: Textual anchored the view to the height it had before
            # this pass, so a transcript made shorter by the choices below it would hide its last
            # rows; it is anchored to the height it has now.
            self.scroll_y = self.scroll_target_y = self.max_scroll_y
        # A new width (the first layout, a resized terminal) is wrapped again before this pass's
        # frame is drawn, not left blank until a resize event arrives after it.
        if not self._fit_width() and size != before:
            # A new height only (the choices below changed height, as on nearly every choice):
            # the transcript and its scrollbar are drawn whole by this pass's frame, with the
            # scroll offset and thumb set here. The repaints Textual asked of them while sizing
            # them would only draw them again in a frame of their own (issue 15, item 7).
            self._repaint_required = False
            if self._vertical_scrollbar is not None:
                self._vertical_scrollbar._repaint_required = False
        return resized

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar came or went (lines were added, or the height changed): the rows are as
        # wide as the room beside it.
        if self._width:
            self._fit_width()

    def _fit_width(self) -> bool:
        """Wrap the rows again if the room for them is no longer the width they were wrapped at."""
        width = self._content_width()
        if width == self._width:
            return False
        self._rewrap(width)
        return True

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # drawn in the old colours

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(row.plain for row in self._rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        region = self.scrollable_content_region
        width, rows = region.width, len(self._rows)
        # Fewer rows than room: they sit at the bottom, the newest just above the choices.
        index = self.scroll_offset.y + y - max(0, region.height - rows)
        if not 0 <= index < rows or width != self._width:
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        selection = self.text_selection
        span = selection.get_span(index) if selection is not None else None
        if span is None:
            kept = self._strips.get(index)
            if kept is not None and kept[0] is row:
                return kept[1]
        else:
            start, end = span
            chosen = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            row = row.stylize(chosen, start, len(row) if end == -1 else end)
        # (the widget's styles, as Textual's own Visual.to_strips passes them)
        options = RenderOptions(self._get_style, self.styles)  # type: ignore[arg-type]
        strip = row.render_strips(width, 1, self.visual_style, options)[0]
        strip = strip.extend_cell_length(width, self.rich_style).apply_offsets(0, index)
        if span is None:
            self._strips[index] = (row, strip)
        return strip
