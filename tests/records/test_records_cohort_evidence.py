"""Evidence a program can file (issue 13 item 5; program review F6 and F7): the cohort is stamped
into each attempt's hashed header, leaving is "left (no penalty)", and the item analysis counts
an option only where it was offered and ranks the class's departures from the expert."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import RecordStore
from casesim.records.export.csv import write_csv
from casesim.records.export.pdf import render_pdf
from casesim.records.render import attempt_result, cohort_text
from casesim.records.reports import cohort_report, trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import open_choices, replay
from support.pdf import pdf_text
from support.program_schema import drop_program_schema
from support.records import EXPERT, LOST, SECRECY, play


def test_moving_a_student_does_not_rewrite_past_cohort_reports(open_records: Callable[..., RecordStore],
                                                                raw_sql: Callable[..., int], catalog: Catalog,
                                                                example: AnalysedScenario) -> None:
    with open_records() as store:
        store.upsert_trainee("o3001", "Olu", "msw-online-2026")
        store.upsert_trainee("o3002", "Pat", "msw-online-2026")
        first = play(store, example, catalog, "o3001", EXPERT, mode="assessment")
        play(store, example, catalog, "o3002", EXPERT)
        before = [a.id for a in store.attempts(cohort="msw-online-2026")]
        store.upsert_trainee("o3001", "Olu", "MSW Süd Campus 2027")  # the student moves on
        later = play(store, example, catalog, "o3001", EXPERT)
        assert [a.id for a in store.attempts(cohort="msw-online-2026")] == before
        assert [a.id for a in store.attempts(cohort="MSW Süd Campus 2027")] == [later]
        assert store.attempt(first).cohort == "msw-online-2026"
        report = cohort_report(store, "msw-online-2026", library={example.scenario.id: example}, catalog=catalog)
        assert {r.trainee.id for r in report.roster} == {"o3001", "o3002"}
        assert set(store.cohorts()) == {"msw-online-2026", "MSW Süd Campus 2027"}
        assert store.verify() == []
    # The stamp is in the attempt hash: moving it by hand shows.
    assert raw_sql("UPDATE attempts SET cohort = 'MSW Süd Campus 2027' WHERE id = ?", (first,)) == 1
    with open_records(readonly=True) as store:
        problems = store.verify()
    assert any(p.attempt_id == first and p.kind == "edited" for p in problems)


def test_a_schema_5_store_gains_stamps_for_new_attempts_and_says_since_when(tmp_path: Path, catalog: Catalog,
                                                                             example: AnalysedScenario) -> None:
    db = tmp_path / "v5.db"
    with SQLiteStore(db) as store:
        store.upsert_trainee("ann", "Ann", None)
        old = play(store, example, catalog, "ann", EXPERT)
        store.upsert_trainee("ann", "Ann", "c1")
    with sqlite3.connect(db, isolation_level=None) as conn:  # what a schema 5 store was
        conn.execute("PRAGMA journal_mode = DELETE")
        drop_program_schema(conn)
        conn.execute("DROP INDEX attempts_by_cohort")
        conn.execute("ALTER TABLE attempts DROP COLUMN cohort")
        conn.execute("ALTER TABLE attempts DROP COLUMN imported")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        conn.execute("PRAGMA user_version = 5")
    with SQLiteStore(db) as store:
        info = store.chain_info()
        assert info["cohort_unstamped_attempts"] == "1" and info["cohort_stamped_since"].startswith("20")
        new = play(store, example, catalog, "ann", EXPERT)
        assert store.attempt(old).cohort is None and store.attempt(new).cohort == "c1"
        assert {a.id for a in store.attempts(cohort="c1")} == {old, new}  # the unstamped one: current cohort
        assert store.verify() == []


def test_leaving_is_left_without_penalty_never_abandoned_nor_on_the_pdf(tmp_path: Path, catalog: Catalog,
                                                                         example: AnalysedScenario,
                                                                         open_records: Callable[..., RecordStore]) -> None:
    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        play(store, example, catalog, "ann", EXPERT, mode="assessment")
        left = play(store, example, catalog, "ann", LOST[:2])  # leaves midway
        older = store.start_attempt(trainee_id="ann", scenario_id=example.scenario.id, scenario_version="1",
                                    content_hash=example.content_hash, mode="practice", seed=1,
                                    start_node=example.scenario.start)
        store.finish_attempt(older, "abandoned", None)  # how casesim recorded leaving before
        assert store.attempt(left).status == "left"
        assert attempt_result(store.attempt(left)) == attempt_result(store.attempt(older)) == "left (no penalty)"
        report = trainee_report(store, "ann", catalog=catalog)
        assert (report.finished, report.left) == (1, 2)
        roster = cohort_report(store, "c1", library={example.scenario.id: example}, catalog=catalog).roster
        assert roster[0].attempts == 1  # leaving is not a try
        out = tmp_path / "ann.pdf"
        render_pdf(report, out, catalog=catalog, problems=[], chain_head=None)
        assert store.verify() == []
    text = pdf_text(out)
    assert "abandoned" not in text and "left" not in text.lower().replace("left out", "")
    assert "1 attempt(s): 1 finished" in text


def test_the_item_analysis_counts_an_option_only_where_it_was_offered(open_records: Callable[..., RecordStore], catalog: Catalog,
                                                                       example: AnalysedScenario) -> None:
    # agree-visit-with-aunt, the expert's close, is open only with rapport >= 6: the lost path
    # reaches next-steps without it.
    lost = replay(example.program, LOST)
    at_next = next(state for state, step in lost.taken if state.node == "next-steps")
    assert "agree-visit-with-aunt" not in {s.id for s in open_choices(example.program, at_next)}
    with open_records() as store:
        for trainee in ("a", "b", "c"):
            store.upsert_trainee(trainee, trainee, "c1")
        play(store, example, catalog, "a", EXPERT)
        play(store, example, catalog, "b", LOST)
        play(store, example, catalog, "c", LOST)
        report = cohort_report(store, "c1", library={example.scenario.id: example}, catalog=catalog)
    node = next(n for n in report.items[0].nodes if n.node == "next-steps")
    agree = next(o for o in node.options if o.choice == "agree-visit-with-aunt")
    assert (agree.count, round(agree.share, 2)) == (1, 0.33)  # of every decision at the node: misleading
    assert (agree.offered, agree.chosen_when_offered, agree.offered_share) == (1, 1, 1.0)  # of those offered
    assert all(d.node != "next-steps" for d in report.departures)  # not offered: not a departure
    text = cohort_text(report)
    assert "offered 1 / chosen 1 (100% of those offered it)" in text


def test_the_class_most_common_departures_from_the_expert_are_ranked(open_records: Callable[..., RecordStore], catalog: Catalog,
                                                                      example: AnalysedScenario) -> None:
    with open_records() as store:
        for trainee in ("a", "b", "c", "d"):
            store.upsert_trainee(trainee, trainee, "c1")
        play(store, example, catalog, "a", EXPERT)
        for trainee in ("b", "c", "d"):
            play(store, example, catalog, trainee, SECRECY)
        play(store, example, catalog, "d", LOST)
        report = cohort_report(store, "c1", library={example.scenario.id: example}, catalog=catalog)
    first = report.departures[0]
    assert (first.node, first.expert, first.departed, first.offered, first.trainees) == \
        ("role-and-limits", "explain-role-and-limits", 4, 5, 3)
    assert first.instead == (("promise-total-secrecy", 3), ("skip-to-housing", 1))
    assert [d.departed for d in report.departures] == sorted((d.departed for d in report.departures), reverse=True)
    assert "4 of 5 (80%) at example-check-in / role-and-limits, by 3 trainee(s)" in cohort_text(report)


def test_decisions_csv_has_one_row_per_decision_with_what_was_offered(open_records: Callable[..., RecordStore], catalog: Catalog,
                                                                      example: AnalysedScenario) -> None:
    import csv
    import io

    with open_records() as store:
        store.upsert_trainee("a", "A", "c1")
        attempt = play(store, example, catalog, "a", ["introduce-and-ask-time", "undo", *SECRECY])
        out = io.StringIO()
        count = write_csv(store, out, "decisions", library={example.scenario.id: example})
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == len(SECRECY)  # the undone choice is not a decision
    second = rows[1]
    assert (second["attempt_id"], second["cohort"], second["node"], second["choice"]) == \
        (attempt, "c1", "role-and-limits", "promise-total-secrecy")
    assert second["expert_choice"] == "explain-role-and-limits" and second["matches_expert"] == "false"
    assert "explain-role-and-limits" in second["offered"].split(";")
    assert float(second["seconds"]) >= 0
