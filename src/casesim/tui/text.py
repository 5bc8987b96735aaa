"""Scenario text shown literally: never markup, never a terminal control sequence.

Everything a scenario author (or a file path) supplies goes through :func:`literal` before it
reaches a widget. Control characters are replaced by visible stand-ins (ESC becomes ``␛``), so
an escape sequence in a scenario is *shown* as characters and never reaches the terminal; and
the result is a :class:`~textual.content.Content` built without markup parsing, so ``[bold]``
or ``[link=...]`` stays as the characters the author typed.
"""

from __future__ import annotations

import re

from textual.content import Content

__all__ = ["literal", "visible"]

# C0 controls except newline, DEL, C1 controls, and the invisible direction/zero-width marks
# that can make text display differently from what it says.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "    "
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ ␇ ␍ ...
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` with every control character replaced by a visible, inert stand-in."""
    return _UNSAFE.sub(_stand_in, text)


def literal(text: str, style: str = "") -> Content:
    """``text`` as display content: no markup parsing, control characters made visible."""
    return Content.styled(visible(text), style)
