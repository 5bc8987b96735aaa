"""Snapshots of the live class view at 80×24 and 120×40: a class in progress (passed, playing,
left, implausibly fast, paused, not started) on a fixed clock, in casesim's default theme.
Sync tests only (pytest-textual-snapshot runs its own loop); the Pilot tests are in
test_tui_class_watch.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui.class_watch_app import ClassWatchApp
from support.class_watch import COHORT, populate
from support.clock import FakeClock
from support.tui import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def watch_app(db_path: Path, clock: FakeClock, example: AnalysedScenario, catalog: Catalog) -> Iterator[ClassWatchApp]:
    with open_store(db_path, clock=clock.wall) as writer:
        seen_at = populate(writer, example, catalog, clock)
    store: RecordStore = open_store(db_path, readonly=True)
    try:
        # refresh_seconds: no check runs while the shot is taken (nothing is recorded anyway)
        yield ClassWatchApp(store, COHORT, library={example.scenario.id: example}, clock=lambda: seen_at,
                            deterministic=True, refresh_seconds=3600)
    finally:
        store.close()


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
def test_class_watch(snap_compare: Any, watch_app: ClassWatchApp, size: tuple[int, int]) -> None:
    assert snap_compare(watch_app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES)
def test_class_watch_assessment_only_with_a_trainee_highlighted(snap_compare: Any, watch_app: ClassWatchApp,
                                                                size: tuple[int, int]) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await _settled(pilot)
        await pilot.press("down", "down", "down", "m")
        await _settled(pilot)

    assert snap_compare(watch_app, terminal_size=size, run_before=run)
