"""The evidence rules: assessment on signed-off scenarios only, two measures from two scenarios,
practice and trials shown but never counted, and the sign-off kept in the record's hash."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.progress import gather_progress
from casesim.records.evidence import competency_evidence, evidence_kind
from casesim.records.export.pdf import render_pdf
from casesim.records.export.xapi import statements
from casesim.records.render import cohort_text, trainee_text
from casesim.records.reports import cohort_report, trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from casesim.scoring.catalog import Catalog
from casesim.tui.widgets.competency_chart import chart_content
from support.records import EXPERT, SECRECY, play, signed_example

PRE_LEDGER = Path(__file__).resolve().parents[1] / "data" / "records" / "pre-ledger.db"


@dataclass(frozen=True)
class Point:
    scenario_id: str
    rating: int | None
    mode: str = "assessment"
    signed_off: bool = True


# --- the rules ------------------------------------------------------------------------


def test_practice_is_shown_apart_and_never_counted() -> None:
    evidence = competency_evidence([Point("a", 5, mode="practice"), Point("b", 5, mode="practice"), Point("a", 2)])
    assert (evidence.measures, evidence.rating, evidence.practice) == (1, None, (5, 5))
    assert evidence.summary() == "insufficient evidence (n=1)"


def test_one_measure_is_insufficient_evidence() -> None:
    assert competency_evidence([Point("a", 5)]).summary() == "insufficient evidence (n=1)"
    assert competency_evidence([]).summary() == "insufficient evidence (n=0)"


def test_two_measures_from_one_scenario_are_insufficient() -> None:
    evidence = competency_evidence([Point("a", 3), Point("a", 5)])
    assert (evidence.measures, evidence.scenarios, evidence.rating) == (2, 1, None)
    assert evidence.summary() == "insufficient evidence (n=2, from 1 scenario)"


def test_two_scenarios_give_the_mean_of_each_scenarios_latest_rating() -> None:
    evidence = competency_evidence([Point("a", 1), Point("a", 3), Point("b", 5), Point("c", None)])
    assert (evidence.measures, evidence.scenarios, evidence.rating) == (3, 2, 4.0)
    assert evidence.summary() == "4.0 (n=3, 2 scenarios)"


def test_trials_are_shown_apart_and_never_counted() -> None:
    evidence = competency_evidence([Point("a", 5, signed_off=False), Point("b", 5, signed_off=False), Point("a", 2)])
    assert (evidence.measures, evidence.rating, evidence.trial) == (1, None, (5, 5))
    assert evidence_kind("assessment", False) == "trial"
    assert evidence_kind("practice", False) == evidence_kind("practice", True) == "practice"
    assert evidence_kind("assessment", True) == "assessment"


# --- the record -----------------------------------------------------------------------


@pytest.fixture
def signed(tmp_path: Path, catalog: Catalog) -> tuple[AnalysedScenario, AnalysedScenario]:
    """Two signed-off scenarios (copies of the example under two ids)."""
    return signed_example(tmp_path, catalog), signed_example(tmp_path, catalog, scenario_id="example-two")


def test_an_attempt_keeps_the_signoff_it_began_under(store: SQLiteStore, signed: tuple[AnalysedScenario, ...],
                                                     example: AnalysedScenario, catalog: Catalog) -> None:
    counted = play(store, signed[0], catalog, "ann", EXPERT, mode="assessment")
    trial = play(store, example, catalog, "ann", EXPERT, mode="assessment")
    signoff = store.attempt(counted).signoff
    assert signoff is not None and signoff.describe() == "T. Reviewer (LCSW) on 2026-11-30"
    assert signoff.content_hash == signed[0].scenario.reviewed.content_hash
    assert store.attempt(trial).signoff is None
    assert store.verify() == []


@pytest.mark.parametrize("flip", ["UPDATE attempts SET signoff = NULL WHERE signoff IS NOT NULL",
                                  "UPDATE attempts SET signoff = (SELECT signoff FROM attempts WHERE signoff IS NOT "
                                  "NULL) WHERE signoff IS NULL",
                                  "UPDATE attempts SET signoff = replace(signoff, 'LCSW', 'LICSW') WHERE signoff IS NOT NULL"])
def test_a_signoff_cannot_be_added_removed_or_changed_unnoticed(store: SQLiteStore, raw_sql: Callable[..., int],
                                                                signed: tuple[AnalysedScenario, ...],
                                                                example: AnalysedScenario, catalog: Catalog,
                                                                flip: str) -> None:
    play(store, signed[0], catalog, "ann", EXPERT, mode="assessment")
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    assert raw_sql(flip) == 1
    problems = store.verify()
    assert problems and all(p.kind == "edited" for p in problems)
    assert "clinical sign-off" in problems[0].message


def test_a_schema_1_store_migrates_and_its_attempts_read_as_trials(tmp_path: Path, catalog: Catalog) -> None:
    copy = tmp_path / "v1.db"
    shutil.copyfile(PRE_LEDGER, copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    with SQLiteStore(copy) as store:
        assert store.verify() == []
        attempts = store.attempts()
        assert attempts and all(a.signoff is None for a in attempts)
        assessed = [a for a in attempts if a.mode == "assessment" and a.status == "completed"]
        assert assessed
        report = trainee_report(store, assessed[0].trainee_id, catalog=catalog)
        assert {s.evidence for s in report.attempts if s.attempt.mode == "assessment"} == {"trial"}
        assert report.counted == 0
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
        assert "signoff" in [r[1] for r in conn.execute("PRAGMA table_info(attempts)")]


# --- the views ------------------------------------------------------------------------


@pytest.fixture
def mixed(store: SQLiteStore, signed: tuple[AnalysedScenario, ...], example: AnalysedScenario,
          catalog: Catalog) -> SQLiteStore:
    """Ann: one counted assessment, a practice run and a trial; Bo: counted assessments on two scenarios."""
    store.upsert_trainee("ann", "Ann Lee", "fall")
    store.upsert_trainee("bo", "Bo Chen", "fall")
    play(store, signed[0], catalog, "ann", SECRECY, mode="assessment")
    play(store, signed[0], catalog, "ann", EXPERT)
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    play(store, signed[0], catalog, "bo", SECRECY, mode="assessment")
    play(store, signed[1], catalog, "bo", EXPERT, mode="assessment")
    return store


def test_report_trainee_says_insufficient_evidence_and_labels_practice_and_trials(mixed: SQLiteStore,
                                                                                  catalog: Catalog) -> None:
    report = trainee_report(mixed, "ann", catalog=catalog)
    assert [s.evidence for s in report.attempts] == ["assessment", "practice", "trial"]
    assert (report.counted, report.counted_passed, report.passed) == (1, 0, 2)
    c1 = next(t for t in report.competencies if t.id == "EPAS22-C1").evidence
    assert (c1.measures, c1.rating, c1.practice, c1.trial) == (1, None, (5,), (5,))
    text = trainee_text(report)
    assert "EPAS22-C1  Ethical and professional behavior" in text
    assert "insufficient evidence (n=1)" in text and "practice: 5" in text and "trial: 5" in text
    for label in ("trial", "practice"):
        assert re.search(rf"  {label} +\d+ s\n +score: 100% of the expert's points: passed", text), label


def test_two_scenarios_give_a_rating_in_the_report_and_the_roster(mixed: SQLiteStore, catalog: Catalog) -> None:
    bo = trainee_report(mixed, "bo", catalog=catalog)
    c1 = next(t for t in bo.competencies if t.id == "EPAS22-C1").evidence
    assert (c1.measures, c1.scenarios, c1.rating) == (2, 2, 3.0)  # (1 after the secrecy promise + 5) / 2
    assert "3.0 (n=2, 2 scenarios)" in trainee_text(bo)
    roster = {r.trainee.id: r for r in cohort_report(mixed, "fall", catalog=catalog).roster}
    assert roster["bo"].ratings["EPAS22-C1"].rating == 3.0 and roster["bo"].passed == 1
    assert roster["ann"].ratings["EPAS22-C1"].summary == "insufficient evidence (n=1)" and roster["ann"].passed == 0
    text = cohort_text(cohort_report(mixed, "fall", catalog=catalog))
    assert "  3.0" in text and "  n=1" in text


def test_the_pdf_prints_the_evidence_and_labels_practice_and_trials(mixed: SQLiteStore, catalog: Catalog,
                                                                     tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = render_pdf(trainee_report(mixed, "ann", catalog=catalog), tmp_path / "ann.pdf", catalog=catalog)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Counted as evidence: 1 assessment attempt(s) on clinically signed-off scenarios, 0 passed",
                     "insufficient evidence (n=1)", "practice 5; trial 5", "Rating from counted evidence"):
        assert expected in text, expected
    # The attempts table: a row's date and its evidence label share a line (the title wraps).
    modes = [m.group(1) for line in text.splitlines()
             if (m := re.match(r"20\d\d-\d\d-\d\d +(assessment|practice|trial)\b", line))]
    assert modes[:3] == ["assessment", "practice", "trial"]  # later tables repeat a row's date and mode
    bo = render_pdf(trainee_report(mixed, "bo", catalog=catalog), tmp_path / "bo.pdf", catalog=catalog)
    bo_text = subprocess.run(["pdftotext", "-layout", str(bo), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "(n=2, 2 scenarios)" in bo_text and "insufficient evidence" not in bo_text.replace(
        "Practice and trial", "")


def test_the_progress_screen_charts_every_attempt_labelled_and_rates_by_the_rules(mixed: SQLiteStore,
                                                                                 catalog: Catalog) -> None:
    progress = gather_progress(mixed, "ann", catalog)
    assert [a.label for a in progress.attempts] == ["example-check-in (assessment)", "example-check-in (practice)",
                                                    "example-check-in (trial)"]
    c1 = next(s for s in progress.series if s.id == "EPAS22-C1")
    assert c1.ratings == (1, 5, 5)
    chart = chart_content(c1, [a.label for a in progress.attempts]).plain
    assert "Rating: insufficient evidence (n=1)" in chart
    assert "2 example-check-in (practice)" in chart and "3 example-check-in (trial)" in chart


def test_xapi_claims_competency_only_for_counted_attempts(mixed: SQLiteStore) -> None:
    by_attempt: dict[str, list[dict[str, object]]] = {}
    for statement in statements(mixed, trainee_id="ann"):
        by_attempt.setdefault(statement["context"]["registration"], []).append(statement)  # type: ignore[index]
    kinds = {}
    for registration, group in by_attempt.items():
        evidence = {s["context"]["extensions"]["https://casesim.invalid/xapi/extensions/evidence"]  # type: ignore[index]
                    for s in group}
        assert len(evidence) == 1
        [kind] = evidence
        kinds[registration] = kind
        verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in group]  # type: ignore[index]
        ratings = [s for s in group if "https://casesim.invalid/xapi/extensions/competency-ratings"
                   in str(s.get("result", {}))]
        signoff = [s for s in group
                   if "https://casesim.invalid/xapi/extensions/sign-off" in s["context"]["extensions"]]  # type: ignore[index]
        if kind == "assessment":
            assert "failed" in verbs and ratings and len(signoff) == len(group)
        else:
            assert "passed" not in verbs and "failed" not in verbs and not ratings and not signoff
            assert "completed" in verbs and "terminated" in verbs
    assert sorted(kinds.values()) == ["assessment", "practice", "trial"]
