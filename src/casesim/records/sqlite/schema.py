"""The SQLite schema and its versioned migrations.

``PRAGMA application_id`` marks a file as a casesim record store (so a foreign SQLite file is
recognised and left alone), ``PRAGMA user_version`` is the schema version, and the ``meta`` table
repeats both in words for people who open the file with another tool.

A migration is a list of SQL statements run in one transaction; add a new entry at the end of
:data:`MIGRATIONS` and never edit an old one. A casesim that finds a ``user_version`` above
:data:`SCHEMA_VERSION` refuses the file (:class:`~casesim.errors.StoreVersionError`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from casesim.errors import StoreCorruptError, StoreError, StoreVersionError
from casesim.records import chain, keys

__all__ = ["APPLICATION_ID", "MAGIC", "MIGRATIONS", "SCHEMA_VERSION", "ensure", "migrate"]

_log = logging.getLogger(__name__)

APPLICATION_ID = int.from_bytes(b"CsSm", "big")
"""Written at offset 68 of the database header."""

MAGIC = "casesim-records"

_V1 = [
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
    # display_name and cohort may change (a student moves cohort); the chain head may not.
    """CREATE TABLE trainees (
        id            TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        cohort        TEXT,
        created_at    TEXT NOT NULL,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        head_hash     TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX trainees_by_cohort ON trainees(cohort)",
    # n is internal (a compact key for events); id is the attempt's public UUID.
    """CREATE TABLE attempts (
        n                INTEGER PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        trainee_id       TEXT NOT NULL REFERENCES trainees(id),
        trainee_seq      INTEGER NOT NULL,
        scenario_id      TEXT NOT NULL,
        scenario_version TEXT NOT NULL,
        content_hash     TEXT NOT NULL,
        mode             TEXT NOT NULL,
        seed             INTEGER NOT NULL,
        start_node       TEXT NOT NULL,
        started_at       TEXT NOT NULL,
        prev_hash        TEXT NOT NULL,
        hash             TEXT NOT NULL,
        event_count      INTEGER NOT NULL DEFAULT 0,
        head_hash        TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'in-progress',
        ended_at         TEXT,
        passed           INTEGER,
        share            REAL,
        debrief          TEXT,
        seal             TEXT,
        UNIQUE (trainee_id, trainee_seq)
    )""",
    "CREATE INDEX attempts_in_progress ON attempts(trainee_id) WHERE status = 'in-progress'",
    # Clustered by attempt: one attempt's events are adjacent on disk (resume, reports, verify).
    """CREATE TABLE events (
        attempt_n INTEGER NOT NULL REFERENCES attempts(n),
        seq       INTEGER NOT NULL,
        kind      TEXT NOT NULL,
        at        TEXT NOT NULL,
        node      TEXT,
        choice    TEXT,
        payload   TEXT NOT NULL,
        hash      TEXT NOT NULL,
        PRIMARY KEY (attempt_n, seq)
    ) WITHOUT ROWID""",
    # The item analysis reads only path-changing events, and only these columns: a small
    # covering index keeps it from reading every payload.
    "CREATE INDEX events_path ON events(attempt_n, seq, kind, node, choice) "
    "WHERE kind IN ('choice', 'timer-expired', 'undo')",
    # Copies of the debrief's results, so reports need not parse every debrief.
    """CREATE TABLE criterion_results (
        attempt_n INTEGER NOT NULL REFERENCES attempts(n),
        criterion TEXT NOT NULL,
        framework TEXT NOT NULL,
        raw       INTEGER NOT NULL,
        worst     INTEGER NOT NULL,
        best      INTEGER NOT NULL,
        share     REAL,
        PRIMARY KEY (attempt_n, criterion)
    ) WITHOUT ROWID""",
    """CREATE TABLE competency_results (
        attempt_n  INTEGER NOT NULL REFERENCES attempts(n),
        competency TEXT NOT NULL,
        rating     INTEGER,
        share      REAL,
        PRIMARY KEY (attempt_n, competency)
    ) WITHOUT ROWID""",
]

_V2 = [
    # The scenario's clinical sign-off when the attempt began (canonical JSON: by, credential, on,
    # content_hash), covered by the attempt hash. NULL: a trial, as every attempt recorded before
    # this column existed reads.
    "ALTER TABLE attempts ADD COLUMN signoff TEXT",
]

