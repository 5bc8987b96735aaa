"""Exports: CSV, JSON Lines, xAPI 1.0.3 statements and the PDF practicum summary."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.errors import StoreCorruptError
from casesim.records.export.csv import ATTEMPT_FIELDS, write_csv
from casesim.records.export.jsonl import jsonl_records, write_jsonl
from casesim.records.export.pdf import PdfOptions, render_pdf
from casesim.records.export.xapi import VERBS, iso_duration, pseudonym, statements
from casesim.records.keys import format_head
from casesim.records.reports import trainee_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.paths import XAPI_REFERENCE
from support.records import EXPERT, LOST, SECRECY, play, signed_example


@pytest.fixture
def filled(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog, tmp_path: Path) -> SQLiteStore:
    store.upsert_trainee("t-042", "=HYPERLINK(\"x\") Ann", "fall")
    # The assessment attempt is on a signed-off copy, so it counts (an unsigned one is a trial).
    play(store, signed_example(tmp_path, catalog), catalog, "t-042", SECRECY, mode="assessment")
    play(store, example, catalog, "t-042", EXPERT[:2] + ["cheer-up", "undo"] + EXPERT[2:],
         mode="practice")
    play(store, example, catalog, "t-042", LOST[:2], finish=False)
    play(store, example, catalog, "t-043", LOST)
    return store


def test_csv_per_attempt(filled: SQLiteStore) -> None:
    out = io.StringIO()
    assert write_csv(filled, out, "attempts", trainee_id="t-042") == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ATTEMPT_FIELDS
    assert [r["status"] for r in rows] == ["completed", "completed", "in-progress"]
    assert rows[0]["passed"] == "false" and rows[0]["critical_ids"] == "promise-total-secrecy; limits-before-screening"
    assert rows[1]["ending"] == "engaged" and float(rows[1]["share"]) == 1.0
    assert rows[0]["display_name"].startswith("'=")  # no formula injection into spreadsheets
    assert out.getvalue().count("\r\n") == 4


def test_csv_per_criterion_and_competency(filled: SQLiteStore) -> None:
    out = io.StringIO()
    count = write_csv(filled, out, "criteria", cohort="fall")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) > 10 and {r["trainee_id"] for r in rows} == {"t-042"}
    secrecy = next(r for r in rows if r["criterion"] == "NASW-1.01")
    assert (secrecy["raw"], secrecy["framework"]) == ("-3", "nasw-code")
    out = io.StringIO()
    write_csv(filled, out, "competencies")
    assert "EPAS22-C1" in out.getvalue()


def test_jsonl_is_one_attempt_per_line_with_events_and_debrief(filled: SQLiteStore) -> None:
    out = io.StringIO()
    assert write_jsonl(filled, out) == 4
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["debrief"]["passed"] is False and lines[0]["trainee"]["cohort"] == "fall"
    assert [e["seq"] for e in lines[1]["events"]] == list(range(1, len(lines[1]["events"]) + 1))
    assert lines[2]["debrief"] is None and lines[2]["attempt"]["status"] == "in-progress"
    assert list(jsonl_records(filled, trainee_id="t-043"))[0]["attempt"]["trainee_id"] == "t-043"


def _check_statement(s: dict[str, Any]) -> None:
    """The rules of xAPI 1.0.3 that a strict LRS checks, and the shape of the reference file."""
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", s["id"])
    assert set(s) <= {"id", "actor", "verb", "object", "result", "context", "timestamp"}
    assert s["actor"]["objectType"] == "Agent" and set(s["actor"]["account"]) == {"homePage", "name"}
    assert s["verb"]["id"] in VERBS.values() and s["verb"]["display"]["en-US"]
    assert s["object"]["objectType"] == "Activity" and s["object"]["id"].startswith("https://")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s["timestamp"])
    context = s["context"]
    assert re.fullmatch(r"[0-9a-f-]{36}", context["registration"])
    for key, value in context["contextActivities"].items():
        assert key in {"parent", "grouping", "category", "other"} and isinstance(value, list)
    result = s.get("result", {})
    if "score" in result:
        score = result["score"]
        assert -1 <= score.get("scaled", 0) <= 1
        if "raw" in score:
            assert score["min"] < score["max"] and score["min"] <= score["raw"] <= score["max"]
    if "duration" in result:
        assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?", result["duration"])


def test_xapi_lifecycle_and_one_statement_per_decision(filled: SQLiteStore, example: AnalysedScenario,
                                                        catalog: Catalog, tmp_path: Path) -> None:
    # Each attempt is read against the version it was played on: the assessment one on the signed copy.
    signed = require_scenario(tmp_path / "example-check-in.yaml", catalog)
    items = list(statements(filled, trainee_id="t-042", library=[example, signed],
                            base_iri="https://sim.example.edu"))
    for s in items:
        _check_statement(s)
    by_attempt: dict[str, list[str]] = {}
    for s in items:
        by_attempt.setdefault(s["context"]["registration"], []).append(s["verb"]["display"]["en-US"])
    first, second, third = by_attempt.values()
    assert first == ["initialized"] + ["answered"] * 8 + ["completed", "failed", "terminated"]
    assert second == ["initialized"] + ["answered"] * 8 + ["completed", "terminated"]  # practice: no pass/fail
    assert third == ["initialized", "answered", "answered"]  # still in progress
    answers = [s for s in items if s["verb"]["display"]["en-US"] == "answered"
               and s["context"]["registration"] == list(by_attempt)[1]]
    assert [a["result"]["response"] for a in answers] == EXPERT  # the undone cheer-up is not sent
    secrecy = next(s for s in items if s.get("result", {}).get("response") == "promise-total-secrecy")
    assert secrecy["result"]["success"] is False
    assert secrecy["object"]["definition"]["correctResponsesPattern"] == ["explain-role-and-limits"]
    assert {c["id"] for c in secrecy["object"]["definition"]["choices"]} == {
        "explain-role-and-limits", "promise-total-secrecy", "skip-to-housing"}
    assert secrecy["context"]["contextActivities"]["parent"][0]["id"].endswith("/scenario/example-check-in")
    assert len({s["id"] for s in items}) == len(items)
    assert all(s["id"][14] == "5" for s in items)  # UUIDv5: the same export gives the same ids
    assert len({s["actor"]["account"]["name"] for s in items}) == 1
    assert "t-042" not in json.dumps(items)  # pseudonymous


def test_xapi_statements_follow_the_reference_shape(filled: SQLiteStore, example: AnalysedScenario) -> None:
    reference = json.loads(XAPI_REFERENCE.read_text(encoding="utf-8"))
    _check_statement(reference)  # the reference itself passes the checks ours must pass
    answered = next(s for s in statements(filled, library={"example-check-in": example})
                    if s["verb"]["display"]["en-US"] == "answered")
    assert set(answered) <= set(reference) | {"id"}
    assert set(answered["object"]["definition"]) <= set(reference["object"]["definition"])
    assert set(answered["result"]) <= set(reference["result"])


def test_xapi_ids_and_pseudonyms_are_stable(filled: SQLiteStore) -> None:
    assert [s["id"] for s in statements(filled)] == [s["id"] for s in statements(filled)]
    assert pseudonym("t-042", "k1") == pseudonym("t-042", "k1") != pseudonym("t-042", "k2")
    assert iso_duration(41.5) == "PT41.5S" and iso_duration(723) == "PT12M3S" and iso_duration(0) == "PT0S"


def test_xapi_actors_are_pseudonymised_under_the_stores_own_key(filled: SQLiteStore) -> None:
    names = {s["actor"]["account"]["name"] for s in statements(filled)}
    assert names == {pseudonym("t-042", filled.pseudonym_key), pseudonym("t-043", filled.pseudonym_key)}
    assert pseudonym("t-042", "casesim") not in names  # no public fallback key
    with pytest.raises(ValueError, match="reversible"):
        next(statements(filled, key=""))


def test_a_store_without_its_pseudonym_key_refuses_to_export_rather_than_use_a_public_one(
        filled: SQLiteStore, backend: str, raw_sql: Callable[..., int]) -> None:
    table = "meta" if backend == "sqlite" else "casesim_private.secrets"
    assert raw_sql(f"UPDATE {table} SET value = '' WHERE key = 'pseudonym_key'") == 1
    with pytest.raises(StoreCorruptError, match="pseudonym key"):
        next(statements(filled))


def _render(filled: SQLiteStore, catalog: Catalog, target: Path) -> Path:
    report = trainee_report(filled, "t-042", catalog=catalog)
    return render_pdf(report, target, catalog=catalog, problems=filled.verify(trainee_id="t-042"),
                      chain_head=filled.chain_heads()["t-042"],
                      options=PdfOptions(program="MSW Field Education", instructor="Dr. Rosa Alvarez"))


def test_pdf_summary_has_the_ratings_attempts_record_and_signature_lines(filled: SQLiteStore, catalog: Catalog,
                                                                        tmp_path: Path) -> None:
    path = _render(filled, catalog, tmp_path / "summary.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Practicum summary", "MSW Field Education", "t-042", "Ethical and professional behavior",
                     "Critical actions to discuss", "Field instructor - signature", "Dr. Rosa Alvarez",
                     "Student - date", format_head(filled.chain_heads()["t-042"][1]), "page 1 of"):
        assert expected in text, expected


def _pdf_fonts(data: bytes) -> set[str]:
    """The fonts a PDF uses, without the six-letter subset tag (``ABCDEF+DejaVuSansBook``)."""
    return {name.decode().split("+")[-1] for name in re.findall(rb"/BaseFont\s*/(\S+)", data)}


def test_pdf_embeds_the_bundled_dejavu_sans_with_typographic_characters(
        filled: SQLiteStore, catalog: Catalog, tmp_path: Path) -> None:
    filled.upsert_trainee("t-042", "Zoë O’Neil–Park")
    data = _render(filled, catalog, tmp_path / "unicode.pdf").read_bytes()
    # Only the bundled DejaVu Sans, regular and bold, each embedded (a /FontFile2 per font):
    # no core Helvetica, no system font.
    assert _pdf_fonts(data) == {"DejaVuSansBook", "DejaVuSansBold"}
    assert data.count(b"/FontFile2") == 2
    # The name is written with its own glyphs (the ToUnicode maps carry ë, ’ and –), not
    # flattened to Latin-1 as the old fallback did.
    for codepoint in (b"<00EB>", b"<2019>", b"<2013>"):
        assert codepoint in data, codepoint


def test_pdf_is_byte_identical_for_the_same_records_and_date(filled: SQLiteStore, catalog: Catalog,
                                                             tmp_path: Path) -> None:
    report = trainee_report(filled, "t-042", catalog=catalog)

    def render(name: str, moment: datetime) -> bytes:
        return render_pdf(report, tmp_path / name, catalog=catalog, chain_head=filled.chain_heads()["t-042"],
                          options=PdfOptions(program="MSW", generated_at=moment)).read_bytes()

    fixed = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    first, second = render("a.pdf", fixed), render("b.pdf", fixed)
    assert first == second
    assert b"/CreationDate (D:20261122100000Z)" in first
    # The date is the only thing that varied, and it does reach the bytes.
    assert render("c.pdf", fixed + timedelta(days=1)) != first
