"""What only the PostgreSQL backend has: URLs whose password is never shown, server time, row
locks between writers, versioned migrations, a foreign or newer schema left untouched, and the
roles that keep the pseudonym key from student-facing processes."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.database_url import DatabaseUrl, redact
from casesim.errors import StoreCorruptError, StoreError, StoreVersionError
from casesim.records import open_store
from casesim.records.chain import parse_iso
from casesim.records.postgres import PostgresStore
from casesim.records.postgres.roles import grant_statements
from casesim.records.postgres.schema import SCHEMA_VERSION
from casesim.scoring.catalog import Catalog
from casesim.settings import resolve_settings
from support.postgres import PASSWORD, PostgresServer, run_sql
from support.records import EXPERT, play

# --- the URL and its password --------------------------------------------------------------


def test_a_url_never_shows_its_password() -> None:
    url = DatabaseUrl("postgresql://casesim:p%40ss:w0rd@db.example.edu:5433/records?sslmode=require&password=two")
    for text in (str(url), repr(url), f"{url}", f"{url!s:>10}", str([url])):
        assert "w0rd" not in text and "two" not in text and "***" in text
    assert redact("postgresql://u:secret@/db?host=/tmp") == "postgresql://u:***@/db?host=/tmp"
    assert url.secret_url.endswith("password=two")


def test_settings_take_a_postgresql_url_from_db_and_keep_its_password_out_of_sight(tmp_path: Any) -> None:
    settings = resolve_settings(data_dir=tmp_path, db="postgresql://casesim:hunter2@db.example.edu/records")
    assert isinstance(settings.db, DatabaseUrl)
    assert "hunter2" not in str(settings.db) and "hunter2" not in repr(settings)


def test_a_wrong_password_is_a_clear_error_without_the_password(postgres_server: PostgresServer,
                                                                 database: str) -> None:
    url = postgres_server.url(database, tcp=True, password="not-the-Pa55word")
    with pytest.raises(StoreError) as info:
        open_store(url)
    text = f"{info.value} {info.value.hint or ''}"
    assert "not-the-Pa55word" not in text and "Pa55" not in text and "***" in text
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no driver text in a traceback
    assert "password" in text  # what to check


def test_an_unreachable_server_is_a_clear_error(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match="cannot reach the records database") as info:
        open_store(f"postgresql://casesim:{PASSWORD}@127.0.0.1:1/records")
    assert PASSWORD not in str(info.value)


def test_the_password_in_a_tcp_url_works_and_location_hides_it(postgres_server: PostgresServer,
                                                                database: str) -> None:
    with open_store(postgres_server.url(database, tcp=True)) as store:
        store.upsert_trainee("t1", "Ann")
        assert PASSWORD not in store.location and store.location.startswith("postgresql://casesim_test:***@")


# --- time, durability, snapshots -----------------------------------------------------------


def test_times_come_from_the_servers_clock_as_iso_utc_text(postgres_server: PostgresServer, database: str) -> None:
    url = postgres_server.url(database)
    with open_store(url) as store:
        attempt = store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1", content_hash="h",
                                      mode="practice", seed=0, start_node="a")
        first = store.record_event(attempt, "node-entered", {"node": "a"})
        second = store.record_event(attempt, "node-entered", {"node": "b"})
    [(server_now,)] = run_sql(url, "SELECT clock_timestamp()")
    assert len(first.at) == 27 and first.at.endswith("Z")
    assert parse_iso(first.at) <= parse_iso(second.at) <= server_now
    [(kind,)] = run_sql(url, "SELECT pg_typeof(at)::text FROM casesim.events LIMIT 1")
    assert kind == "text"


def test_every_connection_commits_durably_and_a_read_only_store_is_read_only_on_the_server(
        postgres_server: PostgresServer, database: str) -> None:
    url = postgres_server.url(database)
    postgres_server.sql(f'ALTER DATABASE "{database}" SET synchronous_commit TO off')  # a careless server default
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        with store._pool.connection() as conn:
            assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)
        store.upsert_trainee("t", "T")
    with open_store(url, readonly=True) as reader:
        assert isinstance(reader, PostgresStore)
        with reader._pool.connection() as conn:
            assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        with pytest.raises(StoreError, match="read-only"):
            reader.upsert_trainee("x", "X")


def test_the_event_payload_is_text_with_a_jsonb_copy_for_queries(store_url: str) -> None:
    with open_store(store_url) as store:
        attempt = store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1", content_hash="h",
                                      mode="practice", seed=0, start_node="a")
        store.record_event(attempt, "choice", {"node": "a", "choice": "x", "note": "nul \x00 here", "n": 1.5})
        store.record_event(attempt, "choice", {"node": "b", "choice": "y", "n": 2})
        assert store.verify() == []
    rows = run_sql(store_url, "SELECT payload, payload_json->>'choice' FROM casesim.events ORDER BY seq")
    assert rows[0][1] is None and "\\u0000" in rows[0][0]  # jsonb cannot hold NUL: the text stays, no copy
    assert rows[1][1] == "y"


@pytest.fixture
def store_url(postgres_server: PostgresServer, database: str) -> str:
    return postgres_server.url(database)


# --- concurrency: row locks ---------------------------------------------------------------


def test_threads_writing_to_one_trainee_queue_on_the_row_lock_and_never_fork_the_chain(
        store_url: str, example: AnalysedScenario, catalog: Catalog) -> None:
    errors: list[BaseException] = []
    with open_store(store_url) as store:
        def work(i: int) -> None:
            try:
                play(store, example, catalog, "shared" if i % 2 else f"own-{i}", EXPERT[:3])
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        trainee = store.trainee("shared")
        assert trainee is not None and trainee.attempt_count == 4
        assert store.verify() == []


def test_two_processes_creating_a_new_store_at_once_both_open_it(store_url: str) -> None:
    opened: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with open_store(store_url) as store:
                opened.append(store.chain_info()["chain_mode"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and opened == ["sha256"] * 4
    assert run_sql(store_url, "SELECT count(*) FROM casesim.schema_version") == [(SCHEMA_VERSION,)]


# --- schemas: ours, foreign, newer --------------------------------------------------------


def test_a_read_only_open_of_an_empty_database_creates_nothing(store_url: str) -> None:
    with pytest.raises(StoreError, match="no casesim records"):
        open_store(store_url, readonly=True)
    assert run_sql(store_url, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'casesim%%'") == [(0,)]


def test_another_programs_casesim_schema_is_refused_and_left_untouched(store_url: str) -> None:
    run_sql(store_url, "CREATE SCHEMA casesim")
    run_sql(store_url, "CREATE TABLE casesim.notes (body text)")
    run_sql(store_url, "INSERT INTO casesim.notes VALUES ('keep me')")
    for readonly in (False, True):
        with pytest.raises(StoreCorruptError, match="another program"):
            open_store(store_url, readonly=readonly)
    assert run_sql(store_url, "SELECT body FROM casesim.notes") == [("keep me",)]


def test_other_schemas_of_the_database_are_left_alone(store_url: str) -> None:
    run_sql(store_url, "CREATE TABLE public.other (x int)")
    with open_store(store_url) as store:
        store.upsert_trainee("t", "T")
    assert run_sql(store_url, "SELECT count(*) FROM public.other") == [(0,)]


def test_a_newer_schema_is_refused_untouched_and_a_damaged_meta_too(store_url: str) -> None:
    with open_store(store_url) as store:
        store.upsert_trainee("t", "T")
    run_sql(store_url, "INSERT INTO casesim.schema_version(version, name) VALUES (%s, 'from the future')",
         (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreVersionError, match="newer casesim"):
        open_store(store_url)
    run_sql(store_url, "DELETE FROM casesim.schema_version WHERE version > %s", (SCHEMA_VERSION,))
    run_sql(store_url, "UPDATE casesim.meta SET value = 'other' WHERE key = 'magic'")
    with pytest.raises(StoreCorruptError, match="meta"):
        open_store(store_url)


def test_migrations_are_recorded_one_row_each(store_url: str) -> None:
    with open_store(store_url):
        pass
    rows = run_sql(store_url, "SELECT version, name FROM casesim.schema_version ORDER BY version")
    assert [v for v, _ in rows] == list(range(1, SCHEMA_VERSION + 1))
    assert run_sql(store_url, "SELECT value FROM casesim.meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]


# --- roles ---------------------------------------------------------------------------------


def test_the_player_role_plays_but_cannot_read_the_pseudonym_key_nor_rewrite_events(
        postgres_server: PostgresServer, store_url: str, database: str, example: AnalysedScenario,
        catalog: Catalog) -> None:
    with open_store(store_url) as owner:  # the owner creates the schema
        owner.upsert_trainee("ann", "Ann", "c1")
    postgres_server.sql("DROP ROLE IF EXISTS player_role")
    postgres_server.sql("CREATE ROLE player_role LOGIN")
    postgres_server.sql("DROP ROLE IF EXISTS teacher_role")
    postgres_server.sql("CREATE ROLE teacher_role LOGIN")
    for statement in grant_statements("player_role", "player") + grant_statements("teacher_role", "instructor"):
        postgres_server.sql(statement, database)
    player_url = postgres_server.url(database, user="player_role")
    with open_store(player_url) as student:
        attempt = play(student, example, catalog, "ann", EXPERT)
        play(student, example, catalog, "new-student", EXPERT[:2])  # a new trainee: the roster moves
        assert student.attempt(attempt).status == "completed"
        with pytest.raises(StoreError, match="permission denied"):
            _ = student.pseudonym_key
        with pytest.raises(StoreError, match="permission denied"):
            student.set_accommodation("ann", "2x", set_by="Ann")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_sql(player_url, "UPDATE casesim.events SET payload = '{}' WHERE seq = 1")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_sql(player_url, "DELETE FROM casesim.links")
    with open_store(postgres_server.url(database, user="teacher_role"), readonly=True) as teacher:
        assert len(teacher.pseudonym_key) >= 32
        assert teacher.verify() == []
    with open_store(postgres_server.url(database, user="teacher_role")) as teacher:
        teacher.set_accommodation("ann", "2x", set_by="Ms Teacher")


def test_grant_statements_refuse_a_role_name_that_is_not_plain() -> None:
    with pytest.raises(ValueError, match="role name"):
        grant_statements('x"; DROP TABLE casesim.events; --', "player")


def test_the_grants_in_the_docs_are_the_ones_the_roles_test_runs() -> None:
    from support.paths import ROOT

    doc = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    for role, kind in (("casesim_player", "player"), ("casesim_instructor", "instructor")):
        block = "\n".join(f"{s};" for s in grant_statements(role, kind))  # type: ignore[arg-type]
        assert block in doc, f"docs/records.md does not list the {kind} GRANTs as roles.py writes them"


def test_the_change_watch_wakes_on_a_commit_from_another_process_and_not_otherwise(store_url: str) -> None:
    with open_store(store_url) as store:
        watch = store.change_watch("c1")
        try:
            assert watch.changed() is False
            with open_store(store_url) as other:  # another connection, as another process's
                other.upsert_trainee("ann", "Ann", "c1")
            deadline = time.monotonic() + 10
            while not watch.changed():
                assert time.monotonic() < deadline, "no notification after a commit"
                time.sleep(0.05)
            assert watch.changed() is False  # drained: nothing new
            store.trainees()  # a read commits nothing
            assert watch.changed() is False
        finally:
            watch.close()
