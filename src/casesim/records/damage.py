"""Damaged rows named, not crashed on: a debrief that cannot be read skips its attempt with a note.

A debrief edited by hand or on a damaged page cannot be parsed. Reports and exports must not die
on it (one bad attempt would hide a whole cohort) nor print it as if the attempt had no debrief:
they leave that attempt out, and say which one and what to run, so the gap is visible.
"""

from __future__ import annotations

from casesim.errors import StoreCorruptError
from casesim.records.api import AttemptRow, RecordStore
from casesim.scoring.debrief import Debrief

__all__ = ["damaged_note", "readable_debrief"]


def damaged_note(attempt: AttemptRow, *, listed: bool = False) -> str:
    what = "is listed without it" if listed else "was left out"
    return (f"attempt {attempt.id} (trainee {attempt.trainee_id}, {attempt.scenario_id}): its debrief is damaged "
            f"and the attempt {what}; run `casesim records verify`")


def readable_debrief(store: RecordStore, attempt: AttemptRow, notes: list[str] | None, *,
                     listed: bool = False) -> tuple[bool, Debrief | None]:
    """(readable, debrief): False when the stored debrief is damaged, with a note added to ``notes``
    (``notes=None``: the error is raised instead; ``listed``: the caller still lists the attempt)."""
    try:
        return True, store.debrief(attempt.id)
    except StoreCorruptError:
        if notes is None:
            raise
        notes.append(damaged_note(attempt, listed=listed))
        return False, None
