"""Fixtures for the TUI tests: the app built by the same factory as the CLI, deterministic.

Every app gets a temporary library folder (only the scenarios a test asks for, so new bundled
scenarios never change a snapshot), a temporary records database, a fake clock, an analysis
cache already holding the analyses, so no test waits on a background thread, every attempt
seeded with :data:`TEST_SEED` (a fixed choice order), records timed on the same fake clock, and no settle time before a key chooses
(the tests that are about the settle time pass ``choice_settle_seconds``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.play.analyses import Analyses
from casesim.play.trainee import TraineeSettings
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui import CaseSimApp, StartRequest, make_app
from support.clock import FakeClock
from support.paths import EXAMPLE, MARKUP
from support.tui import TEST_SEED, AppFactory


@pytest.fixture(scope="session")
def markup_scenario(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(MARKUP, catalog)


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    return folder


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[RecordStore]:
    """The records on the app's own fake clock: the speed check reads the recorded timestamps,
    so a debrief's pace is the same on every machine."""
    s = open_store(db_path, clock=clock.wall)
    yield s
    s.close()


@pytest.fixture
def make_test_app(catalog: Catalog, example: AnalysedScenario, markup_scenario: AnalysedScenario, library_dir: Path,
                  store: RecordStore, clock: FakeClock, tmp_path: Path) -> AppFactory:
    """``make_test_app(start=..., trainee="Name", library=[...], store=...)``: a deterministic app.

    The guided first run counts as done (``tour_done=True``) unless a test is about it."""

    def build(*, start: StartRequest | None = None, trainee: str = "Test Trainee", tour_done: bool = True,
              library: list[Path] | None = None, with_store: bool = True, use_store: object | None = None,
              **kwargs: object) -> CaseSimApp:
        analyses = Analyses()
        analyses.request(example)
        analyses.request(markup_scenario)
        kwargs.setdefault("new_seed", lambda: TEST_SEED)
        kwargs.setdefault("choice_settle_seconds", 0.0)
        return make_app(catalog=catalog, library_paths=library or [library_dir],
                        store=(use_store or store) if with_store else None, clock=clock,
                        trainee=TraineeSettings(name=trainee, tour_done=tour_done), trainee_file=tmp_path / "trainee.json",
                        deterministic=True, start=start, analyses=analyses, **kwargs)  # type: ignore[arg-type]

    return build
