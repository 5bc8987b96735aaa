"""Bad files and failing disks: clear errors, foreign files untouched, nothing silently lost."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from casesim.errors import StoreCorruptError, StoreError, StoreVersionError
from casesim.records import open_store
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite.schema import APPLICATION_ID, SCHEMA_VERSION


def _attempt(store: SQLiteStore) -> str:
    return store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1.0.0", content_hash="h",
                               mode="practice", seed=0, start_node="a")


def _snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


@pytest.mark.parametrize("content", [
    b"This is a shopping list, not a database.\n" * 10,
    b"SQLite format 3\x00" + b"\x00" * 20,           # a truncated header
    os.urandom(4096),
], ids=["text", "truncated-sqlite", "random"])
def test_a_non_sqlite_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "records.db"
    path.write_bytes(content)
    before = _snapshot(path)
    with pytest.raises(StoreCorruptError, match="not a casesim records database") as info:
        open_store(path)
    assert "untouched" in str(info.value)
    assert _snapshot(path) == before


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_sqlite_database_is_refused_and_left_untouched(tmp_path: Path, journal: str) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = _snapshot(path)
    with pytest.raises(StoreCorruptError, match="another program"):
        open_store(path)
    with pytest.raises(StoreCorruptError):
        open_store(path, readonly=True)
    assert _snapshot(path) == before


def test_an_sqlite_file_with_another_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError, match="0x4d2"):
        open_store(path)
    assert path.read_bytes() == before


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    # An empty file is what sqlite3 leaves after a failed first open: it is taken over, not refused.
    path = tmp_path / "empty.db"
    path.touch()
    with open_store(path) as store:
        store.upsert_trainee("t", "T")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    with open_store(path, readonly=True) as store:  # type: ignore[attr-defined]
        assert [(t.id, t.display_name) for t in store.trainees()] == [("t", "T")]
        assert store.verify() == []


def test_a_damaged_casesim_database_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    with SQLiteStore(path) as store:
        attempt = _attempt(store)
        for i in range(200):
            store.record_event(attempt, "node-entered", {"node": f"n{i}", "pad": "x" * 200})
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2: page * 2 + 512] = os.urandom(512)  # scribble over a page inside the tables
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError):
        store = SQLiteStore(path)
        problems = store.verify()
        store.close()
        if problems:
            raise StoreCorruptError("; ".join(p.message for p in problems))


def test_a_database_from_a_newer_casesim_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreVersionError, match="newer casesim") as info:
        open_store(path)
    assert info.value.hint and "upgrade" in info.value.hint
    assert path.read_bytes() == before


def test_an_older_schema_is_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    from casesim.records.sqlite import schema

    path = tmp_path / "records.db"
    SQLiteStore(path).close()
    extra = ["CREATE TABLE notes (attempt_n INTEGER, body TEXT)"]
    version = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", version + 1)
    with caplog.at_level(logging.INFO, logger="casesim"), SQLiteStore(path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == version + 1
        store._conn.execute("SELECT * FROM notes").fetchall()
        assert store.verify() == []
    assert (f"records store {path}: schema migrated from version {version} to "
            f"{version + 1}") in [r.getMessage() for r in caplog.records]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_a_read_only_file_is_reported_when_opened_for_writing(tmp_path: Path) -> None:  # pragma: no cover
    path = tmp_path / "records.db"
    SQLiteStore(path).close()
    path.chmod(0o400)
    with pytest.raises(StoreError, match="read-only"):
        open_store(path)
    with open_store(path, readonly=True):
        pass


def test_a_read_only_file_is_reported_even_for_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "records.db"
    SQLiteStore(path).close()
    path.chmod(stat.S_IRUSR)
    real_access = os.access

    def access(target: Any, mode: int, **kwargs: Any) -> bool:  # root passes access(); pretend we are not root
        if Path(target) == path and mode & os.W_OK:
            return False
        return real_access(target, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(StoreError, match="read-only") as info:
        open_store(path)
    assert info.value.hint and "CASESIM_DB" in info.value.hint


def test_writing_to_a_store_opened_read_only_by_sqlite_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    SQLiteStore(path).close()
    store = SQLiteStore(path)
    store._conn.close()
    store._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                                  check_same_thread=False)
    with pytest.raises(StoreError, match="read-only") as info:
        store.upsert_trainee("t", "T")
    assert "not saved" in str(info.value)
    store.close()


class _FullDisk:
    """A connection whose writes fail the way SQLite does when the disk fills up."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, sql: str, params: Any = ()) -> Any:
        if sql.startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        if sql.startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.executemany(sql, rows)

    def close(self) -> None:
        self.real.close()


def test_a_full_disk_is_a_clear_store_error_and_the_record_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    store = SQLiteStore(path)
    attempt = _attempt(store)
    store.record_event(attempt, "node-entered", {"node": "a"})
    real = store._conn
    store._conn = _FullDisk(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk holding .* is full: recording the choice event was not saved"):
        store.record_event(attempt, "choice", {"node": "a", "choice": "x"})
    store._conn = real
    assert [e.kind for e in store.events(attempt)] == ["node-entered"]
    store.record_event(attempt, "choice", {"node": "a", "choice": "x"})  # space freed: it works again
    assert store.verify() == []
    store.close()


@pytest.mark.skipif(not Path("/dev/shm").is_dir() or os.geteuid() != 0, reason="needs root to mount a tmpfs")
def test_a_really_full_disk(tmp_path: Path) -> None:  # pragma: no cover - depends on the machine
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        store = SQLiteStore(mount / "records.db")
        attempt = _attempt(store)
        saved = 0
        with pytest.raises(StoreError, match="full"):
            for i in range(100_000):
                store.record_event(attempt, "node-entered", {"node": f"n{i}", "pad": "x" * 500})
                saved += 1
        assert len(store.events(attempt)) == saved
        store.close()
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        open_store(tmp_path)


def test_a_missing_folder_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "records.db"
    open_store(path).close()
    assert stat.S_IMODE((tmp_path / "deep" / "er").stat().st_mode) == 0o700


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_records_path_that_is_no_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    """A FIFO as --db used to hang every command (reading its header waits for a writer); a
    folder is never a store either. Both are refused before anything opens them."""
    from casesim.errors import StoreError
    from casesim.records import open_store

    path = tmp_path / "records.db"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    for readonly in (False, True):
        with pytest.raises(StoreError) as refused:
            open_store(path, readonly=readonly)
        assert str(path) in refused.value.message and "not a records file" in refused.value.message
