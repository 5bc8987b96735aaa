"""The live class view's screen, driven with Pilot: it shows the class, follows another process's
choices by itself, reads the store only after a commit, and meets the contrast minimums."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui.class_watch_app import ClassWatchApp
from casesim.tui.screens.class_watch import ClassWatchScreen, idle_text
from casesim.tui.screens.keys import KeysScreen
from casesim.tui.themes import OFFERED_THEMES
from casesim.tui.widgets.prose import Prose
from support.class_watch import COHORT, populate
from support.clock import FakeClock
from support.contrast import too_low
from support.records import EXPERT
from support.tui import screen_text, settle

DRIVER = Path(__file__).resolve().parents[1] / "support" / "class_driver.py"


@pytest.fixture
def class_store(db_path: Path, clock: FakeClock, example: AnalysedScenario,
                catalog: Catalog) -> Iterator[tuple[RecordStore, datetime]]:
    with open_store(db_path, clock=clock.wall) as writer:
        seen_at = populate(writer, example, catalog, clock)
    with open_store(db_path, readonly=True) as reader:
        yield reader, seen_at


def _app(class_store: tuple[RecordStore, datetime], example: AnalysedScenario, **kwargs: Any) -> ClassWatchApp:
    store, seen_at = class_store
    return ClassWatchApp(store, COHORT, library={example.scenario.id: example}, clock=lambda: seen_at,
                         deterministic=True, **kwargs)


def _table(app: ClassWatchApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#class-table", DataTable)
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


async def test_the_table_shows_each_trainee_where_they_are(class_store: tuple[RecordStore, datetime],
                                                           example: AnalysedScenario) -> None:
    app = _app(class_store, example)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = _table(app)
        assert list(rows) == ["ann", "bo", "cy", "dee", "eve", "fay"], "another cohort's trainee is not shown"
        # trainee, scenario, status, at node, decision, since, pace
        assert rows["ann"][2:] == ["passed", "engaged", "8/8", "", ""]
        # bo chose last 104 s before the last event (cy 40 s, dee 4 s, eve 50 + 10 s), and the view is 75 s later
        assert rows["bo"][2:] == ["playing", "ask-screen", "4/8", "2m59s", ""]
        assert rows["cy"][2:] == ["left", "how-are-you", "2/8", "", ""]
        assert rows["dee"][2:] == ["playing", "ask-q2", "5/8", "2m15s", "fast"]
        assert rows["eve"][2:] == ["paused", "role-and-li…", "2/8", "1m25s", ""], "cut to its column"
        assert rows["fay"][2:] == ["—", "", "", "", ""]
        text = screen_text(app)
        assert "2 playing · 1 paused · 1 finished · 1 left · 1 fast" in text
        assert "What the class chose: Example" in text


async def test_a_choice_recorded_by_another_process_appears_without_a_key(
        class_store: tuple[RecordStore, datetime], example: AnalysedScenario, db_path: Path) -> None:
    refreshed = asyncio.Event()

    def hook(message: Message) -> None:
        if isinstance(message, ClassWatchScreen.Refreshed):
            refreshed.set()

    app = _app(class_store, example, refresh_seconds=0.05)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        assert _table(app)["fay"][3] == "—"
        reads = app.class_watch.reads
        refreshed.clear()
        env = {k: v for k, v in os.environ.items() if k != "CASESIM_DB"}
        done = await asyncio.to_thread(subprocess.run, [sys.executable, str(DRIVER), str(db_path), COHORT, "fay",
                                                        "assessment", "stay", *EXPERT[:2]],
                                       capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        await asyncio.wait_for(refreshed.wait(), timeout=30)
        await pilot.pause()
        fay = _table(app)["fay"]
        assert fay[2:6] == ["assessment", "playing", "how-are-you", "3/8"]
        # the process committed four times (start, first node, two choices): at most one read each
        assert 1 <= app.class_watch.reads - reads <= 4


async def test_nothing_recorded_means_the_store_is_not_read_again(class_store: tuple[RecordStore, datetime],
                                                                  example: AnalysedScenario) -> None:
    app = _app(class_store, example, refresh_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClassWatchScreen)
        reads = app.class_watch.reads
        for _ in range(5):
            screen._tick()
            await settle(pilot)
        assert app.class_watch.reads == reads
        await pilot.press("r")
        await settle(pilot)
        assert app.class_watch.reads == reads + 1, "r reads the class now"


async def test_the_mode_key_filters_the_item_analysis(class_store: tuple[RecordStore, datetime],
                                                      example: AnalysedScenario) -> None:
    app = _app(class_store, example)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClassWatchScreen) and screen.view is not None
        assert screen.view.items is not None and screen.view.items.attempts == 5
        await pilot.press("m")
        await settle(pilot)
        assert screen.view.mode == "assessment" and screen.view.items is not None
        assert screen.view.items.attempts == 2, "ann and dee played in assessment mode"
        assert "(assessment)" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert screen.view.mode == "practice" and screen.view.items is not None and screen.view.items.attempts == 3


async def test_enter_on_a_trainee_shows_their_scenario_and_keys_lists_the_keys(
        class_store: tuple[RecordStore, datetime], example: AnalysedScenario) -> None:
    app = _app(class_store, example, scenario_id="no-such-scenario")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Nobody has decided anything in this scenario yet" in screen_text(app)
        await pilot.press("enter")  # ann's row
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClassWatchScreen)
        assert screen.scenario_id == example.scenario.id and "opening  5 decisions" in screen_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Keys: class watch" in text
        # Each key says what it does, and no row speaks of attempts to resume (the student app's ctrl+q row).
        assert isinstance(app.screen, KeysScreen)
        rows = {str(p.bullet.plain if isinstance(p.bullet, Content) else p.bullet): p.content.plain
                for p in app.screen.query_one(Prose).paras}
        assert rows == {
            "s": "show the next scenario's item analysis (most played first, then round again)",
            "m": "count the item analysis over every mode, then assessment only, then practice only",
            "r": "read the class from the records now (it is also read whenever something is recorded)",
            "q": "quit class watch (ctrl+q too); the records are only read",
            "^t": "colours: dark, light or high contrast (not remembered)",
            "up / down": "in the table: move between trainees",
            "enter": "in the table: show the item analysis of that trainee's scenario",
            "page up / page down": "scroll the table or the item analysis, whichever has the focus",
            "tab / shift+tab": "move between the table and the item analysis",
        }


async def test_the_time_since_the_last_choice_moves_with_the_clock_without_a_read(
        class_store: tuple[RecordStore, datetime], example: AnalysedScenario) -> None:
    store, seen_at = class_store
    now = [seen_at]
    app = ClassWatchApp(store, COHORT, library={example.scenario.id: example}, clock=lambda: now[0],
                        deterministic=True, refresh_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reads = app.class_watch.reads
        now[0] = seen_at + timedelta(minutes=10)
        screen = app.screen
        assert isinstance(screen, ClassWatchScreen)
        screen._tick()
        await settle(pilot)
        assert _table(app)["bo"][5] == "12m59s"
        assert app.class_watch.reads == reads


@pytest.mark.parametrize("theme", [offered.theme.name for offered in OFFERED_THEMES])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_class_view_meets_wcag_aa_in_every_offered_theme(class_store: tuple[RecordStore, datetime],
                                                                   example: AnalysedScenario, theme: str,
                                                                   size: tuple[int, int]) -> None:
    app = _app(class_store, example, theme=theme)
    found: dict[str, list[str]] = {}
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        found["class watch"] = [str(run) for run in too_low(app)]
        await pilot.press("down", "down", "tab")
        await settle(pilot)
        found["item analysis focused"] = [str(run) for run in too_low(app)]
        await pilot.press("question_mark")
        await settle(pilot)
        found["keys"] = [str(run) for run in too_low(app)]
    assert {name: problems for name, problems in found.items() if problems} == {}


@pytest.mark.parametrize(("seconds", "shown"), [(None, ""), (0, "0s"), (59.9, "59s"), (60, "1m00s"), (3599, "59m59s"),
                                                (3600, "1h00m"), (86399, "23h59m"), (86400 * 71 + 5, "71d")])
def test_the_time_since_a_choice_fits_its_column(seconds: float | None, shown: str) -> None:
    assert idle_text(seconds) == shown and len(shown) <= 6


async def test_quitting_while_the_class_is_being_read_does_not_wait_on_the_read(
        class_store: tuple[RecordStore, datetime], example: AnalysedScenario) -> None:
    store, seen_at = class_store
    release = threading.Event()
    reading = threading.Event()

    class SlowStore:
        """The store, with a read that blocks (a busy server) until the test lets it go."""

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def cohort_activity(self, cohort: str) -> Any:
            if slow:
                reading.set()
                release.wait(timeout=30)
            return store.cohort_activity(cohort)

    slow = False
    app = ClassWatchApp(SlowStore(), COHORT, library={example.scenario.id: example},  # type: ignore[arg-type]
                        clock=lambda: seen_at, deterministic=True, refresh_seconds=60)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            slow = True
            await pilot.press("r")
            assert await asyncio.to_thread(reading.wait, 30)
            await pilot.press("q")
        assert not release.is_set(), "the app closed while the read was still blocked"
    finally:
        release.set()
