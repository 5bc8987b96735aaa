"""Opening an SQLite record file safely, and SQLite errors in words a trainee can act on.

Opening never damages a file that is not ours: the header is read as bytes first, and a file
that is not a casesim store raises :class:`StoreCorruptError` before SQLite is allowed to write.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from casesim.errors import StoreCorruptError, StoreError
from casesim.records.sqlite import schema

__all__ = ["Synchronous", "classify_header", "connect", "translate"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
Synchronous = Literal["FULL", "NORMAL", "OFF"]


def classify_header(path: Path) -> Literal["empty", "ours", "blank-sqlite"]:
    """What the file is, from its header (nothing is opened for writing).

    Never with a file handle of our own while this process has the file open: closing any handle
    of a file drops every POSIX lock this process holds on it, the locks of its open SQLite
    connections included. Another process then finds the database unused when it closes its last
    connection, checkpoints it and deletes the write-ahead log under those connections, whose later
    commits are lost (seen with `casesim serve`, which opens the store a second time for its LRS
    forwarder). So a file this process already has open is read through SQLite (which defers such
    closes, and whose log files exist already); any other file byte by byte, which creates nothing
    beside it (a file that is not ours is left untouched).
    """
    if _open_in_this_process(path):
        try:
            return _classify_with_sqlite(path)
        except sqlite3.Error:
            pass  # not readable as a database: the bytes say why
    return _classify_bytes(path)


def _open_in_this_process(path: Path) -> bool:
    """Whether a descriptor of this process refers to ``path``'s file (Linux's /proc; elsewhere
    False, and the header is read as before)."""
    try:
        target = path.stat()
        names = os.listdir("/proc/self/fd")
    except OSError:
        return False
    for name in names:
        try:
            info = os.stat(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def _classify_with_sqlite(path: Path) -> Literal["empty", "ours", "blank-sqlite"]:
    if path.stat().st_size == 0:
        return "empty"
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        app_id = int(probe.execute("PRAGMA application_id").fetchone()[0])
        journal = str(probe.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        probe.close()
    if app_id == schema.APPLICATION_ID:
        return "ours"
    if app_id == 0 and journal != "wal":  # rollback-journal mode: possibly one we are creating
        return "blank-sqlite"
    raise StoreCorruptError(
        f"{path} is an SQLite database that belongs to another program (application id {app_id:#x}); "
        "it was left untouched",
        title="not a records database", hint="point --db or CASESIM_DB at another file")


def _classify_bytes(path: Path) -> Literal["empty", "ours", "blank-sqlite"]:
    """What the file is, from its first 100 bytes read with a file handle of our own: only for a
    file SQLite cannot read (so no connection of this process has it open; see classify_header)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as exc:
        raise StoreError(f"cannot read the records database {path}: permission denied",
                         title="records unavailable", hint="check the file's owner and permissions") from exc
    except OSError as exc:
        raise StoreError(f"cannot read the records database {path}: {exc.strerror}",
                         title="records unavailable") from exc
    if not header:
        return "empty"
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise StoreCorruptError(
            f"{path} is not a casesim records database (it is not an SQLite file, or it is damaged); "
            "it was left untouched",
            title="not a records database", hint="point --db or CASESIM_DB at another file")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id == schema.APPLICATION_ID:
        return "ours"
    if app_id == 0 and header[18] == 1:  # rollback-journal mode: possibly one we are creating
        return "blank-sqlite"
    raise StoreCorruptError(
        f"{path} is an SQLite database that belongs to another program (application id {app_id:#x}); "
        "it was left untouched",
        title="not a records database", hint="point --db or CASESIM_DB at another file")


def translate(exc: sqlite3.Error, path: Path, action: str) -> StoreError:
    """A StoreError that tells the trainee what happened and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return StoreError(f"the disk holding {path} is full: {action} was not saved",
                          title="records: disk full",
                          hint="free some disk space, then try again; nothing already saved was lost")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return StoreError(f"the records database {path} is read-only: {action} was not saved",
                          title="records: read-only",
                          hint="check the file's permissions, or point CASESIM_DB at a writable file")
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return StoreError(f"the records database {path} stayed locked by another casesim process: "
                          f"{action} was not saved", title="records: busy",
                          hint="try again; if it persists, close other casesim windows using this file")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return StoreCorruptError(f"the records database {path} is damaged ({exc}): {action} failed",
                                 title="records: damaged file",
                                 hint="keep a copy of the file; `casesim records verify` says what it can read")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text:
        return StoreError(f"the records database {path} could not be read or written ({exc}): {action} failed",
                          title="records: I/O error", hint="check the disk and the file's permissions")
    return StoreError(f"{action} failed: {exc}", title="records error")


def connect(path: Path, *, readonly: bool, busy_timeout: float, synchronous: Synchronous,
            now: Callable[[], str], key: bytes | None = None) -> sqlite3.Connection:
    """A connection to a casesim store at ``path``, created, migrated and checked as needed.

    ``now`` gives the creation time written into a new store's meta table.
    """
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a records database", title="records unavailable",
                         hint="point --db or CASESIM_DB at a file")
    if not path.exists():
        if readonly:
            raise StoreError(f"there is no records database at {path} yet", title="no records",
                             hint="records are created when a trainee plays a scenario")
        _create_file(path)
    kind = classify_header(path)
    if not readonly:
        if not os.access(path, os.W_OK):
            raise StoreError(f"the records database {path} is read-only: attempts cannot be saved",
                             title="records: read-only",
                             hint="check the file's permissions, or point CASESIM_DB at a writable file")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise StoreError(f"the folder {path.parent} is read-only: the records database needs to "
                             "write its journal beside it", title="records: read-only",
                             hint="make the folder writable, or point CASESIM_DB at another place")
    if kind == "blank-sqlite":
        _refuse_if_foreign(path)
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
    except sqlite3.Error as exc:
        raise translate(exc, path, "opening the records") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        # SQLite then checks each cell's size as it reads a page, so more damage is reported as
        # damage instead of being read as missing rows (a few per cent on reads).
        conn.execute("PRAGMA cell_size_check = ON")
        schema.ensure(conn, path, kind, readonly=readonly, now=now, key=key)
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - only on filesystems without shared memory
                raise StoreError(f"{path} cannot use write-ahead logging (journal mode {mode})",
                                 title="records unavailable", hint="put the database on a local disk")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path, "opening the records") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process is creating it; the schema step waits for it
    except OSError as exc:
        raise StoreError(f"cannot create the records database {path}: {exc.strerror}",
                         title="records unavailable",
                         hint="check the folder's permissions, or point CASESIM_DB at another place") from exc
    os.close(fd)


def _refuse_if_foreign(path: Path) -> None:
    """An SQLite file without our application id is ours only if it has no tables yet."""
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            probe.close()
    except sqlite3.Error as exc:
        raise StoreCorruptError(f"{path} is not a readable SQLite database ({exc}); it was left untouched",
                                title="not a records database",
                                hint="point --db or CASESIM_DB at another file") from exc
    if tables:
        raise StoreCorruptError(f"{path} is an SQLite database that belongs to another program; "
                                "it was left untouched", title="not a records database",
                                hint="point --db or CASESIM_DB at another file")
