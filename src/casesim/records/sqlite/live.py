"""The live class view on SQLite: one cohort's latest attempts in two queries, and a change watch.

**Reading.** :func:`cohort_activity` runs inside the store's read snapshot: one query for the
cohort's trainees with their latest attempt (correlated subqueries over the ``(trainee_id,
trainee_seq)`` index, so each trainee costs an index probe, not a scan), one for those attempts'
events (primary-key range reads, no payload). The number of queries does not grow with the class.

**Watching.** :class:`DataVersionWatch` holds a read-only connection of its own and reads
``PRAGMA data_version``, which moves whenever *another* connection commits to the file, in this
process or any other (WAL mode shares it through the ``-shm`` index): a check is a few
microseconds and touches no table, so the view checks every second and re-reads only when it
moved. The connection runs in autocommit and never holds a read transaction open, so it never
holds back a WAL checkpoint. SQLite cannot say which cohort a commit was for: any commit moves
it, and the view re-reads (still a few milliseconds for a class).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from casesim.errors import StoreError
from casesim.records.api import ActivityEvent, AttemptRow, TraineeActivity, TraineeRow

__all__ = ["DataVersionWatch", "cohort_activity"]

# An attempt belongs to a cohort when it was stamped with it, or (recorded before stamping) when
# its trainee is in the cohort now: the rule of queries.filter_clause, for one trainee t.
_IN_COHORT = "{a}.trainee_id = t.id AND ({a}.cohort = :cohort OR ({a}.cohort IS NULL AND t.cohort = :cohort))"


def cohort_activity(conn: sqlite3.Connection, cohort: str, attempt_columns: str,
                    attempt_row: Callable[[Sequence[Any]], AttemptRow]) -> list[TraineeActivity]:
    """The cohort's trainees in id order with their latest attempt and its events (two queries;
    the caller holds the read snapshot). ``attempt_columns``/``attempt_row``: the store's own
    attempt columns and row builder, so an attempt reads here as everywhere else."""
    columns = ", ".join(f"a.{c.strip()}" for c in attempt_columns.split(","))
    rows = conn.execute(
        "WITH members AS (SELECT t.id, t.display_name, t.cohort, t.created_at, t.attempt_count, "
        f"(SELECT count(*) FROM attempts c WHERE {_IN_COHORT.format(a='c')}) AS started, "
        f"(SELECT x.n FROM attempts x WHERE {_IN_COHORT.format(a='x')} "
        " ORDER BY x.started_at DESC, x.n DESC LIMIT 1) AS latest "
        "FROM trainees t WHERE t.cohort = :cohort OR t.id IN (SELECT trainee_id FROM attempts WHERE cohort = :cohort)) "
        f"SELECT m.id, m.display_name, m.cohort, m.created_at, m.attempt_count, m.started, m.latest, {columns} "
        "FROM members m LEFT JOIN attempts a ON a.n = m.latest ORDER BY m.id", {"cohort": cohort}).fetchall()
    latest = [int(r[6]) for r in rows if r[6] is not None]
    events: dict[int, tuple[ActivityEvent, ...]] = {}
    if latest:
        found = conn.execute("SELECT attempt_n, seq, kind, at, node, choice FROM events "
                             "WHERE attempt_n IN (SELECT value FROM json_each(?)) ORDER BY attempt_n, seq",
                             (json.dumps(latest),))
        for n, group in groupby(found, key=lambda r: int(r[0])):
            events[n] = tuple(ActivityEvent(int(r[1]), r[2], r[3], r[4], r[5]) for r in group)
    return [TraineeActivity(trainee=TraineeRow(r[0], r[1], r[2], r[3], int(r[4])),
                            attempt=attempt_row(r[7:]) if r[6] is not None else None,
                            attempts=int(r[5]), events=events.get(int(r[6]), ()) if r[6] is not None else ())
            for r in rows]


class DataVersionWatch:
    """A :class:`~casesim.records.api.ChangeWatch` over one SQLite file (see the module docstring).

    Made with the value current at that moment, so a commit between making the watch and the
    caller's first read is reported by the next :meth:`changed` rather than lost.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            # check_same_thread=False: the TUI checks from a worker thread; the lock serialises.
            self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                         check_same_thread=False)
            self._seen = self._version()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot watch the records database {path} for changes: {exc}",
                             title="records unavailable", hint="check that the file exists and can be read") from exc

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        with self._lock:
            try:
                now = self._version()
            except sqlite3.Error:
                return True  # the caller's read will say what is wrong, in words
            if now == self._seen:
                return False
            self._seen = now
            return True

    def close(self) -> None:
        with self._lock:
            self._conn.close()
