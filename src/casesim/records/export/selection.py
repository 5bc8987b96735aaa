"""Which attempts an export covers, with their trainees (shared by every export).

A :class:`Selection` is the filters every export takes: one trainee or one cohort (the cohort
stamped on the attempt when it began; before stamping, the trainee's current one), a mode, and a
period of start times (``--since``/``--until``, inclusive days in UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from casesim.format.mode import Mode
from casesim.records.api import AttemptRow, RecordStore, TraineeRow
from casesim.records.chain import iso_utc

__all__ = ["Selection", "parse_bound", "selected_attempts"]


def parse_bound(text: str, *, end: bool = False) -> str:
    """A ``--since``/``--until`` value as the fixed-width UTC text attempts are stored with.

    ``2026-09-01`` is that day in UTC: its start for ``--since``, the start of the next day
    (exclusive) for ``--until``, so both bounds include their day. A full ISO-8601 time is taken
    as it is (UTC when it has no offset). Raises ValueError with what is wrong."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + (timedelta(days=1) if end else timedelta())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO-8601 time") from exc
    return iso_utc(moment)


@dataclass(frozen=True, slots=True)
class Selection:
    """The attempts an export covers (every field None: all of them)."""

    trainee_id: str | None = None
    cohort: str | None = None
    mode: Mode | None = None
    since: str | None = None
    """Attempts started at or after this (stored form, from :func:`parse_bound`)."""
    until: str | None = None
    """Attempts started before this (exclusive; :func:`parse_bound` with ``end=True``)."""

    def admits(self, attempt: AttemptRow) -> bool:
        """Whether the attempt passes the mode and period filters (the store applies the others)."""
        return ((self.mode is None or attempt.mode == self.mode)
                and (self.since is None or attempt.started_at >= self.since)
                and (self.until is None or attempt.started_at < self.until))

    def attempts(self, store: RecordStore) -> list[AttemptRow]:
        return [a for a in store.attempts(trainee_id=self.trainee_id, cohort=self.cohort) if self.admits(a)]


def selected_attempts(store: RecordStore, trainee_id: str | None, cohort: str | None,
                      selection: Selection | None = None) -> tuple[list[AttemptRow], dict[str, TraineeRow]]:
    """The selected attempts and the trainees they belong to by id."""
    selection = selection or Selection(trainee_id, cohort)
    attempts = selection.attempts(store)
    trainees = {t.id: t for t in store.trainees(selection.cohort)} if selection.trainee_id is None else {}
    for tid in {a.trainee_id for a in attempts} - set(trainees):
        row = store.trainee(tid)
        if row is not None:
            trainees[row.id] = row
    return attempts, trainees
