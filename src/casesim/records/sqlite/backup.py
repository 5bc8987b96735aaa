"""Backing up and restoring an SQLite record store (``casesim records backup`` / ``restore``).

A store's committed attempts may live in its ``-wal`` file until a checkpoint, so copying the
database file alone can lose all of them (program review F15). A backup therefore goes through
SQLite's online backup API from a read connection: one step, so the copy is the store exactly as
it was when the backup began (a snapshot; writers carry on meanwhile, and what they commit after
that point is not in the copy). The copy is a single self-contained file (rollback journal, no
``-wal``), written 0600 through a temporary file, checked with ``PRAGMA integrity_check`` and with
the store's own ``verify`` before it is renamed into place.

A restore checks the file first (a casesim store, undamaged, its chains verify), keeps the store
it replaces as a side copy beside it (never deleted), and then copies the backup into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from casesim.errors import StoreCorruptError, StoreError
from casesim.records.api import VerifyProblem
from casesim.records.files import check_target, fsync_folder, reserve_beside
from casesim.records.keys import KeyNeededError
from casesim.records.sqlite.open import classify_header, translate
from casesim.records.sqlite.store import SQLiteStore

__all__ = ["CopyCheck", "RestoreResult", "backup_store", "restore_store"]


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What was checked in a copy: its counts, its head and what ``verify`` found."""

    path: Path
    trainees: int
    attempts: int
    events: int
    chain_mode: str
    store_head: str | None
    """None for a keyed store checked without its key (its chains were then not verified)."""
    problems: Sequence[VerifyProblem]

    @property
    def verified(self) -> bool:
        return self.store_head is not None


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored: CopyCheck
    side_copy: Sequence[Path]
    """The files the replaced store was kept in (empty when there was no store)."""


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30.0)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _copy_pages(source: Path, temp: Path, action: str) -> None:
    """The online backup API, from a read connection on ``source`` into the empty file ``temp``,
    in one step (a consistent snapshot), left in rollback-journal mode (one self-contained file)."""
    try:
        src = _ro(source)
        try:
            dst = sqlite3.connect(str(temp), isolation_level=None)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise translate(exc, source, action) from exc


def _integrity(path: Path) -> list[str]:
    conn = _ro(path)
    try:
        lines = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if lines == ["ok"] else lines


def check_copy(path: Path, key: bytes | None, *, shown_as: Path | None = None) -> CopyCheck:
    """Integrity, counts, head and chain problems of the store file at ``path`` (read only).

    Raises :class:`StoreCorruptError` when SQLite finds damage in the file itself."""
    damage = _integrity(path)
    if damage:
        raise StoreCorruptError(f"{shown_as or path} is damaged ({damage[0]})", title="records: damaged file",
                                hint="keep the file; `casesim records verify --db FILE` says what can be read")
    with SQLiteStore(path, readonly=True, key=key) as store:
        mode = store.chain_info().get("chain_mode", "sha256")
        try:
            problems: Sequence[VerifyProblem] = list(store.verify())
            head: str | None = store.store_head()
        except KeyNeededError:
            problems, head = [], None
        trainees = len(store.trainees())
        attempts = list(store.attempts())
        events = sum(len(store.events(a.id)) for a in attempts)
    return CopyCheck(shown_as or path, trainees, len(attempts), events, mode, head, problems)


