"""Diagnostics: one problem at one place in one file, printed as ``path:line:col: severity: message``."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from casesim.format.text import visible

__all__ = ["Diagnostic", "Severity", "diagnostics_to_json", "did_you_mean", "format_diagnostics", "suggest"]

_C1 = re.compile("[\x7f-\x9f]")


class Severity(StrEnum):
    """How bad a problem is: errors stop a scenario from loading, warnings do not (unless
    --strict), notes never do (a finding to know about, e.g. the answer-cue audit of a draft)."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    """A stable short name for the kind of problem (``unknown-key``, ``goto-missing``...)."""
    message: str

    def format(self) -> str:
        """``path:line:col: severity: message [code]`` on one line, control characters made
        visible: a file name or a quoted value can hold an escape sequence."""
        return (f"{visible(self.path, one_line=True)}:{self.line}:{self.col}: {self.severity.value}: "
                f"{visible(self.message, one_line=True)} [{self.code}]")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


def format_diagnostics(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.format() for d in sorted(diagnostics, key=Diagnostic.sort_key))


def diagnostics_to_json(diagnostics: Iterable[Diagnostic]) -> str:
    rows = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        row = asdict(d)
        row["severity"] = d.severity.value
        rows.append(row)
    # json.dumps escapes C0 controls but not C1 (U+0080-U+009F, where 0x9B is a terminal's CSI).
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(rows, indent=2, ensure_ascii=False))


_PUNCTUATION = re.compile(r"[^0-9a-z]")


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt ``word``, if one is close enough to suggest.

    A candidate that differs only in capitals and punctuation wins over a closer spelling:
    ``NASW-1.03a`` is ``NASW-1.03(a)``, not ``NASW-1.03``, and ``Wrap_Up`` is ``wrap-up``.
    """
    pool = list(candidates)
    bare = _PUNCTUATION.sub("", word.lower())
    same = [c for c in pool if _PUNCTUATION.sub("", c.lower()) == bare]
    if bare and len(same) == 1:
        return same[0]
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(word: str, candidates: Iterable[str], otherwise: str = "") -> str:
    """The end of a message about an unknown ``word``: ``"; did you mean 'x'?"`` naming the
    closest candidate, or ``otherwise`` (what to do instead) when none is close."""
    hint = did_you_mean(word, candidates)
    return f"; did you mean {hint!r}?" if hint else otherwise
