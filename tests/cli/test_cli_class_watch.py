"""``casesim class watch COHORT``: the live class view from the command line (the app itself is
tested in tests/tui/test_tui_class_watch.py; here it is built, not run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.tui.class_watch_app import ClassWatchApp
from support.cli import Casesim
from support.records import EXPERT, play


@pytest.fixture
def db(tmp_path: Path, example: AnalysedScenario, catalog: Catalog) -> Path:
    path = tmp_path / "class.db"
    with SQLiteStore(path) as store:
        store.upsert_trainee("s1", "Ann Lee", "fall")
        play(store, example, catalog, "s1", EXPERT[:2], finish=False)
    return path


def test_watch_opens_the_class_view_on_the_store_read_only(casesim: Casesim, db: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    def run(app: ClassWatchApp) -> None:  # stands in for the terminal: the app is built, not run
        seen.append({"cohort": app.cohort, "readonly": getattr(app.store, "readonly", None),
                     "library": sorted(app.class_watch.library), "rows": app.class_watch.read().now.trainees})

    monkeypatch.setattr(ClassWatchApp, "run", run)
    before = db.stat().st_mtime_ns
    result = casesim("class", "watch", "fall", "--db", str(db), "--scenario", "example-check-in", "--every", "2")
    assert result.exit_code == 0, result.output
    [opened] = seen
    assert opened["cohort"] == "fall" and opened["readonly"] is True
    assert "example-check-in" in opened["library"]
    assert [(t.trainee_id, t.status, t.decisions) for t in opened["rows"]] == [("s1", "playing", 2)]
    assert db.stat().st_mtime_ns == before, "watching writes nothing"


def test_an_unknown_cohort_is_named_with_the_cohorts_there_are(casesim: Casesim, db: Path) -> None:
    result = casesim("class", "watch", "fal", "--db", str(db))
    assert result.exit_code == 2
    assert "there is no cohort 'fal'" in result.output and "cohorts: fall" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_scenario_is_named_with_the_scenarios_there_are(casesim: Casesim, db: Path) -> None:
    result = casesim("class", "watch", "fall", "--db", str(db), "--scenario", "nope")
    assert result.exit_code == 2
    assert "there is no scenario 'nope'" in result.output and "example-check-in" in result.output


def test_a_missing_store_is_not_created(casesim: Casesim, tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = casesim("class", "watch", "fall", "--db", str(missing))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not missing.exists()
