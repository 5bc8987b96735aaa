"""Snapshots of the library saying each scenario's progress in words (issue 15 item 6: passed,
practice only, not tried) at 80×24 and 120×40, with attempts recorded before the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from support.paths import MARKUP
from support.records import EXPERT, play
from support.tui import AppFactory, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _listed(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
def test_library_with_progress(snap_compare: Any, make_test_app: AppFactory, store: RecordStore,
                               example: AnalysedScenario, markup_scenario: AnalysedScenario, catalog: Catalog,
                               library_dir: Path, size: tuple[int, int]) -> None:
    play(store, example, catalog, "Test Trainee", EXPERT, mode="assessment")
    play(store, markup_scenario, catalog, "Test Trainee", EXPERT[:1])
    assert snap_compare(make_test_app(library=[library_dir, MARKUP]), terminal_size=size, run_before=_listed)
