"""Tamper evidence on PostgreSQL: every single-column edit, row deletion and event reorder made in
plain SQL (as a database superuser, foreign keys off) is caught and located by verify.

The PostgreSQL twin of test_records_tamper.py: the same small store, the same cases. Each case
runs in one transaction that edits, verifies on the same connection (so verify sees the edit)
and rolls back, so one pristine database serves every case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import VerifyProblem
from casesim.records.postgres import queries
from casesim.records.postgres.connect import configure
from casesim.scoring.catalog import Catalog
from support.postgres import PostgresServer
from support.records import EXPERT, LOST, SECRECY, play

TABLES = {
    "trainees": ["id"],
    "attempts": ["n"],
    "events": ["attempt_n", "seq"],
    "criterion_results": ["attempt_n", "criterion"],
    "competency_results": ["attempt_n", "competency"],
    "links": ["trainee_id", "pos"],
}
GENERATED = {("events", "payload_json")}
"""The jsonb copy of the payload is computed by the server from the payload text; it cannot be written."""


@dataclass
class Pristine:
    url: str
    attempt_ids: dict[int, str]
    attempt_trainee: dict[int, str]


@pytest.fixture(scope="module")
def pristine(postgres_server: PostgresServer, catalog: Catalog, example: AnalysedScenario) -> Iterator[Pristine]:
    name = postgres_server.create_database("tamper")
    url = postgres_server.url(name)
    with open_store(url) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        store.upsert_trainee("bo", "Bo", "c1")
        play(store, example, catalog, "ann", EXPERT[:3] + ["undo", "cheer-up", "undo", "reflect-tiredness"] + EXPERT[3:])
        play(store, example, catalog, "bo", LOST[:3])
        play(store, example, catalog, "ann", SECRECY, mode="assessment")
        play(store, example, catalog, "ann", EXPERT[:2], finish=False)
        play(store, example, catalog, "bo", EXPERT[:1], finish=False)
        assert store.verify() == []
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT n, id, trainee_id FROM casesim.attempts").fetchall()
    yield Pristine(url, {n: i for n, i, _ in rows}, {n: t for n, _, t in rows})
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def conn(pristine: Pristine) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(pristine.url, autocommit=True) as c:
        configure(c, readonly=False)
        yield c


def _problems(conn: psycopg.Connection[tuple[Any, ...]],
              mutate: Callable[[psycopg.Connection[tuple[Any, ...]]], None]) -> list[VerifyProblem]:
    """Edit, verify and roll back, in one transaction."""
    conn.execute("BEGIN")
    try:
        conn.execute("SET LOCAL session_replication_role TO replica")
        mutate(conn)
        return queries.verify(conn, "tamper", None, key=None)
    finally:
        conn.execute("ROLLBACK")


def _rows(conn: psycopg.Connection[tuple[Any, ...]], table: str) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT * FROM {table}")
    names = [d.name for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _changed(value: Any, column: str) -> Any:
    if value is None:
        return 1 if column in ("passed", "too_fast", "rating", "attempt_n", "seq", "roster_pos") else \
            0.5 if column in ("share", "decision_seconds", "reading_seconds") else "x"
    if column in ("n", "attempt_n", "seq", "trainee_seq", "pos"):
        return value + 1000
    if isinstance(value, int):
        return value + 1 if column != "passed" else 1 - value
    if isinstance(value, float):
        return value + 0.0625 if value < 0.9 else value - 0.0625
    if column == "payload":
        return value[:-1] + ',"x":1}'
    if column in ("hash", "head_hash", "prev_hash", "seal", "chain_head"):
        return ("0" if value[0] != "0" else "1") + value[1:]
    return value + "x"


def _where(table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
    keys = TABLES[table]
    return " AND ".join(f"{k} = %s" for k in keys), [row[k] for k in keys]


def _located(problems: list[VerifyProblem], pristine: Pristine, table: str, row: dict[str, Any]) -> bool:
    if table == "trainees":
        return any(p.trainee_id == row["id"] for p in problems)
    if table == "links":
        return any(p.trainee_id == row["trainee_id"] for p in problems)
    n = row["n"] if table == "attempts" else row["attempt_n"]
    attempt_id = pristine.attempt_ids[n]
    if table == "events":
        return any(p.attempt_id == attempt_id and p.seq == row["seq"] for p in problems) or \
            any(p.attempt_id == attempt_id and p.seq is None and "head" in p.message for p in problems)
    return any(p.attempt_id == attempt_id or p.trainee_id == pristine.attempt_trainee[n] for p in problems)


def test_the_pristine_database_verifies_clean(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    assert _problems(conn, lambda c: None) == []


def test_every_single_column_edit_is_caught(conn: psycopg.Connection[tuple[Any, ...]], pristine: Pristine) -> None:
    cases, missed, unlocated = 0, [], []
    for table in TABLES:
        for row in _rows(conn, table):
            where, params = _where(table, row)
            for column, value in row.items():
                if (table, column) in GENERATED:
                    continue
                new = _changed(value, column)

                def edit(c: psycopg.Connection[tuple[Any, ...]], table: str = table, column: str = column,
                         new: Any = new, where: str = where, params: list[Any] = params) -> None:
                    assert c.execute(f"UPDATE {table} SET {column} = %s WHERE {where}".encode(),
                                     [new, *params]).rowcount == 1

                problems = _problems(conn, edit)
                cases += 1
                label = f"{table}.{column} of {params}: {value!r} -> {new!r}"
                if not problems:
                    missed.append(label)
                elif column not in ("n", "attempt_n", "id", "trainee_id") and \
                        not _located(problems, pristine, table, row):
                    unlocated.append(f"{label}: {[p.message for p in problems]}")
    assert cases > 300
    assert missed == []
    assert unlocated == []


def test_every_single_row_deletion_is_caught(conn: psycopg.Connection[tuple[Any, ...]], pristine: Pristine) -> None:
    cases = 0
    for table in TABLES:
        for row in _rows(conn, table):
            where, params = _where(table, row)

            def delete(c: psycopg.Connection[tuple[Any, ...]], t: str = table, w: str = where,
                       p: list[Any] = params) -> None:
                assert c.execute(f"DELETE FROM {t} WHERE {w}".encode(), p).rowcount == 1

            problems = _problems(conn, delete)
            cases += 1
            assert problems, f"deleting {table} {params} went unnoticed"
            assert _located(problems, pristine, table, row), [p.message for p in problems]
    assert cases > 50


def test_every_adjacent_event_swap_is_caught_as_out_of_order(conn: psycopg.Connection[tuple[Any, ...]],
                                                             pristine: Pristine) -> None:
    by_attempt: dict[int, list[dict[str, Any]]] = {}
    for e in _rows(conn, "events"):
        by_attempt.setdefault(e["attempt_n"], []).append(e)
    cases = 0
    for n, rows in by_attempt.items():
        rows.sort(key=lambda e: e["seq"])
        for a, b in zip(rows, rows[1:], strict=False):
            def swap(c: psycopg.Connection[tuple[Any, ...]], n: int = n, a: int = a["seq"], b: int = b["seq"]) -> None:
                c.execute("UPDATE events SET seq = -1 WHERE attempt_n = %s AND seq = %s", (n, a))
                c.execute("UPDATE events SET seq = %s WHERE attempt_n = %s AND seq = %s", (a, n, b))
                c.execute("UPDATE events SET seq = %s WHERE attempt_n = %s AND seq = -1", (b, n))

            problems = _problems(conn, swap)
            cases += 1
            if a["payload"] == b["payload"] and a["kind"] == b["kind"] and a["at"] == b["at"]:
                continue
            assert {p.seq for p in problems if p.attempt_id == pristine.attempt_ids[n]} & {a["seq"], b["seq"]}
            assert any("out of order" in p.message for p in problems), [p.message for p in problems]
    assert cases > 30


def test_an_attempt_moved_to_another_place_in_its_trainees_chain_is_caught(
        conn: psycopg.Connection[tuple[Any, ...]], pristine: Pristine) -> None:
    attempts = sorted(_rows(conn, "attempts"), key=lambda a: (a["trainee_id"], a["trainee_seq"]))
    cases = 0
    for a, b in zip(attempts, attempts[1:], strict=False):
        if a["trainee_id"] != b["trainee_id"]:
            continue

        def swap(c: psycopg.Connection[tuple[Any, ...]], a: dict[str, Any] = a, b: dict[str, Any] = b) -> None:
            c.execute("UPDATE attempts SET trainee_seq = -1 WHERE n = %s", (a["n"],))
            c.execute("UPDATE attempts SET trainee_seq = %s WHERE n = %s", (a["trainee_seq"], b["n"]))
            c.execute("UPDATE attempts SET trainee_seq = %s WHERE n = %s", (b["trainee_seq"], a["n"]))

        problems = _problems(conn, swap)
        cases += 1
        assert {p.attempt_id for p in problems} & {a["id"], b["id"]}
        assert any("out of order" in p.message for p in problems), [p.message for p in problems]
    assert cases >= 2
