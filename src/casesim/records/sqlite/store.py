"""The SQLite record store: one file, WAL mode, several writers on one host.

Durability: every write is one ``BEGIN IMMEDIATE … COMMIT`` transaction, and the connection runs
with ``synchronous=FULL``, so the WAL is fsynced at every commit: a choice that
:meth:`SQLiteStore.record_event` has returned survives a killed process *and* a power cut. (With
``NORMAL`` a killed process loses nothing either, but a power cut may lose the last commits;
``benchmarks/bench_records_write.py`` measures the difference, a few milliseconds per choice at
worst, which nobody notices between two screens.)

Each write reads the heads it needs inside its transaction and stores exactly the rows
:mod:`casesim.records.ledger` returns; the chain's sequencing is not written here.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from casesim.errors import NotFoundError, StoreCorruptError, StoreError
from casesim.format.scenario import Mode
from casesim.format.signoff import SignOff
from casesim.records import ledger
from casesim.records.api import (
    AccommodationRow,
    AttemptPace,
    AttemptRow,
    AttemptStatus,
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    EventKind,
    EventRow,
    TraineeRow,
    VerifyProblem,
)
from casesim.records.chain import WallClock, iso_utc, utc_now
from casesim.records.labels import clean_label
from casesim.records.sqlite import queries
from casesim.records.sqlite.open import Synchronous, connect, translate
from casesim.scoring.debrief import Debrief

__all__ = ["SQLiteStore"]

_log = logging.getLogger(__name__)

_ATTEMPT_COLUMNS = ("id, trainee_id, scenario_id, scenario_version, content_hash, mode, seed, start_node, "
                    "started_at, ended_at, status, passed, share, signoff, verdict, decision_seconds, "
                    "reading_seconds, too_fast")


def _signoff(text: str | None) -> SignOff | None:
    """The stored sign-off; an unreadable one counts as absent (and ``records verify`` reports
    the edit, since the attempt hash covers it)."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        return SignOff.from_dict(data) if isinstance(data, dict) else None
    except ValueError:
        return None


