"""Assignments, roles and the audit log in the store (issue 14 items 3 and 5): an attempt is tied
to its assignment in its hashed header, reports count by the assignment's rule, and the audit
chain is part of the store head and verified. On both backends (``open_records``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import StoreError
from casesim.records.api import AuditEntry, NewAssignment, RecordStore
from casesim.records.reports import cohort_report, trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play, signed_example


class Clock:
    """The store's time of day, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


Opener = Callable[..., RecordStore]
Sql = Callable[..., int]


def _assign(store: RecordStore, loaded: AnalysedScenario, **kw: object) -> str:
    new = NewAssignment(cohort=str(kw.pop("cohort", "c1")), scenario_id=loaded.scenario.id,
                        scenario_version=loaded.scenario.version, content_hash=str(kw.pop("content_hash",
                                                                                           loaded.content_hash)),
                        mode="assessment", **kw)  # type: ignore[arg-type]
    return store.add_assignment(new, by="prof").id


@pytest.fixture
def signed(tmp_path: Path, catalog: Catalog) -> AnalysedScenario:
    return signed_example(tmp_path, catalog)


def test_an_attempt_is_stamped_with_its_assignment_and_counted_by_the_rule(open_records: Opener, catalog: Catalog,
                                                                           signed: AnalysedScenario) -> None:
    clock = Clock()
    with open_records(clock=clock) as store:
        store.upsert_trainee("ann", "Ann", "c1")
        aid = _assign(store, signed, closes_at="2026-12-08T09:00:00.000000Z", attempt_limit=2, counting="best")
        check = store.assignment_for("ann", signed.scenario.id, signed.content_hash, "assessment")
        assert check.assignment is not None and check.assignment.id == aid and check.reason is None
        weak = play(store, signed, catalog, "ann", LOST, mode="assessment")
        strong = play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        beyond = play(store, signed, catalog, "ann", EXPERT, mode="assessment")  # a third: over the limit
        assert store.attempt(weak).assignment == aid and store.attempt(strong).assignment == aid
        assert store.attempt(beyond).assignment is None
        after = store.assignment_for("ann", signed.scenario.id, signed.content_hash, "assessment")
        assert after.assignment is None and after.reason is not None and "all 2 attempt(s)" in after.reason
        report = trainee_report(store, "ann", catalog=catalog)
        kinds = {s.attempt.id: (s.evidence, s.reason) for s in report.attempts}
        assert kinds[strong][0] == "assessment" and "best-scored attempt of 2" in (kinds[strong][1] or "")
        assert kinds[weak][0] == "uncounted" and "counts the best-scored attempt" in (kinds[weak][1] or "")
        assert kinds[beyond][0] == "practice" and "all 2 attempt(s)" in (kinds[beyond][1] or "")
        assert report.counted == 1
        assert store.verify() == []


@pytest.mark.parametrize(("rule", "counted"), [("first", 0), ("latest", 1), ("best", 1)])
def test_each_counting_rule_picks_its_attempt(open_records: Opener, catalog: Catalog, signed: AnalysedScenario,
                                              rule: str, counted: int) -> None:
    with open_records() as store:
        store.upsert_trainee("bo", "Bo", "c1")
        _assign(store, signed, counting=rule)
        ids = [play(store, signed, catalog, "bo", path, mode="assessment") for path in (LOST, EXPERT)]
        report = cohort_report(store, "c1", catalog=catalog)
        kinds = {s.attempt.id: s.evidence for s in trainee_report(store, "bo", catalog=catalog).attempts}
        assert [kinds[i] for i in ids] == ["uncounted" if n != counted else "assessment" for n in range(2)]
        row = report.roster[0]
        assert row.passed == (1 if counted == 1 else 0)  # LOST fails, EXPERT passes


def test_outside_the_window_or_on_another_version_an_assessment_is_practice(
        open_records: Opener, catalog: Catalog, signed: AnalysedScenario) -> None:
    clock = Clock()
    with open_records(clock=clock) as store:
        store.upsert_trainee("cy", "Cy", "c1")
        _assign(store, signed, opens_at="2026-12-02T09:00:00.000000Z", closes_at="2026-12-03T09:00:00.000000Z")
        early = play(store, signed, catalog, "cy", EXPERT, mode="assessment")
        clock.now += timedelta(days=3)
        late = play(store, signed, catalog, "cy", EXPERT, mode="assessment")
        standing = {s.attempt.id: s for s in trainee_report(store, "cy", catalog=catalog).attempts}
        assert standing[early].evidence == "practice" and "opens at 2026-12-02 09:00 UTC" in (standing[early].reason or "")
        assert standing[late].evidence == "practice" and "closed at 2026-12-03 09:00 UTC" in (standing[late].reason or "")
    with open_records(clock=clock) as store:
        store.upsert_trainee("cy", "Cy", "c2")
        _assign(store, signed, cohort="c2", content_hash="0" * 64)
        other = play(store, signed, catalog, "cy", EXPERT, mode="assessment")
        s = trainee_report(store, "cy", catalog=catalog).attempts[-1]
        assert s.attempt.id == other and s.evidence == "practice" and "another version" in (s.reason or "")


