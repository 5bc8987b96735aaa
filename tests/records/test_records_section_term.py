"""A cohort's section and term (issue 13 item 5): set with ``records cohort``, stamped into each
new attempt's hashed header with the cohort, shown in reports, CSV and the PDF; moving a student
or changing a term later never rewrites a past attempt. On both backends."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli.main import cli
from casesim.records.api import RecordStore
from casesim.records.export.csv import write_csv
from casesim.records.export.pdf import PdfOptions, render_pdf
from casesim.records.render import cohort_text, report_json
from casesim.records.reports import cohort_report, trainee_report
from casesim.scoring.catalog import Catalog
from support.backends import administer
from support.pdf import pdf_text
from support.records import EXPERT, play

Opener = Callable[..., RecordStore]


def test_attempts_keep_the_section_and_term_they_began_under(tmp_path: Path, open_records: Opener,
                                                             raw_sql: Callable[..., int], catalog: Catalog,
                                                             example: AnalysedScenario) -> None:
    library = {example.scenario.id: example}
    with open_records() as store:
        store.set_cohort_details("msw-2026", section="02", term="Fall 2026", set_by="Dr Rivera")
        store.set_cohort_details("msw-2027", section="01", term="Spring 2027", set_by="Dr Rivera")
        store.upsert_trainee("o1", "Olu", "msw-2026")
        store.upsert_trainee("o2", "Pat", "msw-2026")
        first = play(store, example, catalog, "o1", EXPERT)
        play(store, example, catalog, "o2", EXPERT)
        assert (store.attempt(first).section, store.attempt(first).term) == ("02", "Fall 2026")

        # the term is renamed and the student moves on: the first attempt keeps its stamps
        store.set_cohort_details("msw-2026", section="02", term="Fall 2026 (extended)", set_by="Dr Rivera")
        store.upsert_trainee("o1", "Olu", "msw-2027")
        later = play(store, example, catalog, "o1", EXPERT)
        assert (store.attempt(first).cohort, store.attempt(first).section, store.attempt(first).term) == \
            ("msw-2026", "02", "Fall 2026")
        assert (store.attempt(later).cohort, store.attempt(later).section, store.attempt(later).term) == \
            ("msw-2027", "01", "Spring 2027")
        assert store.verify() == []

        report = cohort_report(store, "msw-2026", library=library, catalog=catalog)
        assert (report.section, report.term) == ("02", "Fall 2026 (extended)")
        assert report.stamped == (("02", "Fall 2026", 2),)
        text = cohort_text(report)
        assert "Cohort msw-2026 (section 02, term Fall 2026 (extended))" in text
        assert "section 02, term Fall 2026 (2 attempt(s))" in text
        assert list(map(list, report_json(report)["stamped"])) == [["02", "Fall 2026", 2]]

        out = io.StringIO()
        write_csv(store, out, "attempts")
        rows = {r["attempt_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
        assert (rows[first]["cohort"], rows[first]["section"], rows[first]["term"]) == ("msw-2026", "02", "Fall 2026")
        assert (rows[later]["section"], rows[later]["term"]) == ("01", "Spring 2027")
        assert rows[first]["current_cohort"] == "msw-2027"

        pdf = tmp_path / "o1.pdf"
        render_pdf(trainee_report(store, "o1", catalog=catalog, library=library), pdf, catalog=catalog,
                   options=PdfOptions(system_fonts=False))
        shown = " ".join(pdf_text(pdf).split())
        assert "Fall 2026; Spring 2027" in shown
        assert "msw-2026, section 02;" in shown and "msw-2027, section 01" in shown

    # the stamps are in the attempt hash: rewriting one by hand shows
    assert raw_sql("UPDATE attempts SET term = 'Spring 2027' WHERE id = ?", (first,)) == 1
    with open_records(readonly=True) as store:
        problems = store.verify()
    assert any(p.attempt_id == first and p.kind == "edited" for p in problems)


def test_a_cohort_without_a_section_or_term_stamps_nothing_and_keeps_old_hashes(
        open_records: Opener, catalog: Catalog, example: AnalysedScenario) -> None:
    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "c1")
        attempt = play(store, example, catalog, "ann", EXPERT)
        row = store.attempt(attempt)
        assert (row.section, row.term) == (None, None)
        assert store.chain_record(attempt)["section"] is None
        assert store.verify() == []


def test_the_records_cohort_command(open_records: Opener, records_db: Any,
                                    sql_rows: Callable[..., list[tuple[Any, ...]]], backend: str, catalog: Catalog,
                                    example: AnalysedScenario) -> None:
    runner = CliRunner()
    base = ["--db", str(records_db)]
    with open_records() as store:
        store.upsert_trainee("ann", "Ann", "MSW A")
        administer(store)
    shown = runner.invoke(cli, ["records", "cohort", "MSW A", *base])
    assert shown.exit_code == 0, shown.output
    assert "MSW A: no section or term set" in shown.output
    result = runner.invoke(cli, ["records", "cohort", "MSW A", "--section", "02", "--term", "Fall  2026",
                                 "--by", "Dr Rivera", *base])
    assert result.exit_code == 0, result.output
    assert "MSW A: section 02, term Fall 2026 (set by Dr Rivera" in result.output
    only_term = runner.invoke(cli, ["records", "cohort", "MSW A", "--term", "Spring 2027", *base])
    assert "section 02, term Spring 2027" in only_term.output, "setting the term keeps the section"
    with open_records() as store:
        attempt = play(store, example, catalog, "ann", EXPERT)
        assert (store.attempt(attempt).section, store.attempt(attempt).term) == ("02", "Spring 2027")
    if backend == "sqlite":
        from casesim.records.sqlite.schema import SCHEMA_VERSION
    else:
        from casesim.records.postgres.schema import SCHEMA_VERSION
    assert sql_rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    cleared = runner.invoke(cli, ["records", "cohort", "MSW A", "--clear", *base])
    assert cleared.exit_code == 0 and "no section or term set" in cleared.output
    bad = runner.invoke(cli, ["records", "cohort", "MSW A", "--term", "Fall\x1b]52;c;cm0gLXJmIH4=\x07", *base])
    assert bad.exit_code == 2
    assert "\x1b" not in bad.output
    both = runner.invoke(cli, ["records", "cohort", "MSW A", "--clear", "--term", "x", *base])
    assert both.exit_code == 2
