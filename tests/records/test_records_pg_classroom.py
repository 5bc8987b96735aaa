"""Class rosters, sign-in and the xAPI outbox on a shared store: a code signs in once however many
browsers race with it (both backends), and on PostgreSQL the player's role plays with the outbox
on, signs members in (but not out), and still reads neither the codes' digests, the outbox nor
the pseudonym key (the outbox's trigger names each statement's actor with the key it cannot read)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import psycopg
import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import StoreError
from casesim.records import open_store
from casesim.records.api import OutboxSettings, RecordStore, RosterMember
from casesim.records.classroom import code_digest, new_code
from casesim.records.export.xapi import pseudonym, statements
from casesim.records.outbox import forget_scenarios, remember_scenario
from casesim.records.postgres.roles import grant_statements
from casesim.records.postgres.schema import OUTBOX_ACTOR
from casesim.scoring.catalog import Catalog
from support.postgres import PostgresServer, run_sql
from support.records import EXPERT, play

BASE = "https://sim.example.edu"


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    forget_scenarios()


def test_a_code_signs_in_once_when_two_browsers_race_with_it(open_records: Callable[..., RecordStore]) -> None:
    """Two stores (two connections, as two server processes) redeem the same code at the same
    moment, 15 times over: each code signs exactly one of them in."""
    rounds = 15
    codes = [new_code() for _ in range(rounds)]
    with open_records() as setup:
        setup.create_roster("fall", created_by="prof")
        for i, code in enumerate(codes):
            setup.add_roster_member("fall", f"s{i:02d}", f"Student {i}", "student", code_digest(code))
    both = threading.Barrier(2)
    results: list[list[RosterMember | None]] = [[], []]
    errors: list[BaseException] = []

    def browser(index: int) -> None:
        try:
            with open_records() as own:
                own.rosters()  # the pool's connection is open before the race
                for code in codes:
                    both.wait(timeout=60)
                    results[index].append(own.redeem_code(code_digest(code)))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            both.abort()

    threads = [threading.Thread(target=browser, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    winners = [[m for m in pair if m is not None] for pair in zip(*results, strict=True)]
    assert [len(w) for w in winners] == [1] * rounds, "each code signed in exactly once"
    assert [w[0].trainee_id for w in winners] == [f"s{i:02d}" for i in range(rounds)]
    with open_records(readonly=True) as check:
        assert all(m.code_used_at is not None for m in check.roster_members("fall"))


# --- PostgreSQL roles ------------------------------------------------------------------------------



def test_the_player_role_signs_in_and_queues_statements_but_reads_no_digest_outbox_or_key(
        postgres_server: PostgresServer, database: str, example: AnalysedScenario, catalog: Catalog) -> None:
    owner_url = postgres_server.url(database)
    code, other = new_code(), new_code()
    with open_store(owner_url) as owner:  # the owner creates the schema and turns the outbox on
        owner.create_roster("fall", created_by="prof")
        owner.add_roster_member("fall", "ann", "Ann Lee", "student", code_digest(code))
        owner.add_roster_member("fall", "bo", "Bo Chen", "student", code_digest(other))
        owner.configure_outbox(OutboxSettings(BASE, BASE))
        key = owner.pseudonym_key
    for role, kind in (("class_player", "player"), ("class_teacher", "instructor")):
        postgres_server.sql(f"DROP ROLE IF EXISTS {role}")
        postgres_server.sql(f"CREATE ROLE {role} LOGIN")
        for statement in grant_statements(role, kind):  # type: ignore[arg-type]
            postgres_server.sql(statement, database)
    player_url = postgres_server.url(database, user="class_player")
    teacher_url = postgres_server.url(database, user="class_teacher")
    remember_scenario(example)
    with open_store(player_url) as server:
        # The player's role signs in with a code and plays, but signs no one out (the instructor's
        # role, which casesim serve connects as, does: test_records_pg_sign_in_trust).
        member = server.redeem_code(code_digest(code))
        assert member is not None and member.trainee_id == "ann"
        assert server.redeem_code(code_digest(code)) is None
        assert [m.trainee_id for m in server.roster_members("fall")] == ["ann", "bo"]
        attempt = play(server, example, catalog, "ann", EXPERT)
        with pytest.raises(StoreError, match="permission denied"):
            server.end_sessions("fall", "ann")
        assert [m.session_epoch for m in server.memberships("ann")] == [0]
        with pytest.raises(StoreError, match="permission denied"):
            server.outbox_counts()
        with pytest.raises(StoreError, match="permission denied"):
            server.create_roster("spring", created_by="ann")
        with pytest.raises(StoreError, match="permission denied"):
            server.configure_outbox(None)
    for forbidden in ("SELECT code_digest FROM casesim.class_members",
                      "SELECT * FROM casesim.class_members",
                      "SELECT statement FROM casesim.outbox",
                      "UPDATE casesim.class_members SET code_used_at = NULL",
                      "SELECT casesim_private.hmac_sha256('k', 'ann')",
                      "SELECT value FROM casesim_private.secrets"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_sql(player_url, forbidden)
    # A forged placeholder row does not reveal a pseudonym either: the role cannot read it back.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_sql(player_url, "INSERT INTO casesim.outbox(id, attempt_id, statement, created_at) VALUES "
                         "('x', %s, %s, 'now') RETURNING statement", (attempt, f'"{OUTBOX_ACTOR}"'))
    with open_store(teacher_url) as teacher:
        # The instructor forwards: the queued statements name Ann by her pseudonym, as an export does.
        queued = [json.loads(r.statement) for r in teacher.outbox_rows(limit=10_000)]
        exported = list(statements(teacher, library=[example], base_iri=BASE, home_page=BASE))
        assert sorted(queued, key=lambda s: s["id"]) == sorted(exported, key=lambda s: s["id"])
        assert {s["actor"]["account"]["name"] for s in queued} == {pseudonym("ann", key)}
        assert OUTBOX_ACTOR not in json.dumps(queued)
        pending = teacher.outbox_pending(5)
        teacher.outbox_mark_sent([r.id for r in pending])
        assert teacher.outbox_counts().sent == 5
        fresh = new_code()
        teacher.reissue_code("fall", "bo", code_digest(fresh))
        assert teacher.create_roster("spring", created_by="prof") is True
        teacher.add_roster_member("spring", "cy", "Cy Diaz", "student", code_digest(new_code()))
        teacher.add_roster_member("spring", "cy", "Cy Diaz-Ruiz", "student", code_digest(new_code()))  # again
        assert [(m.display_name, m.session_epoch) for m in teacher.roster_members("spring")] == [("Cy Diaz-Ruiz", 1)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run_sql(teacher_url, "SELECT code_digest FROM casesim.class_members")
    with open_store(player_url) as server:
        assert server.redeem_code(code_digest(other)) is None, "the reissued code replaced the old one"
        signed = server.redeem_code(code_digest(fresh))
        assert signed is not None and (signed.trainee_id, signed.session_epoch) == ("bo", 1)


# --- the live view's change watch ----------------------------------------------------------------


def test_a_watch_wakes_for_its_own_cohort_only_and_survives_a_lost_connection(
        postgres_server: PostgresServer, database: str, example: AnalysedScenario, catalog: Catalog) -> None:
    url = postgres_server.url(database)
    with open_store(url) as writer, open_store(url, readonly=True) as reader:
        writer.upsert_trainee("ann", "Ann", "fall")
        writer.upsert_trainee("zed", "Zed", "spring")
        writer.upsert_trainee("nobody", "No Class")
        fall, anyone = reader.change_watch("fall"), reader.change_watch()
        try:
            assert (fall.changed(), anyone.changed()) == (False, False)
            play(writer, example, catalog, "zed", EXPERT[:2], finish=False)  # another class
            assert (fall.changed(), anyone.changed()) == (False, True)
            play(writer, example, catalog, "nobody", EXPERT[:1], finish=False)  # no class at all
            assert (fall.changed(), anyone.changed()) == (False, True)
            attempt = play(writer, example, catalog, "ann", EXPERT[:1], finish=False)
            assert (fall.changed(), anyone.changed()) == (True, True)
            assert fall.changed() is False, "drained"
            writer.record_event(attempt, "pause", {"node": "how-are-you"})
            assert fall.changed() is True
            # Ann moves to spring: the fall view must hear it (she leaves its roster).
            writer.upsert_trainee("ann", "Ann", "spring")
            assert fall.changed() is True
            # An attempt stamped "fall" still wakes fall's view after she moved on.
            writer.record_event(attempt, "resume", {"node": "how-are-you"})
            assert fall.changed() is True
            # The watch's connection is killed (a server restart, a network cut): True, then back.
            pid = fall._conn.info.backend_pid  # type: ignore[attr-defined]
            postgres_server.sql(f"SELECT pg_terminate_backend({int(pid)})")
            assert fall.changed() is True
            assert fall.changed() is True, "reconnected: what was sent meanwhile was missed"
            assert fall.changed() is False
            writer.record_event(attempt, "pause", {"node": "how-are-you"})
            assert fall.changed() is True
        finally:
            fall.close()
            anyone.close()
