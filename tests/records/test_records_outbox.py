"""The xAPI outbox: statements queued in the transaction of their event, equal to the export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import OutboxSettings, RecordStore
from casesim.records.export.xapi import statements
from casesim.records.outbox import forget_scenarios, remember_scenario
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play, signed_example

BASE = "https://sim.example.edu"
HOME = "https://sso.example.edu"


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    forget_scenarios()


def _queued(store: RecordStore) -> list[dict[str, Any]]:
    return [json.loads(r.statement) for r in store.outbox_rows(limit=100_000)]


def _play_all(store: RecordStore, example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> AnalysedScenario:
    signed = signed_example(tmp_path, catalog)
    store.upsert_trainee("t-042", "Ann", "MSW Fall 2026 #1")
    play(store, signed, catalog, "t-042", SECRECY, mode="assessment")
    play(store, example, catalog, "t-042", EXPERT, mode="practice")
    play(store, example, catalog, "t-043", LOST)
    play(store, example, catalog, "t-043", LOST[:2], finish=False)  # in progress: no ending yet
    play(store, example, catalog, "t-044", LOST[:3])  # left without penalty
    return signed


def test_off_by_default_and_nothing_queued(store: RecordStore, example: AnalysedScenario, catalog: Catalog) -> None:
    assert store.outbox_settings() is None
    play(store, example, catalog, "t-1", EXPERT)
    assert store.outbox_counts().pending == 0 and store.outbox_rows() == []


def test_live_statements_equal_the_export(store: RecordStore, example: AnalysedScenario, catalog: Catalog,
                                          tmp_path: Path) -> None:
    store.configure_outbox(OutboxSettings(BASE, HOME))
    signed = _play_all(store, example, catalog, tmp_path)
    queued = _queued(store)
    exported = list(statements(store, library=[example, signed], base_iri=BASE, home_page=HOME))
    assert len(queued) == len(exported) >= 40
    assert sorted(queued, key=lambda s: s["id"]) == sorted(exported, key=lambda s: s["id"])
    # Written in event order: per registration, initialized first and terminated last.
    by_attempt: dict[str, list[str]] = {}
    for s in queued:
        by_attempt.setdefault(s["context"]["registration"], []).append(s["verb"]["display"]["en-US"])
    assert all(v[0] == "initialized" for v in by_attempt.values())
    assert sum(v[-1] == "terminated" for v in by_attempt.values()) == 4
    verbs = {s["verb"]["display"]["en-US"] for s in queued}
    assert {"initialized", "answered", "completed", "failed", "terminated"} <= verbs
    answered = [s for s in queued if s["verb"]["display"]["en-US"] == "answered"]
    assert all("choices" in s["object"]["definition"] for s in answered)  # the scenario file was known
    assert any("correctResponsesPattern" in s["object"]["definition"] for s in answered)
    for s in queued:
        BaseXapiStatement.model_validate(s)  # strict xAPI 1.0.3, as Ralph checks it


def test_an_undo_voids_the_answer_it_takes_back(store: RecordStore, example: AnalysedScenario,
                                                catalog: Catalog) -> None:
    store.configure_outbox(OutboxSettings(BASE, BASE))
    play(store, example, catalog, "t-042", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:])
    queued = _queued(store)
    voiding = [s for s in queued if s["verb"]["display"]["en-US"] == "voided"]
    assert len(voiding) == 1
    target = voiding[0]["object"]["id"]
    undone = next(s for s in queued if s["id"] == target)
    assert undone["result"]["response"] == "cheer-up"
    assert "revision" not in voiding[0]["context"] and "platform" not in voiding[0]["context"]
    BaseXapiStatement.model_validate(voiding[0])
    # Apart from the retracted answer and its voiding, the queue is the export.
    kept = [s for s in queued if s["id"] != target and s is not voiding[0]]
    exported = list(statements(store, library=[example], base_iri=BASE))
    assert sorted(kept, key=lambda s: s["id"]) == sorted(exported, key=lambda s: s["id"])


def test_statement_and_event_share_one_transaction(store: RecordStore, example: AnalysedScenario,
                                                   catalog: Catalog, records_db: str | Path,
                                                   raw_sql: Callable[..., int]) -> None:
    """A failing outbox insert rolls the event back: never an event without its statement."""
    store.configure_outbox(OutboxSettings(BASE, BASE))
    attempt_id = play(store, example, catalog, "t-1", EXPERT[:1], finish=False)
    events_before = len(store.events(attempt_id))
    queued_before = store.outbox_counts().pending
    # Make the next outbox insert fail, as a full disk or a broken constraint would.
    if isinstance(records_db, Path):
        raw_sql("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END")
    else:
        raw_sql("CREATE FUNCTION no_outbox() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'outbox full'; END $$")
        raw_sql("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION no_outbox()")
    with pytest.raises(Exception, match="full"):
        store.record_event(attempt_id, "choice", {"node": "x", "choice": EXPERT[1], "seconds": 1})
    assert len(store.events(attempt_id)) == events_before
    assert store.outbox_counts().pending == queued_before
    assert not store.verify(), "the chain did not move either"


def test_pending_sent_failed_and_backfill_ids_are_unique(store: RecordStore, example: AnalysedScenario,
                                                         catalog: Catalog) -> None:
    store.configure_outbox(OutboxSettings(BASE, BASE))
    play(store, example, catalog, "t-1", EXPERT)
    rows = store.outbox_pending(1000)
    total = len(rows)
    store.outbox_mark_sent([r.id for r in rows[:3]])
    store.outbox_mark_failed([rows[3].id], "HTTP 500: boom")
    counts = store.outbox_counts()
    assert (counts.sent, counts.failed, counts.waiting) == (3, 1, total - 4)
    assert [r.id for r in store.outbox_pending(2)] == [rows[3].id, rows[4].id]
    assert [r.id for r in store.outbox_pending(1, after=rows[3].seq)] == [rows[4].id]
    failed = store.outbox_pending(1)[0]
    assert (failed.attempts, failed.last_error) == (1, "HTTP 500: boom")
    # Queuing the same statements again (a backfill) adds nothing.
    assert store.outbox_add([(r.id, r.attempt_id, r.statement) for r in rows]) == 0
    store.configure_outbox(None)
    assert store.outbox_settings() is None and store.outbox_counts().sent == 3


def test_settings_are_checked_and_kept_in_the_store(open_records: Callable[..., RecordStore]) -> None:
    with open_records() as store:
        with pytest.raises(ValueError, match="home page"):
            store.configure_outbox(OutboxSettings(BASE, "Eastside SSO"))
        assert store.outbox_settings() is None
        store.configure_outbox(OutboxSettings(BASE, HOME))
    with open_records(readonly=True) as again:
        assert again.outbox_settings() == OutboxSettings(BASE, HOME)


def test_an_imported_attempt_queues_what_the_export_gives(tmp_path: Path, example: AnalysedScenario,
                                                          catalog: Catalog,
                                                          open_records: Callable[..., RecordStore]) -> None:
    """``records import`` merges whole attempts: each queues all of its statements at once."""
    import io

    from casesim.records.archive import check_archive, to_import
    from casesim.records.export.jsonl import write_jsonl

    with open_store(tmp_path / "campus.db") as campus:
        play(campus, example, catalog, "ann", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:])
        play(campus, example, catalog, "bo", LOST[:2], finish=False)
        out = io.StringIO()
        write_jsonl(campus, out)
    checked = check_archive(out.getvalue().splitlines(), None)
    remember_scenario(example)  # as `records import` does when the outbox is on
    with open_records() as program:
        program.configure_outbox(OutboxSettings(BASE, BASE))
        for item in checked.attempts:
            assert program.import_attempt(to_import(item, imported_at="2026-12-01T00:00:00.000000Z"))
        queued = _queued(program)
        exported = list(statements(program, library=[example], base_iri=BASE))
    assert len(queued) == len(exported) > 10
    assert sorted(queued, key=lambda s: s["id"]) == sorted(exported, key=lambda s: s["id"])
