"""The records tests run on both backends: an SQLite file, and a database on a real PostgreSQL
server the session starts (:mod:`support.postgres`).

A test that asks for ``store`` or ``records_db`` runs once per backend; one about the SQLite file
itself (WAL, pages, the backup API) is marked ``sqlite_only``. Tests that open ``db_path`` with
:class:`~casesim.records.sqlite.SQLiteStore` directly are SQLite tests by construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.records import open_store
from casesim.records.api import RecordStore
from support.backends import (  # noqa: F401 - the hook and fixtures that run each test on both backends
    backend,
    database,
    open_records,
    pytest_generate_tests,
    raw_sql,
    records_db,
    sql_rows,
)


@pytest.fixture
def store(records_db: str | Path) -> Iterator[RecordStore]:  # noqa: F811 - the fixture, by name
    """A fresh record store on each backend."""
    s = open_store(records_db)
    yield s
    s.close()
