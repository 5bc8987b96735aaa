"""The SQLite record store: one file, WAL mode, several writers on one host.

Durability: every write is one ``BEGIN IMMEDIATE … COMMIT`` transaction, and the connection runs
with ``synchronous=FULL``, so the WAL is fsynced at every commit: a choice that
:meth:`SQLiteStore.record_event` has returned survives a killed process *and* a power cut. (With
``NORMAL`` a killed process loses nothing either, but a power cut may lose the last commits;
``benchmarks/bench_records_write.py`` measures the difference, a few milliseconds per choice at
worst, which nobody notices between two screens.)

Opening never damages a file that is not ours: the header is read as bytes first, and a file
that is not a casesim store raises :class:`StoreCorruptError` before SQLite is allowed to write.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from itertools import groupby
from pathlib import Path
from typing import Any, Literal, NamedTuple

from casesim.errors import NotFoundError, StoreCorruptError, StoreError, StoreVersionError
from casesim.records import ledger
from casesim.records.api import (
    AttemptRow,
    AttemptStatus,
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    EventKind,
    EventRow,
    TraineeRow,
    VerifyProblem,
    effective_steps,
)
from casesim.records.chain import (
    Clock,
    iso_utc,
    utc_now,
)
from casesim.records.schema import APPLICATION_ID, MAGIC, MIGRATIONS, SCHEMA_VERSION
from casesim.records.verify import (
    ChainAttempt,
    ChainEvent,
    ChainTrainee,
    DebriefResults,
    verify_attempt,
    verify_trainee,
)
from casesim.scoring.debrief import Debrief

__all__ = ["SQLiteStore"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
Synchronous = Literal["FULL", "NORMAL", "OFF"]
class _PathRow(NamedTuple):
    kind: str
    node: str | None
    choice: str | None


_ATTEMPT_COLUMNS = ("id, trainee_id, scenario_id, scenario_version, content_hash, mode, seed, start_node, "
                    "started_at, ended_at, status, passed, share")


def _classify_header(path: Path) -> Literal["empty", "ours", "blank-sqlite"]:
    """What the file is, from its first 100 bytes (nothing is opened for writing)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as exc:
        raise StoreError(f"cannot read the records database {path}: permission denied",
                         title="records unavailable", hint="check the file's owner and permissions") from exc
    except OSError as exc:
        raise StoreError(f"cannot read the records database {path}: {exc.strerror}",
                         title="records unavailable") from exc
    if not header:
        return "empty"
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise StoreCorruptError(
            f"{path} is not a casesim records database (it is not an SQLite file, or it is damaged); "
            "it was left untouched",
            title="not a records database", hint="point --db or CASESIM_DB at another file")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id == APPLICATION_ID:
        return "ours"
    if app_id == 0 and header[18] == 1:  # rollback-journal mode: possibly one we are creating
        return "blank-sqlite"
    raise StoreCorruptError(
        f"{path} is an SQLite database that belongs to another program (application id {app_id:#x}); "
        "it was left untouched",
        title="not a records database", hint="point --db or CASESIM_DB at another file")


