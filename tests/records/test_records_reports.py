"""Reports: a trainee over time, a cohort by competency, and what the class chose at each decision."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.authoring.report_view import report_view
from casesim.errors import NotFoundError
from casesim.play.progress import gather_progress
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records.api import EventKind, EventRow, effective_path, effective_steps
from casesim.records.render import cohort_text, report_json, trainee_text
from casesim.records.reports import cohort_report, trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play, random_step


@pytest.fixture
def cohort_store(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> SQLiteStore:
    store.upsert_trainee("ann", "Ann Lee", "fall")
    store.upsert_trainee("bo", "Bo Chen", "fall")
    store.upsert_trainee("cy", "Cy Diaz", "fall")
    store.upsert_trainee("dee", "Dee Other", "spring")
    play(store, example, catalog, "ann", SECRECY, mode="assessment")
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    play(store, example, catalog, "bo", LOST)
    play(store, example, catalog, "cy", EXPERT[:2] + ["cheer-up", "undo", "reflect-tiredness"], finish=False)
    play(store, example, catalog, "dee", EXPERT)
    return store


def test_trainee_report_lists_attempts_and_ratings_over_time(cohort_store: SQLiteStore, catalog: Catalog,
                                                              example: AnalysedScenario) -> None:
    report = trainee_report(cohort_store, "ann", catalog=catalog, library={"example-check-in": example})
    assert [s.attempt.passed for s in report.attempts] == [False, True]
    assert report.attempts[0].critical and report.attempts[1].ending == "engaged"
    c1 = next(t for t in report.competencies if t.id == "EPAS22-C1")
    assert c1.title == "Ethical and professional behavior"
    assert [p.rating for p in c1.rated] == [1, 5]
    # The bundled example is a draft: its assessment attempts are trials, shown and never counted.
    assert [s.evidence for s in report.attempts] == ["trial", "trial"]
    assert (c1.evidence.trial, c1.evidence.measures, c1.evidence.rating) == ((1, 5), 0, None)
    text = trainee_text(report)
    assert "Ann Lee (ann), cohort fall" in text and "trial: 1 5" in text
    assert "critical: Confidentiality promised beyond the law: Promised" in text
    assert "insufficient evidence (n=0)" in text and "Evidence: 0 assessment attempt(s)" in text
    assert report_json(report)["competencies"][0]["evidence"]["summary"] == "insufficient evidence (n=0)"


def test_trainee_report_of_an_unknown_trainee_is_a_clear_error(store: SQLiteStore) -> None:
    with pytest.raises(NotFoundError, match="no trainee"):
        trainee_report(store, "ghost")


def test_progress_is_ratings_over_time_per_competency(cohort_store: SQLiteStore, catalog: Catalog) -> None:
    progress = gather_progress(cohort_store, "ann", catalog)
    assert [a.scenario_id for a in progress.attempts] == ["example-check-in"] * 2
    series = {s.id: s for s in progress.series}
    assert series["EPAS22-C1"].ratings == (1, 5) and series["EPAS22-C1"].latest == 5
    assert [a.label for a in progress.attempts] == ["example-check-in (trial)"] * 2
    assert series["EPAS22-C1"].evidence.summary() == "insufficient evidence (n=0)"
    nothing_finished = gather_progress(cohort_store, "cy", catalog)
    assert nothing_finished.attempts == () and all(s.ratings == () for s in nothing_finished.series)


def test_cohort_roster_counts_no_trial_towards_passes_or_ratings(cohort_store: SQLiteStore, catalog: Catalog,
                                                                 example: AnalysedScenario) -> None:
    report = cohort_report(cohort_store, "fall", library={"example-check-in": example}, catalog=catalog)
    assert [r.trainee.id for r in report.roster] == ["ann", "bo", "cy"]
    ann = report.roster[0]
    assert (ann.attempts, ann.passed, ann.ratings["EPAS22-C1"].rating, ann.ratings["EPAS22-C1"].measures) == \
        (2, 0, None, 0)
    assert report.roster[2].ratings["EPAS22-C1"].rating is None
    assert "n=0" in cohort_text(report)
    assert ("EPAS22-C1", "Ethical and professional behavior") in report.competencies


def test_item_analysis_counts_the_effective_path_beside_the_feedback(cohort_store: SQLiteStore,
                                                                      catalog: Catalog,
                                                                      example: AnalysedScenario) -> None:
    report = cohort_report(cohort_store, "fall", library={"example-check-in": example}, catalog=catalog)
    (items,) = report.items
    assert (items.attempts, items.trainees, items.other_versions) == (4, 3, 0)
    node = next(n for n in items.nodes if n.node == "how-are-you")
    options = {o.choice: o for o in node.options}
    # ann twice + cy (cheer-up was undone) took the reflection; bo let the timer run out.
    assert options["reflect-tiredness"].count == 3 and options["cheer-up"].count == 0
    assert options["timeout:how-are-you"].count == 1
    assert node.decisions == 4 and options["reflect-tiredness"].share == 0.75
    assert options["reflect-tiredness"].expert and options["reflect-tiredness"].feedback
    secrecy = next(o for n in items.nodes for o in n.options if o.choice == "promise-total-secrecy")
    assert secrecy.critical and secrecy.count == 1 and secrecy.trainees == 1
    text = cohort_text(report)
    assert "At how-are-you: 4 decision(s)" in text and "[CRITICAL]" in text and "feedback:" in text


def test_item_analysis_by_mode_and_scenario(cohort_store: SQLiteStore, example: AnalysedScenario) -> None:
    report = cohort_report(cohort_store, "fall", library={"example-check-in": example}, mode="assessment")
    assert report.items[0].attempts == 2 and {r.trainee.id for r in report.roster if r.attempts} == {"ann"}
    assert cohort_report(cohort_store, "fall", scenario_id="other").items == ()


def test_item_analysis_without_the_scenario_file_still_counts(cohort_store: SQLiteStore) -> None:
    report = cohort_report(cohort_store, "fall")
    node = next(n for n in report.items[0].nodes if n.node == "opening")
    assert {o.choice for o in node.options} == {"introduce-and-ask-time", "launch-into-questions"}
    assert all(not o.in_scenario for o in node.options)
    assert "not in the current file" in cohort_text(report)


def test_item_analysis_notes_attempts_on_another_version(cohort_store: SQLiteStore, example: AnalysedScenario) -> None:
    import dataclasses

    edited = dataclasses.replace(example, content_hash="0" * 64)
    assert cohort_report(cohort_store, "fall", library={"example-check-in": edited}).items[0].other_versions == 4


def test_a_choice_the_current_file_no_longer_has_at_a_node_is_listed_after_its_options(
        cohort_store: SQLiteStore, example: AnalysedScenario) -> None:
    """The current file renamed a choice the class took: the node lists the file's options, then
    the old choice with its count, marked as no longer in the file."""
    import dataclasses

    view = report_view(example)
    renamed = [n._replace(options=tuple(o._replace(id="introduce-self") if o.id == "introduce-and-ask-time" else o
                                        for o in n.options)) for n in view.nodes]
    edited = dataclasses.replace(view, nodes=tuple(renamed))
    node = next(n for n in cohort_report(cohort_store, "fall", library={"example-check-in": edited}).items[0].nodes
                if n.node == "opening")
    current = next(n for n in renamed if n.id == "opening").options
    assert [o.choice for o in node.options] == [*(o.id for o in current), "introduce-and-ask-time"]
    assert {(o.choice, o.count, o.in_scenario) for o in node.options if o.count} == {
        ("launch-into-questions", 1, True), ("introduce-and-ask-time", 3, False)}
    assert node.decisions == 4 and node.options[-1].share == 0.75 and node.options[0].choice == "introduce-self"


def test_undo_takes_back_the_latest_step_still_in_effect() -> None:
    def event(kind: EventKind, choice: str | None = None) -> EventRow:
        return EventRow("a", 0, kind, "t", {"node": "n", **({"choice": choice} if choice else {})})

    events = [event("undo"), event("choice", "a"), event("node-entered"), event("timer-expired", "timeout:n"),
              event("undo"), event("pause"), event("choice", "b"), event("choice", "c"), event("undo"),
              event("undo"), event("undo"), event("choice", "d")]
    assert effective_path(events) == ["d"]
    assert effective_path(events[:8]) == ["a", "b", "c"]
    assert [e.kind for e in effective_steps(events[:5])] == ["choice"]


def test_item_counts_agree_with_replaying_every_attempt_through_effective_path(
        store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> None:
    """The SQL count (attempts without an undo) and the replay (with one) together equal the one rule."""
    assert example.program is not None
    rng = random.Random(11)
    for i in range(24):
        session = Session(example.program)
        recorder = AttemptRecorder.start(store, example, session, trainee_id=f"t{i % 5}")
        while (step := random_step(session, rng)) is not None and len(session.history) < 12:
            if session.history and rng.random() < 0.25:
                session.undo()
                recorder.undo()
                continue
            session.expire_timer() if step.startswith("timeout:") else session.choose(step)
            recorder.step()
        session.close()
    expected: Counter[tuple[str, str | None, str, str]] = Counter()
    for attempt in store.attempts():
        for e in effective_steps(store.events(attempt.id)):
            expected[(attempt.scenario_id, e.payload["node"], e.payload["choice"], attempt.trainee_id)] += 1
    assert any(e.kind == "undo" for a in store.attempts() for e in store.events(a.id))
    assert {(r.scenario_id, r.node, r.choice, r.trainee_id): r.count for r in store.decision_counts()} == expected
