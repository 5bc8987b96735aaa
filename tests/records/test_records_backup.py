"""Backups and restores (issue 13 item 4, program review F15): copying the .db file alone lost
every attempt still in the -wal; the online backup keeps them, and a restore never loses the
store it replaces."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import StoreCorruptError, StoreError
from casesim.records.files import OutputError
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite.backup import backup_store, restore_store
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play

DRIVER = Path(__file__).resolve().parents[1] / "support" / "records_driver.py"
KEY = b"0123456789abcdef" * 4


@pytest.fixture
def live(tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> Path:
    """A store with two finished attempts and one in progress, all still in the -wal file."""
    db = tmp_path / "class.db"
    with SQLiteStore(db) as store:
        play(store, example, catalog, "ann", EXPERT)
        play(store, example, catalog, "bo", LOST, mode="assessment")
        play(store, example, catalog, "ann", EXPERT[:3], finish=False)
    return db


def _wal_only(db: Path) -> SQLiteStore:
    """Hold the store open with checkpoints off, so committed rows stay in the -wal file."""
    store = SQLiteStore(db)
    store._conn.execute("PRAGMA wal_autocheckpoint = 0")
    return store


def test_copying_the_file_alone_loses_the_wal_but_the_backup_keeps_everything(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    db = tmp_path / "class.db"
    holder = _wal_only(db)
    try:
        for trainee in ("ann", "bo", "cy", "di", "ed"):
            play(holder, example, catalog, trainee, EXPERT[:4], finish=False)  # in progress: not checkpointed
        naive = tmp_path / "naive.db"
        shutil.copyfile(db, naive)  # what the reviewer did: 0 attempts in the copy
        with sqlite3.connect(naive) as conn:
            assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 0
        checked = backup_store(db, tmp_path / "backup.db")
    finally:
        holder.close()
    assert (checked.attempts, checked.trainees, checked.problems) == (5, 5, [])
    assert stat.S_IMODE((tmp_path / "backup.db").stat().st_mode) == 0o600
    assert not Path(f"{tmp_path / 'backup.db'}-wal").exists()  # one self-contained file
    with SQLiteStore(tmp_path / "backup.db", readonly=True) as copy:
        assert len(copy.attempts()) == 5 and copy.verify() == []


def test_backup_refuses_to_overwrite_without_force_and_never_through_a_symlink(live: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backup.db"
    dest.write_text("precious", encoding="utf-8")
    with pytest.raises(OutputError, match="exists already"):
        backup_store(live, dest)
    assert dest.read_text(encoding="utf-8") == "precious"
    backup_store(live, dest, force=True)
    with SQLiteStore(dest, readonly=True) as copy:
        assert len(copy.attempts()) == 3
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        backup_store(live, link, force=True)
    assert victim.read_text(encoding="utf-8") == "keep"
    with pytest.raises(StoreError, match="records database itself"):
        backup_store(live, live, force=True)
    assert not [p for p in tmp_path.iterdir() if ".backup-" in p.name]  # no temporary file left


def test_a_keyed_backup_is_verified_only_with_its_key(tmp_path: Path, catalog: Catalog,
                                                      example: AnalysedScenario) -> None:
    db = tmp_path / "keyed.db"
    with SQLiteStore(db, key=KEY) as store:
        play(store, example, catalog, "ann", EXPERT)
        head = store.store_head()
    checked = backup_store(db, tmp_path / "with-key.db", key=KEY)
    assert checked.verified and checked.store_head == head and checked.chain_mode == "hmac-sha256"
    unverified = backup_store(db, tmp_path / "no-key.db")
    assert not unverified.verified and unverified.attempts == 1


def test_restore_checks_the_backup_and_keeps_the_replaced_store(live: Path, tmp_path: Path, catalog: Catalog,
                                                                example: AnalysedScenario) -> None:
    backup = tmp_path / "monday.db"
    backup_store(live, backup)
    with SQLiteStore(live) as store:  # work after the backup, to be replaced
        play(store, example, catalog, "cy", EXPERT)
        before = store.store_head()
    result = restore_store(backup, live)
    assert result.restored.problems == [] and result.restored.attempts == 3
    assert len(result.side_copy) == 1 and result.side_copy[0].name.startswith("class.db.before-restore-")
    with SQLiteStore(result.side_copy[0], readonly=True) as kept:  # nothing lost: the replaced store is whole
        assert len(kept.attempts()) == 4 and kept.store_head() == before
    with SQLiteStore(live) as store:  # the restored store is usable for writing again
        assert {a.trainee_id for a in store.attempts()} == {"ann", "bo"}
        play(store, example, catalog, "di", EXPERT)
        assert store.verify() == []
    assert stat.S_IMODE(result.side_copy[0].stat().st_mode) == 0o600


def test_restore_refuses_a_foreign_or_tampered_or_damaged_file_and_changes_nothing(live: Path, tmp_path: Path) -> None:
    with SQLiteStore(live, readonly=True) as store:
        before = store.store_head()
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes(x)")
    with pytest.raises(StoreCorruptError, match="another program"):
        restore_store(foreign, live)
    tampered = tmp_path / "tampered.db"
    backup_store(live, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("UPDATE attempts SET passed = 1 WHERE passed = 0")
    with pytest.raises(StoreCorruptError, match="does not verify"):
        restore_store(tampered, live)
    damaged = tmp_path / "damaged.db"
    backup_store(live, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data), page):  # wreck every page after the second
        data[offset + 8:offset + 64] = os.urandom(56)
    damaged.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        restore_store(damaged, live)
    with pytest.raises(StoreError, match="no backup"):
        restore_store(tmp_path / "missing.db", live)
    with SQLiteStore(live, readonly=True) as store:
        assert store.store_head() == before
    assert not [p for p in tmp_path.iterdir() if "before-restore" in p.name]


def test_restore_over_a_damaged_store_keeps_its_files_byte_for_byte(live: Path, tmp_path: Path) -> None:
    backup = tmp_path / "good.db"
    backup_store(live, backup)
    with SQLiteStore(live) as store:
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(live.read_bytes())
    data[4096 * 3 + 10:4096 * 3 + 200] = b"\xff" * 190
    live.write_bytes(bytes(data))
    result = restore_store(backup, live)
    assert [p.read_bytes() for p in result.side_copy][0] == bytes(data)
    assert result.restored.problems == [] and result.restored.attempts == 3


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CASESIM_DB", None)
    return env


@pytest.mark.slow
def test_restore_drill_backup_while_writers_append(tmp_path: Path) -> None:
    """The drill a program should run: back up while trainees play, restore, verify clean, and
    every attempt finished before the backup began is in the restored store with all its events."""
    db = tmp_path / "drill.db"
    SQLiteStore(db).close()
    workers = [subprocess.Popen([sys.executable, str(DRIVER), "write", str(db), str(w), "400"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
               for w in range(3)]
    finished: dict[str, int] = {}
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        for proc in workers:  # wait until each writer has finished a few attempts
            assert proc.stdout is not None
            for _ in range(3):
                line = proc.stdout.readline()
                assert line, proc.stderr.read() if proc.stderr else ""
                lines.append(line)
            assert time.monotonic() < deadline
        for line in lines:  # printed only after the store returned: durable before the backup began
            _, attempt_id, _, count = line.split()
            finished[attempt_id] = int(count)
        checked = backup_store(db, tmp_path / "backup.db")
    finally:
        for proc in workers:
            proc.kill()
            proc.communicate()
    assert checked.problems == [] and checked.attempts >= len(finished)
    with SQLiteStore(db, readonly=True) as store:
        after = len(store.attempts())
    result = restore_store(tmp_path / "backup.db", db)
    assert result.restored.problems == []
    with SQLiteStore(db) as store:
        assert store.verify() == []
        restored = {a.id for a in store.attempts()}
        for attempt_id, count in finished.items():
            assert attempt_id in restored
            assert len(store.events(attempt_id)) == count
        assert len(restored) == checked.attempts <= after
    with SQLiteStore(result.side_copy[0], readonly=True) as kept:
        assert len(kept.attempts()) == after and kept.verify() == []
