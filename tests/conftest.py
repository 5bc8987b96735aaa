"""Test isolation: no test sees the developer's home, data directory or CASESIM_* settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from casesim.authoring import analysis_cache
from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog, load_catalog
from support.clock import FakeClock
from support.paths import EXAMPLE, ROOT, SCENARIOS
from support.postgres import PostgresServer

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def analysis_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One analysis cache for the whole session: it is keyed by content, so sharing it between
    tests is safe, and the CLI tests then analyse each bundled scenario once."""
    return tmp_path_factory.mktemp("analysis-cache")


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
              analysis_cache_dir: Path) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith("CASESIM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("CASESIM_CACHE_DIR", str(analysis_cache_dir))
    analysis_cache.configure(None)  # a CLI test configures it for its own run; nothing else caches
    monkeypatch.setenv("CASESIM_DATA", str(home / "casesim-data"))
    monkeypatch.setenv("TZ", "UTC")
    yield


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "scoring")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def library(catalog: Catalog) -> list[AnalysedScenario]:
    """Every bundled scenario, loaded and analysed once per test session."""
    return [require_scenario(path, catalog) for path in sorted(SCENARIOS.glob("*.yaml"))]


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> AnalysedScenario:
    """The bundled example scenario, loaded and analysed once per test session."""
    return require_scenario(EXAMPLE, catalog)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session, started on first use in a temporary
    folder (as an unprivileged user when the tests run as root) and stopped at the end. Missing
    server programs fail the tests that need it, saying to run `make system-deps`."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def store(db_path: Path) -> Iterator[RecordStore]:
    """A fresh record store in a temporary file."""
    s = open_store(db_path)
    yield s
    s.close()
