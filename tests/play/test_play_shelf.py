"""The scenario shelf: ids without analysing anything, each scenario analysed once, when first asked for."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.analysis_summary import SummarisedScenario
from casesim.play import shelf
from casesim.play.shelf import ScenarioShelf
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE, MARKUP


def test_only_the_scenarios_looked_up_are_analysed_and_each_once(tmp_path: Path, catalog: Catalog,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for source in (EXAMPLE, MARKUP):
        shutil.copy(source, tmp_path / source.name)
    analysed: list[str] = []
    real = shelf.with_summary

    def counted(entry: Any) -> Any:
        analysed.append(entry.scenario.id)
        return real(entry)

    monkeypatch.setattr(shelf, "with_summary", counted)
    scenarios = ScenarioShelf([tmp_path], catalog)
    assert "example-check-in" in scenarios and "nope" not in scenarios
    assert len(list(scenarios)) == len(scenarios) == 2
    assert analysed == [], "ids and membership analyse nothing"
    first = scenarios["example-check-in"]
    assert isinstance(first, SummarisedScenario) and first.summary.expert_path
    assert scenarios.get("example-check-in") is first and scenarios.get("nope") is None
    assert analysed == ["example-check-in"]
