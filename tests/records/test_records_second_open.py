"""A process that opens one SQLite store twice keeps its commits visible to other processes.

Reading a store's header with a file handle of our own and closing it dropped every POSIX lock
the process held on the file, its open connections' too; the next process to close its last
connection then found the database unused, checkpointed it and deleted the write-ahead log under
the first process, whose later commits were lost (``casesim serve`` opens the store a second
time for its LRS forwarder). The header is now read through SQLite (records/sqlite/open.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casesim.records import open_store

pytestmark = pytest.mark.sqlite_only


def _count_elsewhere(db: Path) -> int:
    """The trainees another process sees (it opens and closes a connection, as any reader does)."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT count(*) FROM trainees').fetchone()[0]); c.close()")
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_second_open_in_one_process_loses_no_commit(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    first = open_store(db)
    try:
        first.upsert_trainee("t-1", "Ann")
        second = open_store(db)  # the same file again, while the first connection is open
        try:
            second.upsert_trainee("t-2", "Ben")
            assert _count_elsewhere(db) == 2
            # Before the fix, that reader's close removed the log both connections were writing to.
            second.upsert_trainee("t-3", "Cy")
            first.upsert_trainee("t-4", "Di")
            assert _count_elsewhere(db) == 4
        finally:
            second.close()
        first.upsert_trainee("t-5", "Ed")
        assert _count_elsewhere(db) == 5
    finally:
        first.close()
    with open_store(db, readonly=True) as store:
        assert not store.verify()
