"""One pseudonym key shared by a program's stores (program review F8–F11, issue 13 item 8): two
campuses' xAPI exports name a trainee alike once one store's key is imported into the other,
and the change is recorded in every trainee's chain. The importing store runs on both backends
(the exporting one is a file)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.main import cli
from casesim.errors import StoreError
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.records.export.xapi import statements
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.backends import administer
from support.records import EXPERT, play

Opener = Callable[..., RecordStore]


def _actors(store: RecordStore, example: AnalysedScenario) -> set[str]:
    return {s["actor"]["account"]["name"] for s in statements(store, library=[example])}


def _campus(where: Path | str, catalog: Catalog, example: AnalysedScenario) -> None:
    with open_store(where) as store:
        store.upsert_trainee("ann", "Ann", "MSW 2026")
        play(store, example, catalog, "ann", EXPERT)
        administer(store)


def test_two_stores_name_a_trainee_alike_after_sharing_the_key(tmp_path: Path, records_db: Any,
                                                               open_records: Opener, raw_sql: Callable[..., int],
                                                               catalog: Catalog, example: AnalysedScenario) -> None:
    north = tmp_path / "north.db"
    _campus(north, catalog, example)
    _campus(records_db, catalog, example)
    with SQLiteStore(north) as a, open_records() as b:
        assert _actors(a, example).isdisjoint(_actors(b, example)), "each store starts with its own key"
        heads_before = b.chain_heads()
        store_head_before = b.store_head()
        before, after = b.set_pseudonym_key(a.pseudonym_key)
        assert before == store_head_before and after == b.store_head() != before
        assert _actors(a, example) == _actors(b, example)
        assert b.verify() == []
        assert b.chain_heads()["ann"] != heads_before["ann"], "the change is a link of the trainee's chain"
        assert b.chain_info()["pseudonym_changed_count"] == "1"
        assert b.find_head(heads_before["ann"][1]) is not None, "the head before stays findable"
        with pytest.raises(StoreError, match="already uses"):
            b.set_pseudonym_key(a.pseudonym_key)
        with pytest.raises(StoreError, match="at least 32"):
            b.set_pseudonym_key("short")
        # a trainee added afterwards joins the roster started from the new key
        b.upsert_trainee("ben", "Ben", "MSW 2026")
        assert b.verify() == []
    # changing the key by hand still shows (in the file's meta; in PostgreSQL's casesim_private)
    if isinstance(records_db, Path):
        assert raw_sql("UPDATE meta SET value = ? WHERE key = 'pseudonym_key'", ("f" * 64,)) == 1
    else:
        assert raw_sql("UPDATE casesim_private.secrets SET value = ? WHERE key = 'pseudonym_key'", ("f" * 64,)) == 1
    with open_records(readonly=True) as b:
        assert any("pseudonym key" in p.message for p in b.verify())


def test_a_store_that_does_not_verify_keeps_its_key(records_db: Any, open_records: Opener,
                                                     raw_sql: Callable[..., int], catalog: Catalog,
                                                     example: AnalysedScenario) -> None:
    _campus(records_db, catalog, example)
    assert raw_sql("UPDATE attempts SET passed = 1 - passed") == 1
    with open_records() as store:
        key = store.pseudonym_key
        with pytest.raises(StoreError, match="does not verify"):
            store.set_pseudonym_key("a" * 64)
        assert store.pseudonym_key == key


def test_the_pseudonym_key_command_exports_and_imports(tmp_path: Path, records_db: Any, open_records: Opener,
                                                        catalog: Catalog, example: AnalysedScenario) -> None:
    north, south = tmp_path / "north.db", str(records_db)
    _campus(north, catalog, example)
    _campus(records_db, catalog, example)
    runner = CliRunner()
    key_file = tmp_path / "program.key"
    exported = runner.invoke(cli, ["records", "pseudonym-key", "--export", str(key_file), "--db", str(north)])
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with SQLiteStore(north, readonly=True) as a:
        assert json.loads(key_file.read_text())["key"] == a.pseudonym_key
        assert a.pseudonym_key not in exported.output, "the key itself is never printed"
    again = runner.invoke(cli, ["records", "pseudonym-key", "--export", str(key_file), "--db", str(north)])
    assert again.exit_code == 2, "an existing file is not replaced without --force"
    imported = runner.invoke(cli, ["records", "pseudonym-key", "--import", str(key_file), "--db", str(south)])
    assert imported.exit_code == 0, imported.output
    assert "store head before:" in imported.output
    with SQLiteStore(north, readonly=True) as a, open_records(readonly=True) as b:
        assert _actors(a, example) == _actors(b, example)
        assert b.verify() == []
    bogus = tmp_path / "bogus.key"
    bogus.write_text('{"hello": 1}')
    refused = runner.invoke(cli, ["records", "pseudonym-key", "--import", str(bogus), "--db", str(south)])
    assert refused.exit_code == 2 and "not a pseudonym key file" in refused.output
    neither = runner.invoke(cli, ["records", "pseudonym-key", "--db", str(south)])
    assert neither.exit_code == 2
