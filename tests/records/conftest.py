from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from records_helpers import load_example

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> AnalysedScenario:
    return load_example(catalog)[0]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "records.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(db_path)
    yield s
    s.close()
