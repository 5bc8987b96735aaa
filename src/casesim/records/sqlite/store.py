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

import dataclasses
import hmac
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casesim.errors import NotFoundError, StoreCorruptError, StoreError
from casesim.format.mode import Mode
from casesim.format.signoff import SignOff
from casesim.records import keys, ledger
from casesim.records.api import (
    AccommodationRow,
    AssignmentCheck,
    AssignmentRow,
    AttemptRow,
    AttemptStatus,
    AuditEntry,
    AuditRow,
    ChangeWatch,
    CohortDetails,
    CompetencyGroup,
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    DecisionPath,
    EventKind,
    EventRow,
    ImportedAttempt,
    NewAssignment,
    OutboxCounts,
    OutboxRow,
    OutboxSettings,
    Role,
    RoleGrant,
    RosterMember,
    TraineeActivity,
    TraineeRow,
    VerifyProblem,
)
from casesim.records.chain import (
    LinkKind,
    WallClock,
    canonical_json,
    iso_utc,
    roster_digest,
    utc_now,
)
from casesim.records.labels import clean_label
from casesim.records.paths import path_events_sql, path_text
from casesim.records.rows import ATTEMPT_COLUMNS, attempt_row
from casesim.records.sqlite import live, program, queries
from casesim.records.sqlite.open import Synchronous, connect, translate

if TYPE_CHECKING:  # types only: opening the store must not build the debrief models or the xAPI builders
    from casesim.records.outbox import LiveStatements, QueuedStatement
    from casesim.scoring.debrief import Debrief

__all__ = ["SQLiteStore"]

_log = logging.getLogger(__name__)

_ATTEMPT_COLUMNS = ATTEMPT_COLUMNS


