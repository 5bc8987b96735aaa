"""``records migrate-store`` moves a file's classes and LRS outbox into PostgreSQL: rosters with
their codes (used ones stay used), the outbox with what was sent, and both keep working there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.database_url import DatabaseUrl
from casesim.records import open_store
from casesim.records.api import OutboxSettings
from casesim.records.classroom import code_digest, new_code
from casesim.records.export.xapi import pseudonym
from casesim.records.outbox import forget_scenarios
from casesim.records.postgres.migrate import migrate_store
from casesim.scoring.catalog import Catalog
from support.postgres import PostgresServer
from support.records import EXPERT, LOST, play

BASE = "https://sim.example.edu"


@pytest.fixture
def dest(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database("mig")
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


def test_rosters_codes_and_the_outbox_move_and_keep_working(tmp_path: Path, dest: str, example: AnalysedScenario,
                                                           catalog: Catalog) -> None:
    forget_scenarios()
    src = tmp_path / "campus.db"
    used, unused = new_code(), new_code()
    with open_store(src) as store:
        store.create_roster("fall", created_by="prof")
        store.add_roster_member("fall", "ann", "Ann Lee", "student", code_digest(used))
        store.add_roster_member("fall", "bo", "Bo Chen", "student", code_digest(unused))
        assert store.redeem_code(code_digest(used)) is not None
        store.configure_outbox(OutboxSettings(BASE, BASE))
        play(store, example, catalog, "ann", EXPERT)
        rows = store.outbox_pending(1000)
        store.outbox_mark_sent([r.id for r in rows[:4]])
        before_members = store.roster_members("fall")
        before_outbox = store.outbox_rows(limit=10_000)
        key = store.pseudonym_key
    result = migrate_store(src, DatabaseUrl(dest))
    assert result.same_head and not result.problems
    assert result.rows["class_rosters"] == 1 and result.rows["class_members"] == 2
    assert result.rows["outbox"] == len(before_outbox)
    with open_store(dest) as moved:
        assert moved.roster_members("fall") == before_members
        assert moved.outbox_rows(limit=10_000) == before_outbox, "copied as they were: the trigger left them"
        assert moved.outbox_settings() == OutboxSettings(BASE, BASE)
        assert moved.redeem_code(code_digest(used)) is None, "a used code stays used"
        member = moved.redeem_code(code_digest(unused))
        assert member is not None and member.trainee_id == "bo"
        play(moved, example, catalog, "bo", LOST[:2], finish=False)
        after = moved.outbox_rows(limit=10_000)
        new = after[len(before_outbox):]
        assert new and new[0].seq > before_outbox[-1].seq, "the outbox's sequence goes on after the copy"
        assert {json.loads(r.statement)["actor"]["account"]["name"] for r in new} == {pseudonym("bo", key)}
        assert moved.outbox_counts().sent == 4
