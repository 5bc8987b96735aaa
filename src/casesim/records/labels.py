"""The one validator for what a person types that the record keeps: trainee ids, names, cohorts.

These are free text, typed by students or instructors, and every report, export and terminal
prints them. A control, format or direction character in one can retitle an instructor's window,
set their clipboard (OSC 52), forge rows in a listing or make a name read differently from what it
is. So they are checked once, where they enter the store (``upsert_trainee``, ``start_attempt``)
and where a person types them (``records trainee``, ``play --trainee``, the name fields), with
the same rules everywhere. Output is still made visible on the way out, for stores written before
these rules (see :func:`casesim.format.text.visible`).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Literal

from casesim.errors import CaseSimError
from casesim.format.text import visible

__all__ = ["MAX_LABEL", "LabelError", "LabelKind", "clean_label", "label_problem", "typable_pattern"]

MAX_LABEL = 120
"""The longest id, name or cohort, in characters (after whitespace is collapsed)."""

LabelKind = Literal["trainee id", "display name", "cohort", "actor", "section", "term"]

_EXAMPLES: dict[str, str] = {"trainee id": "s1234 or ann.lee", "display name": "Ann Lee",
                             "cohort": "MSW Fall 2026", "actor": "a login name such as jdoe", "section": "02",
                             "term": "Fall 2026"}
_BANNED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


class LabelError(CaseSimError):
    """A trainee id, display name or cohort that the record will not keep."""


def label_problem(value: str) -> str | None:
    """What is wrong with ``value`` as an id, name or cohort (``None``: nothing).

    Checked after whitespace is collapsed: an empty value, more than :data:`MAX_LABEL`
    characters, or any control (Cc: ESC, C1, newline), format (Cf: direction marks, zero-width
    characters), line/paragraph separator (U+2028/2029) or lone surrogate. Private-use and
    unassigned characters are allowed: they cannot control a terminal.
    """
    text = " ".join(value.split())
    for char in value:
        category = unicodedata.category(char)
        if category in _BANNED_CATEGORIES:
            what = {"Cc": "a control character", "Cf": "an invisible format or direction character",
                    "Zl": "a line separator", "Zp": "a paragraph separator", "Cs": "a lone surrogate"}[category]
            name = unicodedata.name(char, "")
            return f"it contains {what} (U+{ord(char):04X}{' ' + name if name else ''})"
    if not text:
        return "it is empty"
    if len(text) > MAX_LABEL:
        return f"it is {len(text)} characters long; at most {MAX_LABEL} are kept"
    return None


def clean_label(value: str, kind: LabelKind, *, where: str = "") -> str:
    """``value`` trimmed, with inner whitespace collapsed to one space; :class:`LabelError` if not allowed.

    ``where`` names where the value came from (``--cohort``, ``the name field``) for the message.
    """
    problem = label_problem(value)
    if problem is not None:
        place = f" given {where}" if where else ""
        raise LabelError(
            f"the {kind} {visible(value, one_line=True)!r}{place} cannot be recorded: {problem}",
            title=f"invalid {kind}",
            hint=f"type 1-{MAX_LABEL} printable characters (letters, digits, spaces, punctuation), "
                 f"such as {_EXAMPLES[kind]}; no control codes, line breaks or invisible characters")
    return " ".join(value.split())


@cache
def typable_pattern() -> str:
    """A regular expression for a text field (Textual's ``Input(restrict=...)``) that matches
    text without any character :func:`label_problem` refuses, so one cannot be typed or pasted.

    Built from this Python's Unicode tables, once. Such characters are only in planes 0, 1 and 14
    (tags); :func:`label_problem` still checks every plane before anything is recorded.
    """
    ranges: list[tuple[int, int]] = []
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)) in _BANNED_CATEGORIES:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return f"[^{parts}]*"