def test_a_cohort_without_assignments_keeps_the_plain_rules(open_records: Opener, catalog: Catalog,
                                                            signed: AnalysedScenario) -> None:
    with open_records() as store:
        store.upsert_trainee("dee", "Dee", "c2")
        _assign(store, signed, cohort="c1")  # another cohort is governed, c2 is not
        attempt = play(store, signed, catalog, "dee", EXPERT, mode="assessment")
        check = store.assignment_for("dee", signed.scenario.id, signed.content_hash, "assessment")
        assert check.assignment is None and check.reason is None
        s = trainee_report(store, "dee", catalog=catalog).attempts[0]
        assert s.attempt.id == attempt and s.evidence == "assessment" and s.reason is None


def test_the_stamp_is_in_the_hashed_header(open_records: Opener, raw_sql: Sql, catalog: Catalog,
                                           signed: AnalysedScenario) -> None:
    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        _assign(store, signed)
        attempt = play(store, signed, catalog, "ann", EXPERT, mode="assessment")
    assert raw_sql("UPDATE attempts SET assignment = NULL WHERE id = ?", (attempt,)) == 1
    with open_records() as store:
        assert any(p.kind == "edited" and p.attempt_id == attempt for p in store.verify())


def test_every_audit_entry_moves_the_store_head_and_verify_catches_edits(open_records: Opener,
                                                                         raw_sql: Sql) -> None:
    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        empty = store.store_head()
        first = store.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",), purpose="review"))
        one = store.store_head()
        store.record_audit(AuditEntry(actor="prof", action="export", cohort="c1", trainees=("ann", "ann")))
        two = store.store_head()
        assert len({empty, one, two}) == 3 and first.seq == 1
        assert store.store_heads_since(one) == 1 and store.store_heads_since(empty) == 2
        assert store.store_heads_since(two) == 0 and store.store_heads_since("f" * 64) is None
        assert [e.trainees for e in store.audit_log(trainee_id="ann")] == [("ann",), ("ann",)]
        assert store.verify() == []
    assert raw_sql("UPDATE audit SET purpose = 'nothing to see' WHERE seq = 1") == 1
    with open_records() as store:
        problems = store.verify()
        assert [p.message for p in problems] == ["audit log: entry 1 was edited: its hash does not match who, what, "
                                                 "whose records, when or why"]
        assert store.store_head() == two  # the head is over the stored hashes: verify names the edit
    raw_sql("UPDATE audit SET purpose = 'review' WHERE seq = 1")
    assert raw_sql("DELETE FROM audit WHERE seq = 2") == 1
    with open_records() as store:
        assert [p.kind for p in store.verify()] == ["deleted"]


def test_roles_and_assignments_are_checked_against_the_audit_log(open_records: Opener, raw_sql: Sql,
                                                                 signed: AnalysedScenario) -> None:
    with open_records() as store:
        with pytest.raises(StoreError, match="first role granted"):
            store.grant_role("prof", "instructor", "c1", by="root")
        store.grant_role("root", "administrator", None, by="root")
        store.grant_role("prof", "instructor", "c1", by="root")
        aid = _assign(store, signed)
        assert store.verify() == []
        assert [e.action for e in store.audit_log()] == ["grant", "grant", "assign"]
    raw_sql("INSERT INTO roles VALUES ('eve', 'administrator', '', 'root', '2026-12-01T00:00:00.000000Z')")
    assert raw_sql("UPDATE assignments SET counting = 'latest' WHERE id = ?", (aid,)) == 1
    with open_records() as store:
        messages = [p.message for p in store.verify()]
        assert any("eve as administrator was granted outside casesim" in m for m in messages)
        assert any(f"assignment {aid} was edited" in m for m in messages)


def test_a_rekey_re_links_the_audit_chain(tmp_path: Path) -> None:  # the file's: PostgreSQL is not rekeyed
    with SQLiteStore(tmp_path / "r.db") as store:
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("ann",)))
        store.rekey(b"k" * 40)
        assert store.verify() == []
        assert len(store.audit_log()) == 1


def test_the_trainees_own_progress_view_counts_as_the_reports_do(open_records: Opener, catalog: Catalog,
                                                                signed: AnalysedScenario) -> None:
    from casesim.play.progress import gather_progress

    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        _assign(store, signed, counting="first")
        play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        progress = gather_progress(store, "ann", catalog)
        assert [a.evidence for a in progress.attempts] == ["assessment", "uncounted"]
        assert all(s.evidence.measures <= 1 for s in progress.series)  # one counted attempt, not two