def backup_store(db: Path, dest: Path, *, force: bool = False, key: bytes | None = None) -> CopyCheck:
    """Copy the store at ``db`` to ``dest`` while it is in use, check the copy, and return what
    was checked. ``dest`` must not exist unless ``force``; it is never a symlink or the store."""
    if not db.exists():
        raise StoreError(f"there is no records database at {db}", title="no records",
                         hint="check --db or CASESIM_DB")
    if _same(db, dest):
        raise StoreError(f"{dest} is the records database itself: a backup goes to another file",
                         title="refused: same file", hint="give another file name")
    check_target(dest, what="the backup", force=force)
    if classify_header(db) != "ours":
        raise StoreCorruptError(f"{db} is not a casesim records database", title="not a records database")
    with SQLiteStore(db, readonly=True, key=key):
        pass  # the store is ours, of this schema, and the key (if any) is its key
    temp = reserve_beside(dest, "backup")
    try:
        _copy_pages(db, temp, "the backup")
        checked = check_copy(temp, key, shown_as=dest)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        check_target(dest, what="the backup", force=force)
        os.chmod(temp, 0o600)
        os.replace(temp, dest)
        fsync_folder(dest.parent)
    finally:
        for leftover in (temp, Path(f"{temp}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return checked


def _side_copy(db: Path, stamp: str) -> tuple[list[Path], bool]:
    """Keep the store about to be replaced: an online-backup copy when it reads, else its files
    byte for byte (a damaged store, with its ``-wal``). Returns the files and whether the store
    was readable (False: it is replaced by a rename instead of being written into)."""
    side = db.with_name(f"{db.name}.before-restore-{stamp}")
    check_target(side, what="the side copy", force=False)
    try:
        if not _integrity(db):
            temp = reserve_beside(side, "side")
            try:
                _copy_pages(db, temp, "keeping the replaced store")
                os.replace(temp, side)
            finally:
                with contextlib.suppress(OSError):
                    temp.unlink()
            fsync_folder(db.parent)
            return [side], True
    except (sqlite3.Error, StoreError):
        pass
    kept = []
    for suffix in ("", "-wal"):
        source = Path(f"{db}{suffix}")
        if source.exists():
            target = Path(f"{side}{suffix}")
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            kept.append(target)
    fsync_folder(db.parent)
    return kept, False


def restore_store(src: Path, db: Path, *, key: bytes | None = None,
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> RestoreResult:
    """Replace the store at ``db`` by the backup ``src``, after checking ``src``; the replaced
    store is kept beside ``db`` (``<name>.before-restore-<time>``)."""
    if not src.exists():
        raise StoreError(f"there is no backup at {src}", title="restore refused", hint="check the path")
    if not src.is_file():
        raise StoreError(f"{src} is not a regular file", title="restore refused", hint="give a backup file")
    if _same(src, db):
        raise StoreError(f"{src} is the records database itself", title="restore refused",
                         hint="give the backup file made with `casesim records backup`")
    if db.is_symlink() or (db.exists() and not db.is_file()):
        raise StoreError(f"{db} is not a regular file: it is not replaced", title="restore refused")
    if classify_header(src) != "ours":
        raise StoreCorruptError(f"{src} is not a casesim records database (it is empty or belongs to another "
                                "program); nothing was changed", title="restore refused")
    temp = reserve_beside(db, "restore")
    try:
        _copy_pages(src, temp, "reading the backup")
        try:
            checked = check_copy(temp, key, shown_as=src)
        except StoreError as exc:
            raise StoreCorruptError(f"{exc.message}; nothing was changed", title="restore refused",
                                    hint=exc.hint) from exc
        if not checked.verified:
            raise StoreError(f"{src} is a keyed store and its record key was not given, so it cannot be verified; "
                             "nothing was changed", title="restore refused",
                             hint="give --key-file FILE or set CASESIM_RECORD_KEY")
        if checked.problems:
            raise StoreCorruptError(f"{src} does not verify ({len(checked.problems)} problem(s); the first: "
                                    f"{checked.problems[0].message}); nothing was changed", title="restore refused",
                                    hint=f"run `casesim records verify --db {src}` to see them all")
        stamp = clock().strftime("%Y%m%dT%H%M%SZ")
        side: list[Path] = []
        readable = False
        if db.exists() and db.stat().st_size > 0:
            side, readable = _side_copy(db, stamp)
        if readable:
            _copy_into(temp, db)
        else:
            os.replace(temp, db)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{db}{suffix}").unlink()
            os.chmod(db, 0o600)
            fsync_folder(db.parent)
    finally:
        for leftover in (temp, Path(f"{temp}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    restored = check_copy(db, key)
    return RestoreResult(restored, side)


def _copy_into(source: Path, db: Path) -> None:
    """Overwrite the live store ``db`` with ``source`` through the backup API: it takes the
    store's write lock, so other casesim processes wait instead of writing into a file that is
    being replaced, and they read the restored store afterwards."""
    with _connections(source, db) as (src, dst):
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise translate(exc, db, "restoring the backup") from exc


@contextlib.contextmanager
def _connections(source: Path, db: Path) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    src = _ro(source)
    try:
        dst = sqlite3.connect(str(db), isolation_level=None, timeout=30.0)
        try:
            yield src, dst
        finally:
            dst.close()
    finally:
        src.close()
