"""Copying an SQLite record store into PostgreSQL: rows as they are, hashes unchanged.

A program that began with one file per laptop (or one shared file) moves to one PostgreSQL
database without re-chaining anything: every table is copied row for row (internal attempt
numbers included), the store's identity travels with it (its id, creation time, roster head, chain
mode and key check in ``meta``; its pseudonym key into ``casesim_private``, so xAPI pseudonyms stay
the same), and the copy is then verified by the PostgreSQL store itself. Because the digests are
over the stored text, the copy's store head equals the file's: the heads printed on PDFs and by
``records verify`` before the move still match after it.

The destination must hold no records yet. The whole copy is one transaction: all of it or nothing.
A table of the file that this casesim's PostgreSQL schema does not have is refused before anything is written when it holds rows (nothing is silently
left behind), and skipped when it is empty. After the copy, the roles, audit log, assignments,
cohort details, accommodations, trainees and attempts are read back through both stores and
compared (:func:`compare`), beside the store head and ``verify``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from casesim.database_url import DatabaseUrl
from casesim.errors import StoreError
from casesim.records.api import RecordStore, VerifyProblem
from casesim.records.chain import iso_utc, utc_now
from casesim.records.postgres.connect import configure, connect, translate
from casesim.records.postgres.schema import PRIVATE
from casesim.records.postgres.store import PostgresStore
from casesim.records.sqlite import SQLiteStore

__all__ = ["Migrated", "compare", "migrate_store"]

_KEEP_OUT_OF_META = {"magic", "schema_version", "pseudonym_key"}
"""Meta keys that are the destination's own (its magic and schema version) or live elsewhere there."""


@dataclass(frozen=True, slots=True)
class Migrated:
    """What was copied, and how the copy verified."""

    rows: dict[str, int]
    """Rows copied, by table."""
    source_head: str
    dest_head: str
    source_problems: tuple[VerifyProblem, ...]
    problems: tuple[VerifyProblem, ...]
    """What verify found in the copy (the same as in the source, for a source with problems)."""
    differences: tuple[str, ...] = ()
    """What the copy reads differently from the file through the store's interface (roles, the
    audit log, assignments, cohort details, accommodations, trainees, attempts): none when it is
    a faithful copy."""

    @property
    def same_head(self) -> bool:
        return self.source_head == self.dest_head

    @property
    def faithful(self) -> bool:
        """The same store head, the same problems and nothing read differently."""
        return self.same_head and len(self.problems) == len(self.source_problems) and not self.differences


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def migrate_store(src: Path, dest: DatabaseUrl, *, key: bytes | None = None) -> Migrated:
    """Copy the SQLite store at ``src`` into the empty PostgreSQL database ``dest`` and verify it.

    ``key``: the record key of a keyed store (the copy is keyed with the same key). Raises
    :class:`StoreError` when ``dest`` already holds records, or the file has a table this casesim
    cannot keep in PostgreSQL; nothing is written then."""
    with SQLiteStore(src, readonly=True, key=key) as source:
        keyed = source.keyed
        source_head = source.store_head()  # refuses a keyed store without its key, before anything
        source_problems = tuple(source.verify())
        plan = _plan(source._conn, src)
        with PostgresStore(dest, key=key if keyed else None) as target:
            target.close()
        rows = _copy(source._conn, plan, dest, src)
        with PostgresStore(dest, readonly=True, key=key if keyed else None) as copy:
            problems = tuple(copy.verify())
            dest_head = copy.store_head()
            differences = tuple(compare(source, copy))
    return Migrated(rows, source_head, dest_head, source_problems, problems, differences)


def compare(source: RecordStore, copy: RecordStore) -> Iterator[str]:
    """What ``copy`` reads differently from ``source`` through the :class:`RecordStore` interface
    (one line per table that differs, saying how many rows each side has): the program's tables,
    which the store head covers only through the audit chain (cohort details and accommodations
    not at all), and the trainees and attempts as reports see them."""
    readers: list[tuple[str, Callable[[RecordStore], Sequence[object]]]] = [
        ("trainees", lambda s: list(s.trainees())),
        ("attempts", lambda s: list(s.attempts())),
        ("roles", lambda s: list(s.roles())),
        ("audit log", lambda s: list(s.audit_log())),
        ("assignments", lambda s: list(s.assignments())),
        ("cohort details", lambda s: list(s.cohort_details())),
        ("accommodations", lambda s: [s.accommodation(t.id) for t in s.trainees()]),
    ]
    for what, read in readers:
        mine, theirs = read(source), read(copy)
        if mine != theirs:
            yield f"{what}: the copy reads differently ({len(theirs)} row(s), the file {len(mine)})"


