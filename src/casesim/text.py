"""Scenario and trainee text made safe to show: every control character becomes a visible stand-in.

Domain-neutral (no Textual), so the terminal UI, the plain screen-reader player and the HTML
debrief all make text inert the same way: an escape sequence in a scenario or a typed name is
*shown* as characters (ESC becomes ``␛``) and never reaches the terminal or the reader.
"""

from __future__ import annotations

import re

__all__ = ["flat", "visible"]

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


def flat(text: str) -> str:
    """``text`` made visible, then on one line: YAML's folded lines and runs of spaces become one space.

    Visible first: Python counts some control characters (``\\x1c``–``\\x1f``) as whitespace, and
    they must be shown, not silently dropped.
    """
    return " ".join(visible(text).split())
