"""Widgets whose new size, found in a layout pass, asks for no second pass (issue 15, item 7).

When a layout pass gives a widget a new size, Textual also sets the widget's virtual size, and
that setting asks for another layout pass and so another frame. On the play screen nearly every
choice changes the height of what is below the conversation (the feedback, the countdown line,
the choices), so a choice was laid out and drawn two or three times. A widget whose children
(if any) the resizing pass has already arranged gains nothing from the second pass; these pass
Textual's own ``layout=False`` for that setting. A scrollbar that comes or goes still lays the
screen out again (that is a reactive of its own), and a widget that draws its own lines
(:class:`~textual.scroll_view.ScrollView`) never set its virtual size here anyway.

Textual is pinned (``pyproject.toml``); ``tests/tui/test_tui_keypress_redraw.py`` counts the
passes and frames of a choice and checks that its one frame is the whole picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

__all__ = ["OnePass", "OnePassColumn", "OnePassRow", "OnePassScroll", "OnePassText"]


if TYPE_CHECKING:
    _Mixin = Widget
else:
    _Mixin = object  # not a widget class: Textual takes a class's styles through its first widget base


class OnePass(_Mixin):
    """Mixed in before a Textual widget class: a new size asks for no second layout pass."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class OnePassRow(OnePass, Horizontal):
    """A :class:`~textual.containers.Horizontal` (see the module)."""


class OnePassColumn(OnePass, Vertical):
    """A :class:`~textual.containers.Vertical` (see the module)."""


class OnePassScroll(OnePass, VerticalScroll):
    """A :class:`~textual.containers.VerticalScroll` (see the module)."""


class OnePassText(OnePass, Static):
    """A :class:`~textual.widgets.Static` (see the module)."""