class SQLiteStore:
    """A :class:`~casesim.records.api.RecordStore` in one SQLite file.

    Safe to share between threads (calls are serialised) and between processes on one host.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, clock: WallClock = utc_now,
                 busy_timeout: float = 15.0, synchronous: Synchronous = "FULL") -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._clock = clock
        self._lock = threading.RLock()
        self._conn = connect(self.path, readonly=readonly, busy_timeout=busy_timeout, synchronous=synchronous,
                             now=self._now)
        self.store_id = self._meta("store_id")
        _log.info("records store opened: %s (readonly=%s)", self.path, self.readonly)

    # --- opening ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.path)

    def _meta(self, key: str) -> str:
        with self._read("reading the records") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StoreCorruptError(f"{self.path}: the meta table has no {key}", title="records: damaged file")
        return str(row[0])

    @property
    def pseudonym_key(self) -> str:
        """A random secret of this store, used to make pseudonymous trainee ids for xAPI."""
        key = self._meta("pseudonym_key")
        if len(key) < 32:
            raise StoreCorruptError(f"{self.path}: the pseudonym key in its meta table is missing or too short, so "
                                    "trainees cannot be exported under pseudonyms", title="records: damaged file",
                                    hint="keep a copy of the file; `casesim records verify` says what it can read")
        return key

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"the records database {self.path} was opened read-only: {action} is not possible",
                             title="records: read-only")
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate(exc, self.path, action) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise translate(exc, self.path, action) from exc
                raise

    @contextmanager
    def _read(self, action: str, *, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            try:
                if snapshot:
                    conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    if snapshot:
                        conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise translate(exc, self.path, action) from exc

    def _now(self) -> str:
        return iso_utc(self._clock())

    # --- writing ------------------------------------------------------------------------

    def upsert_trainee(self, trainee_id: str, display_name: str, cohort: str | None = None) -> None:
        """Add a trainee or update them.

        ``cohort=None`` keeps the current cohort; an empty display name, or one equal to the id
        (what a player who only typed an id gives), keeps the current name. Each value is checked
        and normalised by :func:`~casesim.records.labels.clean_label` (:class:`LabelError` if not allowed).
        """
        trainee_id = clean_label(trainee_id, "trainee id")
        display_name = clean_label(display_name, "display name") if display_name else display_name
        cohort = clean_label(cohort, "cohort") if cohort is not None else None
        head = ledger.first_head(trainee_id)
        name = display_name if display_name and display_name != trainee_id else None
        with self._write("saving the trainee") as conn:
            conn.execute(
                "INSERT INTO trainees(id, display_name, cohort, created_at, attempt_count, head_hash) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "display_name = coalesce(?, trainees.display_name), "
                "cohort = coalesce(excluded.cohort, trainees.cohort)",
                (trainee_id, name or trainee_id, cohort, self._now(), head.attempt_count, head.head_hash, name))

    def start_attempt(self, *, trainee_id: str, scenario_id: str, scenario_version: str, content_hash: str,
                      mode: Mode, seed: int, start_node: str, signoff: SignOff | None = None) -> str:
        """Open an attempt and return its id (a UUID, also the xAPI registration).

        ``trainee_id`` is checked and normalised as :meth:`upsert_trainee` does."""
        trainee_id = clean_label(trainee_id, "trainee id")
        facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=scenario_id, scenario_version=scenario_version,
                                    content_hash=content_hash, mode=mode, seed=seed, start_node=start_node,
                                    signoff=signoff)
        attempt_id = str(uuid.uuid4())
        with self._write("starting the attempt") as conn:
            now = self._now()
            row = conn.execute("SELECT attempt_count, head_hash FROM trainees WHERE id = ?", (trainee_id,)).fetchone()
            if row is None:
                head = ledger.first_head(trainee_id)
                conn.execute("INSERT INTO trainees(id, display_name, cohort, created_at, attempt_count, head_hash) "
                             "VALUES (?, ?, NULL, ?, ?, ?)", (trainee_id, trainee_id, now, head.attempt_count,
                                                              head.head_hash))
            else:
                head = ledger.TraineeHead(trainee_id, int(row[0]), str(row[1]))
            started = ledger.start(head, facts, attempt_id=attempt_id, started_at=now)
            a, after = started.attempt, started.attempt_head
            conn.execute(
                "INSERT INTO attempts(id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, "
                "seed, start_node, started_at, prev_hash, hash, event_count, head_hash, status, signoff) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.id, a.trainee_id, a.trainee_seq, a.scenario_id, a.scenario_version, a.content_hash, a.mode, a.seed,
                 a.start_node, a.started_at, a.prev_hash, a.hash, after.event_count, after.head_hash, after.status,
                 a.signoff_json))
            conn.execute("UPDATE trainees SET attempt_count = ?, head_hash = ? WHERE id = ?",
                         (started.trainee_head.attempt_count, started.trainee_head.head_hash, trainee_id))
        return attempt_id

    def record_event(self, attempt_id: str, kind: EventKind, payload: Mapping[str, Any]) -> EventRow:
        """Append one event to an in-progress attempt; it is on disk when this returns."""
        return self.record_events(attempt_id, [(kind, payload)])[0]

    def _attempt_head(self, conn: sqlite3.Connection, attempt_id: str) -> tuple[int, ledger.AttemptHead]:
        row = conn.execute("SELECT n, event_count, head_hash, status FROM attempts WHERE id = ?",
                           (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no attempt {attempt_id} in {self.path}", title="no such attempt",
                                hint="`casesim records list` shows the attempts")
        return int(row[0]), ledger.AttemptHead(attempt_id, int(row[1]), str(row[2]), row[3])

    def record_events(self, attempt_id: str,
                      events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> list[EventRow]:
        """Append several events in one durable commit (a choice and the node it leads to)."""
        prepared = ledger.prepare_events(events)
        action = f"recording the {prepared[0].kind} event" if prepared else "recording events"
        with self._write(action) as conn:
            n, head = self._attempt_head(conn, attempt_id)
            appended = ledger.append(head, prepared, at=self._now())
            conn.executemany("INSERT INTO events(attempt_n, seq, kind, at, node, choice, payload, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [(n, e.seq, e.kind, e.at, e.node, e.choice, e.payload_json, e.hash)
                              for e in appended.events])
            conn.execute("UPDATE attempts SET event_count = ?, head_hash = ? WHERE n = ?",
                         (appended.head.event_count, appended.head.head_hash, n))
        return [e.row() for e in appended.events]

    def finish_attempt(self, attempt_id: str, status: AttemptStatus, debrief: Debrief | None) -> None:
        """Close an attempt as completed or abandoned, with its debrief, and seal it."""
        ledger.check_finish(status)
        with self._write("saving the debrief") as conn:
            n, head = self._attempt_head(conn, attempt_id)
            sealed = ledger.seal(head, status, debrief, ended_at=self._now())
            conn.execute("UPDATE attempts SET status = ?, ended_at = ?, passed = ?, share = ?, debrief = ?, seal = ?, "
                         "verdict = ?, decision_seconds = ?, reading_seconds = ?, too_fast = ? WHERE n = ?",
                         (sealed.status, sealed.ended_at, sealed.passed, sealed.share, sealed.debrief_json,
                          sealed.seal, *sealed.results.outcome, n))
            conn.executemany("INSERT INTO criterion_results(attempt_n, criterion, framework, raw, worst, best, "
                             "share) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(n, cid, *values) for cid, values in sealed.results.criteria.items()])
            conn.executemany("INSERT INTO competency_results(attempt_n, competency, rating, share) "
                             "VALUES (?, ?, ?, ?)",
                             [(n, cid, *values) for cid, values in sealed.results.competencies.items()])

    # --- reading ------------------------------------------------------------------------

    @staticmethod
    def _attempt_row(row: Sequence[Any]) -> AttemptRow:
        return AttemptRow(id=row[0], trainee_id=row[1], scenario_id=row[2], scenario_version=row[3],
                          content_hash=row[4], mode=row[5], seed=int(row[6]), start_node=row[7], started_at=row[8],
                          ended_at=row[9], status=row[10], passed=None if row[11] is None else bool(row[11]),
                          share=row[12], signoff=_signoff(row[13]), verdict=row[14],
                          pace=None if row[17] is None else AttemptPace(row[15], row[16], bool(row[17])))

    def attempt(self, attempt_id: str) -> AttemptRow:
        with self._read("reading the attempt") as conn:
            row = conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no attempt {attempt_id} in {self.path}", title="no such attempt",
                                   hint="`casesim records list` shows the attempts")
        return self._attempt_row(row)

    def events(self, attempt_id: str) -> Sequence[EventRow]:
        with self._read("reading the events") as conn:
            rows = conn.execute("SELECT e.seq, e.kind, e.at, e.payload FROM events e JOIN attempts a ON a.n = e.attempt_n "
                                "WHERE a.id = ? ORDER BY e.seq", (attempt_id,)).fetchall()
        return [EventRow(attempt_id, int(seq), kind, at, json.loads(payload)) for seq, kind, at, payload in rows]

    def in_progress(self, trainee_id: str | None = None) -> Sequence[AttemptRow]:
        """Attempts that can be resumed, the most recently started first."""
        sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE status = 'in-progress'"
        params: tuple[Any, ...] = ()
        if trainee_id is not None:
            sql += " AND trainee_id = ?"
            params = (trainee_id,)
        with self._read("listing attempts") as conn:
            rows = conn.execute(sql + " ORDER BY started_at DESC, n DESC", params).fetchall()
        return [self._attempt_row(r) for r in rows]

    def attempts(self, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[AttemptRow]:
        where, params = queries.filter_clause(trainee_id, cohort)
        columns = ", ".join(f"a.{c.strip()}" for c in _ATTEMPT_COLUMNS.split(","))
        with self._read("listing attempts") as conn:
            rows = conn.execute(f"SELECT {columns} FROM attempts a JOIN trainees t ON t.id = a.trainee_id {where} "
                                "ORDER BY a.started_at, a.n", params).fetchall()
        return [self._attempt_row(r) for r in rows]

    def debrief(self, attempt_id: str) -> Debrief | None:
        with self._read("reading the debrief") as conn:
            row = conn.execute("SELECT debrief FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        return Debrief.model_validate_json(row[0])

    def set_accommodation(self, trainee_id: str, time: str | None, *, set_by: str) -> None:
        trainee_id = clean_label(trainee_id, "trainee id")
        set_by = clean_label(set_by, "display name")
        with self._write("saving the accommodation") as conn:
            if conn.execute("SELECT 1 FROM trainees WHERE id = ?", (trainee_id,)).fetchone() is None:
                raise NotFoundError(f"there is no trainee {trainee_id!r} in {self.path}", title="no such trainee",
                                    hint="check the id with `casesim records list`, or let them play once first")
            if time is None:
                conn.execute("DELETE FROM accommodations WHERE trainee_id = ?", (trainee_id,))
            else:
                conn.execute("INSERT INTO accommodations(trainee_id, time, set_by, set_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT(trainee_id) DO UPDATE SET time = excluded.time, set_by = excluded.set_by, "
                             "set_at = excluded.set_at", (trainee_id, time, set_by, self._now()))

    def accommodation(self, trainee_id: str) -> AccommodationRow | None:
        with self._read("reading the accommodation") as conn:
            row = conn.execute("SELECT trainee_id, time, set_by, set_at FROM accommodations WHERE trainee_id = ?",
                               (trainee_id,)).fetchone()
        return AccommodationRow(*row) if row is not None else None

    def trainee(self, trainee_id: str) -> TraineeRow | None:
        with self._read("reading the trainee") as conn:
            row = conn.execute("SELECT id, display_name, cohort, created_at, attempt_count FROM trainees WHERE id = ?",
                               (trainee_id,)).fetchone()
        return TraineeRow(*row) if row is not None else None

    def trainees(self, cohort: str | None = None) -> Sequence[TraineeRow]:
        sql = "SELECT id, display_name, cohort, created_at, attempt_count FROM trainees"
        params: tuple[Any, ...] = ()
        if cohort is not None:
            sql += " WHERE cohort = ?"
            params = (cohort,)
        with self._read("listing trainees") as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [TraineeRow(*r) for r in rows]

    def cohorts(self) -> Sequence[str]:
        with self._read("listing cohorts") as conn:
            rows = conn.execute("SELECT DISTINCT cohort FROM trainees WHERE cohort IS NOT NULL ORDER BY cohort").fetchall()
        return [str(r[0]) for r in rows]

    def decision_counts(self, *, cohort: str | None = None, trainee_id: str | None = None,
                        scenario_id: str | None = None,
                        mode: Mode | None = None) -> Sequence[DecisionCount]:
        with self._read("counting decisions", snapshot=True) as conn:
            return queries.decision_counts(conn, cohort=cohort, trainee_id=trainee_id, scenario_id=scenario_id,
                                           mode=mode)

    def competency_points(self, *, trainee_id: str | None = None,
                          cohort: str | None = None) -> Sequence[CompetencyPoint]:
        with self._read("reading competency ratings") as conn:
            return queries.competency_points(conn, trainee_id=trainee_id, cohort=cohort)

    def criterion_rows(self, *, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[CriterionRow]:
        with self._read("reading criterion results") as conn:
            return queries.criterion_rows(conn, trainee_id=trainee_id, cohort=cohort)

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        """Each trainee's number of attempts and latest attempt hash (anchors for the chain)."""
        with self._read("reading the chain") as conn:
            rows = conn.execute("SELECT id, attempt_count, head_hash FROM trainees ORDER BY id").fetchall()
        return {str(r[0]): (int(r[1]), str(r[2])) for r in rows}

    # --- verifying ----------------------------------------------------------------------

    def verify(self, trainee_id: str | None = None) -> Sequence[VerifyProblem]:
        """Every problem in the file and its hash chains, attempt by attempt and event by event.

        With ``trainee_id``, only that trainee's chain, attempts and events are checked (and the
        file itself, whose damage can hide anyone's rows); rows that belong to nobody are then
        not looked for. Raises :class:`NotFoundError` when the trainee has neither a row nor
        attempts.
        """
        with self._read("verifying the records", snapshot=True) as conn:
            return queries.verify(conn, self.path, trainee_id)

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
