"""Pruning the xAPI outbox (``casesim lrs prune``): only what the LRS accepted before the date goes,
on both backends; pending statements are never deleted."""

from __future__ import annotations

from collections.abc import Callable

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import OutboxSettings, RecordStore
from casesim.records.chain import iso_utc
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.records import EXPERT, play

BASE = "https://sim.example.edu"


def test_prune_deletes_only_statements_sent_before_the_date(open_records: Callable[..., RecordStore],
                                                             clock: FakeClock, example: AnalysedScenario,
                                                             catalog: Catalog) -> None:
    forget_scenarios()
    with open_records(clock=clock.wall) as store:
        store.configure_outbox(OutboxSettings(BASE, BASE))
        play(store, example, catalog, "t-1", EXPERT)
        rows = store.outbox_pending(1000)
        assert len(rows) >= 11
        store.outbox_mark_sent([r.id for r in rows[:5]])         # sent on day one
        clock.advance(86_400)
        cutoff = iso_utc(clock.wall())
        clock.advance(86_400)
        store.outbox_mark_sent([r.id for r in rows[5:9]])        # sent on day three
        store.outbox_mark_failed([r.id for r in rows[9:11]], "HTTP 503")  # tried, never accepted
        assert store.outbox_prune(cutoff) == 5
        left = [r.id for r in store.outbox_rows(limit=10_000)]
        assert left == [r.id for r in rows[5:]], "the day-three statements and every pending one stay"
        counts = store.outbox_counts()
        assert (counts.sent, counts.failed, counts.waiting) == (4, 2, len(rows) - 11)
        assert store.outbox_prune(cutoff) == 0
        clock.advance(1)
        assert store.outbox_prune(iso_utc(clock.wall())) == 4
        assert store.outbox_counts().pending == len(rows) - 9, "pending statements are never pruned"
        # The pruned statements can be queued again (a backfill): the ids are free.
        assert store.outbox_add([(r.id, r.attempt_id, r.statement) for r in rows[:2]]) == 2
