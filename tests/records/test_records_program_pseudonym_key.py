"""A program's pseudonym key kept outside its stores (issue 13): ``CASESIM_PSEUDONYM_KEY`` and
``records pseudonym-key --use-program-key``; two stores switched to one key name a trainee alike,
and a missing or wrong key is refused, never silently turned into other pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.main import cli
from casesim.errors import StoreError
from casesim.records.api import OutboxSettings
from casesim.records.export.xapi import pseudonym, statements
from casesim.records.outbox import LiveStatements
from casesim.records.pseudonym_keys import PROGRAM_KEY, pseudonym_key
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, play

PROGRAM = "p" * 20 + "0123456789abcdef" * 2
OTHER = "q" * 48


def _campus(path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    with SQLiteStore(path) as store:
        store.upsert_trainee("ann", "Ann", "MSW 2026")
        play(store, example, catalog, "ann", EXPERT)


def _xapi(db: Path, env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, ["export", "xapi", "--db", str(db)], env=env)


def _actors(result: Result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {json.loads(line)["actor"]["account"]["name"] for line in result.stdout.splitlines() if line.strip()}


def test_two_stores_switched_to_the_program_key_name_a_trainee_alike(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    north, south = tmp_path / "north.db", tmp_path / "south.db"
    _campus(north, catalog, example)
    _campus(south, catalog, example)
    key_file = tmp_path / "program.key"
    key_file.write_text(PROGRAM + "\n")
    env = {"CASESIM_PSEUDONYM_KEY": f"@{key_file}"}
    runner = CliRunner()
    for db in (north, south):
        switched = runner.invoke(cli, ["records", "pseudonym-key", "--use-program-key", "--db", str(db)], env=env)
        assert switched.exit_code == 0, switched.output
        assert "store head before:" in switched.output and PROGRAM not in switched.output
        with SQLiteStore(db, readonly=True) as store:
            assert store.pseudonym_key.startswith(PROGRAM_KEY) and PROGRAM not in store.pseudonym_key
            assert store.verify() == []
    actors = _actors(_xapi(north, env))
    assert actors == _actors(_xapi(south, {"CASESIM_PSEUDONYM_KEY": PROGRAM})) == {pseudonym("ann", PROGRAM)}
    verified = runner.invoke(cli, ["records", "verify", "--db", str(north)], env=env)
    assert verified.exit_code == 0 and "xAPI pseudonyms: a program key kept outside the store" in verified.output
    as_json = runner.invoke(cli, ["records", "verify", "--db", str(north), "--format", "json"], env=env)
    assert "program key" in json.loads(as_json.stdout)["pseudonyms"]


@pytest.mark.parametrize(("env", "message"), [
    ({}, "CASESIM_PSEUDONYM_KEY is not set"),
    ({"CASESIM_PSEUDONYM_KEY": OTHER}, "not the program key this store was switched to"),
    ({"CASESIM_PSEUDONYM_KEY": "short"}, "at least 32 printable ASCII"),
    ({"CASESIM_PSEUDONYM_KEY": "@/nonexistent/program.key"}, "cannot read the pseudonym key file"),
])
def test_a_switched_store_refuses_to_export_without_its_key(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario, env: dict[str, str], message: str) -> None:
    db = tmp_path / "records.db"
    _campus(db, catalog, example)
    switched = CliRunner().invoke(cli, ["records", "pseudonym-key", "--use-program-key", "--db", str(db)],
                                  env={"CASESIM_PSEUDONYM_KEY": PROGRAM})
    assert switched.exit_code == 0, switched.output
    refused = _xapi(db, env)
    assert refused.exit_code != 0 and message in refused.output
    assert '"actor"' not in refused.stdout, "nothing is exported under another key"
    verified = CliRunner().invoke(cli, ["records", "verify", "--db", str(db)], env=env)
    assert "exports refuse now" in verified.output
    with SQLiteStore(db, readonly=True) as store, pytest.raises(StoreError):
        list(statements(store, library=[example]))  # a library caller that does not resolve the key


def test_a_store_with_its_own_key_refuses_a_different_program_key(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    db = tmp_path / "records.db"
    _campus(db, catalog, example)
    refused = _xapi(db, {"CASESIM_PSEUDONYM_KEY": PROGRAM})
    assert refused.exit_code != 0 and "--use-program-key" in refused.output
    plain = _actors(_xapi(db, {}))
    with SQLiteStore(db, readonly=True) as store:
        own = store.pseudonym_key
        assert plain == {pseudonym("ann", own)}
        assert pseudonym_key(own, own).key == own, "the same key given in the variable is the store's"
    assert CliRunner().invoke(cli, ["records", "verify", "--db", str(db)]).output.count("the store's own key") == 1


def test_the_program_key_is_refused_on_the_command_line_and_with_the_outbox(
        tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> None:
    db = tmp_path / "records.db"
    _campus(db, catalog, example)
    runner = CliRunner()
    typed = runner.invoke(cli, ["--pseudonym-key", PROGRAM, "records", "verify", "--db", str(db)])
    assert typed.exit_code == 2 and "visible to" in typed.output
    missing = runner.invoke(cli, ["records", "pseudonym-key", "--use-program-key", "--db", str(db)])
    assert missing.exit_code != 0 and "CASESIM_PSEUDONYM_KEY" in missing.output
    on = runner.invoke(cli, ["lrs", "enable", "--base-iri", "https://example.edu/casesim", "--db", str(db)])
    assert on.exit_code == 0, on.output
    refused = runner.invoke(cli, ["records", "pseudonym-key", "--use-program-key", "--db", str(db)],
                            env={"CASESIM_PSEUDONYM_KEY": PROGRAM})
    assert refused.exit_code != 0 and "outbox is on" in refused.output
    assert runner.invoke(cli, ["lrs", "disable", "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["records", "pseudonym-key", "--use-program-key", "--db", str(db)],
                         env={"CASESIM_PSEUDONYM_KEY": PROGRAM}).exit_code == 0
    again = runner.invoke(cli, ["lrs", "enable", "--base-iri", "https://example.edu/casesim", "--db", str(db)])
    assert again.exit_code != 0 and "program key" in again.output
    with SQLiteStore(db, readonly=True) as store, pytest.raises(StoreError, match="live statements"):
        LiveStatements(OutboxSettings("https://example.edu/casesim", "https://example.edu/casesim"),
                       store.pseudonym_key)
