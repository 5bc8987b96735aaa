"""Tamper evidence for the program's tables on PostgreSQL: every single-column edit and every row
deletion of the audit log, the roles and the assignments made in plain SQL (as a superuser), and
every edit of the audit chain's head in ``meta``, is caught by verify and named (the twin of
test_records_postgres_tamper.py, which covers the trainee chains). Each case runs in one
transaction that edits, verifies on the same connection and rolls back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import AuditEntry, NewAssignment, VerifyProblem
from casesim.records.postgres import queries
from casesim.records.postgres.connect import configure
from casesim.scoring.catalog import Catalog
from support.postgres import PostgresServer
from support.records import EXPERT, play

Conn = psycopg.Connection[tuple[Any, ...]]

KEYS = {"audit": ["seq"], "roles": ["actor", "role", "cohort"], "assignments": ["id"]}
NAMED = {"audit": "audit log", "roles": "roles:", "assignments": "assignment "}
"""What a problem about a row of each table says (verify names the entry, grant or assignment)."""


@pytest.fixture(scope="module")
def url(postgres_server: PostgresServer, catalog: Catalog, example: AnalysedScenario) -> Iterator[str]:
    name = postgres_server.create_database("tamperprog")
    url = postgres_server.url(name)
    with open_store(url) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        store.grant_role("root", "administrator", None, by="root")
        store.grant_role("prof", "instructor", "c1", by="root")
        kept = store.add_assignment(NewAssignment(cohort="c1", scenario_id=example.scenario.id,
                                                  scenario_version=example.scenario.version,
                                                  content_hash=example.content_hash, mode="assessment",
                                                  opens_at="2026-01-01T00:00:00.000000Z", attempt_limit=2,
                                                  counting="latest"), by="prof")
        gone = store.add_assignment(NewAssignment(cohort="c1", scenario_id=example.scenario.id,
                                                  scenario_version=example.scenario.version,
                                                  content_hash=example.content_hash, mode="practice"), by="prof")
        store.remove_assignment(gone.id, by="prof")
        play(store, example, catalog, "ann", EXPERT, mode="assessment")
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",), cohort="c1",
                                      attempts=("a1",), purpose="review", detail={"command": "report trainee"}))
        store.record_audit(AuditEntry(actor="root", action="export", detail={"command": "export jsonl",
                                                                              "everyone": True}))
        assert kept.id and store.verify() == []
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def conn(url: str) -> Iterator[Conn]:
    with psycopg.connect(url, autocommit=True) as c:
        configure(c, readonly=False)
        yield c


def _problems(conn: Conn, mutate: Callable[[Conn], None]) -> list[VerifyProblem]:
    conn.execute("BEGIN")
    try:
        conn.execute("SET LOCAL session_replication_role TO replica")
        mutate(conn)
        return queries.verify(conn, "tamper", None, key=None)
    finally:
        conn.execute("ROLLBACK")


def _rows(conn: Conn, table: str) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM {table}".encode())
    names = [d.name for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _changed(value: Any, column: str) -> Any:
    if column in ("seq", "attempt_limit"):
        return 1 if value is None else value + 1000
    if value is None:
        return "x"
    if column == "hash":
        return ("0" if value[0] != "0" else "1") + value[1:]
    return value + "x"


def test_the_pristine_store_verifies_clean_and_has_rows_in_every_table(conn: Conn) -> None:
    assert _problems(conn, lambda c: None) == []
    assert {t: len(_rows(conn, t)) for t in KEYS} == {"audit": 7, "roles": 2, "assignments": 2}


def test_every_single_column_edit_of_the_programs_tables_is_caught(conn: Conn) -> None:
    cases, missed, unnamed = 0, [], []
    for table, keys in KEYS.items():
        for row in _rows(conn, table):
            where = " AND ".join(f"{k} = %s" for k in keys)
            params = [row[k] for k in keys]
            for column, value in row.items():
                new = _changed(value, column)

                def edit(c: Conn, table: str = table, column: str = column, new: Any = new, where: str = where,
                         params: list[Any] = params) -> None:
                    assert c.execute(f"UPDATE {table} SET {column} = %s WHERE {where}".encode(),
                                     [new, *params]).rowcount == 1

                problems = _problems(conn, edit)
                cases += 1
                label = f"{table}.{column} of {params}: {value!r} -> {new!r}"
                if not problems:
                    missed.append(label)
                elif not any(NAMED[table] in p.message for p in problems):
                    unnamed.append(f"{label}: {[p.message for p in problems]}")
    assert cases > 50
    assert missed == []
    assert unnamed == []


def test_every_row_deletion_and_every_edit_of_the_audit_head_is_caught(conn: Conn) -> None:
    cases = 0
    for table, keys in KEYS.items():
        for row in _rows(conn, table):
            where = " AND ".join(f"{k} = %s" for k in keys)
            params = tuple(row[k] for k in keys)

            def delete(c: Conn, t: str = table, w: str = where, p: tuple[Any, ...] = params) -> None:
                assert c.execute(f"DELETE FROM {t} WHERE {w}".encode(), p).rowcount == 1

            problems = _problems(conn, delete)
            cases += 1
            assert any(NAMED[table] in p.message for p in problems), (table, row, [p.message for p in problems])
    assert cases == 11
    for key, value in (("audit_count", "6"), ("audit_count", "8"), ("audit_count", "seven"), ("audit_head", "0" * 64)):
        def edit(c: Conn, key: str = key, value: str = value) -> None:
            assert c.execute("UPDATE meta SET value = %s WHERE key = %s", (value, key)).rowcount == 1

        problems = _problems(conn, edit)
        assert any("audit log" in p.message for p in problems), (key, value)
