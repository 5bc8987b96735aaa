"""One score: the debrief, `records list`, the PDF and xAPI show the same figure for one attempt,
with the reason when it does not pass (issue 10, item 6; UX review §2.5 "22% vs 57%")."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.attempt import LiveAttempt
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief, percent, score_text
from casesim.semantics.explore import Analysis
from casesim.tui.widgets.debrief_view import outcome_section
from support.cli import Casesim
from support.clock import FakeClock
from support.pdf import pdf_text, reads_in_order
from support.records import EXPERT, SECRECY, signed_example


def _play(db: Path, example: AnalysedScenario, catalog: Catalog, path: Sequence[str], *, seconds_each: float,
          trainee: str = "s1") -> Debrief:
    """One recorded assessment attempt, ``seconds_each`` on every decision screen (a fake clock
    drives both the play clock and the record's timestamps)."""
    clock = FakeClock()
    analysis: Future[Analysis] = Future()
    analysis.set_result(example.analysis)
    with SQLiteStore(db, clock=clock.wall) as store:
        attempt = LiveAttempt.begin(example, catalog, analysis, mode="assessment", trainee_id=trainee, store=store,
                                    clock=clock)
        for step in path:
            clock.advance(seconds_each)
            attempt.choose(step)
        return attempt.finish()


@pytest.fixture
def example(tmp_path: Path, catalog: Catalog) -> AnalysedScenario:
    """A signed-off copy of the example: only a counted assessment gets its pass or fail sent
    to an LRS (evidence rules), and the one score must be checked there too."""
    library = tmp_path / "library"
    library.mkdir()
    return signed_example(library, catalog)


def _debrief_text(debrief: Debrief) -> str:
    return "\n".join(p.content.plain for p in outcome_section(debrief))


def _pdf_text(casesim: Casesim, db: Path, trainee: str, out: Path) -> str:
    result = casesim("export", "pdf", trainee, "--db", str(db), "-o", str(out))
    assert result.exit_code == 0, result.output
    return pdf_text(out)


def _final_statement(casesim: Casesim, db: Path) -> dict[str, Any]:
    result = casesim("export", "xapi", "--db", str(db), "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    [final] = [s for s in items if s["verb"]["id"].endswith(("/passed", "/failed"))]
    return dict(final["result"])


def test_one_attempt_shows_the_same_score_and_reason_everywhere(
        casesim: Casesim, example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    debrief = _play(db, example, catalog, SECRECY, seconds_each=40)
    # The never-event path: the score the pass rule uses, and the reasons, in one line.
    assert not debrief.passed
    line = score_text(debrief)
    figure = percent(debrief.score)
    assert line.startswith(f"{figure} of the expert's points") and line.endswith(": not passed")
    assert "a never-event" in line

    # the debrief on screen: the one line, and no other percentage of the total
    shown = _debrief_text(debrief)
    assert line in shown
    # every percentage on it is the score or the pass mark: no second figure to quote
    assert set(re.findall(r"\d+%", shown)) == {figure, percent(debrief.pass_share)}

    # records list
    listed = casesim("records", "list", "--db", str(db))
    assert listed.exit_code == 0, listed.output
    assert line in listed.stdout
    listed_json = json.loads(casesim("records", "list", "--db", str(db), "--format", "json").stdout)
    assert listed_json[0]["share"] == debrief.score and listed_json[0]["verdict"] == line

    # the trainee report (text)
    report = casesim("report", "trainee", "s1", "--db", str(db))
    assert report.exit_code == 0, report.output
    assert line in " ".join(report.stdout.split())

    # xAPI: scaled is the same figure, raw out of the expert path's points
    result = _final_statement(casesim, db)
    score = result["score"]
    assert score["scaled"] == round(debrief.score, 4)
    assert score["raw"] / score["max"] == pytest.approx(debrief.score)
    assert line in result["extensions"].values()

    # the PDF
    pdf = _pdf_text(casesim, db, "s1", tmp_path / "s1.pdf")
    assert f"{figure} of the expert's points" in pdf
    assert reads_in_order(line, pdf)


def test_an_expert_run_reads_as_passed_with_full_marks_everywhere(
        casesim: Casesim, example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    debrief = _play(db, example, catalog, EXPERT, seconds_each=40)
    assert debrief.passed and score_text(debrief) == "100% of the expert's points: passed"
    assert "100% of the expert's points: passed" in casesim("records", "list", "--db", str(db)).stdout
    assert _final_statement(casesim, db)["score"] == {"scaled": 1.0, "raw": 18, "min": 0, "max": 18}
