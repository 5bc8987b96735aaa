"""Stored attempt and assignment rows as :mod:`casesim.records.api` types, the same on every backend.

Both stores select :data:`ATTEMPT_COLUMNS` (the same columns and stored text in SQLite and
PostgreSQL) and map each row with :func:`attempt_row`, so an attempt reads alike whichever
backend holds it (``records migrate-store`` compares them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from casesim.format.signoff import SignOff
from casesim.records.api import AssignmentRow, AttemptPace, AttemptRow

__all__ = ["ASSIGNMENT_COLUMNS", "ATTEMPT_COLUMNS", "assignment_row", "attempt_row", "json_mapping", "stored_signoff"]

ATTEMPT_COLUMNS = ("id, trainee_id, scenario_id, scenario_version, content_hash, mode, seed, start_node, "
                   "started_at, ended_at, status, passed, share, signoff, verdict, decision_seconds, "
                   "reading_seconds, too_fast, cohort, imported, assignment, section, term")
"""What :func:`attempt_row` reads, in its order."""


def stored_signoff(text: str | None) -> SignOff | None:
    """The stored sign-off; an unreadable one counts as absent (and ``records verify`` reports
    the edit, since the attempt hash covers it)."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        return SignOff.from_dict(data) if isinstance(data, dict) else None
    except ValueError:
        return None


def json_mapping(text: str | None) -> dict[str, Any] | None:
    """A stored JSON object column; unreadable text is shown as ``{"unreadable": text}`` (verify
    reports the edit)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"unreadable": text}


def attempt_row(row: Sequence[Any]) -> AttemptRow:
    """One row of :data:`ATTEMPT_COLUMNS` as an :class:`AttemptRow`."""
    # Positional, in the order of AttemptRow's fields (id, trainee_id, scenario_id, scenario_version,
    # content_hash, mode, seed, start_node, started_at, ended_at, status, passed, share, signoff,
    # verdict, pace, cohort, imported, assignment, section, term): a report reads every attempt of a
    # cohort, and keywords made each a fifth slower to build. ``tests/records/test_records_rows.py``
    # checks the order against the field names.
    return AttemptRow(row[0], row[1], row[2], row[3], row[4], row[5], int(row[6]), row[7], row[8], row[9], row[10],
                      None if row[11] is None else bool(row[11]), row[12], stored_signoff(row[13]), row[14],
                      None if row[17] is None else AttemptPace(row[15], row[16], bool(row[17])),
                      row[18], json_mapping(row[19]), row[20], row[21], row[22])


ASSIGNMENT_COLUMNS = ("id, cohort, scenario_id, scenario_version, content_hash, mode, opens_at, closes_at, "
                      "attempt_limit, counting, created_by, created_at, removed_at, removed_by")
"""What :func:`assignment_row` reads, in its order."""


def assignment_row(row: Sequence[Any]) -> AssignmentRow:
    """One row of :data:`ASSIGNMENT_COLUMNS` as an :class:`AssignmentRow`."""
    return AssignmentRow(id=row[0], cohort=row[1], scenario_id=row[2], scenario_version=row[3], content_hash=row[4],
                         mode=row[5], opens_at=row[6], closes_at=row[7],
                         attempt_limit=None if row[8] is None else int(row[8]), counting=row[9], created_by=row[10],
                         created_at=row[11], removed_at=row[12], removed_by=row[13])
