"""``records rekey``: keyed mode for an existing store, or a new key, recorded in the chain."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import StoreCorruptError, StoreError
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play

KEY = b"0123456789abcdef" * 4
NEW = b"fedcba9876543210" * 4


def _store(path: Path, catalog: Catalog, example: AnalysedScenario, key: bytes | None = None) -> None:
    with SQLiteStore(path, key=key) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        play(store, example, catalog, "ann", EXPERT, mode="assessment")
        play(store, example, catalog, "ann", LOST[:2])
        play(store, example, catalog, "bo", EXPERT[:3], finish=False)


def test_an_unkeyed_store_becomes_keyed_and_records_it(tmp_path: Path, catalog: Catalog,
                                                       example: AnalysedScenario) -> None:
    db = tmp_path / "class.db"
    _store(db, catalog, example)
    with SQLiteStore(db) as store:
        old_head = store.store_head()
        before, after = store.rekey(KEY)
        assert before == old_head and after != before and store.keyed
        play(store, example, catalog, "bo", EXPERT)  # the open store goes on writing with the new key
    with SQLiteStore(db, readonly=True, key=KEY) as store:
        assert store.verify() == []
        info = store.chain_info()
        assert info["chain_mode"] == "hmac-sha256" and info["rekeyed_count"] == "1"
    with pytest.raises(StoreError, match="keyed"):
        SQLiteStore(db)  # writing now needs the key
    with sqlite3.connect(db) as conn:
        notes = conn.execute("SELECT profile FROM links WHERE profile LIKE '%rekey%'").fetchall()
    assert len(notes) == 2 and old_head in notes[0][0]  # one per trainee, naming the old head
    with sqlite3.connect(db) as conn:  # an edit after the rekey is caught with the new key
        conn.execute("UPDATE attempts SET passed = 0 WHERE passed = 1")
    with SQLiteStore(db, readonly=True, key=KEY) as store:
        assert store.verify()


def test_changing_the_key_needs_the_old_one_and_a_clean_store(tmp_path: Path, catalog: Catalog,
                                                              example: AnalysedScenario) -> None:
    db = tmp_path / "keyed.db"
    _store(db, catalog, example, KEY)
    with SQLiteStore(db, key=KEY) as store:
        store.rekey(NEW)
    with SQLiteStore(db, readonly=True, key=NEW) as store:
        assert store.verify() == [] and store.chain_info()["rekeyed_count"] == "1"
    with pytest.raises(StoreError, match="not the key"):
        SQLiteStore(db, readonly=True, key=KEY)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET passed = 1 WHERE passed = 0 OR passed IS NULL AND status = 'completed'")
        conn.execute("UPDATE trainees SET display_name = 'Mallory' WHERE id = 'ann'")
    with SQLiteStore(db, key=NEW) as store, pytest.raises(StoreCorruptError, match="not rekeyed"):
        store.rekey(KEY)  # re-sealing an edited store would launder the edit
    with SQLiteStore(db, readonly=True, key=NEW) as store:
        assert store.verify()  # unchanged: still shows the edit
