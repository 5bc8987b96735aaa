"""The ``backend`` fixtures: a test that asks for ``records_db`` (or ``open_records``, ``raw_sql``,
``sql_rows``) runs once on an SQLite file and once on a fresh database on the session's real
PostgreSQL server (:mod:`support.postgres`). A test marked ``sqlite_only`` runs on the file only.
A test of what only PostgreSQL has asks for ``database``: the name of a fresh database on that
server, dropped afterwards.

A conftest imports these names (``from support.backends import *``-style, by name) so the hook
and the fixtures apply to its folder: tests/records and tests/cli share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casesim.records import open_store
from casesim.records.api import RecordStore
from support.postgres import PostgresServer

__all__ = ["BACKENDS", "administer", "backend", "database", "open_records", "pytest_generate_tests", "raw_sql", "records_db", "sql_rows"]

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
def database(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server (its name), dropped after the
    test: for the tests of what only the PostgreSQL backend has (roles, migrations, locks)."""
    name = postgres_server.create_database()
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def open_records(records_db: str | Path) -> Callable[..., RecordStore]:
    """``open_store`` on this test's records (keyword arguments as open_store takes them)."""
    def opener(**options: Any) -> RecordStore:
        return open_store(records_db, **options)

    return opener


def _execute(records_db: str | Path, sql: str, params: tuple[Any, ...]) -> tuple[int, list[tuple[Any, ...]]]:
    if isinstance(records_db, Path):
        import sqlite3

        conn = sqlite3.connect(records_db, isolation_level=None)
        try:
            cur = conn.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
            return cur.rowcount, rows
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(records_db, autocommit=True) as pg:
        pg.execute("SET search_path TO casesim")
        pg.execute("SET session_replication_role TO replica")  # no foreign-key triggers
        cur = pg.execute(sql.replace("?", "%s").encode(), params)
        return cur.rowcount, cur.fetchall() if cur.description else []


@pytest.fixture
def raw_sql(records_db: str | Path) -> Callable[..., int]:
    """Run one statement on the records behind casesim's back, as someone with the database's
    own tools would (sqlite3 on the file; a PostgreSQL superuser with foreign keys off, in the
    ``casesim`` schema). ``?`` placeholders on both. Returns the number of rows changed."""
    def run(sql: str, params: tuple[Any, ...] = ()) -> int:
        return _execute(records_db, sql, params)[0]

    return run


@pytest.fixture
def sql_rows(records_db: str | Path) -> Callable[..., list[tuple[Any, ...]]]:
    """Like ``raw_sql``, but returns the rows a query reads."""
    def run(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return _execute(records_db, sql, params)[1]

    return run


def administer(store: RecordStore) -> None:
    """Make the test's login an administrator of a PostgreSQL store (always shared, so the CLI
    enforces roles from the start), so CLI tests act there as the owner of a personal SQLite
    file does. An SQLite store is left as it is (personal)."""
    from casesim.cli.access import login_name
    from casesim.database_url import is_database_url

    if is_database_url(store.location) and not any(g.actor == login_name() for g in store.roles()):
        store.grant_role(login_name(), "administrator", None, by=login_name())
