"""A timing accommodation is recorded with the attempt and shown on the practicum PDF and the
text report as an accommodation, never as a penalty: the same path scores the same with it
(issue 15 item 2)."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.play.timing import TimeChoice
from casesim.records.api import RecordStore
from casesim.records.export.pdf import render_pdf
from casesim.records.render import trainee_text
from casesim.records.reports import trainee_report
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.pdf import pdf_text, reads_in_order
from support.records import EXPERT


def _play(store: RecordStore, example: AnalysedScenario, catalog: Catalog, trainee: str,
          timing: TimeChoice | None) -> None:
    assert example.program is not None and example.analysis is not None
    session = Session(example.program, mode="assessment",
                      time_allowance=timing.allowance if timing is not None else "standard")
    recorder = AttemptRecorder.start(store, example, session, trainee_id=trainee, timing=timing)
    for step in EXPERT:
        session.choose(step)
        recorder.step()
    recorder.finish(score_path(example.program, example.analysis, catalog, session.path, mode="assessment"))
    session.close()


def test_the_pdf_and_the_text_report_show_the_accommodation_and_the_same_score(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, tmp_path: Path) -> None:
    _play(store, example, catalog, "ana", TimeChoice("2x", "instructor"))
    _play(store, example, catalog, "ben", None)
    ana, ben = (trainee_report(store, t, catalog=catalog) for t in ("ana", "ben"))
    assert [s.accommodation for s in ana.attempts] == ["2× time, set by the instructor"]
    assert [s.accommodation for s in ben.attempts] == [None]
    a, b = ana.attempts[0].attempt, ben.attempts[0].attempt  # more time, the same score and verdict
    assert (a.share, a.passed, a.verdict) == (b.share, b.passed, b.verdict) and a.passed
    assert "timing accommodation: 2× time, set by the instructor (does not change the score)" in trainee_text(ana)
    assert "timing accommodation" not in trainee_text(ben)

    with_time = pdf_text(render_pdf(ana, tmp_path / "ana.pdf", catalog=catalog))
    assert "Timing accommodations" in with_time
    assert reads_in_order("an accommodation, not a penalty: it does not change a score.", with_time)
    assert reads_in_order("2× time, set by the instructor", with_time)
    assert "penalt" not in with_time.replace("not a penalty", "")
    without = pdf_text(render_pdf(ben, tmp_path / "ben.pdf", catalog=catalog))
    assert "Timing accommodations" not in without and "2× time" not in without