_SCORE_AND_PACE = [
    # Copies of the sealed debrief (verify checks them against it), so `records list` and the
    # reports show the verdict and the speed flag without parsing every debrief. NULL for an
    # attempt sealed before this migration, or without a debrief, or (pace) not measured.
    "ALTER TABLE attempts ADD COLUMN verdict TEXT",
    "ALTER TABLE attempts ADD COLUMN decision_seconds REAL",
    "ALTER TABLE attempts ADD COLUMN reading_seconds REAL",
    "ALTER TABLE attempts ADD COLUMN too_fast INTEGER",
]

_ACCOMMODATIONS = [
    # A trainee's timing accommodation set by an instructor (issue 15 item 2): one row per trainee,
    # with who set it and when. A setting, not evidence: each attempt records the allowance it was
    # played with in its first event, which the chain covers.
    """CREATE TABLE accommodations (
        trainee_id TEXT PRIMARY KEY NOT NULL,
        time       TEXT NOT NULL,
        set_by     TEXT NOT NULL,
        set_at     TEXT NOT NULL
    ) WITHOUT ROWID""",
]

Migration = list[str | Callable[[sqlite3.Connection, int, str], None]]

_TRAINEE_CHAIN: Migration = [
    # The trainee chain over everything (casesim.records.chain, "trainee link"): links in the
    # order they were written. seq 0 is an attempt's start, -1 its seal, else the event number;
    # attempt_n NULL is a profile link whose value is `profile`. Each link's hash is read from the
    # row it names, so a rewritten row changes the head without a copy of its hash kept here.
    "ALTER TABLE trainees ADD COLUMN link_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE trainees ADD COLUMN chain_head TEXT",
    """CREATE TABLE links (
        trainee_id TEXT NOT NULL,
        pos        INTEGER NOT NULL,
        attempt_n  INTEGER,
        seq        INTEGER,
        profile    TEXT,
        PRIMARY KEY (trainee_id, pos)
    ) WITHOUT ROWID""",
    # The roster (casesim.records.chain.roster_digest): each trainee's place in the order they
    # were added; meta.roster_head is the head over all of them.
    "ALTER TABLE trainees ADD COLUMN roster_pos INTEGER",
    lambda conn, current, now: _rechain(conn, current, now),
]


def _stamp_note(conn: sqlite3.Connection, current: int, now: str) -> None:
    """Record when attempts began to carry their cohort, and how many were recorded before."""
    if current == 0:
        return
    before = conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("cohort_stamped_since", now), ("cohort_unstamped_attempts", str(before))])


_ATTEMPT_COHORT: Migration = [
    # The trainee's cohort when the attempt began, covered by the attempt hash (program review F7:
    # moving a student rewrote past cohort reports). Attempts recorded before keep NULL and their
    # hashes (the header leaves the key out when NULL), so nothing is re-chained; reports place
    # them in the trainee's current cohort, and meta says how many there are.
    "ALTER TABLE attempts ADD COLUMN cohort TEXT",
    # Where an attempt merged by `records import` came from (canonical JSON, covered by the hash).
    "ALTER TABLE attempts ADD COLUMN imported TEXT",
    "CREATE INDEX attempts_by_cohort ON attempts(cohort) WHERE cohort IS NOT NULL",
    lambda conn, current, now: _stamp_note(conn, current, now),
]


def _audit_note(conn: sqlite3.Connection, current: int, now: str) -> None:
    """Start the audit log empty (its head is its genesis until the first entry) and record when
    it began and from which schema the store was migrated, so verify can say since when the
    record of disclosures is complete."""
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("audit_count", "0"), ("audit_since", now), ("audit_from_schema", str(current))])


