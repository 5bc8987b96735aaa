"""Errors casesim raises, written for the person who has to act on them.

::

    CaseSimError                 anything casesim reports to a user instead of a traceback
     ├── SourceError             a file could not be read as YAML (carries diagnostics)
     │    ├── ScenarioError      a scenario file has problems (carries diagnostics)
     │    └── ConfigError        the config file (config.yaml in the data folder) has problems
     ├── CatalogError            the scoring/ framework catalog has problems (carries diagnostics)
     ├── ExpressionError         a guard or effect expression does not parse or type-check
     ├── SessionError            a session was asked to do something its mode or state forbids
     ├── ResumeError             an attempt cannot be resumed (finished, scenario changed, state differs)
     ├── NotFoundError           a scenario, trainee or attempt that was asked for does not exist
     └── StoreError              the record store cannot be opened, read or written
          ├── StoreCorruptError  the database file is damaged or not a casesim database
          └── StoreVersionError  the database was written by a newer casesim

A conflict with what the record says (``ResumeError``, ``NotFoundError``) is not a store failure:
the store worked, and retrying will not help; the person has to choose something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casesim.format.diagnostics import Diagnostic

__all__ = [
    "CaseSimError",
    "CatalogError",
    "ConfigError",
    "ExpressionError",
    "NotFoundError",
    "ResumeError",
    "ScenarioError",
    "SessionError",
    "SourceError",
    "StoreCorruptError",
    "StoreError",
    "StoreVersionError",
]


class CaseSimError(Exception):
    """Anything casesim reports to a user: a title, what happened, and what to do next."""

    def __init__(self, message: str, *, title: str = "casesim error", hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.title = title
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"


class SourceError(CaseSimError):
    """Raised when a YAML file cannot be read; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: Sequence[Diagnostic], *, title: str = "cannot read file"):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics), title=title)


class ScenarioError(SourceError):
    """Raised when a scenario has errors; ``diagnostics`` lists every problem in the file."""


class CatalogError(SourceError):
    """Raised when a framework file in ``scoring/`` has errors."""


class ConfigError(SourceError):
    """Raised when ``config.yaml`` in the data folder is not valid YAML or sets unknown things."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__(diagnostics, title="bad config file")
        self.hint = "fix the file, or move it aside to use the defaults"


class ExpressionError(CaseSimError):
    """Raised when a guard or effect expression does not parse or type-check.

    ``offset`` is the 0-based character offset of the problem inside the expression text.
    """

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message, title="expression error")
        self.offset = offset


class SessionError(CaseSimError):
    """Raised when a session is asked for something its mode or state forbids."""


class ResumeError(CaseSimError):
    """Raised when an attempt cannot be resumed: it is finished, of another scenario, the scenario
    file changed since it began, or replaying its path does not give the recorded state."""

    def __init__(self, message: str, *, title: str = "cannot resume", hint: str | None = None):
        super().__init__(message, title=title, hint=hint)


class NotFoundError(CaseSimError):
    """Raised when a scenario, trainee or attempt asked for by name or id does not exist."""

    def __init__(self, message: str, *, title: str = "not found",
                 hint: str | None = "`casesim records list` shows the trainees and attempts"):
        super().__init__(message, title=title, hint=hint)


class StoreError(CaseSimError):
    """Raised when the record store cannot be opened, read or written."""


class StoreCorruptError(StoreError):
    """Raised when the database file is damaged or belongs to another program; it is left untouched."""


class StoreVersionError(StoreError):
    """Raised when the database was written by a newer casesim than this one."""