def _plan(conn: sqlite3.Connection, src: Path) -> dict[str, list[str]]:
    """Table -> the columns to copy; a table or column PostgreSQL would not keep is refused."""
    from casesim.records.postgres.schema import MIGRATIONS

    created = " ".join(s for m in MIGRATIONS for s in m.statements)
    plan: dict[str, list[str]] = {}
    for table in _tables(conn):
        if table == "meta":
            continue
        if f"CREATE TABLE {table} (" not in created:
            if conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == 0:
                continue  # a feature this PostgreSQL schema lacks, never used in this file: nothing to lose
            raise StoreError(f"{src} has a table {table!r} that this casesim's PostgreSQL schema does not have; "
                             "nothing was copied", title="records: cannot migrate",
                             hint="upgrade casesim (its PostgreSQL schema may not have caught up with this table)")
        plan[table] = _columns(conn, table)
    return plan


def _copy(conn: sqlite3.Connection, plan: dict[str, list[str]], dest: DatabaseUrl, src: Path) -> dict[str, int]:
    pg = connect(dest, "copying the records")
    counts: dict[str, int] = {}
    try:
        configure(pg, readonly=False)
        with pg.transaction():
            pg.execute("LOCK TABLE trainees, attempts IN EXCLUSIVE MODE")
            held = pg.execute("SELECT (SELECT count(*) FROM trainees) + (SELECT count(*) FROM attempts)").fetchone()
            if held is not None and int(held[0]) > 0:
                raise StoreError(f"the PostgreSQL database {dest} already holds records; nothing was copied",
                                 title="records: cannot migrate",
                                 hint="migrate into a new, empty database (createdb), then point CASESIM_DB at it")
            have = {(str(t), str(c)) for t, c in pg.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'casesim' "
                "AND is_generated = 'NEVER'").fetchall()}
            # Parents before children, so the foreign keys hold row by row.
            order = sorted(plan, key=lambda t: {"trainees": 0, "class_rosters": 0, "attempts": 1}.get(t, 2))
            for table in order:
                columns = plan[table]
                lost = [c for c in columns if (table, c) not in have]
                if lost:
                    raise StoreError(f"{src}: the column(s) {', '.join(lost)} of {table} have no place in this "
                                     "casesim's PostgreSQL schema; nothing was copied",
                                     title="records: cannot migrate", hint="upgrade casesim")
                names = ", ".join(columns)
                count = 0
                with pg.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN".encode()) as copy:
                    for row in conn.execute(f"SELECT {names} FROM {table}"):
                        copy.write_row(row)
                        count += 1
                counts[table] = count
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            pg.execute("DELETE FROM meta WHERE key <> ALL(%s)", (["magic", "schema_version"],))
            with pg.cursor() as cur:
                cur.executemany("INSERT INTO meta(key, value) VALUES (%s, %s)",
                                [(k, str(v)) for k, v in meta.items() if k not in _KEEP_OUT_OF_META]
                                + [("migrated_from", str(src)), ("migrated_at", iso_utc(utc_now()))])
            # The audit head's rows exist in every PostgreSQL store (.program: appends only UPDATE
            # them); a file whose log is empty may have no audit_head row.
            pg.execute("INSERT INTO meta(key, value) VALUES ('audit_count', '0'), ('audit_head', '') "
                       "ON CONFLICT (key) DO NOTHING")
            pg.execute(f"UPDATE {PRIVATE}.secrets SET value = %s WHERE key = 'pseudonym_key'",
                       (str(meta.get("pseudonym_key", "")),))
            pg.execute("SELECT setval(pg_get_serial_sequence('casesim.attempts', 'n'), "
                       "(SELECT coalesce(max(n), 0) + 1 FROM attempts), false)")
            pg.execute("SELECT setval(pg_get_serial_sequence('casesim.outbox', 'seq'), "
                       "(SELECT coalesce(max(seq), 0) + 1 FROM outbox), false)")
    except psycopg.Error as exc:
        raise translate(exc, dest, "copying the records") from None
    finally:
        pg.close()
    return counts