def test_the_pdf_says_which_assessment_counts_and_why_the_others_do_not(tmp_path: Path, open_records: Opener,
                                                                        catalog: Catalog,
                                                                        signed: AnalysedScenario) -> None:
    from casesim.records.export.pdf import render_pdf
    from support.pdf import pdf_text

    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        _assign(store, signed, attempt_limit=1)
        play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        play(store, signed, catalog, "ann", EXPERT, mode="assessment")  # beyond the limit: practice
        report = trainee_report(store, "ann", catalog=catalog)
    out = tmp_path / "ann.pdf"
    render_pdf(report, out, catalog=catalog, problems=[], chain_head=None)
    text = " ".join(pdf_text(out).split())
    assert "How each assessment counts (assignments)" in text
    assert "counts as practice: you have used all 1 attempt(s)" in text
    assert "the best-scored attempt of 1" in text


def test_the_csv_and_jsonl_exports_give_the_evidence_the_reports_give(open_records: Opener, catalog: Catalog,
                                                                     signed: AnalysedScenario) -> None:
    import csv
    import io
    import json

    from casesim.records.export.csv import write_csv
    from casesim.records.export.jsonl import write_jsonl
    from casesim.records.export.selection import Selection

    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        _assign(store, signed, counting="latest")
        first = play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        latest = play(store, signed, catalog, "ann", EXPERT, mode="assessment")
        out = io.StringIO()
        # only the first attempt selected: the rule still sees the later one
        write_csv(store, out, "attempts", selection=Selection("ann", None, None, None, store.attempt(latest).started_at))
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert [(r["attempt_id"], r["evidence"]) for r in rows] == [(first, "uncounted")]
        out = io.StringIO()
        write_jsonl(store, out, selection=Selection("ann"))
        kinds = {r["attempt"]["id"]: r["attempt"]["evidence"] for r in map(json.loads, out.getvalue().splitlines())}
        assert kinds == {first: "uncounted", latest: "assessment"}


def test_reordered_deleted_or_added_audit_entries_are_named_by_number(open_records: Opener, raw_sql: Sql) -> None:
    with open_records() as store:
        for n in range(4):
            store.record_audit(AuditEntry(actor="prof", action="report", trainees=(f"t{n}",)))
        head = store.store_head()
        assert store.verify() == []
    # two entries swapped (their numbers and places exchanged)
    for sql in ("UPDATE audit SET seq = -1 WHERE seq = 2", "UPDATE audit SET seq = 2 WHERE seq = 3",
                "UPDATE audit SET seq = 3 WHERE seq = -1"):
        assert raw_sql(sql) == 1
    with open_records() as store:
        problems = store.verify()
        assert {p.kind for p in problems} == {"reordered"}
        assert any("entry 2" in p.message for p in problems)
        assert store.store_head() == head  # the head is over meta's audit head: verify names the swap
    for sql in ("UPDATE audit SET seq = -1 WHERE seq = 2", "UPDATE audit SET seq = 2 WHERE seq = 3",
                "UPDATE audit SET seq = 3 WHERE seq = -1"):
        raw_sql(sql)
    # one from the middle deleted
    assert raw_sql("DELETE FROM audit WHERE seq = 2") == 1
    with open_records() as store:
        assert [p.message for p in store.verify()] == ["audit log: entry 2 was deleted (the numbers skip it)"]
    # an entry added after the head, outside casesim
    raw_sql("INSERT INTO audit(seq, at, actor, action, trainees, attempts, hash) "
            "VALUES (5, '2026-12-01T00:00:00.000000Z', 'eve', 'report', '[]', '[]', 'x')")
    with open_records() as store:
        kinds = [p.kind for p in store.verify()]
        assert "added" in kinds and "deleted" in kinds


def test_a_withdrawal_half_written_by_hand_is_caught(open_records: Opener, raw_sql: Sql,
                                                     signed: AnalysedScenario) -> None:
    with open_records() as store:
        aid = _assign(store, signed)
    assert raw_sql("UPDATE assignments SET removed_by = 'eve' WHERE id = ?", (aid,)) == 1
    with open_records() as store:
        assert [p.message for p in store.verify()] == [
            f"assignment {aid}: its withdrawal was added or edited outside casesim (it differs from the audit log)"]


def test_the_audit_log_of_one_trainee_finds_them_by_exact_id(open_records: Opener) -> None:
    with open_records() as store:
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("zoë", "ann")))
        store.record_audit(AuditEntry(actor="prof", action="report", trainees=("zoë-2",)))
        store.record_audit(AuditEntry(actor="prof", action="export", cohort="c1", detail={"everyone": True}))
        assert [e.seq for e in store.audit_log(trainee_id="zoë")] == [1]
        assert [e.seq for e in store.audit_log(trainee_id="zoë-2")] == [2]
        assert [e.seq for e in store.audit_log(trainee_id="zo")] == []
        assert store.audit_log()[2].detail == {"everyone": True} and store.audit_log()[0].detail is None
