"""Text from a file shown as characters, never as terminal control: :func:`visible`.

A scenario file, its name or a trainee's id can hold an escape sequence. Printed raw, it would
recolour the terminal, retitle the window or write the clipboard (OSC 52). Everything a file
supplies is passed through :func:`visible` before it is printed: in the TUI (``tui.text``) and
in every diagnostic the CLI prints.
"""

from __future__ import annotations

import re

__all__ = ["flat", "json_inert", "visible"]

# C0 controls except newline, DEL, C1 controls, and the invisible direction/zero-width marks
# that can make text display differently from what it says.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_OR_NEWLINE = re.compile(f"{_UNSAFE.pattern[:-1]}\n]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "    "
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ ␇ ␍ ␊ ...
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character replaced by a visible, inert stand-in.

    With ``one_line`` a newline is replaced too (``␊``), for text that must stay on one line of
    output, such as a file name in ``path:line:col``.
    """
    return (_UNSAFE_OR_NEWLINE if one_line else _UNSAFE).sub(_stand_in, text)


def json_inert(text: str) -> str:
    """JSON text (from ``json.dumps``) with every control character escaped as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but prints C1 controls (U+009B is
    a one-byte CSI to many terminals) and direction marks raw. They can only occur inside
    strings (JSON's own syntax is ASCII), where ``\\uXXXX`` means the same character: the data
    is unchanged, the output is safe to print.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def flat(text: str) -> str:
    """``text`` made visible, then on one line: YAML's folded lines and runs of spaces become one space.

    Visible first: Python counts some control characters (``\\x1c``–``\\x1f``) as whitespace, and
    they must be shown, not silently dropped.
    """
    return " ".join(visible(text).split())
