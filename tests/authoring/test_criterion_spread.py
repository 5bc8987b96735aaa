"""No bundled scenario scores a criterion that earns the same points on every path.

Such a criterion rewards no decision: its points are there whatever the trainee does, yet they
count in the share of the expert's score and in the competency ratings (clinical review 2.9 m3:
"EPAS22-C9 gives +1 on every path (no spread)"). A choice every path takes belongs unscored,
marked `neutral: true`. Criteria that no reachable step scores (a shared block's branch for
answers this client never gives) are not counted: they are not scored at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casesim.authoring.pipeline import require_scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, analyse
from support.paths import SCENARIOS
from support.scenarios import bundled_programs


def _flat(analysis: Analysis) -> dict[str, int | None]:
    """Criteria some reachable step scores that earn the same points on every complete path."""
    program = analysis.program
    scored = {criterion for sid in analysis.steps_taken for criterion, points in program.steps[sid].scores if points}
    return {c: e.best for c, e in analysis.extremes.items() if c in scored and e.worst == e.best}


@pytest.mark.parametrize("index", range(len(bundled_programs())), ids=[p.scenario.id for p in bundled_programs()])
def test_every_scored_criterion_separates_some_paths(index: int) -> None:
    analysis = analyse(bundled_programs()[index])
    assert analysis.complete
    assert _flat(analysis) == {}


def test_the_check_finds_a_point_earned_on_every_path(catalog: Catalog, tmp_path: Path) -> None:
    """The duty-to-protect scenario with its check-in two days later scored again, as EPAS22-C9
    once was, under a criterion nothing else in it scores: the check names it."""
    text = (SCENARIOS / "duty-to-protect-threat.yaml").read_text(encoding="utf-8")
    assert "NASW-1.15" not in text
    first = text.index("  next-session:\n")
    flat = text[:first] + text[first:].replace("        neutral: true\n", "        scores: {NASW-1.15: 1}\n")
    shutil.copytree(SCENARIOS / "shared", tmp_path / "shared")
    path = tmp_path / "duty-to-protect-threat.yaml"
    path.write_text(flat, encoding="utf-8")
    loaded = require_scenario(path, catalog)
    assert loaded.analysis is not None
    assert _flat(loaded.analysis) == {"NASW-1.15": 1}
