"""The cohort report against the straightforward computation (``support.cohort_reference``) on
seeded stores: the all-cohorts report was made several times faster (issue 13 benchmark), and
this is what shows that no figure changed on the way.

The store mixes what the report treats differently: a draft scenario (trials), two signed-off
ones (ratings with enough evidence), a second version of one file (decisions counted with
"offered" unknown), practice with undos, timers run out, attempts left midway and in progress, a
student who moves cohort, a cohort with an assignment (its counting rule and limit), and section
and term."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.authoring.report_view import report_view
from casesim.play.recorder import AttemptRecorder
from casesim.play.session import Session
from casesim.records.api import NewAssignment
from casesim.records.decisions import Replayer
from casesim.records.reports import cohort_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from support.cohort_reference import reference_cohort_report, reference_competency_points
from support.records import random_step, signed_example


def _play_random(store: SQLiteStore, loaded: AnalysedScenario, catalog: Catalog, trainee: str,
                 rng: random.Random, mode: str) -> None:
    """One attempt on a random path: practice undoes now and then; some are left, some not finished."""
    session = Session(loaded.program, mode="assessment" if mode == "assessment" else "practice")
    recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee)
    stop = rng.random()
    while (step := random_step(session, rng)) is not None:
        if stop < 0.1 and rng.random() < 0.3:
            break
        if step.startswith("timeout:"):
            session.expire_timer()
        else:
            session.choose(step)
        recorder.step()
        if session.can_undo and not session.finished and rng.random() < 0.15:
            session.undo()
            recorder.undo()
    if session.finished:
        recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path, mode=session.mode))
    elif stop < 0.05:
        recorder.leave()
    session.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog,
           example: AnalysedScenario) -> tuple[Path, dict[str, AnalysedScenario]]:
    folder = tmp_path_factory.mktemp("cohorts")
    first, second = signed_example(folder, catalog, scenario_id="check-in-a"), \
        signed_example(folder, catalog, scenario_id="check-in-b")
    (folder / "v2").mkdir()
    newer = signed_example(folder / "v2", catalog)  # example-check-in again, another content hash
    played = [example, first, second, newer]
    rng = random.Random(13)
    db = folder / "seeded.db"
    with SQLiteStore(db) as store:
        store.set_cohort_details("fall", section="SW-601 (02)", term="Fall 2026", set_by="prof")
        store.add_assignment(NewAssignment("spring", "check-in-a", first.scenario.version, first.content_hash,
                                           "assessment", attempt_limit=2, counting="best"), by="prof")
        people = {"fall": ["ann", "bo", "cy", "dee", "eve"], "spring": ["fay", "gus", "hal"], "summer": ["ida", "jo"]}
        for cohort, ids in people.items():
            for tid in ids:
                store.upsert_trainee(tid, tid.title(), cohort)
        for round_ in range(6):
            if round_ == 3:
                store.upsert_trainee("bo", "Bo", "spring")  # moves on: past attempts stay in fall
            for ids in people.values():
                for tid in ids:
                    for _ in range(rng.randint(1, 3)):
                        _play_random(store, rng.choice(played), catalog, tid, rng,
                                     rng.choice(["assessment", "assessment", "practice"]))
    # The speed check is measured by a live attempt's clock; mark some by hand (the report reads the
    # flag, and this store's chain is not what is tested here).
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE attempts SET decision_seconds = 20, reading_seconds = 300, too_fast = (n % 3 = 0) "
                     "WHERE mode = 'assessment' AND status = 'completed' AND n % 2 = 0")
    conn.close()
    return db, {"example-check-in": newer, "check-in-a": first, "check-in-b": second}


def test_the_seeded_store_has_what_the_report_treats_differently(seeded: tuple[Path, dict[str, AnalysedScenario]],
                                                                 catalog: Catalog) -> None:
    db, library = seeded
    with SQLiteStore(db, readonly=True) as store:
        attempts = store.attempts()
        assert {a.status for a in attempts} == {"completed", "left", "in-progress"}
        assert {a.mode for a in attempts} == {"assessment", "practice"}
        assert any(a.pace is not None and a.pace.too_fast for a in attempts)
        assert any(e.kind == "undo" for a in attempts for e in store.events(a.id))
        report = cohort_report(store, "fall", library=library, catalog=catalog)
        assert any(cell.rating is not None for row in report.roster for cell in row.ratings.values())
        assert any(s.other_versions for s in report.items) and report.departures and report.too_fast
        assert report.stamped and report.stamped[0][:2] == ("SW-601 (02)", "Fall 2026")
        assert any(a.assignment is not None for a in store.attempts(cohort="spring"))


@pytest.mark.parametrize("as_views", [False, True], ids=["loaded", "views"])
def test_every_cohort_report_equals_the_straightforward_one(seeded: tuple[Path, dict[str, AnalysedScenario]],
                                                            catalog: Catalog, as_views: bool) -> None:
    db, loaded = seeded
    library = {sid: report_view(s) for sid, s in loaded.items()} if as_views else loaded
    with SQLiteStore(db, readonly=True) as store:
        for cohort in store.cohorts():
            for mode in (None, "assessment", "practice"):
                for scenario_id in (None, "check-in-a", "example-check-in"):
                    fast = cohort_report(store, cohort, library=library, catalog=catalog, scenario_id=scenario_id,
                                         mode=mode)  # type: ignore[arg-type]
                    slow = reference_cohort_report(store, cohort, library=library, catalog=catalog,
                                                   scenario_id=scenario_id, mode=mode)  # type: ignore[arg-type]
                    assert fast == slow, (cohort, mode, scenario_id)


def test_a_report_without_the_scenario_files_equals_the_straightforward_one(
        seeded: tuple[Path, dict[str, AnalysedScenario]], catalog: Catalog) -> None:
    db, loaded = seeded
    with SQLiteStore(db, readonly=True) as store:
        for cohort in store.cohorts():
            partial = {"check-in-b": loaded["check-in-b"]}
            assert cohort_report(store, cohort, library=partial, catalog=catalog) == \
                reference_cohort_report(store, cohort, library=partial, catalog=catalog)
            assert cohort_report(store, cohort) == reference_cohort_report(store, cohort)


def test_competency_points_are_the_plain_join_in_time_order(seeded: tuple[Path, dict[str, AnalysedScenario]]) -> None:
    db, _ = seeded
    with SQLiteStore(db, readonly=True) as store:
        assert store.competency_points() == reference_competency_points(store)
        assert len(store.competency_points()) > 100
        for cohort in store.cohorts():
            assert store.competency_points(cohort=cohort) == reference_competency_points(store, cohort)
        for trainee in store.trainees():
            assert store.competency_points(trainee_id=trainee.id) == \
                reference_competency_points(store, trainee_id=trainee.id)


def test_reports_sharing_their_replays_equal_the_straightforward_ones(
        seeded: tuple[Path, dict[str, AnalysedScenario]], catalog: Catalog) -> None:
    """Every cohort reported with one set of replayers (what an all-cohorts report keeps), twice over."""
    db, library = seeded
    replayers: dict[str, Replayer | None] = {}
    with SQLiteStore(db, readonly=True) as store:
        for _ in range(2):
            for cohort in store.cohorts():
                for mode in (None, "practice"):
                    assert cohort_report(store, cohort, library=library, catalog=catalog, mode=mode,
                                         replayers=replayers) == \
                        reference_cohort_report(store, cohort, library=library, catalog=catalog, mode=mode)
    assert set(replayers) == set(library)