_PROGRAM: Migration = [
    # The assignment an attempt was started under (issue 14 item 5), covered by the attempt hash
    # (the header leaves the key out when NULL, so earlier attempts keep their hashes).
    "ALTER TABLE attempts ADD COLUMN assignment TEXT",
    "CREATE INDEX attempts_by_assignment ON attempts(assignment, trainee_id) WHERE assignment IS NOT NULL",
    # An instructor's assignment of a scenario (pinned by content hash) to a cohort. Its
    # definition is also in the `assign` entry of the audit chain, which verify compares.
    """CREATE TABLE assignments (
        id               TEXT PRIMARY KEY NOT NULL,
        cohort           TEXT NOT NULL,
        scenario_id      TEXT NOT NULL,
        scenario_version TEXT NOT NULL,
        content_hash     TEXT NOT NULL,
        mode             TEXT NOT NULL,
        opens_at         TEXT,
        closes_at        TEXT,
        attempt_limit    INTEGER,
        counting         TEXT NOT NULL,
        created_by       TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        removed_at       TEXT,
        removed_by       TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX assignments_by_cohort ON assignments(cohort, scenario_id)",
    # Roles (issue 14 item 3): an instructor of a cohort, or an administrator (cohort ''). Every
    # grant and revocation is an entry of the audit chain, which verify replays against this table.
    """CREATE TABLE roles (
        actor      TEXT NOT NULL,
        role       TEXT NOT NULL,
        cohort     TEXT NOT NULL DEFAULT '',
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        PRIMARY KEY (actor, role, cohort)
    ) WITHOUT ROWID""",
    # The audit log, FERPA's record of disclosures: a chain of its own (casesim.records.chain,
    # "audit"); meta.audit_count and meta.audit_head are its head, covered by the store head.
    """CREATE TABLE audit (
        seq      INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        actor    TEXT NOT NULL,
        action   TEXT NOT NULL,
        trainees TEXT NOT NULL,
        cohort   TEXT,
        attempts TEXT NOT NULL,
        purpose  TEXT,
        detail   TEXT,
        hash     TEXT NOT NULL
    )""",
    lambda conn, current, now: _audit_note(conn, current, now),
]


_OUTBOX: Migration = [
    # xAPI statements waiting for an LRS (casesim.records.outbox, issue 14 item 6): written in the
    # transaction of the event that makes them while the outbox is on (meta.outbox_base_iri and
    # outbox_home_page), posted by `casesim lrs sync`. Not evidence and not chained: each statement
    # can be rebuilt from the chained record (`casesim export xapi`). seq is the write order.
    """CREATE TABLE outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT NOT NULL UNIQUE,
        attempt_id TEXT NOT NULL,
        statement  TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at    TEXT,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    )""",
    "CREATE INDEX outbox_pending ON outbox(seq) WHERE sent_at IS NULL",
]


_CLASS_ROSTERS: Migration = [
    # `casesim class` (casesim.records.classroom): a class's roster and its one-time sign-in codes,
    # keyed by the cohort name (not a cohorts table: terms and sections are another table's). Only
    # a code's SHA-256 is kept. session_epoch ends every session of a member when it moves on
    # (a reissued code, a sign-out): `casesim serve` puts it in the session cookie and compares.
    """CREATE TABLE IF NOT EXISTS class_rosters (
        cohort     TEXT PRIMARY KEY NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS class_members (
        cohort         TEXT NOT NULL REFERENCES class_rosters(cohort),
        trainee_id     TEXT NOT NULL,
        display_name   TEXT NOT NULL,
        role           TEXT NOT NULL CHECK (role IN ('student', 'instructor')),
        code_digest    TEXT UNIQUE,
        code_issued_at TEXT,
        code_used_at   TEXT,
        session_epoch  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (cohort, trainee_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS class_members_by_trainee ON class_members(trainee_id)",
]


def _section_note(conn: sqlite3.Connection, current: int, now: str) -> None:
    """Record when attempts began to carry their cohort's section and term."""
    if current == 0:
        return
    conn.execute("INSERT INTO meta(key, value) VALUES ('section_term_stamped_since', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (now,))


_COHORT_SECTION_TERM: Migration = [
    # A cohort's section and term (e.g. "02", "Fall 2026"), set by an instructor with
    # `records cohort`: a setting, like an accommodation, with who set it and when. Each new
    # attempt stamps the values of its trainee's cohort into its hashed header (the columns
    # below), so moving a student or renaming a term later never rewrites a past attempt.
    """CREATE TABLE cohort_details (
        cohort  TEXT PRIMARY KEY NOT NULL,
        section TEXT,
        term    TEXT,
        set_by  TEXT NOT NULL,
        set_at  TEXT NOT NULL
    ) WITHOUT ROWID""",
    "ALTER TABLE attempts ADD COLUMN section TEXT",
    "ALTER TABLE attempts ADD COLUMN term TEXT",
    lambda conn, current, now: _section_note(conn, current, now),
]


def _rechain(conn: sqlite3.Connection, current: int, now: str) -> None:
    from casesim.records.sqlite.rechain import rechain

    rechain(conn, from_schema=current, now=now)


def _store_paths(conn: sqlite3.Connection, current: int, now: str) -> None:
    """Write the path of every attempt already sealed, as the seal now does."""
    from itertools import groupby

    from casesim.records.paths import PATH_KINDS_SQL, path_text

    rows = conn.execute("SELECT e.attempt_n, e.kind, e.node, e.choice FROM attempts a JOIN events e "
                        f"ON e.attempt_n = a.n WHERE a.status <> 'in-progress' AND e.kind IN {PATH_KINDS_SQL} "
                        "ORDER BY e.attempt_n, e.seq").fetchall()
    conn.executemany("UPDATE attempts SET path = ? WHERE n = ?",
                     [(path_text(r[1:] for r in group), n) for n, group in groupby(rows, key=lambda r: r[0])])


_ATTEMPT_PATH: Migration = [
    # The effective path of a sealed attempt (casesim.records.paths), written with the seal: the
    # item analysis groups attempts by it instead of reading every path event. A copy of what the
    # events say, checked by `records verify`; NULL (in progress, no path) is read from the events.
    "ALTER TABLE attempts ADD COLUMN path TEXT",
    lambda conn, current, now: _store_paths(conn, current, now),
    # What reports read of a cohort's attempts, from indexes alone: an attempt row holds its
    # debrief, and the columns after it are read through the debrief's overflow pages. The
    # paths and their attempts' header (the item analysis), and the attempts recorded before
    # cohorts were stamped (every cohort filter asks for those of its trainees).
    "CREATE INDEX attempts_paths ON attempts(n, trainee_id, scenario_id, content_hash, start_node, mode, path)",
    "CREATE INDEX attempts_unstamped ON attempts(trainee_id) WHERE cohort IS NULL",
]


MIGRATIONS: list[Migration] = [list(_V1), list(_V2), list(_SCORE_AND_PACE), _TRAINEE_CHAIN, list(_ACCOMMODATIONS), _ATTEMPT_COHORT,
                               _PROGRAM, _OUTBOX, _CLASS_ROSTERS, _COHORT_SECTION_TERM, _ATTEMPT_PATH]
"""``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``: SQL statements, or a step
``(connection, version migrated from, now)`` for what SQL alone cannot do (re-chaining)."""

SCHEMA_VERSION = len(MIGRATIONS)


def ensure(conn: sqlite3.Connection, path: Path, kind: str, *, readonly: bool, now: Callable[[], str],
           key: bytes | None = None) -> None:
    """Create the schema in a new file, migrate an older one, and refuse a foreign or newer one.

    A new file created with ``key`` is a keyed store (:mod:`casesim.records.keys`) for ever."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id == 0 and kind != "ours":
        if readonly:
            raise StoreError(f"{path} is an empty database", title="no records")
        conn.execute("BEGIN EXCLUSIVE")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id == 0:
                if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise StoreCorruptError(f"{path} belongs to another program; it was left untouched",
                                            title="not a records database")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                store_id = str(uuid.uuid4())
                migrate(conn, 0, now())
                if key is not None:
                    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                                     "value = excluded.value", [("chain_mode", keys.KEYED),
                                                                ("key_check", keys.key_check(key, store_id))])
                _log.info("records store %s created: schema migrated from version 0 to %d", path, SCHEMA_VERSION)
                pseudonym = os.urandom(32).hex()
                conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [
                    ("magic", MAGIC), ("store_id", store_id), ("created_at", now()),
                    ("pseudonym_key", pseudonym), ("roster_count", "0"),
                    ("roster_head", chain.roster_genesis(store_id, chain.sha256_text(pseudonym), key))])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise StoreCorruptError(f"{path} is not a casesim records database; it was left untouched",
                                title="not a records database")
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} was written by a newer casesim (records schema {version}; this casesim reads "
            f"up to {SCHEMA_VERSION}); it was left untouched", title="records from a newer casesim",
            hint="upgrade casesim to read these records")
    if version < SCHEMA_VERSION:
        if readonly:
            raise StoreVersionError(f"{path} uses an older records schema ({version}); open it once "
                                    "with write access to upgrade it", title="records need an upgrade")
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current < SCHEMA_VERSION:
                migrate(conn, current, now())
                _log.info("records store %s: schema migrated from version %d to %d", path, current, SCHEMA_VERSION)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    try:
        rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise StoreCorruptError(f"{path} is a damaged casesim records database ({exc})",
                                title="records: damaged file") from exc
    if rows.get("magic") != MAGIC or "store_id" not in rows:
        raise StoreCorruptError(f"{path} claims to be a casesim records database but its meta table "
                                "is damaged; it was left untouched", title="records: damaged file")
    if rows.get("schema_version") != str(SCHEMA_VERSION):
        raise StoreCorruptError(f"{path}: the schema version in its meta table "
                                f"({rows.get('schema_version')}) disagrees with the file header ({version})",
                                title="records: damaged file")


def migrate(conn: sqlite3.Connection, current: int, now: str) -> None:
    """Run the migrations from schema version ``current`` up, inside the caller's transaction."""
    for statements in MIGRATIONS[current:]:
        for statement in statements:
            if isinstance(statement, str):
                conn.execute(statement)
            else:
                statement(conn, current, now)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(SCHEMA_VERSION),))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
