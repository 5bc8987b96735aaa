"""``casesim lrs enable|disable|status|sync`` without an LRS (the forwarding itself is tested
against a real Ralph LRS in tests/records/test_records_lrs.py)."""

from __future__ import annotations

import json
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, LOST, play

BASE = "https://sim.example.edu"


def test_enable_backfills_what_the_export_gives(casesim: Casesim, tmp_path: Path, example: AnalysedScenario,
                                                catalog: Catalog) -> None:
    db = tmp_path / "r.db"
    forget_scenarios()
    with open_store(db) as store:
        store.upsert_trainee("t-1", "Ann", "fall")
        play(store, example, catalog, "t-1", EXPERT)
        play(store, example, catalog, "t-2", LOST[:2], finish=False)
        assert store.outbox_counts().pending == 0  # off: nothing queued while playing
    result = casesim("lrs", "enable", "--db", str(db), "--base-iri", BASE)
    assert result.exit_code == 0, result.output
    exported = casesim("export", "xapi", "--db", str(db), "--base-iri", BASE, "--format", "json")
    expected = json.loads(exported.stdout)
    assert f"{len(expected)} earlier statement(s) queued" in result.stdout
    with open_store(db) as store:
        queued = [json.loads(r.statement) for r in store.outbox_rows()]
        assert sorted(queued, key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
        # From now on the attempts queue their own statements as they are played.
        play(store, example, catalog, "t-3", EXPERT[:2], finish=False)
        assert store.outbox_counts().pending == len(expected) + 3
    again = casesim("lrs", "enable", "--db", str(db), "--base-iri", BASE)
    assert again.exit_code == 0 and "0 earlier statement(s) queued" in again.stdout
    other = casesim("lrs", "enable", "--db", str(db), "--base-iri", "https://other.example.edu")
    assert other.exit_code == 2 and "outbox on already" in other.stderr
    status = casesim("lrs", "status", "--db", str(db))
    assert status.exit_code == 0
    assert f"pending: {len(expected) + 3} ({len(expected) + 3} waiting, 0 failed)" in status.stdout
    off = casesim("lrs", "disable", "--db", str(db))
    assert off.exit_code == 0 and "still pending" in off.stdout
    assert "outbox: off" in casesim("lrs", "status", "--db", str(db)).stdout


def test_bad_settings_and_missing_credentials_are_clear(casesim: Casesim, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    bad = casesim("lrs", "enable", "--db", str(db), "--base-iri", "Eastside SSO")
    assert bad.exit_code == 2 and "Invalid value for '--base-iri'" in bad.stderr
    nopass = casesim("lrs", "sync", "--db", str(db), "--endpoint", "http://127.0.0.1:9/xAPI", "--user", "u",
                     env={"CASESIM_LRS_PASSWORD": ""})
    assert nopass.exit_code == 2 and "no LRS password given" in nopass.stderr
    noendpoint = casesim("lrs", "sync", "--db", str(db), env={"CASESIM_LRS_ENDPOINT": None})
    assert noendpoint.exit_code == 2 and "--endpoint" in noendpoint.stderr
    inurl = casesim("lrs", "sync", "--db", str(db), "--endpoint", "http://u:hunter2@127.0.0.1:9/xAPI", "--user", "u",
                    env={"CASESIM_LRS_PASSWORD": "p"})
    assert inurl.exit_code == 2 and "must not carry a user or password" in inurl.stderr
    assert "hunter2" not in inurl.output


def test_records_import_queues_statements_with_the_scenario_file(casesim: Casesim, tmp_path: Path,
                                                                 example: AnalysedScenario, catalog: Catalog) -> None:
    forget_scenarios()
    with open_store(tmp_path / "campus.db") as campus:
        play(campus, example, catalog, "ann", EXPERT)
    archive = tmp_path / "campus.jsonl"
    assert casesim("export", "jsonl", "--db", str(tmp_path / "campus.db"), "-o", str(archive)).exit_code == 0
    program = str(tmp_path / "program.db")
    assert casesim("lrs", "enable", "--db", program, "--base-iri", BASE).exit_code == 0
    forget_scenarios()  # a fresh process: only what `records import` loads itself
    result = casesim("records", "import", str(archive), "--db", program)
    assert result.exit_code == 0, result.output
    expected = json.loads(casesim("export", "xapi", "--db", program, "--base-iri", BASE, "--format", "json").stdout)
    with open_store(program, readonly=True) as store:
        queued = [json.loads(r.statement) for r in store.outbox_rows()]
    assert sorted(queued, key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
    assert all("choices" in s["object"]["definition"] for s in queued if s["verb"]["display"]["en-US"] == "answered")


def test_a_password_file_that_cannot_be_read_is_a_clear_error(casesim: Casesim, tmp_path: Path) -> None:
    """A binary file, or one that cannot be read, gave a traceback; now exit 2 and what to do."""
    db = tmp_path / "r.db"
    binary = tmp_path / "password.bin"
    binary.write_bytes(b"\xff\xfe\x00secret")
    result = casesim("lrs", "sync", "--db", str(db), "--endpoint", "http://127.0.0.1:9/xAPI", "--user", "u",
                     "--password-file", str(binary))
    assert result.exit_code == 2 and "not a text file (UTF-8)" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    # A read that fails (here an I/O error, which even root gets): the same, with the reason.
    result = casesim("lrs", "sync", "--db", str(db), "--endpoint", "http://127.0.0.1:9/xAPI", "--user", "u",
                     "--password-file", "/proc/self/mem")
    assert result.exit_code == 2 and "/proc/self/mem: Input/output error" in result.stderr
    assert "Traceback" not in result.output + result.stderr
