"""The PostgreSQL record store: one database shared by every writer of a program.

The same :class:`~casesim.records.api.RecordStore` as the SQLite file, and the same rows: each
write reads the heads it needs under a row lock and stores exactly what
:mod:`casesim.records.ledger` returns, so both backends write the same digests and
:mod:`casesim.records.verify` checks both.

Locking. Every write is one ``READ COMMITTED`` transaction that first takes ``SELECT … FOR
UPDATE`` on the trainee's row (and then the attempt's): two processes writing for the same
trainee queue there, and the second reads the heads the first committed, so a chain never forks
and an attempt is never lost. A new trainee is created under a lock on the roster's row in
``meta`` (the roster head covers every trainee in the order added), and the trainee row is read
again under it, so two processes creating the same trainee at once create it once. Locks are
always taken roster, then trainee, then attempt, so writers never deadlock. Writers for
different trainees do not wait for each other (but for the roster, once per new trainee).

Time. Each write reads ``clock_timestamp()`` on the server *after* its locks are granted: one
clock for every writer of the store, and time order is chain order. (``now()`` would be the
moment the transaction began, before the lock wait, so a writer that waited would stamp a time
earlier than the row it follows.) Tests pass a fake ``clock`` instead.

Durability. ``COMMIT`` returns once the server has flushed its WAL (the connection sets
``synchronous_commit = on`` whatever the server's default), so a choice
:meth:`PostgresStore.record_event` has returned survives a killed process and a server crash.

Reads for reports and verify run in ``REPEATABLE READ READ ONLY`` transactions: one snapshot, so
no writer moves the chain underneath a report. Connections come from a small pool
(:mod:`psycopg_pool`), so the threads of one process (``casesim serve``) share a few of them.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from casesim.database_url import DatabaseUrl
from casesim.errors import NotFoundError, StoreCorruptError, StoreError
from casesim.format.scenario import Mode
from casesim.format.signoff import SignOff
from casesim.records import keys, ledger
from casesim.records.api import (
    AccommodationRow,
    AttemptRow,
    AttemptStatus,
    CompetencyGroup,
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    DecisionPath,
    EventKind,
    EventRow,
    ImportedAttempt,
    TraineeRow,
    VerifyProblem,
)
from casesim.records.chain import (
    LinkKind,
    WallClock,
    canonical_json,
    iso_utc,
    roster_digest,
)
from casesim.records.labels import clean_label
from casesim.records.paths import path_events_sql, path_text
from casesim.records.postgres import program, queries, schema
from casesim.records.postgres.classroom import PostgresClassroom
from casesim.records.postgres.connect import Conn, configure, connect, translate
from casesim.records.postgres.outbox import PostgresOutbox
from casesim.records.postgres.program import ProgramOnPostgres
from casesim.records.rows import ATTEMPT_COLUMNS, attempt_row
from casesim.scoring.debrief import Debrief

__all__ = ["PostgresStore"]

_log = logging.getLogger(__name__)

_ATTEMPT_COLUMNS = ATTEMPT_COLUMNS
_INSERT_ATTEMPT = ("INSERT INTO attempts(id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, "
                   "mode, seed, start_node, started_at, prev_hash, hash, event_count, head_hash, status, signoff, "
                   "cohort, imported, assignment, section, term) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                   "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING n")
_INSERT_EVENT = ("INSERT INTO events(attempt_n, seq, kind, at, node, choice, payload, hash) "
                 "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")


class _NotifyWatch:
    """A :class:`~casesim.records.api.ChangeWatch` on a connection of its own that ran ``LISTEN
    casesim_changes``; every write to a trainee or an attempt notifies that channel with its
    cohort (triggers, delivered at commit), so a live view re-reads only after a commit to its
    class, without polling the tables."""

    def __init__(self, url: DatabaseUrl, cohort: str | None) -> None:
        self._url = url
        self._cohort = cohort
        self._conn: Conn | None = self._listen()  # a store that cannot be watched is said at once

    def _listen(self) -> Conn:
        conn = connect(self._url, "watching the records")
        try:
            conn.execute("LISTEN casesim_changes")
        except psycopg.Error as exc:
            conn.close()
            raise translate(exc, self._url, "watching the records") from None
        return conn

    def changed(self) -> bool:
        """Whether a notification for this watch's cohort (any, when made without one) came since
        the last call.

        One round trip that reads no table first: the server delivers every notification of a
        transaction committed before it by the time it answers (a commit signals the listeners
        before it returns to its writer), so a False is certain, as on SQLite, instead of "not
        arrived yet"; then the notifications received are drained without waiting. A lost
        connection answers True (the view reads, and says what is wrong if the server is gone)
        and is opened again at the next call; notifications sent meanwhile were missed, so that
        call answers True too."""
        if self._conn is None or self._conn.closed:
            try:
                self._conn = self._listen()
            except StoreError:
                self._conn = None
            return True
        try:
            self._conn.execute("SELECT 1")
            received = list(self._conn.notifies(timeout=0))  # all of them: none is left for the next call
        except psycopg.Error:
            _log.warning("the records watch lost its connection to %s; reconnecting", self._url)
            self.close()
            self._conn = None
            return True
        return any(self._cohort is None or n.payload in ("", self._cohort) for n in received)

    def close(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self._conn.close()


class PostgresStore(ProgramOnPostgres, PostgresClassroom, PostgresOutbox):
    """A :class:`~casesim.records.api.RecordStore` in a PostgreSQL database (see the module's text).

    Safe to share between threads (each call takes a pooled connection) and between processes
    and hosts. Rosters and the live view's read are in :mod:`.classroom`, the xAPI outbox in
    :mod:`.outbox`."""

    _ATTEMPT_COLUMNS = _ATTEMPT_COLUMNS

    def __init__(self, url: DatabaseUrl | str, *, readonly: bool = False, clock: WallClock | None = None,
                 key: bytes | None = None, pool_size: int = 4) -> None:
        self.url = url if isinstance(url, DatabaseUrl) else DatabaseUrl(url)
        self.readonly = readonly
        self._clock = clock
        conn = connect(self.url, "opening the records")
        try:
            try:
                configure(conn, readonly=False)
                schema.ensure(conn, self.location, readonly=readonly, now=lambda: self._now(conn), key=key)
                meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('store_id', 'chain_mode', "
                                         "'key_check')").fetchall())
            except psycopg.Error as exc:
                raise translate(exc, self.url, "opening the records") from None
        finally:
            conn.close()
        self.store_id = str(meta["store_id"])
        self.chain_mode = str(meta.get("chain_mode", keys.UNKEYED))
        self._key = self._accept_key(key, str(meta.get("key_check", "")))
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            self.url.secret_url, min_size=1, max_size=max(1, pool_size), open=False, name="casesim-records",
            kwargs={"autocommit": True, "application_name": "casesim"},
            configure=lambda c: configure(c, readonly=readonly), timeout=30.0)
        try:
            self._pool.open(wait=True, timeout=30.0)
        except psycopg.Error as exc:
            self._pool.close()
            raise translate(exc, self.url, "opening the records") from None
        _log.info("records store opened: %s (readonly=%s)", self.location, self.readonly)

    # --- opening ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """The URL without its password."""
        return str(self.url)

    def _accept_key(self, key: bytes | None, check: str) -> bytes | None:
        """As :meth:`SQLiteStore._accept_key <casesim.records.sqlite.SQLiteStore>`: a keyed store is
        written only with its key and read with no other; an unkeyed one is never written with one."""
        if self.chain_mode == keys.KEYED:
            if key is None:
                if self.readonly:
                    return None
                raise StoreError(f"the records database {self.location} is keyed: attempts are saved only with "
                                 "its record key", title="records: key needed",
                                 hint=f"set {keys.ENV_KEY} (the key, or @FILE) as it was when the store was created")
            if not hmac.compare_digest(keys.key_check(key, self.store_id), check):
                raise StoreError(f"the record key given is not the key of {self.location}",
                                 title="records: wrong key",
                                 hint=f"check --key-file or {keys.ENV_KEY}; nothing was read or changed")
            return key
        if self.chain_mode != keys.UNKEYED:
            raise StoreCorruptError(f"{self.location}: its chain mode {self.chain_mode!r} is not one casesim writes "
                                    "(the meta table was edited)", title="records: damaged database")
        if key is not None and not self.readonly:
            raise StoreError(f"a record key was given, but {self.location} is not a keyed store: its chain has no "
                             "key", title="records: not keyed",
                             hint=f"unset {keys.ENV_KEY} to keep using this store, or point --db at a new database "
                                  "to start a keyed one")
        return None

    @property
    def keyed(self) -> bool:
        return self.chain_mode == keys.KEYED

    @property
    def pseudonym_key(self) -> str:
        """The store's random secret for pseudonymous xAPI ids, kept in ``casesim_private`` (a role
        not granted that schema, as a student-facing process's should be, cannot read it)."""
        with self._read("reading the pseudonym key") as conn:
            row = conn.execute(f"SELECT value FROM {schema.PRIVATE}.secrets WHERE key = 'pseudonym_key'").fetchone()
        if row is None or len(str(row[0])) < 32:
            raise StoreCorruptError(f"{self.location}: the pseudonym key is missing or too short, so trainees cannot "
                                    "be exported under pseudonyms", title="records: damaged database",
                                    hint="run `casesim records verify`")
        return str(row[0])

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self, action: str) -> Iterator[Conn]:
        """One READ COMMITTED transaction; committed (and flushed to the server's disk) when the
        block ends."""
        if self.readonly:
            raise StoreError(f"the records database {self.location} was opened read-only: {action} is not possible",
                             title="records: read-only")
        try:
            with self._pool.connection() as conn:
                try:
                    # Pipeline mode: statements whose results are not read go to the server
                    # together with the next read (or the COMMIT), so a write costs three or four
                    # round trips instead of a dozen (they dominate on a busy server).
                    with conn.pipeline():
                        conn.execute("BEGIN")
                        yield conn
                        # Live views (change_watch) are woken at commit by the triggers on trainees
                        # and attempts, with the cohort (schema: change-notify).
                        conn.execute("COMMIT")
                except BaseException:
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
                    raise
        except psycopg.Error as exc:
            raise translate(exc, self.url, action) from None

    @contextmanager
    def _read(self, action: str, *, snapshot: bool = False) -> Iterator[Conn]:
        """A read: one statement's snapshot, or (``snapshot``) one REPEATABLE READ READ ONLY
        transaction for everything in the block."""
        try:
            with self._pool.connection() as conn:
                if not snapshot:
                    yield conn
                    return
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    yield conn
                finally:
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
        except psycopg.Error as exc:
            raise translate(exc, self.url, action) from None

    def _now(self, conn: Conn) -> str:
        """The write's time: the server's clock now (called after the locks are granted)."""
        if self._clock is not None:
            return iso_utc(self._clock())
        row = conn.execute("SELECT clock_timestamp()").fetchone()
        assert row is not None
        return iso_utc(row[0])

    def check_empty(self, what: str) -> None:
        """Nothing to do: PostgreSQL reports damage to its pages as errors on the read itself
        (which reach the caller as :class:`StoreError`), never as missing rows."""

    # --- writing ------------------------------------------------------------------------

    def _lock_trainee(self, conn: Conn, trainee_id: str, columns: str) -> tuple[Any, ...] | None:
        return conn.execute(f"SELECT {columns} FROM trainees WHERE id = %s FOR UPDATE", (trainee_id,)).fetchone()

    def _lock_or_create(self, conn: Conn, trainee_id: str, columns: str, name: str,
                        cohort: str | None) -> tuple[tuple[Any, ...], bool]:
        """The trainee's row, locked; created (with ``name`` and ``cohort``) if there is none.
        Returns the row and whether it was created."""
        row = self._lock_trainee(conn, trainee_id, columns)
        if row is not None:
            return row, False
        roster: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('roster_head', 'roster_count') "
                                   "FOR UPDATE").fetchall())
        row = self._lock_trainee(conn, trainee_id, columns)  # created while we waited for the roster?
        if row is not None:
            return row, False
        if "roster_head" not in roster or not str(roster.get("roster_count", "")).isdigit():
            raise StoreCorruptError(f"{self.location}: the roster of trainees in its meta table is missing or edited",
                                    title="records: damaged database", hint="run `casesim records verify`")
        now = self._now(conn)
        pos = int(roster["roster_count"]) + 1
        head = ledger.first_head(trainee_id, self._key)
        conn.execute("INSERT INTO trainees(id, display_name, cohort, created_at, attempt_count, head_hash, link_count, "
                     "chain_head, roster_pos) VALUES (%s, %s, %s, %s, %s, %s, 0, %s, %s)",
                     (trainee_id, name, cohort, now, head.attempt_count, head.head_hash,
                      ledger.first_chain(trainee_id, self._key).head, pos))
        with conn.cursor() as cur:
            cur.executemany("UPDATE meta SET value = %s WHERE key = %s",
                            [(roster_digest(str(roster["roster_head"]), trainee_id, self._key), "roster_head"),
                             (str(pos), "roster_count")])
        self._link(conn, trainee_id, [((None, None), "profile", ledger.profile_value(name, cohort, now))])
        row = self._lock_trainee(conn, trainee_id, columns)
        assert row is not None
        return row, True

    def _link(self, conn: Conn, trainee_id: str,
              items: Sequence[tuple[tuple[int | None, int | None], LinkKind, Any]],
              chain: tuple[Any, Any] | None = None) -> None:
        """Move the trainee's chain over new rows (the trainee's row is locked by the caller, who
        may pass its ``(link_count, chain_head)`` as read under the lock)."""
        row = chain or conn.execute("SELECT link_count, chain_head FROM trainees WHERE id = %s",
                                    (trainee_id,)).fetchone()
        if row is None or row[1] is None:
            raise StoreCorruptError(f"{self.location}: trainee {trainee_id} has no chain head; their row was edited",
                                    title="records: damaged database", hint="run `casesim records verify`")
        before = ledger.TraineeChain(trainee_id, int(row[0]), str(row[1]))
        after = ledger.advance(before, [(kind, value) for _, kind, value in items], self._key)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO links(trainee_id, pos, attempt_n, seq, profile) VALUES (%s, %s, %s, %s, %s)",
                            [(trainee_id, before.link_count + i, n, seq,
                              canonical_json(value) if kind == "profile" else None)
                             for i, ((n, seq), kind, value) in enumerate(items, 1)])
        conn.execute("UPDATE trainees SET link_count = %s, chain_head = %s WHERE id = %s",
                     (after.link_count, after.head, trainee_id))

    def upsert_trainee(self, trainee_id: str, display_name: str, cohort: str | None = None) -> None:
        """Add a trainee or update them (as :meth:`SQLiteStore.upsert_trainee
        <casesim.records.sqlite.SQLiteStore.upsert_trainee>`: ``cohort=None`` keeps the cohort, an
        empty name or one equal to the id keeps the name)."""
        trainee_id = clean_label(trainee_id, "trainee id")
        display_name = clean_label(display_name, "display name") if display_name else display_name
        cohort = clean_label(cohort, "cohort") if cohort is not None else None
        name = display_name if display_name and display_name != trainee_id else None
        with self._write("saving the trainee") as conn:
            row, created = self._lock_or_create(conn, trainee_id, "display_name, cohort, created_at",
                                                name or trainee_id, cohort)
            if created:
                return
            new_name, new_cohort = name or row[0], cohort if cohort is not None else row[1]
            if (new_name, new_cohort) == (row[0], row[1]):
                return
            conn.execute("UPDATE trainees SET display_name = %s, cohort = %s WHERE id = %s",
                         (new_name, new_cohort, trainee_id))
            self._link(conn, trainee_id, [((None, None), "profile",
                                           ledger.profile_value(new_name, new_cohort, row[2]))])

    def start_attempt(self, *, trainee_id: str, scenario_id: str, scenario_version: str, content_hash: str,
                      mode: Mode, seed: int, start_node: str, signoff: SignOff | None = None) -> str:
        """Open an attempt and return its id (a UUID, also the xAPI registration)."""
        trainee_id = clean_label(trainee_id, "trainee id")
        facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=scenario_id, scenario_version=scenario_version,
                                    content_hash=content_hash, mode=mode, seed=seed, start_node=start_node,
                                    signoff=signoff)
        attempt_id = str(uuid.uuid4())
        with self._write("starting the attempt") as conn:
            row, created = self._lock_or_create(conn, trainee_id, "attempt_count, head_hash, cohort", trainee_id, None)
            head = ledger.TraineeHead(trainee_id, int(row[0]), str(row[1]))
            now = self._now(conn)
            if not created:
                # Under the trainee's lock: two attempts started at once count against an
                # assignment's attempt limit one after the other.
                tied = program.assignment_for(conn, trainee_id, row[2], scenario_id, content_hash, mode,
                                              at=now).assignment
                section, term = program.cohort_stamp(conn, row[2])
                facts = dataclasses.replace(facts, cohort=row[2], assignment=tied.id if tied is not None else None,
                                            section=section, term=term)
            started = ledger.start(head, facts, attempt_id=attempt_id, started_at=now, key=self._key)
            n = self._insert_attempt(conn, started)
            self._link(conn, trainee_id, [((n, 0), "start", started.attempt.hash)])
            self._outbox_started(conn, n)
        return attempt_id

    def _insert_attempt(self, conn: Conn, started: ledger.AttemptStart) -> int:
        a, after = started.attempt, started.attempt_head
        row = conn.execute(_INSERT_ATTEMPT, (
            a.id, a.trainee_id, a.trainee_seq, a.scenario_id, a.scenario_version, a.content_hash, a.mode, a.seed,
            a.start_node, a.started_at, a.prev_hash, a.hash, after.event_count, after.head_hash, after.status,
            a.signoff_json, a.cohort, a.imported_json, a.assignment, a.section, a.term)).fetchone()
        assert row is not None
        conn.execute("UPDATE trainees SET attempt_count = %s, head_hash = %s WHERE id = %s",
                     (started.trainee_head.attempt_count, started.trainee_head.head_hash, a.trainee_id))
        return int(row[0])

    def _lock_attempt(self, conn: Conn, attempt_id: str) -> tuple[int, str, ledger.AttemptHead, tuple[Any, Any], str]:
        """The attempt's head, with its trainee's row and then its own row locked (in that order,
        the order every write takes them); also the trainee's chain head and the time, both read
        under the locks. Two round trips."""
        chain = conn.execute("SELECT link_count, chain_head FROM trainees WHERE id = "
                             "(SELECT trainee_id FROM attempts WHERE id = %s) FOR UPDATE", (attempt_id,)).fetchone()
        # The trainee's lock is held now, and every writer takes it before the attempt's, so the
        # attempt's lock is free and clock_timestamp() here is read after the wait.
        row = conn.execute("SELECT n, trainee_id, event_count, head_hash, status, clock_timestamp() FROM attempts "
                           "WHERE id = %s FOR UPDATE", (attempt_id,)).fetchone()
        if row is None or chain is None:
            raise NotFoundError(f"there is no attempt {attempt_id} in {self.location}", title="no such attempt",
                                hint="`casesim records list` shows the attempts")
        now = iso_utc(self._clock()) if self._clock is not None else iso_utc(row[5])
        return (int(row[0]), str(row[1]), ledger.AttemptHead(attempt_id, int(row[2]), str(row[3]), row[4]),
                (chain[0], chain[1]), now)

    def record_event(self, attempt_id: str, kind: EventKind, payload: Mapping[str, Any]) -> EventRow:
        """Append one event to an in-progress attempt; it is durable when this returns."""
        return self.record_events(attempt_id, [(kind, payload)])[0]

    def record_events(self, attempt_id: str,
                      events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> list[EventRow]:
        """Append several events in one durable commit (a choice and the node it leads to)."""
        prepared = ledger.prepare_events(events)
        action = f"recording the {prepared[0].kind} event" if prepared else "recording events"
        with self._write(action) as conn:
            n, trainee_id, head, chain, now = self._lock_attempt(conn, attempt_id)
            appended = ledger.append(head, prepared, at=now, key=self._key)
            self._insert_events(conn, n, trainee_id, appended, chain)
            self._outbox_recorded(conn, n, [e.row() for e in appended.events])
        return [e.row() for e in appended.events]

    def _insert_events(self, conn: Conn, n: int, trainee_id: str, appended: ledger.Appended,
                       chain: tuple[Any, Any] | None = None) -> None:
        with conn.cursor() as cur:
            cur.executemany(_INSERT_EVENT, [(n, e.seq, e.kind, e.at, e.node, e.choice, e.payload_json, e.hash)
                                            for e in appended.events])
        conn.execute("UPDATE attempts SET event_count = %s, head_hash = %s WHERE n = %s",
                     (appended.head.event_count, appended.head.head_hash, n))
        self._link(conn, trainee_id, [((n, e.seq), "event", e.hash) for e in appended.events], chain)

    def finish_attempt(self, attempt_id: str, status: AttemptStatus, debrief: Debrief | None) -> None:
        """Close an attempt as completed or left, with its debrief, and seal it."""
        ledger.check_finish(status)
        with self._write("saving the debrief") as conn:
            n, trainee_id, head, chain, now = self._lock_attempt(conn, attempt_id)
            self._seal(conn, n, trainee_id, head, status, debrief, now, chain)

    def _seal(self, conn: Conn, n: int, trainee_id: str, head: ledger.AttemptHead, status: AttemptStatus,
              debrief: Debrief | None, ended_at: str, chain: tuple[Any, Any] | None = None) -> None:
        sealed = ledger.seal(head, status, debrief, ended_at=ended_at, key=self._key)
        passed = None if sealed.passed is None else int(sealed.passed)
        path = path_text(conn.execute(path_events_sql("%s"), (n,)).fetchall())
        conn.execute("UPDATE attempts SET status = %s, ended_at = %s, passed = %s, share = %s, debrief = %s, "
                     "seal = %s, verdict = %s, decision_seconds = %s, reading_seconds = %s, too_fast = %s, path = %s "
                     "WHERE n = %s", (sealed.status, sealed.ended_at, passed, sealed.share, sealed.debrief_json,
                                      sealed.seal, *sealed.results.outcome, path, n))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO criterion_results(attempt_n, criterion, framework, raw, worst, best, share) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            [(n, cid, *values) for cid, values in sealed.results.criteria.items()])
            cur.executemany("INSERT INTO competency_results(attempt_n, competency, rating, share) "
                            "VALUES (%s, %s, %s, %s)",
                            [(n, cid, *values) for cid, values in sealed.results.competencies.items()])
        self._link(conn, trainee_id, [((n, -1), "seal", sealed.seal)], chain)
        self._outbox_sealed(conn, n, sealed.debrief_json)

    def import_attempt(self, record: ImportedAttempt) -> bool:
        """Merge an attempt from a verified archive (as the SQLite store does), in one transaction."""
        trainee_id = clean_label(record.trainee_id, "trainee id")
        facts = ledger.AttemptFacts(trainee_id=trainee_id, scenario_id=record.scenario_id,
                                    scenario_version=record.scenario_version, content_hash=record.content_hash,
                                    mode=record.mode, seed=record.seed, start_node=record.start_node,
                                    signoff=record.signoff, cohort=record.cohort, imported=record.imported,
                                    section=record.section, term=record.term)
        prepared = [(at, ledger.prepare_events([(kind, payload)])) for kind, at, payload in record.events]
        if record.status != "in-progress":
            ledger.check_finish(record.status)
        name = clean_label(record.display_name, "display name") if record.display_name else trainee_id
        cohort = clean_label(record.trainee_cohort, "cohort") if record.trainee_cohort else None
        with self._write("importing an attempt") as conn:
            if conn.execute("SELECT 1 FROM attempts WHERE id = %s", (record.attempt_id,)).fetchone() is not None:
                return False
            row, _ = self._lock_or_create(conn, trainee_id, "attempt_count, head_hash", name, cohort)
            head = ledger.TraineeHead(trainee_id, int(row[0]), str(row[1]))
            started = ledger.start(head, facts, attempt_id=record.attempt_id, started_at=record.started_at,
                                   key=self._key)
            n = self._insert_attempt(conn, started)
            self._link(conn, trainee_id, [((n, 0), "start", started.attempt.hash)])
            attempt_head = started.attempt_head
            for at, events in prepared:
                appended = ledger.append(attempt_head, events, at=at, key=self._key)
                self._insert_events(conn, n, trainee_id, appended)
                attempt_head = appended.head
            if record.status != "in-progress":
                self._seal(conn, n, trainee_id, attempt_head, record.status, record.debrief,
                           record.ended_at or record.started_at)
            self._outbox_whole(conn, n)
        return True

    def set_accommodation(self, trainee_id: str, time: str | None, *, set_by: str) -> None:
        trainee_id = clean_label(trainee_id, "trainee id")
        set_by = clean_label(set_by, "display name")
        with self._write("saving the accommodation") as conn:
            if self._lock_trainee(conn, trainee_id, "id") is None:
                raise NotFoundError(f"there is no trainee {trainee_id!r} in {self.location}", title="no such trainee",
                                    hint="check the id with `casesim records list`, or let them play once first")
            if time is None:
                conn.execute("DELETE FROM accommodations WHERE trainee_id = %s", (trainee_id,))
            else:
                conn.execute("INSERT INTO accommodations(trainee_id, time, set_by, set_at) VALUES (%s, %s, %s, %s) "
                             "ON CONFLICT (trainee_id) DO UPDATE SET time = excluded.time, set_by = excluded.set_by, "
                             "set_at = excluded.set_at", (trainee_id, time, set_by, self._now(conn)))

    # --- reading ------------------------------------------------------------------------

    def chain_record(self, attempt_id: str) -> dict[str, Any]:
        with self._read("reading the chain", snapshot=True) as conn:
            row = conn.execute("SELECT n, trainee_seq, prev_hash, hash, event_count, head_hash, seal, signoff, "
                               "debrief, cohort, imported, assignment, section, term FROM attempts WHERE id = %s", (attempt_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"there is no attempt {attempt_id} in {self.location}", title="no such attempt")
            events = {int(seq): str(h) for seq, h in conn.execute(
                "SELECT seq, hash FROM events WHERE attempt_n = %s ORDER BY seq", (row[0],)).fetchall()}
        names = ("trainee_seq", "prev_hash", "hash", "event_count", "head_hash", "seal", "signoff_text",
                 "debrief_text", "cohort", "imported_text", "assignment", "section", "term")
        return {"store_id": self.store_id, "chain_mode": self.chain_mode, **dict(zip(names, row[1:], strict=True)),
                "event_hashes": events}

    _attempt_row = staticmethod(attempt_row)

    def attempt(self, attempt_id: str) -> AttemptRow:
        with self._read("reading the attempt") as conn:
            row = conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = %s", (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no attempt {attempt_id} in {self.location}", title="no such attempt",
                                hint="`casesim records list` shows the attempts")
        return self._attempt_row(row)

    def events(self, attempt_id: str) -> Sequence[EventRow]:
        with self._read("reading the events") as conn:
            rows = conn.execute("SELECT e.seq, e.kind, e.at, e.payload FROM events e JOIN attempts a ON "
                                "a.n = e.attempt_n WHERE a.id = %s ORDER BY e.seq", (attempt_id,)).fetchall()
        return [EventRow(attempt_id, int(seq), kind, at, json.loads(payload)) for seq, kind, at, payload in rows]

    def in_progress(self, trainee_id: str | None = None) -> Sequence[AttemptRow]:
        """Attempts that can be resumed, the most recently started first."""
        sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE status = 'in-progress'"
        params: tuple[Any, ...] = ()
        if trainee_id is not None:
            sql += " AND trainee_id = %s"
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
            row = conn.execute("SELECT debrief FROM attempts WHERE id = %s", (attempt_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return Debrief.model_validate_json(row[0])
        except ValueError as exc:
            raise StoreCorruptError(f"the debrief of attempt {attempt_id} in {self.location} is damaged (it cannot "
                                    "be read)", title="records: damaged debrief",
                                    hint="run `casesim records verify`; reports and exports leave this attempt out"
                                    ) from exc

    def accommodation(self, trainee_id: str) -> AccommodationRow | None:
        with self._read("reading the accommodation") as conn:
            row = conn.execute("SELECT trainee_id, time, set_by, set_at FROM accommodations WHERE trainee_id = %s",
                               (trainee_id,)).fetchone()
        return AccommodationRow(*row) if row is not None else None

    def trainee(self, trainee_id: str) -> TraineeRow | None:
        with self._read("reading the trainee") as conn:
            row = conn.execute("SELECT id, display_name, cohort, created_at, attempt_count FROM trainees "
                               "WHERE id = %s", (trainee_id,)).fetchone()
        return TraineeRow(*row) if row is not None else None

    def trainees(self, cohort: str | None = None) -> Sequence[TraineeRow]:
        """Every trainee, or a cohort's: those in it now and those with an attempt stamped with it."""
        sql = "SELECT id, display_name, cohort, created_at, attempt_count FROM trainees"
        params: tuple[Any, ...] = ()
        if cohort is not None:
            sql += " WHERE cohort = %s OR id IN (SELECT trainee_id FROM attempts WHERE cohort = %s)"
            params = (cohort, cohort)
        with self._read("listing trainees") as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [TraineeRow(*r) for r in rows]

    def cohorts(self) -> Sequence[str]:
        with self._read("listing cohorts") as conn:
            rows = conn.execute("SELECT cohort FROM trainees WHERE cohort IS NOT NULL UNION "
                                "SELECT cohort FROM attempts WHERE cohort IS NOT NULL ORDER BY 1").fetchall()
        return [str(r[0]) for r in rows]

    # --- report queries (one REPEATABLE READ snapshot each) ------------------------------

    def decision_counts(self, *, cohort: str | None = None, trainee_id: str | None = None,
                        scenario_id: str | None = None, mode: Mode | None = None) -> Sequence[DecisionCount]:
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
        with self._read("reading competency ratings", snapshot=True) as conn:
            return queries.competency_points(conn, trainee_id=trainee_id, cohort=cohort)

    def competency_groups(self, *, cohort: str | None = None) -> Sequence[CompetencyGroup]:
        with self._read("reading competency ratings", snapshot=True) as conn:
            return queries.competency_groups(conn, cohort=cohort)

    def criterion_rows(self, *, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[CriterionRow]:
        with self._read("reading criterion results", snapshot=True) as conn:
            return queries.criterion_rows(conn, trainee_id=trainee_id, cohort=cohort)

    # --- the chain ----------------------------------------------------------------------

    def chain_heads(self) -> dict[str, tuple[int, str]]:
        with self._read("reading the chain", snapshot=True) as conn:
            rows = queries.trainee_chains(conn)
        return {tid: (attempts, head) for tid, attempts, _, head in rows}

    def store_head(self) -> str:
        """The head over the whole store, as :meth:`SQLiteStore.store_head
        <casesim.records.sqlite.SQLiteStore.store_head>` computes it (a store copied from SQLite
        has the same head)."""
        self._need_key("compute the store head")
        with self._read("reading the chain", snapshot=True) as conn:
            return program.store_head(conn, self.store_id, self._key)

    def find_head(self, head: str) -> queries.HeadMatch | None:
        self._need_key("check a head against it")
        with self._read("reading the chain", snapshot=True) as conn:
            return queries.find_head(conn, head, self._key)

    def store_heads_since(self, head: str) -> int | None:
        """How many audit entries were added since ``head`` was the store head (None: it never
        was, with the trainee chains as they are now)."""
        self._need_key("check a head against it")
        with self._read("reading the chain", snapshot=True) as conn:
            return program.heads_since(conn, self.store_id, self._key, head)

    def change_watch(self, cohort: str | None = None) -> _NotifyWatch:
        return _NotifyWatch(self.url, cohort)

    def _need_key(self, action: str) -> None:
        if self.keyed and self._key is None:
            raise keys.KeyNeededError(f"the records database {self.location} is keyed: casesim cannot {action} "
                                      "without its record key", title="records: key needed",
                                      hint=f"give --key-file FILE or set {keys.ENV_KEY}")

    def chain_info(self) -> dict[str, str]:
        with self._read("reading the records") as conn:
            rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('chain_mode', 'rechained_at', "
                                     "'rechained_from_schema', 'rechained_links', 'rechain_problems', "
                                     "'cohort_stamped_since', 'cohort_unstamped_attempts', 'rekeyed_at', "
                                     "'rekeyed_count', 'migrated_from', 'migrated_at', 'audit_since', "
                                     "'audit_from_schema', 'audit_count', 'pseudonym_changed_at', "
                                     "'pseudonym_changed_count', 'section_term_stamped_since')").fetchall())
        rows.setdefault("chain_mode", keys.UNKEYED)
        return {str(k): str(v) for k, v in rows.items()}

    def verify(self, trainee_id: str | None = None) -> Sequence[VerifyProblem]:
        """Every problem in the hash chains, in one REPEATABLE READ READ ONLY snapshot."""
        self._need_key("verify its chain")
        with self._read("verifying the records", snapshot=True) as conn:
            return queries.verify(conn, self.location, trainee_id, key=self._key)

    # --- closing ------------------------------------------------------------------------

    def close(self) -> None:
        with suppress(Exception):
            self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
