"""The live class view's screen on a PostgreSQL store: a choice recorded by another process
appears by itself, woken by LISTEN/NOTIFY, and nothing recorded means nothing read."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import DataTable

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui.class_watch_app import ClassWatchApp
from casesim.tui.screens.class_watch import ClassWatchScreen
from support.class_watch import COHORT, populate
from support.clock import FakeClock
from support.postgres import PostgresServer
from support.records import EXPERT
from support.tui import settle

DRIVER = Path(__file__).resolve().parents[1] / "support" / "class_driver.py"


@pytest.fixture
def pg_class(postgres_server: PostgresServer, clock: FakeClock, example: AnalysedScenario,
             catalog: Catalog) -> Iterator[tuple[str, RecordStore, datetime]]:
    name = postgres_server.create_database("watch")
    url = postgres_server.url(name)
    with open_store(url, clock=clock.wall) as writer:
        seen_at = populate(writer, example, catalog, clock)
    with open_store(url, readonly=True) as reader:
        yield url, reader, seen_at
    postgres_server.drop_database(name)


def _table(app: ClassWatchApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#class-table", DataTable)
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


async def test_a_choice_recorded_by_another_process_appears_without_a_key_on_postgresql(
        pg_class: tuple[str, RecordStore, datetime], example: AnalysedScenario) -> None:
    url, store, seen_at = pg_class
    refreshed = asyncio.Event()

    def hook(message: Message) -> None:
        if isinstance(message, ClassWatchScreen.Refreshed):
            refreshed.set()

    app = ClassWatchApp(store, COHORT, library={example.scenario.id: example}, clock=lambda: seen_at,
                        deterministic=True, refresh_seconds=0.05)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        assert _table(app)["fay"][3] == "—"
        reads = app.class_watch.reads
        await asyncio.sleep(0.5)  # ten checks with nothing committed
        assert app.class_watch.reads == reads, "nothing committed: the class is not read again"
        refreshed.clear()
        env = {k: v for k, v in os.environ.items() if k != "CASESIM_DB"}
        done = await asyncio.to_thread(subprocess.run, [sys.executable, str(DRIVER), url, COHORT, "fay",
                                                        "assessment", "stay", *EXPERT[:2]],
                                       capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        await asyncio.wait_for(refreshed.wait(), timeout=30)
        await pilot.pause()
        for _ in range(40):  # the last commit's notification may come after the first refresh
            if _table(app)["fay"][5] == "3/8":
                break
            await asyncio.sleep(0.05)
            await pilot.pause()
        fay = _table(app)["fay"]
        assert fay[2:6] == ["assessment", "playing", "how-are-you", "3/8"]
        # the process committed four times (start, first node, two choices): at most one read each
        assert 1 <= app.class_watch.reads - reads <= 4
