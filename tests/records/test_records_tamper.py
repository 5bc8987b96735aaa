"""Tamper evidence: every single-row edit, deletion and reorder is caught and located."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import NotFoundError, StoreCorruptError, StoreVersionError
from casesim.records.api import VerifyProblem
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play

# Columns a program may legitimately change (a name correction, a move to another cohort) are
# changed through casesim, which links the new profile into the trainee's chain: changed by plain
# SQL, they are caught like every other column.
MUTABLE: set[tuple[str, str]] = set()
TABLES = {
    "trainees": ["id"],
    "attempts": ["n"],
    "events": ["attempt_n", "seq"],
    "criterion_results": ["attempt_n", "criterion"],
    "competency_results": ["attempt_n", "competency"],
    "links": ["trainee_id", "pos"],
}


@dataclass
class Pristine:
    data: bytes
    attempt_ids: dict[int, str]  # internal n -> public id
    attempt_trainee: dict[int, str]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, example: AnalysedScenario) -> Pristine:
    path = tmp_path_factory.mktemp("pristine") / "small.db"
    with SQLiteStore(path) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        store.upsert_trainee("bo", "Bo", "c1")
        play(store, example, catalog, "ann", EXPERT[:3] + ["undo", "cheer-up", "undo", "reflect-tiredness"] + EXPERT[3:])
        play(store, example, catalog, "bo", LOST[:3])                   # abandoned, with a timeout
        play(store, example, catalog, "ann", SECRECY, mode="assessment")  # failed on a critical action
        play(store, example, catalog, "ann", EXPERT[:2], finish=False)  # in progress
        play(store, example, catalog, "bo", EXPERT[:1], finish=False)
        assert store.verify() == []
        rows = store._conn.execute("SELECT n, id, trainee_id FROM attempts").fetchall()
    return Pristine(path.read_bytes(), {n: i for n, i, _ in rows}, {n: t for n, _, t in rows})


_counter = iter(range(10**6))


def _problems(tmp_path: Path, pristine: Pristine, mutate: Callable[[sqlite3.Connection], None]) -> list[VerifyProblem]:
    path = tmp_path / f"case{next(_counter)}.db"
    path.write_bytes(pristine.data)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")  # a scratch copy: speed over durability
    conn.execute("BEGIN")
    mutate(conn)
    conn.execute("COMMIT")
    conn.close()
    with SQLiteStore(path) as store:
        found = list(store.verify())
    path.unlink()
    return found


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _rows(pristine: Pristine, tmp_path: Path, table: str) -> Iterator[dict[str, Any]]:
    path = tmp_path / "read.db"
    path.write_bytes(pristine.data)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]
    conn.close()
    path.unlink()
    yield from rows


def _changed(value: Any, column: str) -> Any:
    if value is None:
        return 1
    if column in ("n", "attempt_n", "seq", "trainee_seq", "pos"):
        return value + 1000  # a key: move the row somewhere free
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
    return " AND ".join(f"{k} = ?" for k in keys), [row[k] for k in keys]


def _located(problems: list[VerifyProblem], pristine: Pristine, table: str, row: dict[str, Any]) -> bool:
    """The report names the attempt (and event) the row belongs to, or the trainee."""
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


def test_every_single_column_edit_is_caught(tmp_path: Path, pristine: Pristine) -> None:
    cases = 0
    missed: list[str] = []
    unlocated: list[str] = []
    for table in TABLES:
        for row in _rows(pristine, tmp_path, table):
            where, params = _where(table, row)
            for column, value in row.items():
                if (table, column) in MUTABLE:
                    continue
                new = _changed(value, column)

                def edit(conn: sqlite3.Connection, table: str = table, column: str = column, new: Any = new,
                         where: str = where, params: list[Any] = params) -> None:
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [new, *params])

                problems = _problems(tmp_path, pristine, edit)
                cases += 1
                label = f"{table}.{column} of {params}: {value!r} -> {new!r}"
                if not problems:
                    missed.append(label)
                elif column not in ("n", "attempt_n", "id", "trainee_id") and not _located(problems, pristine, table, row):
                    unlocated.append(f"{label}: {[p.message for p in problems]}")
    assert cases > 300
    assert missed == []
    assert unlocated == []


def test_every_single_row_deletion_is_caught(tmp_path: Path, pristine: Pristine) -> None:
    cases = 0
    for table in TABLES:
        for row in _rows(pristine, tmp_path, table):
            where, params = _where(table, row)
            def delete(conn: sqlite3.Connection, t: str = table, w: str = where, p: list[Any] = params) -> None:
                conn.execute(f"DELETE FROM {t} WHERE {w}", p)

            problems = _problems(tmp_path, pristine, delete)
            cases += 1
            assert problems, f"deleting {table} {params} went unnoticed"
            assert _located(problems, pristine, table, row), [p.message for p in problems]
            if table == "events":
                assert any(p.kind == "deleted" for p in problems)
    assert cases > 50


def test_every_adjacent_event_reorder_is_caught(tmp_path: Path, pristine: Pristine) -> None:
    events = list(_rows(pristine, tmp_path, "events"))
    by_attempt: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        by_attempt.setdefault(e["attempt_n"], []).append(e)
    cases = 0
    for n, rows in by_attempt.items():
        rows.sort(key=lambda e: e["seq"])
        for a, b in zip(rows, rows[1:], strict=False):
            def swap_rows(conn: sqlite3.Connection, n: int = n, a: int = a["seq"], b: int = b["seq"]) -> None:
                conn.execute("UPDATE events SET seq = -1 WHERE attempt_n = ? AND seq = ?", (n, a))
                conn.execute("UPDATE events SET seq = ? WHERE attempt_n = ? AND seq = ?", (a, n, b))
                conn.execute("UPDATE events SET seq = ? WHERE attempt_n = ? AND seq = -1", (b, n))

            def swap_content(conn: sqlite3.Connection, n: int = n, a: dict[str, Any] = a,
                             b: dict[str, Any] = b) -> None:
                for src, dst in ((a, b), (b, a)):
                    conn.execute("UPDATE events SET kind = ?, at = ?, node = ?, choice = ?, payload = ? "
                                 "WHERE attempt_n = ? AND seq = ?",
                                 (src["kind"], src["at"], src["node"], src["choice"], src["payload"], n, dst["seq"]))

            for mutate in (swap_rows, swap_content):
                problems = _problems(tmp_path, pristine, mutate)
                cases += 1
                attempt_id = pristine.attempt_ids[n]
                if a["payload"] == b["payload"] and a["kind"] == b["kind"] and a["at"] == b["at"]:
                    continue  # identical rows: nothing changed
                assert problems, f"swapping events {a['seq']} and {b['seq']} of {attempt_id} went unnoticed"
                assert {p.seq for p in problems if p.attempt_id == attempt_id} & {a["seq"], b["seq"]}
                assert all(p.seq in (a["seq"], b["seq"]) for p in problems), [p.message for p in problems]
                if mutate is swap_rows:
                    assert any("out of order" in p.message for p in problems), [p.message for p in problems]
                    assert {p.kind for p in problems} <= {"reordered", "edited"}, problems
    assert cases > 30


def test_every_attempt_reorder_within_a_trainee_is_caught(tmp_path: Path, pristine: Pristine) -> None:
    attempts = sorted(_rows(pristine, tmp_path, "attempts"), key=lambda a: (a["trainee_id"], a["trainee_seq"]))
    cases = 0
    for a, b in zip(attempts, attempts[1:], strict=False):
        if a["trainee_id"] != b["trainee_id"]:
            continue

        def swap(conn: sqlite3.Connection, a: dict[str, Any] = a, b: dict[str, Any] = b) -> None:
            conn.execute("UPDATE attempts SET trainee_seq = -1 WHERE n = ?", (a["n"],))
            conn.execute("UPDATE attempts SET trainee_seq = ? WHERE n = ?", (a["trainee_seq"], b["n"]))
            conn.execute("UPDATE attempts SET trainee_seq = ? WHERE n = ?", (b["trainee_seq"], a["n"]))

        def swap_internal(conn: sqlite3.Connection, a: dict[str, Any] = a, b: dict[str, Any] = b) -> None:
            conn.execute("UPDATE attempts SET n = -1 WHERE n = ?", (a["n"],))
            conn.execute("UPDATE attempts SET n = ? WHERE n = ?", (a["n"], b["n"]))
            conn.execute("UPDATE attempts SET n = ? WHERE n = -1", (b["n"],))

        for mutate in (swap, swap_internal):
            problems = _problems(tmp_path, pristine, mutate)
            cases += 1
            assert {p.attempt_id for p in problems} & {a["id"], b["id"]}, [p.message for p in problems]
        assert any("out of order" in p.message for p in _problems(tmp_path, pristine, swap))
    assert cases >= 4


def test_meta_edits_make_the_file_unreadable_not_silently_different(tmp_path: Path, pristine: Pristine) -> None:
    path = tmp_path / "meta.db"
    for sql, error in (("UPDATE meta SET value = 'other' WHERE key = 'magic'", StoreCorruptError),
                       ("DELETE FROM meta WHERE key = 'magic'", StoreCorruptError),
                       ("UPDATE meta SET value = '0' WHERE key = 'schema_version'", StoreCorruptError),
                       ("PRAGMA user_version = 99", StoreVersionError)):
        path.write_bytes(pristine.data)
        conn = sqlite3.connect(path)
        conn.execute(sql)
        conn.commit()
        conn.close()
        with pytest.raises(error):
            SQLiteStore(path)
        path.unlink()


def test_an_untouched_copy_verifies_clean(tmp_path: Path, pristine: Pristine) -> None:
    assert _problems(tmp_path, pristine, lambda conn: None) == []


def test_verify_scoped_to_one_trainee_checks_only_their_record(tmp_path: Path, pristine: Pristine) -> None:
    bo_attempt = next(n for n, t in pristine.attempt_trainee.items() if t == "bo")
    path = tmp_path / "scoped.db"
    path.write_bytes(pristine.data)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE events SET at = 'x' WHERE attempt_n = ? AND seq = 2", (bo_attempt,))
    conn.close()
    with SQLiteStore(path) as store:
        assert store.verify(trainee_id="ann") == []
        [problem] = store.verify(trainee_id="bo")
        assert (problem.kind, problem.trainee_id, problem.attempt_id, problem.seq) == \
            ("edited", "bo", pristine.attempt_ids[bo_attempt], 2)
        assert store.verify() == [problem]
        with pytest.raises(NotFoundError, match="no trainee nobody"):
            store.verify(trainee_id="nobody")


def test_a_deleted_trainee_is_reported_by_a_verify_scoped_to_them(tmp_path: Path, pristine: Pristine) -> None:
    path = tmp_path / "scoped.db"
    path.write_bytes(pristine.data)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM trainees WHERE id = 'bo'")
    conn.close()
    with SQLiteStore(path) as store:
        problems = store.verify(trainee_id="bo")
    assert problems and all(p.trainee_id == "bo" and p.kind == "deleted" for p in problems)
