"""The records tests run on both backends: an SQLite file, and a database on a real PostgreSQL
server the session starts (:mod:`support.postgres`).

A test that asks for ``store`` or ``records_db`` runs once per backend; one about the SQLite file
itself (WAL, pages, the backup API) is marked ``sqlite_only``. Tests that open ``db_path`` with
:class:`~casesim.records.sqlite.SQLiteStore` directly are SQLite tests by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casesim.records import open_store
from casesim.records.api import RecordStore
from support.postgres import PostgresServer

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ["sqlite"] if only else list(BACKENDS), indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def records_db(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """Where this test's records live: a file, or a fresh database on the session's server."""
    if backend == "sqlite":
        yield db_path
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def open_records(records_db: str | Path) -> Callable[..., RecordStore]:
    """``open_store`` on this test's records (keyword arguments as open_store takes them)."""
    def opener(**options: Any) -> RecordStore:
        return open_store(records_db, **options)

    return opener


@pytest.fixture
def store(records_db: str | Path) -> Iterator[RecordStore]:
    """A fresh record store on each backend."""
    s = open_store(records_db)
    yield s
    s.close()


@pytest.fixture
def raw_sql(records_db: str | Path) -> Callable[..., int]:
    """Run one statement on the records behind casesim's back, as someone with the database's
    own tools would (sqlite3 on the file; a PostgreSQL superuser with foreign keys off, in the
    ``casesim`` schema). ``?`` placeholders on both. Returns the number of rows changed."""
    def run(sql: str, params: tuple[Any, ...] = ()) -> int:
        if isinstance(records_db, Path):
            import sqlite3

            conn = sqlite3.connect(records_db, isolation_level=None)
            try:
                return conn.execute(sql, params).rowcount
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(records_db, autocommit=True) as pg:
            pg.execute("SET search_path TO casesim")
            pg.execute("SET session_replication_role TO replica")  # no foreign-key triggers
            return pg.execute(sql.replace("?", "%s").encode(), params).rowcount

    return run
