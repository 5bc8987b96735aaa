"""Scenario text shown literally: never markup, never a terminal control sequence.

Everything a scenario author (or a file path) supplies goes through :func:`literal` before it
reaches a widget. Control characters are replaced by visible stand-ins (ESC becomes ``␛``), so
an escape sequence in a scenario is *shown* as characters and never reaches the terminal; and
the result is a :class:`~textual.content.Content` built without markup parsing, so ``[bold]``
or ``[link=...]`` stays as the characters the author typed.
"""

from __future__ import annotations

from textual.content import Content

from casesim.format.text import visible

__all__ = ["drawn", "literal", "visible"]


def literal(text: str, style: str = "") -> Content:
    """``text`` as display content: no markup parsing, control characters made visible."""
    return Content.styled(visible(text), style)


def drawn(content: Content) -> tuple[str, tuple[object, ...]]:
    """What ``content`` draws (its words and styles), to compare with what a widget shows: an
    update costs the keypress a layout pass, so widgets skip one that would draw the same."""
    return content.plain, tuple(content.spans)
