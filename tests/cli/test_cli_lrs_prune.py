"""``casesim lrs prune --sent-before DATE``: what the LRS accepted before the date is deleted,
nothing pending; a date that cannot be read is named."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import OutboxSettings
from casesim.records.outbox import forget_scenarios
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, play


def test_prune_keeps_pending_statements_and_reads_dates_and_times(casesim: Casesim, tmp_path: Path,
                                                                  example: AnalysedScenario, catalog: Catalog) -> None:
    db = tmp_path / "r.db"
    forget_scenarios()
    with open_store(db) as store:
        store.configure_outbox(OutboxSettings("https://sim.example.edu", "https://sim.example.edu"))
        play(store, example, catalog, "t-1", EXPERT)
        rows = store.outbox_pending(1000)
        store.outbox_mark_sent([r.id for r in rows[:6]])
    early = casesim("lrs", "prune", "--db", str(db), "--sent-before", "2000-01-01")
    assert early.exit_code == 0, early.output
    assert "pruned 0 statement(s) sent before 2000-01-01T00:00:00.000000Z" in early.stdout
    later = casesim("lrs", "prune", "--db", str(db), "--sent-before", "2999-12-31T23:00:00+02:00")
    assert later.exit_code == 0, later.output
    assert f"pruned 6 statement(s) sent before 2999-12-31T21:00:00.000000Z; 0 sent and {len(rows) - 6} pending kept" \
        in later.stdout
    with open_store(db, readonly=True) as store:
        assert [r.id for r in store.outbox_rows()] == [r.id for r in rows[6:]]
    bad = casesim("lrs", "prune", "--db", str(db), "--sent-before", "last week")
    assert bad.exit_code == 2 and "'last week' is not a date" in bad.stderr and "YYYY-MM-DD" in bad.stderr
