"""Fixtures for the TUI tests: the app built by the same factory as the CLI, deterministic.

Every app gets a temporary library folder (only the scenarios a test asks for, so new bundled
scenarios never change a snapshot), a temporary records database, a fake clock, an analysis
cache already holding the analyses, so no test waits on a background thread, every attempt
seeded with :data:`TEST_SEED` (a fixed choice order) and no settle time before a key chooses
(the tests that are about the settle time pass ``choice_settle_seconds``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.play.analyses import Analyses
from casesim.play.trainee import TraineeSettings
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui import CaseSimApp, StartRequest, make_app

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"
MARKUP = DATA / "markup-and-escapes.yaml"
TEST_SEED = 20261201
"""Every test attempt's seed, so the choice order (and every snapshot) is fixed."""


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(EXAMPLE, catalog)


@pytest.fixture(scope="session")
def markup_scenario(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(MARKUP, catalog)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RecordStore]:
    s = open_store(tmp_path / "records.db")
    yield s
    s.close()


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    return folder


AppFactory = Callable[..., CaseSimApp]


@pytest.fixture
def make_test_app(catalog: Catalog, example: AnalysedScenario, markup_scenario: AnalysedScenario, library_dir: Path,
                  store: RecordStore, clock: FakeClock, tmp_path: Path) -> AppFactory:
    """``make_test_app(start=..., trainee="Name", library=[...], store=...)``: a deterministic app."""

    def build(*, start: StartRequest | None = None, trainee: str = "Test Trainee",
              library: list[Path] | None = None, with_store: bool = True, use_store: object | None = None,
              **kwargs: object) -> CaseSimApp:
        analyses = Analyses()
        analyses.request(example)
        analyses.request(markup_scenario)
        kwargs.setdefault("new_seed", lambda: TEST_SEED)
        kwargs.setdefault("choice_settle_seconds", 0.0)
        return make_app(catalog=catalog, library_paths=library or [library_dir],
                        store=(use_store or store) if with_store else None, clock=clock,
                        trainee=TraineeSettings(name=trainee), trainee_file=tmp_path / "trainee.json",
                        deterministic=True, start=start, analyses=analyses, **kwargs)  # type: ignore[arg-type]

    return build
