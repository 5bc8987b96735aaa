"""Diagnostics: one problem at one place in one file, printed as ``path:line:col: severity: message``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

__all__ = ["Diagnostic", "Severity", "format_diagnostics", "diagnostics_to_json"]


class Severity(StrEnum):
    """How bad a problem is: errors stop a scenario from loading, warnings do not (unless --strict)."""

    ERROR = "error"
    WARNING = "warning"


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
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message} [{self.code}]"

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
    return json.dumps(rows, indent=2, ensure_ascii=False)
