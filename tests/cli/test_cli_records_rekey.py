"""``casesim records rekey`` from the command line (the store-level tests: tests/records/test_records_rekey.py)."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, LOST, play

NEW = b"fedcba9876543210" * 4


def _store(path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    with SQLiteStore(path) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        play(store, example, catalog, "ann", EXPERT, mode="assessment")
        play(store, example, catalog, "ann", LOST[:2])


def test_rekey_from_the_command_line(tmp_path: Path, catalog: Catalog, example: AnalysedScenario,
                                     casesim: Casesim) -> None:
    db = tmp_path / "class.db"
    _store(db, catalog, example)
    key_file = tmp_path / "new.key"
    key_file.write_text(NEW.decode() + "\n", encoding="utf-8")
    result = casesim("records", "rekey", "--new-key-file", str(key_file), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "store head before (old key)" in result.stdout
    assert casesim("records", "verify", "--db", str(db), "--key-file", str(key_file)).exit_code == 0
    short = tmp_path / "short.key"
    short.write_text("short", encoding="utf-8")
    refused = casesim("records", "rekey", "--new-key-file", str(short), "--db", str(db), "--key-file", str(key_file))
    assert refused.exit_code == 2 and "at least 32" in refused.stderr
