"""`casesim records migrate-store SRC DEST`: an SQLite store copied into PostgreSQL, rows and hashes
unchanged, verified, and usable afterwards (on the real server the tests start)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.access import login_name
from casesim.records import open_store
from casesim.records.api import AuditEntry, NewAssignment
from casesim.records.keys import format_head
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.postgres import PASSWORD, PostgresServer
from support.records import EXPERT, LOST, SECRECY, play

KEY = "k" * 40


def _fill(path: Path, example: AnalysedScenario, catalog: Catalog, key: bytes | None = None) -> None:
    with SQLiteStore(path, key=key) as store:
        # the program's tables too: roles, the audit log, an assignment, a cohort's section and term
        store.grant_role(login_name(), "administrator", None, by=login_name())
        store.grant_role("prof", "instructor", "fall", by=login_name())
        store.set_cohort_details("fall", section="02", term="Fall 2026", set_by="prof")
        store.add_assignment(NewAssignment(cohort="fall", scenario_id=example.scenario.id,
                                           scenario_version=example.scenario.version,
                                           content_hash=example.content_hash, mode="assessment",
                                           attempt_limit=3, counting="best"), by="prof")
        store.upsert_trainee("ann", "Ann Lee", "fall")
        store.upsert_trainee("bo", "Bo", "fall")
        play(store, example, catalog, "ann", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:])
        play(store, example, catalog, "ann", SECRECY, mode="assessment")
        play(store, example, catalog, "bo", LOST[:3])
        play(store, example, catalog, "bo", EXPERT[:2], finish=False)  # in progress: resumable after the move
        store.upsert_trainee("bo", "Bo Chen", "spring")
        store.set_accommodation("ann", "1.5x", set_by="Ms Teacher")
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",), purpose="midterm"))


def test_migrate_store_copies_rows_and_hashes_and_the_copy_verifies_and_keeps_working(
        casesim: Casesim, postgres_server: PostgresServer, tmp_path: Path, example: AnalysedScenario,
        catalog: Catalog) -> None:
    src = tmp_path / "class.db"
    _fill(src, example, catalog)
    with SQLiteStore(src, readonly=True) as before:
        head, heads, pseudonym = before.store_head(), before.chain_heads(), before.pseudonym_key
        attempts = before.attempts()
        events = {a.id: before.events(a.id) for a in attempts}
        program = (before.roles(), before.audit_log(), before.assignments(), before.cohort_details())
    assert all(program) and any(a.assignment for a in attempts) and any(a.term for a in attempts)
    name = postgres_server.create_database("migrate")
    url = postgres_server.url(name, tcp=True)  # with the password in it
    result = casesim("records", "migrate-store", str(src), url)
    assert result.exit_code == 0, result.output + result.stderr
    assert PASSWORD not in result.output + result.stderr
    assert f"store head of the copy:  {format_head(head)}" in result.output
    assert "verified" in result.output
    with open_store(url) as copy:
        assert copy.verify() == [] and copy.store_head() == head and copy.chain_heads() == heads
        assert copy.pseudonym_key == pseudonym  # xAPI pseudonyms stay the same
        assert copy.attempts() == attempts
        assert {a.id: copy.events(a.id) for a in attempts} == events
        assert copy.accommodation("ann") is not None and copy.chain_info()["migrated_from"] == str(src)
        assert (copy.roles(), copy.audit_log(), copy.assignments(), copy.cohort_details()) == program
        copy.record_audit(AuditEntry(actor="prof", action="export", cohort="fall"))  # the chain goes on
        assert len(copy.audit_log()) == len(program[1]) + 1
        waiting = copy.in_progress("bo")
        assert len(waiting) == 1
        later = play(copy, example, catalog, "carla", EXPERT)  # new attempts go on after the copied ones
        copy.record_event(waiting[0].id, "pause", {"node": "x"})
        assert copy.attempt(later).status == "completed" and copy.verify() == []
    # What only a file has is refused by name for a PostgreSQL store (no traceback, no password).
    backup = casesim("--db", url, "records", "backup", str(tmp_path / "copy.db"))
    assert backup.exit_code != 0 and "pg_dump" in backup.stderr and PASSWORD not in backup.stderr
    key_file = tmp_path / "new.key"
    key_file.write_text(KEY, encoding="utf-8")
    key_file.chmod(0o600)
    rekey = casesim("--db", url, "records", "rekey", "--new-key-file", str(key_file))
    assert rekey.exit_code != 0 and "cannot be rekeyed" in rekey.stderr and PASSWORD not in rekey.stderr
    # The same database again: it holds records now, so nothing is copied.
    again = casesim("records", "migrate-store", str(src), url)
    assert again.exit_code != 0 and "already holds records" in again.stderr
    assert PASSWORD not in again.output + again.stderr
    postgres_server.drop_database(name)


def test_a_keyed_store_migrates_with_its_key_and_stays_keyed(casesim: Casesim, postgres_server: PostgresServer,
                                                             tmp_path: Path, example: AnalysedScenario,
                                                             catalog: Catalog) -> None:
    src = tmp_path / "keyed.db"
    _fill(src, example, catalog, key=KEY.encode())
    name = postgres_server.create_database("migrate")
    url = postgres_server.url(name)
    refused = casesim("records", "migrate-store", str(src), url)
    assert refused.exit_code != 0 and "key" in refused.stderr
    with psycopg.connect(url) as conn:  # refused before anything was created
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'casesim'").fetchone() == (0,)
    result = casesim("records", "migrate-store", str(src), url, env={"CASESIM_RECORD_KEY": KEY})
    assert result.exit_code == 0, result.output + result.stderr
    with open_store(url, key=KEY.encode(), readonly=True) as copy:
        assert copy.chain_info()["chain_mode"] == "hmac-sha256" and copy.verify() == []
    postgres_server.drop_database(name)


def test_migrate_store_wants_a_postgresql_url(casesim: Casesim, tmp_path: Path) -> None:
    src = tmp_path / "a.db"
    SQLiteStore(src).close()
    result = casesim("records", "migrate-store", str(src), str(tmp_path / "b.db"))
    assert result.exit_code != 0 and "PostgreSQL URL" in result.stderr