def _translate(exc: sqlite3.Error, path: Path, action: str) -> StoreError:
    """A StoreError that tells the trainee what happened and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return StoreError(f"the disk holding {path} is full: {action} was not saved",
                          title="records: disk full",
                          hint="free some disk space, then try again; nothing already saved was lost")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return StoreError(f"the records database {path} is read-only: {action} was not saved",
                          title="records: read-only",
                          hint="check the file's permissions, or point CASESIM_DB at a writable file")
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return StoreError(f"the records database {path} stayed locked by another casesim process: "
                          f"{action} was not saved", title="records: busy",
                          hint="try again; if it persists, close other casesim windows using this file")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return StoreCorruptError(f"the records database {path} is damaged ({exc}): {action} failed",
                                 title="records: damaged file",
                                 hint="keep a copy of the file; `casesim records verify` says what it can read")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text:
        return StoreError(f"the records database {path} could not be read or written ({exc}): {action} failed",
                          title="records: I/O error", hint="check the disk and the file's permissions")
    return StoreError(f"{action} failed: {exc}", title="records error")


class SQLiteStore:
    """A :class:`~casesim.records.api.RecordStore` in one SQLite file.

    Safe to share between threads (calls are serialised) and between processes on one host.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, clock: Clock = utc_now,
                 busy_timeout: float = 15.0, synchronous: Synchronous = "FULL") -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._clock = clock
        self._lock = threading.RLock()
        self._conn = self._connect(busy_timeout, synchronous)
        self.store_id = self._meta("store_id")

    # --- opening ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.path)

    def _connect(self, busy_timeout: float, synchronous: Synchronous) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a records database", title="records unavailable",
                             hint="point --db or CASESIM_DB at a file")
        if not path.exists():
            if self.readonly:
                raise StoreError(f"there is no records database at {path} yet", title="no records",
                                 hint="records are created when a trainee plays a scenario")
            self._create_file()
        kind = _classify_header(path)
        if not self.readonly:
            if not os.access(path, os.W_OK):
                raise StoreError(f"the records database {path} is read-only: attempts cannot be saved",
                                 title="records: read-only",
                                 hint="check the file's permissions, or point CASESIM_DB at a writable file")
            if not os.access(path.parent, os.W_OK | os.X_OK):
                raise StoreError(f"the folder {path.parent} is read-only: the records database needs to "
                                 "write its journal beside it", title="records: read-only",
                                 hint="make the folder writable, or point CASESIM_DB at another place")
        if kind == "blank-sqlite":
            self._refuse_if_foreign()
        try:
            if self.readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout,
                                       isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None,
                                       check_same_thread=False)
        except sqlite3.Error as exc:
            raise _translate(exc, path, "opening the records") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._ensure_schema(conn, kind)
            if not self.readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":  # pragma: no cover - only on filesystems without shared memory
                    raise StoreError(f"{path} cannot use write-ahead logging (journal mode {mode})",
                                     title="records unavailable", hint="put the database on a local disk")
                conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, path, "opening the records") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _create_file(self) -> None:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process is creating it; the schema step waits for it
        except OSError as exc:
            raise StoreError(f"cannot create the records database {path}: {exc.strerror}",
                             title="records unavailable",
                             hint="check the folder's permissions, or point CASESIM_DB at another place") from exc
        os.close(fd)

    def _refuse_if_foreign(self) -> None:
        """An SQLite file without our application id is ours only if it has no tables yet."""
        try:
            probe = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            finally:
                probe.close()
        except sqlite3.Error as exc:
            raise StoreCorruptError(f"{self.path} is not a readable SQLite database ({exc}); it was left untouched",
                                    title="not a records database",
                                    hint="point --db or CASESIM_DB at another file") from exc
        if tables:
            raise StoreCorruptError(f"{self.path} is an SQLite database that belongs to another program; "
                                    "it was left untouched", title="not a records database",
                                    hint="point --db or CASESIM_DB at another file")

    def _ensure_schema(self, conn: sqlite3.Connection, kind: str) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id == 0 and kind != "ours":
            if self.readonly:
                raise StoreError(f"{self.path} is an empty database", title="no records")
            conn.execute("BEGIN EXCLUSIVE")
            try:
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                if app_id == 0:
                    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise StoreCorruptError(f"{self.path} belongs to another program; it was left untouched",
                                                title="not a records database")
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self._migrate(conn, 0)
                    now = iso_utc(self._clock())
                    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [
                        ("magic", MAGIC), ("store_id", str(uuid.uuid4())), ("created_at", now),
                        ("pseudonym_key", os.urandom(32).hex())])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise StoreCorruptError(f"{self.path} is not a casesim records database; it was left untouched",
                                    title="not a records database")
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{self.path} was written by a newer casesim (records schema {version}; this casesim reads "
                f"up to {SCHEMA_VERSION}); it was left untouched", title="records from a newer casesim",
                hint="upgrade casesim to read these records")
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise StoreVersionError(f"{self.path} uses an older records schema ({version}); open it once "
                                        "with write access to upgrade it", title="records need an upgrade")
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current < SCHEMA_VERSION:
                    self._migrate(conn, current)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        try:
            rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise StoreCorruptError(f"{self.path} is a damaged casesim records database ({exc})",
                                    title="records: damaged file") from exc
        if rows.get("magic") != MAGIC or "store_id" not in rows:
            raise StoreCorruptError(f"{self.path} claims to be a casesim records database but its meta table "
                                    "is damaged; it was left untouched", title="records: damaged file")
        if rows.get("schema_version") != str(SCHEMA_VERSION):
            raise StoreCorruptError(f"{self.path}: the schema version in its meta table "
                                    f"({rows.get('schema_version')}) disagrees with the file header ({version})",
                                    title="records: damaged file")

    @staticmethod
    def _migrate(conn: sqlite3.Connection, current: int) -> None:
        for statements in MIGRATIONS[current:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(SCHEMA_VERSION),))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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
                raise _translate(exc, self.path, action) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _translate(exc, self.path, action) from exc
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
                raise _translate(exc, self.path, action) from exc

    def _now(self) -> str:
        return iso_utc(self._clock())

    # --- writing ------------------------------------------------------------------------

    def upsert_trainee(self, trainee_id: str, display_name: str, cohort: str | None = None) -> None:
        """Add a trainee or update them.

        ``cohort=None`` keeps the current cohort; an empty display name, or one equal to the id
        (what a player who only typed an id gives), keeps the current name.
        """
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
                      mode: Literal["practice", "assessment"], seed: int, start_node: str) -> str:
        """Open an attempt and return its id (a UUID, also the xAPI registration)."""
        facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=scenario_id, scenario_version=scenario_version,
                                    content_hash=content_hash, mode=mode, seed=seed, start_node=start_node)
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
                "seed, start_node, started_at, prev_hash, hash, event_count, head_hash, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.id, a.trainee_id, a.trainee_seq, a.scenario_id, a.scenario_version, a.content_hash, a.mode, a.seed,
                 a.start_node, a.started_at, a.prev_hash, a.hash, after.event_count, after.head_hash, after.status))
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
            conn.execute("UPDATE attempts SET status = ?, ended_at = ?, passed = ?, share = ?, debrief = ?, seal = ? "
                         "WHERE n = ?", (sealed.status, sealed.ended_at, sealed.passed, sealed.share,
                                         sealed.debrief_json, sealed.seal, n))
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
                          share=row[12])

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
        where, params = self._filter(trainee_id, cohort)
        columns = ", ".join(f"a.{c.strip()}" for c in _ATTEMPT_COLUMNS.split(","))
        with self._read("listing attempts") as conn:
            rows = conn.execute(f"SELECT {columns} FROM attempts a JOIN trainees t ON t.id = a.trainee_id {where} "
                                "ORDER BY a.started_at, a.n", params).fetchall()
        return [self._attempt_row(r) for r in rows]

    @staticmethod
    def _filter(trainee_id: str | None, cohort: str | None, scenario_id: str | None = None) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        if trainee_id is not None:
            clauses.append("a.trainee_id = ?")
            params.append(trainee_id)
        if cohort is not None:
            clauses.append("t.cohort = ?")
            params.append(cohort)
        if scenario_id is not None:
            clauses.append("a.scenario_id = ?")
            params.append(scenario_id)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def debrief(self, attempt_id: str) -> Debrief | None:
        with self._read("reading the debrief") as conn:
            row = conn.execute("SELECT debrief FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        return Debrief.model_validate_json(row[0])

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
                        mode: Literal["practice", "assessment"] | None = None) -> Sequence[DecisionCount]:
        # Attempts without an undo are counted in SQL from the covering index (their effective
        # path is every step); the few with one are replayed through effective_steps, so undone
        # choices never count.
        where, params = self._filter(trainee_id, cohort, scenario_id)
        if mode is not None:
            where = (where + " AND " if where else "WHERE ") + "a.mode = ?"
            params = (*params, mode)
        selected = ("SELECT a.n, a.id, a.scenario_id, a.trainee_id FROM trainees t "
                    f"JOIN attempts a ON a.trainee_id = t.id {where}")
        path_kinds = "e.kind IN ('choice', 'timer-expired', 'undo')"
        counts: dict[tuple[str, str | None, str, str], int] = {}
        with self._read("counting decisions", snapshot=True) as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS _selected (n INTEGER PRIMARY KEY, id TEXT, scenario_id TEXT, "
                          "trainee_id TEXT, undone INTEGER NOT NULL DEFAULT 0)")
            conn.execute("DELETE FROM _selected")
            conn.execute(f"INSERT INTO _selected(n, id, scenario_id, trainee_id) {selected}", params)
            conn.execute("UPDATE _selected SET undone = 1 WHERE n IN (SELECT e.attempt_n FROM _selected s "
                         f"JOIN events e ON e.attempt_n = s.n WHERE {path_kinds} AND e.kind = 'undo')")
            for scenario, node, choice, trainee, count in conn.execute(
                    "SELECT s.scenario_id, e.node, e.choice, s.trainee_id, count(*) FROM _selected s "
                    f"JOIN events e ON e.attempt_n = s.n WHERE s.undone = 0 AND {path_kinds} AND e.kind <> 'undo' "
                    "GROUP BY s.scenario_id, e.node, e.choice, s.trainee_id"):
                counts[(scenario, node, choice, trainee)] = int(count)
            replay = conn.execute("SELECT s.id, s.scenario_id, s.trainee_id, e.kind, e.node, e.choice FROM _selected s "
                                  f"JOIN events e ON e.attempt_n = s.n WHERE s.undone = 1 AND {path_kinds} "
                                  "ORDER BY s.n, e.seq").fetchall()
            conn.execute("DELETE FROM _selected")
        for (_, scenario, trainee), rows in groupby(replay, key=lambda r: (r[0], r[1], r[2])):
            for step in effective_steps(_PathRow(kind, node, choice) for *_, kind, node, choice in rows):
                if step.choice is not None:
                    key = (scenario, step.node, step.choice, trainee)
                    counts[key] = counts.get(key, 0) + 1
        return [DecisionCount(*key, count) for key, count in counts.items()]

    def competency_points(self, *, trainee_id: str | None = None,
                          cohort: str | None = None) -> Sequence[CompetencyPoint]:
        where, params = self._filter(trainee_id, cohort)
        sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share "
               "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
               f"{where} ORDER BY a.ended_at, a.n, r.competency")
        with self._read("reading competency ratings") as conn:
            return [CompetencyPoint(*row) for row in conn.execute(sql, params).fetchall()]

    def criterion_rows(self, *, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[CriterionRow]:
        where, params = self._filter(trainee_id, cohort)
        sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.criterion, r.framework, r.raw, "
               "r.worst, r.best, r.share FROM trainees t JOIN attempts a ON a.trainee_id = t.id "
               f"JOIN criterion_results r ON r.attempt_n = a.n {where} ORDER BY a.ended_at, a.n, r.criterion")
        with self._read("reading criterion results") as conn:
            return [CriterionRow(*row) for row in conn.execute(sql, params).fetchall()]

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
        problems: list[VerifyProblem] = []
        scope, params = ("", ()) if trainee_id is None else (" WHERE trainee_id = ?", (trainee_id,))
        of_scope = "" if trainee_id is None else " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)"
        with self._read("verifying the records", snapshot=True) as conn:
            check = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
            if check != ["ok"]:
                problems.extend(VerifyProblem("damaged", None, None, None, f"the SQLite file is damaged: {line}")
                                for line in check[:20])
            trainees = {r[0]: ChainTrainee(r[0], int(r[1]), r[2]) for r in conn.execute(
                "SELECT id, attempt_count, head_hash FROM trainees" + scope.replace("trainee_id", "id"), params)}
            attempts: dict[int, ChainAttempt] = {}
            for r in conn.execute(
                    "SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, "
                    "start_node, started_at, prev_hash, hash, event_count, head_hash, status, ended_at, passed, share, "
                    f"debrief, seal FROM attempts{scope} ORDER BY trainee_id, trainee_seq", params):
                if r[17] not in (None, 0, 1):
                    problems.append(VerifyProblem("edited", r[2], r[1], None, f"attempt {r[1]}: its pass/fail value "
                                                                              f"{r[17]!r} was edited (casesim writes 0 or 1)"))
                attempts[int(r[0])] = ChainAttempt(
                    id=r[1], trainee_id=r[2], trainee_seq=int(r[3]), scenario_id=r[4], scenario_version=r[5],
                    content_hash=r[6], mode=r[7], seed=int(r[8]), start_node=r[9], started_at=r[10], prev_hash=r[11],
                    hash=r[12], event_count=int(r[13]), head_hash=r[14], status=r[15], ended_at=r[16],
                    passed=None if r[17] is None else bool(r[17]), share=r[18], debrief=r[19], seal=r[20])
            if trainee_id is not None and not trainees and not attempts:
                raise NotFoundError(f"there is no trainee {trainee_id} in {self.path}", title="no such trainee")
            by_trainee: dict[str, list[ChainAttempt]] = {}
            for attempt in attempts.values():
                by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
            for tid in sorted(set(trainees) | set(by_trainee)):
                problems.extend(verify_trainee(trainees.get(tid), tid, by_trainee.get(tid, [])))
            results: dict[int, DebriefResults] = {}
            for n, cid, *values in conn.execute("SELECT attempt_n, criterion, framework, raw, worst, best, share "
                                                f"FROM criterion_results{of_scope}", params):
                results.setdefault(int(n), DebriefResults()).criteria[cid] = tuple(values)
            for n, cid, *values in conn.execute("SELECT attempt_n, competency, rating, share "
                                                f"FROM competency_results{of_scope}", params):
                results.setdefault(int(n), DebriefResults()).competencies[cid] = tuple(values)
            for n in sorted(set(results) - set(attempts)):
                problems.append(VerifyProblem("orphaned", None, None, None, f"result rows belong to no attempt "
                                                                            f"(internal number {n}): their attempt "
                                                                            "was deleted"))
            checked: set[int] = set()
            current: int | None = None
            batch: list[ChainEvent] = []

            def flush() -> None:
                if current is None:
                    return
                attempt = attempts.get(current)
                if attempt is None:
                    problems.append(VerifyProblem("orphaned", None, None, None,
                                                  f"{len(batch)} event(s) belong to no attempt (internal number "
                                                  f"{current}): their attempt was deleted"))
                    return
                checked.add(current)
                problems.extend(verify_attempt(attempt, batch, results.get(current, DebriefResults())))

            for r in conn.execute("SELECT attempt_n, seq, kind, at, node, choice, payload, hash "
                                  f"FROM events{of_scope} ORDER BY attempt_n, seq", params):
                n = int(r[0])
                if n != current:
                    flush()
                    current, batch = n, []
                batch.append(ChainEvent(int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]))
            flush()
            for n, attempt in attempts.items():
                if n not in checked:
                    problems.extend(verify_attempt(attempt, [], results.get(n, DebriefResults())))
        return problems

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
