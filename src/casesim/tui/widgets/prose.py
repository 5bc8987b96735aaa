"""Prose: paragraphs that wrap inside their own indent (hanging indents for labels and bullets).

Textual wraps a widget's text at the widget's width, so a wrapped line of an indented bullet
would start at column 0. ``Prose`` wraps each :class:`Para` at ``width - indent`` itself and
pads every line, which keeps long scenario text readable in narrow panes at 80×24.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

__all__ = ["Hanging", "Para", "Prose", "blank", "para", "wrap_paras"]


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph: its content, the column its lines start at, and an optional bullet/label."""

    content: Content
    indent: int = 0
    bullet: str | Content | None = None
    """Printed in the indent of the first line (e.g. "  • "); later lines align with the text."""


def para(*parts: str | Content | tuple[str, str], indent: int = 0, bullet: str | Content | None = None) -> Para:
    """A paragraph from literal parts (plain strings are never parsed as markup)."""
    return Para(Content.assemble(*parts), indent, bullet)


def blank() -> Para:
    return Para(Content(""))


def wrap_paras(paras: Iterable[Para], width: int) -> list[Content]:
    lines: list[Content] = []
    for p in paras:
        room = max(1, width - p.indent)
        bullet = (Content(p.bullet) if isinstance(p.bullet, str) else p.bullet) if p.bullet else None
        if bullet is not None and bullet.cell_length > p.indent:
            # A label wider than the indent ("Score: ") starts the first line; wrapping it with
            # the text keeps that line within the width instead of overflowing and re-wrapping.
            wrapped = (bullet + p.content).wrap(room)
            lines.extend(line if i == 0 else Content(" " * p.indent) + line for i, line in enumerate(wrapped))
            continue
        wrapped = p.content.wrap(room) if p.content.plain else [Content("")]
        for i, line in enumerate(wrapped):
            if i == 0 and bullet is not None:
                lead = bullet + " " * max(0, p.indent - bullet.cell_length)
            else:
                lead = Content(" " * p.indent)
            lines.append(lead + line if lead.plain else line)
    return lines


class Hanging(Visual):
    """A Visual of paragraphs with hanging indents; usable anywhere Textual takes a visual."""

    def __init__(self, paras: Sequence[Para]) -> None:
        self.paras = tuple(paras)
        self._cache: dict[int, list[Content]] = {}

    def lines(self, width: int) -> list[Content]:
        width = max(1, width)
        lines = self._cache.get(width)
        if lines is None:
            lines = self._cache[width] = wrap_paras(self.paras, width)
        return lines

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return Content("\n").join(self.lines(width)).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((p.indent + p.content.get_optimal_width(rules, container_width) for p in self.paras), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))


class Prose(Static):
    """A block of :class:`Para` paragraphs, height to fit."""

    DEFAULT_CSS = "Prose { height: auto; }"

    def __init__(self, paras: Sequence[Para] = (), *, id: str | None = None, classes: str | None = None) -> None:
        self._hanging = Hanging(paras)
        super().__init__(self._hanging, id=id, classes=classes, markup=False)

    @property
    def paras(self) -> tuple[Para, ...]:
        return self._hanging.paras

    def show(self, paras: Sequence[Para]) -> None:
        """Replace the paragraphs."""
        self._hanging = Hanging(paras)
        self.update(self._hanging)

    @property
    def plain(self) -> str:
        """The text as wrapped at the current width (80 before the first layout); for tests."""
        width = self.content_region.width or 80
        return "\n".join(line.plain for line in self._hanging.lines(width))