class SQLiteStore:
    """A :class:`~casesim.records.api.RecordStore` in one SQLite file.

    Safe to share between threads (calls are serialised) and between processes on one host.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, clock: WallClock = utc_now,
                 busy_timeout: float = 15.0, synchronous: Synchronous = "FULL", key: bytes | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._clock = clock
        self._lock = threading.RLock()
        self._checked = False
        self._live_cache: LiveStatements | None = None
        self._conn = connect(self.path, readonly=readonly, busy_timeout=busy_timeout, synchronous=synchronous,
                             now=self._now, key=key)
        try:
            self.store_id = self._meta("store_id")
            self.chain_mode = self._meta_or("chain_mode", keys.UNKEYED)
            self._key = self._accept_key(key)
        except BaseException:
            self.close()
            raise
        _log.info("records store opened: %s (readonly=%s)", self.path, self.readonly)

    # --- opening ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return str(self.path)

    def _meta_or(self, key: str, default: str) -> str:
        with self._read("reading the records") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def _accept_key(self, key: bytes | None) -> bytes | None:
        """The key this store computes its hashes with (None: unkeyed), or a clear refusal.

        A keyed store cannot be written without its key (the hashes would not verify) nor read
        with another key; an unkeyed store is not written with a key (a program that set one
        expects keyed evidence, and would silently not get it)."""
        if self.chain_mode == keys.KEYED:
            if key is None:
                if self.readonly:
                    return None  # lists and reports need no key; verify refuses without it
                raise StoreError(f"the records database {self.path} is keyed: attempts are saved only with its "
                                 "record key", title="records: key needed",
                                 hint=f"set {keys.ENV_KEY} (the key, or @FILE) as it was when the store was created")
            if not hmac.compare_digest(keys.key_check(key, self.store_id), self._meta_or("key_check", "")):
                raise StoreError(f"the record key given is not the key of {self.path}", title="records: wrong key",
                                 hint=f"check --key-file or {keys.ENV_KEY}; nothing was read or changed")
            return key
        if self.chain_mode != keys.UNKEYED:
            raise StoreCorruptError(f"{self.path}: its chain mode {self.chain_mode!r} is not one casesim writes "
                                    "(the meta table was edited)", title="records: damaged file")
        if key is not None and not self.readonly:
            raise StoreError(f"a record key was given, but {self.path} is not a keyed store: its chain has no key",
                             title="records: not keyed",
                             hint=f"unset {keys.ENV_KEY} to keep using this store, or point --db at a new file "
                                  "to start a keyed one")
        return None

    @property
    def keyed(self) -> bool:
        """Whether this store's hashes are HMACs with a record key kept outside the file."""
        return self.chain_mode == keys.KEYED

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
    def _write(self, action: str, *, whole_file_check: bool = True) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"the records database {self.path} was opened read-only: {action} is not possible",
                             title="records: read-only")
        with self._lock:
            conn = self._conn
            if not self._checked and whole_file_check:
                self._check_before_writing(action)
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

    def _check_before_writing(self, action: str) -> None:
        """``PRAGMA quick_check`` once before this store's first write: never write into a damaged
        file (a write there can spread the damage, and hides what was there)."""
        damage = self.damage()
        if damage:
            raise StoreCorruptError(f"the records database {self.path} is damaged ({damage[0]}): {action} was "
                                    "refused, so the damage is not made worse", title="records: damaged file",
                                    hint="keep a copy of the file and run `casesim records verify`; restore a "
                                         "backup or start a new --db")
        self._checked = True

    def damage(self) -> list[str]:
        """What ``PRAGMA quick_check`` reports (empty: no damage found)."""
        with self._lock:
            try:
                lines = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check").fetchall()]
            except sqlite3.DatabaseError as exc:
                return [str(exc)]
        return [] if lines == ["ok"] else lines

    def check_empty(self, what: str) -> None:
        """Called when a read found nothing: raise :class:`StoreCorruptError` if the file is damaged,
        so damage is named instead of reading as an empty record."""
        damage = self.damage()
        if damage:
            raise StoreCorruptError(f"the records database {self.path} is damaged ({damage[0]}), so {what} may be "
                                    "missing rather than absent", title="records: damaged file",
                                    hint="run `casesim records verify` to see what can be read")

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
                    if snapshot:  # a read: nothing to commit, and ending it must not fail on damage
                        with suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
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
        name = display_name if display_name and display_name != trainee_id else None
        with self._write("saving the trainee") as conn:
            row = conn.execute("SELECT display_name, cohort, created_at FROM trainees WHERE id = ?",
                               (trainee_id,)).fetchone()
            if row is None:
                self._new_trainee(conn, trainee_id, name or trainee_id, cohort)
                return
            new_name, new_cohort = name or row[0], cohort if cohort is not None else row[1]
            if (new_name, new_cohort) == (row[0], row[1]):
                return
            conn.execute("UPDATE trainees SET display_name = ?, cohort = ? WHERE id = ?",
                         (new_name, new_cohort, trainee_id))
            self._link(conn, trainee_id, [((None, None), "profile",
                                           ledger.profile_value(new_name, new_cohort, row[2]))])

    def _new_trainee(self, conn: sqlite3.Connection, trainee_id: str, name: str, cohort: str | None) -> None:
        head, now = ledger.first_head(trainee_id, self._key), self._now()
        roster = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('roster_head', 'roster_count')"))
        if "roster_head" not in roster or not str(roster.get("roster_count", "")).isdigit():
            raise StoreCorruptError(f"{self.path}: the roster of trainees in its meta table is missing or edited",
                                    title="records: damaged file", hint="run `casesim records verify`")
        pos = int(roster["roster_count"]) + 1
        conn.execute("INSERT INTO trainees(id, display_name, cohort, created_at, attempt_count, head_hash, link_count, "
                     "chain_head, roster_pos) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                     (trainee_id, name, cohort, now, head.attempt_count, head.head_hash,
                      ledger.first_chain(trainee_id, self._key).head, pos))
        conn.executemany("UPDATE meta SET value = ? WHERE key = ?",
                         [(roster_digest(str(roster["roster_head"]), trainee_id, self._key), "roster_head"),
                          (str(pos), "roster_count")])
        self._link(conn, trainee_id, [((None, None), "profile", ledger.profile_value(name, cohort, now))])

    def _link(self, conn: sqlite3.Connection, trainee_id: str,
              items: Sequence[tuple[tuple[int | None, int | None], LinkKind, Any]]) -> None:
        """Move the trainee's chain over new rows (inside the caller's write): each item is
        ((attempt n, seq) or (None, None) for a profile, link kind, the row's hash or the profile)."""
        row = conn.execute("SELECT link_count, chain_head FROM trainees WHERE id = ?", (trainee_id,)).fetchone()
        if row is None or row[1] is None:
            raise StoreCorruptError(f"{self.path}: trainee {trainee_id} has no chain head; their row was edited",
                                    title="records: damaged file", hint="run `casesim records verify`")
        before = ledger.TraineeChain(trainee_id, int(row[0]), str(row[1]))
        after = ledger.advance(before, [(kind, value) for _, kind, value in items], self._key)
        conn.executemany("INSERT INTO links(trainee_id, pos, attempt_n, seq, profile) VALUES (?, ?, ?, ?, ?)",
                         [(trainee_id, before.link_count + i, n, seq,
                           canonical_json(value) if kind == "profile" else None)
                          for i, ((n, seq), kind, value) in enumerate(items, 1)])
        conn.execute("UPDATE trainees SET link_count = ?, chain_head = ? WHERE id = ?",
                     (after.link_count, after.head, trainee_id))

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
            row = conn.execute("SELECT attempt_count, head_hash, cohort FROM trainees WHERE id = ?",
                               (trainee_id,)).fetchone()
            if row is None:
                self._new_trainee(conn, trainee_id, trainee_id, None)
                head = ledger.first_head(trainee_id, self._key)
            else:
                head = ledger.TraineeHead(trainee_id, int(row[0]), str(row[1]))
                tied = program.assignment_for(conn, trainee_id, scenario_id, content_hash, mode, at=now).assignment
                details = conn.execute("SELECT section, term FROM cohort_details WHERE cohort = ?",
                                       (row[2],)).fetchone() if row[2] is not None else None
                facts = dataclasses.replace(facts, cohort=row[2], assignment=tied.id if tied is not None else None,
                                            section=details[0] if details else None,
                                            term=details[1] if details else None)
            started = ledger.start(head, facts, attempt_id=attempt_id, started_at=now, key=self._key)
            a, after = started.attempt, started.attempt_head
            conn.execute(
                "INSERT INTO attempts(id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, "
                "seed, start_node, started_at, prev_hash, hash, event_count, head_hash, status, signoff, cohort, "
                "imported, assignment, section, term) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?)",
                (a.id, a.trainee_id, a.trainee_seq, a.scenario_id, a.scenario_version, a.content_hash, a.mode, a.seed,
                 a.start_node, a.started_at, a.prev_hash, a.hash, after.event_count, after.head_hash, after.status,
                 a.signoff_json, a.cohort, a.imported_json, a.assignment, a.section, a.term))
            conn.execute("UPDATE trainees SET attempt_count = ?, head_hash = ? WHERE id = ?",
                         (started.trainee_head.attempt_count, started.trainee_head.head_hash, trainee_id))
            n = conn.execute("SELECT n FROM attempts WHERE id = ?", (attempt_id,)).fetchone()[0]
            self._link(conn, trainee_id, [((int(n), 0), "start", a.hash)])
            live = self._live(conn)
            if live is not None:
                self._queue(conn, live.started(self._attempt_by_n(conn, int(n))))
        return attempt_id

    def record_event(self, attempt_id: str, kind: EventKind, payload: Mapping[str, Any]) -> EventRow:
        """Append one event to an in-progress attempt; it is on disk when this returns."""
        return self.record_events(attempt_id, [(kind, payload)])[0]

    def _attempt_head(self, conn: sqlite3.Connection, attempt_id: str) -> tuple[int, str, ledger.AttemptHead]:
        row = conn.execute("SELECT n, trainee_id, event_count, head_hash, status FROM attempts WHERE id = ?",
                           (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no attempt {attempt_id} in {self.path}", title="no such attempt",
                                hint="`casesim records list` shows the attempts")
        return int(row[0]), str(row[1]), ledger.AttemptHead(attempt_id, int(row[2]), str(row[3]), row[4])

    def record_events(self, attempt_id: str,
                      events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> list[EventRow]:
        """Append several events in one durable commit (a choice and the node it leads to)."""
        prepared = ledger.prepare_events(events)
        action = f"recording the {prepared[0].kind} event" if prepared else "recording events"
        with self._write(action) as conn:
            n, trainee_id, head = self._attempt_head(conn, attempt_id)
            appended = ledger.append(head, prepared, at=self._now(), key=self._key)
            conn.executemany("INSERT INTO events(attempt_n, seq, kind, at, node, choice, payload, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [(n, e.seq, e.kind, e.at, e.node, e.choice, e.payload_json, e.hash)
                              for e in appended.events])
            conn.execute("UPDATE attempts SET event_count = ?, head_hash = ? WHERE n = ?",
                         (appended.head.event_count, appended.head.head_hash, n))
            self._link(conn, trainee_id, [((n, e.seq), "event", e.hash) for e in appended.events])
            live = self._live(conn)
            if live is not None:
                rows = [e.row() for e in appended.events]
                earlier = self._events_by_n(conn, attempt_id, n, below=rows[0].seq) \
                    if rows and live.needs_history(rows) else []
                self._queue(conn, live.recorded(self._attempt_by_n(conn, n), rows, earlier))
        return [e.row() for e in appended.events]

    def finish_attempt(self, attempt_id: str, status: AttemptStatus, debrief: Debrief | None) -> None:
        """Close an attempt as completed or abandoned, with its debrief, and seal it."""
        ledger.check_finish(status)
        with self._write("saving the debrief") as conn:
            n, trainee_id, head = self._attempt_head(conn, attempt_id)
            self._seal(conn, n, trainee_id, head, status, debrief, self._now())
        # Fold the WAL back into the database file now, while no one may be reading: the
        # finished attempt then no longer lives only in the -wal file (PASSIVE: never waits).
        with self._lock, suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _seal(self, conn: sqlite3.Connection, n: int, trainee_id: str, head: ledger.AttemptHead,
              status: AttemptStatus, debrief: Debrief | None, ended_at: str) -> None:
        sealed = ledger.seal(head, status, debrief, ended_at=ended_at, key=self._key)
        path = path_text(conn.execute(path_events_sql("?"), (n,)))
        conn.execute("UPDATE attempts SET status = ?, ended_at = ?, passed = ?, share = ?, debrief = ?, seal = ?, "
                     "verdict = ?, decision_seconds = ?, reading_seconds = ?, too_fast = ?, path = ? WHERE n = ?",
                     (sealed.status, sealed.ended_at, sealed.passed, sealed.share, sealed.debrief_json,
                      sealed.seal, *sealed.results.outcome, path, n))
        conn.executemany("INSERT INTO criterion_results(attempt_n, criterion, framework, raw, worst, best, "
                         "share) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(n, cid, *values) for cid, values in sealed.results.criteria.items()])
        conn.executemany("INSERT INTO competency_results(attempt_n, competency, rating, share) "
                         "VALUES (?, ?, ?, ?)",
                         [(n, cid, *values) for cid, values in sealed.results.competencies.items()])
        self._link(conn, trainee_id, [((n, -1), "seal", sealed.seal)])
        live = self._live(conn)
        if live is not None:
            # The debrief as stored (its JSON round trip), so the statements match an export's.
            from casesim.scoring.debrief import Debrief

            stored = Debrief.model_validate_json(sealed.debrief_json) if sealed.debrief_json is not None else None
            attempt = self._attempt_by_n(conn, n)
            if attempt.imported is None:
                self._queue(conn, live.sealed(attempt, stored))

    def import_attempt(self, record: ImportedAttempt) -> bool:
        """Merge an attempt from a verified archive: linked into this store's chain of its
        trainee (new hashes, this store's key), with its original id, times, events and outcome,
        and where it came from in its hashed header. One transaction: all of it or nothing."""
        trainee_id = clean_label(record.trainee_id, "trainee id")
        facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=record.scenario_id,
                                    scenario_version=record.scenario_version, content_hash=record.content_hash,
                                    mode=record.mode, seed=record.seed, start_node=record.start_node,
                                    signoff=record.signoff, cohort=record.cohort, imported=record.imported,
                                    section=record.section, term=record.term)
        prepared = [(kind, at, ledger.prepare_events([(kind, payload)])) for kind, at, payload in record.events]
        if record.status != "in-progress":
            ledger.check_finish(record.status)
        with self._write("importing an attempt") as conn:
            if conn.execute("SELECT 1 FROM attempts WHERE id = ?", (record.attempt_id,)).fetchone() is not None:
                return False
            row = conn.execute("SELECT attempt_count, head_hash FROM trainees WHERE id = ?", (trainee_id,)).fetchone()
            if row is None:
                name = clean_label(record.display_name, "display name") if record.display_name else trainee_id
                cohort = clean_label(record.trainee_cohort, "cohort") if record.trainee_cohort else None
                self._new_trainee(conn, trainee_id, name, cohort)
                head = ledger.first_head(trainee_id, self._key)
            else:
                head = ledger.TraineeHead(trainee_id, int(row[0]), str(row[1]))
            started = ledger.start(head, facts, attempt_id=record.attempt_id, started_at=record.started_at,
                                   key=self._key)
            a, attempt_head = started.attempt, started.attempt_head
            conn.execute(
                "INSERT INTO attempts(id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, "
                "seed, start_node, started_at, prev_hash, hash, event_count, head_hash, status, signoff, cohort, "
                "imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.id, a.trainee_id, a.trainee_seq, a.scenario_id, a.scenario_version, a.content_hash, a.mode, a.seed,
                 a.start_node, a.started_at, a.prev_hash, a.hash, attempt_head.event_count, attempt_head.head_hash,
                 attempt_head.status, a.signoff_json, a.cohort, a.imported_json))
            conn.execute("UPDATE trainees SET attempt_count = ?, head_hash = ? WHERE id = ?",
                         (started.trainee_head.attempt_count, started.trainee_head.head_hash, trainee_id))
            n = int(conn.execute("SELECT n FROM attempts WHERE id = ?", (a.id,)).fetchone()[0])
            self._link(conn, trainee_id, [((n, 0), "start", a.hash)])
            for _, at, events in prepared:
                appended = ledger.append(attempt_head, events, at=at, key=self._key)
                conn.executemany("INSERT INTO events(attempt_n, seq, kind, at, node, choice, payload, hash) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 [(n, e.seq, e.kind, e.at, e.node, e.choice, e.payload_json, e.hash)
                                  for e in appended.events])
                attempt_head = appended.head
                self._link(conn, trainee_id, [((n, e.seq), "event", e.hash) for e in appended.events])
            conn.execute("UPDATE attempts SET event_count = ?, head_hash = ? WHERE n = ?",
                         (attempt_head.event_count, attempt_head.head_hash, n))
            if record.status != "in-progress":
                self._seal(conn, n, trainee_id, attempt_head, record.status, record.debrief,
                           record.ended_at or record.started_at)
            live = self._live(conn)
            if live is not None:
                debrief = self._stored_debrief(conn, n)
                self._queue(conn, live.whole(self._attempt_by_n(conn, n), self._events_by_n(conn, a.id, n), debrief))
        return True

    # --- the xAPI outbox ------------------------------------------------------------------

    def _live(self, conn: sqlite3.Connection) -> LiveStatements | None:
        """The statement builder when the outbox is on (read inside the write, so a store turned
        on by another process is honoured from its next write on)."""
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('outbox_base_iri', 'outbox_home_page')"))
        if len(rows) < 2:
            return None
        settings = OutboxSettings(str(rows["outbox_base_iri"]), str(rows["outbox_home_page"]))
        if self._live_cache is None or self._live_cache.settings != settings:
            from casesim.records.outbox import LiveStatements

            self._live_cache = LiveStatements(settings, self.pseudonym_key)
        return self._live_cache

    def _queue(self, conn: sqlite3.Connection, rows: Sequence[QueuedStatement]) -> None:
        now = self._now()
        conn.executemany("INSERT INTO outbox(id, attempt_id, statement, created_at) VALUES (?, ?, ?, ?)",
                         [(sid, attempt_id, text, now) for sid, attempt_id, text in rows])

    def _attempt_by_n(self, conn: sqlite3.Connection, n: int) -> AttemptRow:
        return self._attempt_row(conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE n = ?", (n,)).fetchone())

    @staticmethod
    def _events_by_n(conn: sqlite3.Connection, attempt_id: str, n: int, *, below: int | None = None) -> list[EventRow]:
        sql, params = "SELECT seq, kind, at, payload FROM events WHERE attempt_n = ?", [n]
        if below is not None:
            sql += " AND seq < ?"
            params.append(below)
        rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [EventRow(attempt_id, int(seq), kind, at, json.loads(payload)) for seq, kind, at, payload in rows]

    @staticmethod
    def _stored_debrief(conn: sqlite3.Connection, n: int) -> Debrief | None:
        from casesim.scoring.debrief import Debrief

        row = conn.execute("SELECT debrief FROM attempts WHERE n = ?", (n,)).fetchone()
        return Debrief.model_validate_json(row[0]) if row is not None and row[0] is not None else None

    def configure_outbox(self, settings: OutboxSettings | None) -> None:
        if settings is not None:
            from casesim.records.outbox import check_settings

            check_settings(settings)
        with self._write("changing the LRS outbox settings") as conn:
            conn.execute("DELETE FROM meta WHERE key IN ('outbox_base_iri', 'outbox_home_page')")
            if settings is not None:
                conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                                 [("outbox_base_iri", settings.base_iri), ("outbox_home_page", settings.home_page)])

    def outbox_settings(self) -> OutboxSettings | None:
        with self._read("reading the LRS outbox settings") as conn:
            rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('outbox_base_iri', "
                                     "'outbox_home_page')"))
        if len(rows) < 2:
            return None
        return OutboxSettings(str(rows["outbox_base_iri"]), str(rows["outbox_home_page"]))

    def outbox_add(self, statements: Sequence[QueuedStatement]) -> int:
        with self._write("queueing statements for the LRS") as conn:
            before = conn.total_changes
            now = self._now()
            conn.executemany("INSERT OR IGNORE INTO outbox(id, attempt_id, statement, created_at) VALUES (?, ?, ?, ?)",
                             [(sid, attempt_id, text, now) for sid, attempt_id, text in statements])
            return int(conn.total_changes - before)

    _OUTBOX_COLUMNS = "seq, id, attempt_id, statement, created_at, sent_at, attempts, last_error"

    def outbox_pending(self, limit: int, *, after: int = 0) -> list[OutboxRow]:
        with self._read("reading the LRS outbox") as conn:
            rows = conn.execute(f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE sent_at IS NULL AND seq > ? "
                                "ORDER BY seq LIMIT ?", (after, limit)).fetchall()
        return [OutboxRow(*r) for r in rows]

    def outbox_rows(self, *, after: int = 0, limit: int = 1000) -> list[OutboxRow]:
        with self._read("reading the LRS outbox") as conn:
            rows = conn.execute(f"SELECT {self._OUTBOX_COLUMNS} FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                                (after, limit)).fetchall()
        return [OutboxRow(*r) for r in rows]

    def outbox_mark_sent(self, ids: Sequence[str]) -> None:
        with self._write("marking statements sent") as conn:
            now = self._now()
            conn.executemany("UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                             [(now, sid) for sid in ids])

    def outbox_mark_failed(self, ids: Sequence[str], error: str) -> None:
        with self._write("noting a failed post") as conn:
            conn.executemany("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? "
                             "AND sent_at IS NULL", [(error, sid) for sid in ids])

    def outbox_counts(self) -> OutboxCounts:
        with self._read("counting the LRS outbox") as conn:
            row = conn.execute("SELECT coalesce(sum(sent_at IS NULL AND attempts = 0), 0), "
                               "coalesce(sum(sent_at IS NULL AND attempts > 0), 0), "
                               "coalesce(sum(sent_at IS NOT NULL), 0) FROM outbox").fetchone()
        return OutboxCounts(int(row[0]), int(row[1]), int(row[2]))

    def outbox_prune(self, sent_before: str) -> int:
        with self._write("pruning the LRS outbox") as conn:
            return int(conn.execute("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?",
                                    (sent_before,)).rowcount)

    def chain_record(self, attempt_id: str) -> dict[str, Any]:
        with self._read("reading the chain", snapshot=True) as conn:
            row = conn.execute("SELECT n, trainee_seq, prev_hash, hash, event_count, head_hash, seal, signoff, debrief, "
                               "cohort, imported, assignment, section, term FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"there is no attempt {attempt_id} in {self.path}", title="no such attempt")
            events = {int(seq): str(h) for seq, h in conn.execute(
                "SELECT seq, hash FROM events WHERE attempt_n = ? ORDER BY seq", (row[0],))}
        keys_ = ("trainee_seq", "prev_hash", "hash", "event_count", "head_hash", "seal", "signoff_text",
                 "debrief_text", "cohort", "imported_text", "assignment", "section", "term")
        return {"store_id": self.store_id, "chain_mode": self.chain_mode, **dict(zip(keys_, row[1:], strict=True)),
                "event_hashes": events}

    # --- reading ------------------------------------------------------------------------

    _attempt_row = staticmethod(attempt_row)

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
        from casesim.scoring.debrief import Debrief  # only when a debrief is read

        try:
            return Debrief.model_validate_json(row[0])
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise StoreCorruptError(f"the debrief of attempt {attempt_id} in {self.path} is damaged (it cannot be "
                                    "read)", title="records: damaged debrief",
                                    hint="run `casesim records verify`; reports and exports leave this attempt out"
                                    ) from exc

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

    # --- class rosters and sign-in codes ----------------------------------------------------

    _MEMBER_COLUMNS = "cohort, trainee_id, display_name, role, code_issued_at, code_used_at, session_epoch"

    def create_roster(self, cohort: str, *, created_by: str) -> bool:
        cohort = clean_label(cohort, "cohort")
        created_by = clean_label(created_by, "display name")
        with self._write("creating the class roster") as conn:
            cursor = conn.execute("INSERT INTO class_rosters(cohort, created_at, created_by) VALUES (?, ?, ?) "
                                  "ON CONFLICT(cohort) DO NOTHING", (cohort, self._now(), created_by))
            return cursor.rowcount == 1

    def rosters(self) -> Sequence[str]:
        with self._read("listing the class rosters") as conn:
            return [str(r[0]) for r in conn.execute("SELECT cohort FROM class_rosters ORDER BY cohort")]

    def _require_roster(self, conn: sqlite3.Connection, cohort: str) -> None:
        if conn.execute("SELECT 1 FROM class_rosters WHERE cohort = ?", (cohort,)).fetchone() is None:
            raise NotFoundError(f"there is no class roster {cohort!r} in {self.path}", title="no such class",
                                hint="create it first with `casesim class create COHORT`; `casesim class list` "
                                     "shows the classes")

    def add_roster_member(self, cohort: str, trainee_id: str, display_name: str, role: str,
                          code_digest: str) -> None:
        cohort = clean_label(cohort, "cohort")
        trainee_id = clean_label(trainee_id, "trainee id")
        display_name = clean_label(display_name or trainee_id, "display name")
        if role not in ("student", "instructor"):
            raise ValueError(f"unknown roster role {role!r}")
        with self._write("adding to the class roster") as conn:
            self._require_roster(conn, cohort)
            conn.execute("INSERT INTO class_members(cohort, trainee_id, display_name, role, code_digest, code_issued_at) "
                         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(cohort, trainee_id) DO UPDATE SET "
                         "display_name = excluded.display_name, role = excluded.role, "
                         "code_digest = excluded.code_digest, code_issued_at = excluded.code_issued_at, "
                         "code_used_at = NULL, session_epoch = session_epoch + 1",
                         (cohort, trainee_id, display_name, role, code_digest, self._now()))
        if role == "student":  # the trainee row (its own transaction: it extends the chain)
            self.upsert_trainee(trainee_id, display_name, cohort)

    def _members(self, where: str, params: tuple[Any, ...], action: str) -> list[RosterMember]:
        with self._read(action) as conn:
            rows = conn.execute(f"SELECT {self._MEMBER_COLUMNS} FROM class_members WHERE {where} "
                                "ORDER BY cohort, trainee_id", params).fetchall()
        return [RosterMember(*r) for r in rows]

    def roster_members(self, cohort: str) -> Sequence[RosterMember]:
        with self._read("reading the class roster") as conn:
            self._require_roster(conn, cohort)
        return self._members("cohort = ?", (cohort,), "reading the class roster")

    def memberships(self, trainee_id: str) -> Sequence[RosterMember]:
        return self._members("trainee_id = ?", (trainee_id,), "reading the class rosters")

    def reissue_code(self, cohort: str, trainee_id: str, code_digest: str) -> None:
        with self._write("issuing a new sign-in code") as conn:
            self._require_roster(conn, cohort)
            cursor = conn.execute("UPDATE class_members SET code_digest = ?, code_issued_at = ?, code_used_at = NULL, "
                                  "session_epoch = session_epoch + 1 WHERE cohort = ? AND trainee_id = ?",
                                  (code_digest, self._now(), cohort, trainee_id))
            if cursor.rowcount != 1:
                raise NotFoundError(f"{trainee_id!r} is not on the class roster {cohort!r}", title="not on the roster",
                                    hint=f"`casesim class roster {cohort}` lists who is; add them with "
                                         "`casesim class add-students`")

    def redeem_code(self, code_digest: str) -> RosterMember | None:
        with self._write("signing in") as conn:
            row = conn.execute(f"UPDATE class_members SET code_used_at = ? WHERE code_digest = ? AND code_used_at IS NULL "
                               f"RETURNING {self._MEMBER_COLUMNS}", (self._now(), code_digest)).fetchone()
        return RosterMember(*row) if row is not None else None

    def end_sessions(self, cohort: str, trainee_id: str) -> None:
        with self._write("signing out") as conn:
            conn.execute("UPDATE class_members SET session_epoch = session_epoch + 1 WHERE cohort = ? AND trainee_id = ?",
                         (cohort, trainee_id))

    def set_cohort_details(self, cohort: str, *, section: str | None, term: str | None, set_by: str) -> None:
        """Set (or, with both None, remove) a cohort's section and term; each value is checked
        like a cohort name (:func:`~casesim.records.labels.clean_label`)."""
        cohort = clean_label(cohort, "cohort")
        section = clean_label(section, "section") if section is not None else None
        term = clean_label(term, "term") if term is not None else None
        set_by = clean_label(set_by, "display name")
        with self._write("saving the cohort's section and term") as conn:
            if section is None and term is None:
                conn.execute("DELETE FROM cohort_details WHERE cohort = ?", (cohort,))
                return
            conn.execute("INSERT INTO cohort_details(cohort, section, term, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT(cohort) DO UPDATE SET section = excluded.section, term = excluded.term, "
                         "set_by = excluded.set_by, set_at = excluded.set_at",
                         (cohort, section, term, set_by, self._now()))

    def cohort_details(self, cohort: str | None = None) -> Sequence[CohortDetails]:
        sql = "SELECT cohort, section, term, set_by, set_at FROM cohort_details"
        params: tuple[str, ...] = ()
        if cohort is not None:
            sql, params = sql + " WHERE cohort = ?", (cohort,)
        with self._read("reading cohorts") as conn:
            rows = conn.execute(sql + " ORDER BY cohort", params).fetchall()
        return [CohortDetails(*r) for r in rows]

    def trainee(self, trainee_id: str) -> TraineeRow | None:
        with self._read("reading the trainee") as conn:
            row = conn.execute("SELECT id, display_name, cohort, created_at, attempt_count FROM trainees WHERE id = ?",
                               (trainee_id,)).fetchone()
        return TraineeRow(*row) if row is not None else None

    def trainees(self, cohort: str | None = None) -> Sequence[TraineeRow]:
        """Every trainee, or a cohort's: those in it now and those with an attempt stamped with it
        (a student who moved on stays on the rosters of the cohorts they played in)."""
        sql = "SELECT id, display_name, cohort, created_at, attempt_count FROM trainees"
        params: tuple[Any, ...] = ()
        if cohort is not None:
            sql += " WHERE cohort = ? OR id IN (SELECT trainee_id FROM attempts WHERE cohort = ?)"
            params = (cohort, cohort)
        with self._read("listing trainees") as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [TraineeRow(*r) for r in rows]

    def cohorts(self) -> Sequence[str]:
        with self._read("listing cohorts") as conn:
            rows = conn.execute("SELECT cohort FROM trainees WHERE cohort IS NOT NULL UNION "
                                "SELECT cohort FROM attempts WHERE cohort IS NOT NULL ORDER BY 1").fetchall()
        return [str(r[0]) for r in rows]

    def decision_counts(self, *, cohort: str | None = None, trainee_id: str | None = None,
                        scenario_id: str | None = None,
                        mode: Mode | None = None) -> Sequence[DecisionCount]:
        with self._read("counting decisions", snapshot=True) as conn:
            return queries.decision_counts(conn, cohort=cohort, trainee_id=trainee_id, scenario_id=scenario_id,
                                           mode=mode)

    def decision_paths(self, *, cohort: str | None = None, trainee_id: str | None = None,
                       scenario_id: str | None = None, mode: Mode | None = None) -> Sequence[DecisionPath]:
        with self._read("reading decisions", snapshot=True) as conn:
            return queries.decision_paths(conn, cohort=cohort, trainee_id=trainee_id, scenario_id=scenario_id,
                                          mode=mode)

    def competency_points(self, *, trainee_id: str | None = None,
                          cohort: str | None = None) -> Sequence[CompetencyPoint]:
        with self._read("reading competency ratings") as conn:
            return queries.competency_points(conn, trainee_id=trainee_id, cohort=cohort)

    def competency_groups(self, *, cohort: str | None = None) -> Sequence[CompetencyGroup]:
        with self._read("reading competency ratings") as conn:
            return queries.competency_groups(conn, cohort=cohort)

    def criterion_rows(self, *, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[CriterionRow]:
        with self._read("reading criterion results") as conn:
            return queries.criterion_rows(conn, trainee_id=trainee_id, cohort=cohort)

    def cohort_activity(self, cohort: str) -> Sequence[TraineeActivity]:
        with self._read("reading the class", snapshot=True) as conn:
            return live.cohort_activity(conn, cohort, _ATTEMPT_COLUMNS, self._attempt_row)

    def change_watch(self, cohort: str | None = None) -> ChangeWatch:
        """``PRAGMA data_version`` on a connection of the watch's own (:mod:`.live`); every commit
        moves it, whatever the cohort."""
        return live.DataVersionWatch(self.path)

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        """Each trainee's number of attempts and the head of their chain over everything (the
        anchor printed on their PDF)."""
        with self._read("reading the chain") as conn:
            rows = queries.trainee_chains(conn)
        return {tid: (attempts, head) for tid, attempts, _, head in rows}

    def store_head(self) -> str:
        """The head over the whole store: its id, its pseudonym key (by hash) and every trainee's
        chain head in id order, so a deleted or forged trainee changes it too.

        Raises :class:`StoreError` for a keyed store opened without its key."""
        self._need_key("compute the store head")
        with self._read("reading the chain", snapshot=True) as conn:
            return queries.store_head(conn, self.store_id, self._key)

    def store_heads_since(self, head: str) -> int | None:
        """How many audit entries were added since ``head`` was the store head (None: it never
        was, with the trainee chains as they are now)."""
        self._need_key("check a head against it")
        with self._read("reading the chain", snapshot=True) as conn:
            return queries.heads_since(conn, self.store_id, self._key, head)

    # --- assignments, roles and the audit log -------------------------------------------

    def record_audit(self, entry: AuditEntry) -> AuditRow:
        """Append an entry to the audit chain (durable when this returns)."""
        self._need_key("record the disclosure in its audit log")
        actor = clean_label(entry.actor, "actor")
        # Every report and export opens a store just for this one append: a whole-file quick_check
        # each time would cost more than the report on a large store. The append touches only the
        # audit table's last page and meta, where SQLite itself reports damage it reads.
        with self._write("recording the disclosure", whole_file_check=False) as conn:
            return program.append_audit(conn, self.store_id, dataclasses.replace(entry, actor=actor),
                                        at=self._now(), key=self._key)

    def audit_log(self, *, trainee_id: str | None = None, since: str | None = None) -> Sequence[AuditRow]:
        with self._read("reading the audit log", snapshot=True) as conn:
            return program.audit_log(conn, trainee_id=trainee_id, since=since)

    def add_assignment(self, assignment: NewAssignment, *, by: str) -> AssignmentRow:
        by = clean_label(by, "actor")
        assignment = dataclasses.replace(assignment, cohort=clean_label(assignment.cohort, "cohort"))
        with self._write("saving the assignment") as conn:
            return program.add_assignment(conn, self.store_id, assignment, by=by, at=self._now(), key=self._key)

    def remove_assignment(self, assignment_id: str, *, by: str) -> AssignmentRow:
        by = clean_label(by, "actor")
        with self._write("withdrawing the assignment") as conn:
            return program.remove_assignment(conn, self.store_id, assignment_id, by=by, at=self._now(),
                                             key=self._key, where=str(self.path))

    def assignments(self, cohort: str | None = None) -> Sequence[AssignmentRow]:
        with self._read("reading the assignments") as conn:
            return program.assignments(conn, cohort)

    def assignment_for(self, trainee_id: str, scenario_id: str, content_hash: str, mode: Mode) -> AssignmentCheck:
        with self._read("reading the assignments", snapshot=True) as conn:
            return program.assignment_for(conn, trainee_id, scenario_id, content_hash, mode, at=self._now())

    def grant_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> RoleGrant:
        actor, by = clean_label(actor, "actor"), clean_label(by, "actor")
        cohort = clean_label(cohort, "cohort") if cohort is not None else None
        with self._write("granting the role") as conn:
            return program.grant_role(conn, self.store_id, actor, role, cohort, by=by, at=self._now(), key=self._key)

    def revoke_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> bool:
        by = clean_label(by, "actor")
        with self._write("revoking the role") as conn:
            return program.revoke_role(conn, self.store_id, actor, role, cohort, by=by, at=self._now(), key=self._key)

    def roles(self) -> Sequence[RoleGrant]:
        with self._read("reading the roles") as conn:
            return program.roles(conn)

    def find_head(self, head: str) -> queries.HeadMatch | None:
        """Where a head printed earlier (on a signed PDF, or by ``records verify``) sits in a
        trainee's chain recomputed from the rows as they are now (None: in no trainee's chain, so
        something recorded before it changed, or it was copied wrong). The store head is compared
        by the caller, with :meth:`store_head`."""
        self._need_key("check a head against it")
        with self._read("reading the chain", snapshot=True) as conn:
            return queries.find_head(conn, head, self._key)

    def rekey(self, new_key: bytes) -> tuple[str, str]:
        """Switch this store to keyed mode with ``new_key``, or change its key: every hash is
        recomputed, one rekey note is linked into every trainee's chain, in one transaction
        (:mod:`casesim.records.sqlite.rekey`). Returns the store head before and after."""
        from casesim.records.sqlite.rekey import rekey

        self._need_key("rekey it")
        if self._key is not None and hmac.compare_digest(self._key, new_key):
            raise StoreError("the new record key is the store's key already", title="rekey refused",
                             hint="give a different key with --new-key-file")
        with self._write("rekeying the records") as conn:
            before, after = rekey(conn, store_id=self.store_id, old_key=self._key, new_key=new_key, now=self._now(),
                                  old_mode=self.chain_mode)
        self._key, self.chain_mode = new_key, keys.KEYED
        return before, after

    def set_pseudonym_key(self, key: str) -> tuple[str, str]:
        """Store another store's pseudonym key as this one's (:mod:`casesim.records.sqlite.pseudonym`)."""
        from casesim.records.sqlite.pseudonym import change_pseudonym_key

        self._need_key("change its pseudonym key")
        if len(key) < 32 or not key.isascii() or not key.isprintable():
            raise StoreError("a pseudonym key is at least 32 printable ASCII characters (casesim makes 64 hex "
                             "digits)", title="pseudonym key refused",
                             hint="export it with `casesim records pseudonym-key --export FILE` from the other store")
        with self._write("changing the pseudonym key") as conn:
            return change_pseudonym_key(conn, store_id=self.store_id, key=self._key, new=key, now=self._now())

    def _need_key(self, action: str) -> None:
        if self.keyed and self._key is None:
            raise keys.KeyNeededError(f"the records database {self.path} is keyed: casesim cannot {action} without its "
                             "record key", title="records: key needed",
                             hint=f"give --key-file FILE or set {keys.ENV_KEY}")

    def chain_info(self) -> dict[str, str]:
        """The chain's mode, its re-chain note and when cohorts began to be stamped, as kept in
        ``meta`` (for ``records verify``)."""
        with self._read("reading the records") as conn:
            rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('chain_mode', 'rechained_at', "
                                     "'rechained_from_schema', 'rechained_links', 'rechain_problems', "
                                     "'cohort_stamped_since', 'cohort_unstamped_attempts', 'rekeyed_at', "
                                     "'rekeyed_count', 'audit_since', 'audit_from_schema', 'audit_count', "
                                     "'pseudonym_changed_at', 'pseudonym_changed_count', "
                                     "'section_term_stamped_since')").fetchall())
        rows.setdefault("chain_mode", keys.UNKEYED)
        return {str(k): str(v) for k, v in rows.items()}

    # --- verifying ----------------------------------------------------------------------

    def verify(self, trainee_id: str | None = None) -> Sequence[VerifyProblem]:
        """Every problem in the file and its hash chains, attempt by attempt and event by event.

        With ``trainee_id``, only that trainee's chain, attempts and events are checked (and the
        file itself, whose damage can hide anyone's rows); rows that belong to nobody are then
        not looked for. Raises :class:`NotFoundError` when the trainee has neither a row nor
        attempts, and :class:`StoreError` for a keyed store opened without its key.
        """
        self._need_key("verify its chain")
        with self._read("verifying the records", snapshot=True) as conn:
            return queries.verify(conn, self.path, trainee_id, key=self._key)

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock, suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
