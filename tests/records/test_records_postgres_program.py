"""The program's tables on PostgreSQL only: what each database role may do with roles, the audit
log, assignments and cohort details (the GRANTs of docs/records.md, run on the real server), and
that concurrent writers neither fork the audit chain nor overrun an assignment's attempt limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import StoreError
from casesim.records import open_store
from casesim.records.api import AuditEntry, NewAssignment
from casesim.records.postgres.roles import grant_statements
from casesim.scoring.catalog import Catalog
from support.postgres import PostgresServer, run_sql
from support.records import EXPERT, play


def _assignment(example: AnalysedScenario, cohort: str = "c1", **kw: Any) -> NewAssignment:
    return NewAssignment(cohort=cohort, scenario_id=example.scenario.id, scenario_version=example.scenario.version,
                         content_hash=example.content_hash, mode="practice", **kw)


def test_each_database_role_does_what_its_grants_allow_with_the_programs_tables(
        postgres_server: PostgresServer, database: str, example: AnalysedScenario, catalog: Catalog) -> None:
    owner_url = postgres_server.url(database)
    with open_store(owner_url) as owner:  # the owner creates the schema and grants the first administrator
        owner.upsert_trainee("ann", "Ann", "c1")
        owner.grant_role("root", "administrator", None, by="root")
        owner.set_cohort_details("c1", section="02", term="Fall 2026", set_by="root")
        aid = owner.add_assignment(_assignment(example), by="root").id
    for role in ("prog_player", "prog_teacher"):
        postgres_server.sql(f"DROP ROLE IF EXISTS {role}")
        postgres_server.sql(f"CREATE ROLE {role} LOGIN")
    for statement in grant_statements("prog_player", "player") + grant_statements("prog_teacher", "instructor"):
        postgres_server.sql(statement, database)
    player_url = postgres_server.url(database, user="prog_player")
    teacher_url = postgres_server.url(database, user="prog_teacher")

    with open_store(player_url) as student:
        # plays: the attempt is tied to its assignment and stamped with the section and term
        attempt = play(student, example, catalog, "ann", EXPERT)
        row = student.attempt(attempt)
        assert (row.assignment, row.section, row.term) == (aid, "02", "Fall 2026")
        assert [g.actor for g in student.roles()] == ["root"]  # the CLI checks what a student may see
        assert [a.id for a in student.assignments()] == [aid]
        for refused in (lambda: student.audit_log(),
                        lambda: student.record_audit(AuditEntry(actor="ann", action="report", trainees=("bo",))),
                        lambda: student.grant_role("ann", "administrator", None, by="ann"),
                        lambda: student.add_assignment(_assignment(example), by="ann"),
                        lambda: student.remove_assignment(aid, by="ann"),
                        lambda: student.set_cohort_details("c1", section="99", term=None, set_by="ann"),
                        lambda: student.set_pseudonym_key("a" * 64)):
            with pytest.raises(StoreError, match="permission denied"):
                refused()
    for statement in ("SELECT * FROM casesim.audit", "DELETE FROM casesim.audit",
                      "INSERT INTO casesim.roles VALUES ('ann', 'administrator', '', 'ann', 'now')",
                      "UPDATE casesim.assignments SET attempt_limit = 99", "DELETE FROM casesim.cohort_details"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_sql(player_url, statement)

    with open_store(teacher_url) as teacher:
        teacher.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",), purpose="review"))
        second = teacher.add_assignment(_assignment(example, counting="latest"), by="prof")
        teacher.remove_assignment(second.id, by="prof")
        teacher.set_cohort_details("c1", section="03", term="Fall 2026", set_by="prof")
        assert [e.action for e in teacher.audit_log()] == ["grant", "assign", "report", "assign", "unassign"]
        assert teacher.verify() == []
        with pytest.raises(StoreError, match="permission denied"):
            teacher.grant_role("prof", "administrator", None, by="prof")  # only the owner writes roles
        with pytest.raises(StoreError, match="permission denied"):
            teacher.set_pseudonym_key("a" * 64)  # nor casesim_private
    for statement in ("UPDATE casesim.audit SET purpose = 'x'", "DELETE FROM casesim.audit",
                      "DELETE FROM casesim.roles"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_sql(teacher_url, statement)


def test_concurrent_disclosures_queue_on_the_audit_head_and_never_fork_the_chain(
        postgres_server: PostgresServer, database: str) -> None:
    url = postgres_server.url(database)
    with open_store(url) as first:
        first.upsert_trainee("ann", "Ann", "c1")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with open_store(url) as store:  # a process of its own, as each report is
                for n in range(5):
                    store.record_audit(AuditEntry(actor=f"prof{i}", action="report", trainees=("ann",),
                                                  purpose=f"{n}"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(url, readonly=True) as store:
        log = store.audit_log()
        assert [e.seq for e in log] == list(range(1, 31))
        times = [e.at for e in log]
        assert times == sorted(times), "each entry is stamped after it got the audit head: time order is chain order"
        assert store.verify() == []
        assert store.chain_info()["audit_count"] == "30"


def test_attempts_started_at_once_count_against_the_attempt_limit_one_after_the_other(
        postgres_server: PostgresServer, database: str, example: AnalysedScenario) -> None:
    url = postgres_server.url(database)
    with open_store(url) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        aid = store.add_assignment(_assignment(example, attempt_limit=2), by="prof").id
    started: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(6)

    def start(opener: Callable[[], Any]) -> None:
        try:
            with opener() as store:
                gate.wait()
                started.append(store.start_attempt(trainee_id="ann", scenario_id=example.scenario.id,
                                                   scenario_version=example.scenario.version,
                                                   content_hash=example.content_hash, mode="practice", seed=1,
                                                   start_node=example.scenario.start))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(lambda: open_store(url),)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(started) == 6
    with open_store(url, readonly=True) as store:
        tied = [store.attempt(a).assignment for a in started]
        assert tied.count(aid) == 2 and tied.count(None) == 4
        assert store.verify() == []


def test_a_store_from_before_the_program_migration_is_upgraded_with_its_heads_unchanged(
        postgres_server: PostgresServer, database: str, example: AnalysedScenario, catalog: Catalog,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from casesim.records.postgres import schema

    url = postgres_server.url(database)
    before = next(i for i, m in enumerate(schema.MIGRATIONS) if m.name == "program")
    with monkeypatch.context() as old:  # a casesim from before the migration
        old.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:before])
        old.setattr(schema, "SCHEMA_VERSION", before)
        with open_store(url) as store:  # what that casesim wrote (a new trainee's attempt reads no assignment)
            store.upsert_trainee("ann", "Ann", "c1")
            attempt = store.start_attempt(trainee_id="bo", scenario_id=example.scenario.id,
                                          scenario_version=example.scenario.version,
                                          content_hash=example.content_hash, mode="practice", seed=1,
                                          start_node=example.scenario.start)
            store.record_event(attempt, "node-entered", {"node": example.scenario.start})
            # (left in progress: that casesim's seal wrote columns of its own schema; this one's
            # writes the stored path, a later migration)
            head, heads = store.store_head(), store.chain_heads()
    assert run_sql(url, "SELECT to_regclass('casesim.audit')") == [(None,)]
    with open_store(url) as store:  # this casesim: migrated on open
        assert store.store_head() == head and store.chain_heads() == heads  # printed heads still match
        info = store.chain_info()
        assert info["audit_count"] == "0" and info["audit_from_schema"] == str(before)
        assert "audit_since" in info and "section_term_stamped_since" in info
        assert store.verify() == []
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",)))
        assert store.store_heads_since(head) == 1  # the head printed before the upgrade, one entry ago
        play(store, example, catalog, "ann", EXPERT)
        store.finish_attempt(attempt, "left", None)  # the old attempt ends on the upgraded store
        assert store.verify() == [] and len(store.audit_log()) == 1


def test_a_new_store_says_its_audit_log_is_complete_from_the_start(postgres_server: PostgresServer,
                                                                   database: str) -> None:
    """A brand-new store runs every migration at once; its audit log is complete from its
    creation, so verify must not say it was "upgraded from records schema N" (as SQLite does not)."""
    with open_store(postgres_server.url(database)) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        assert store.chain_info()["audit_from_schema"] == "0"
