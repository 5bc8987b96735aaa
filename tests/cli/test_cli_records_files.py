"""Spreadsheets and archives from the command line (issue 13 item 7; program review F14, F17;
redteam review: `-o` followed symlinks)."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, SECRECY, play


@pytest.fixture
def db(tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> Path:
    """Three attempts on three days: two practice, one assessment; a name Excel used to mangle."""
    path = tmp_path / "class.db"
    days = iter(["2026-09-01T10:00:00+00:00", "2026-09-15T10:00:00+00:00", "2026-10-01T10:00:00+00:00"])
    current = {"now": datetime.fromisoformat(next(days))}
    with SQLiteStore(path, clock=lambda: current["now"]) as store:
        store.upsert_trainee("s1", "José Núñez", "msw-fall-2026")
        play(store, example, catalog, "s1", EXPERT)
        current["now"] = datetime.fromisoformat(next(days))
        play(store, example, catalog, "s1", SECRECY, mode="assessment")
        current["now"] = datetime.fromisoformat(next(days))
        play(store, example, catalog, "s1", EXPERT)
    return path


def _rows(text: str) -> int:
    return len([line for line in text.splitlines() if line.strip()]) - 1


def test_csv_with_a_bom_written_0600_through_a_temporary_file(casesim: Casesim, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "attempts.csv"
    result = casesim("export", "csv", "--bom", "-o", str(out), "--db", str(db))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "José Núñez".encode() in data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["attempts.csv"]
    plain = tmp_path / "plain.csv"
    assert casesim("export", "csv", "-o", str(plain), "--db", str(db)).exit_code == 0
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_an_export_is_never_written_through_a_symlink(casesim: Casesim, db: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    for args in (["csv"], ["jsonl"], ["decisions"], ["pdf", "s1"]):
        result = casesim("export", *args, "-o", str(link), "--db", str(db))
        assert result.exit_code == 2, (args, result.output)
        assert "symbolic link" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_since_until_and_mode_filter_every_export(casesim: Casesim, db: Path) -> None:
    every = casesim("export", "csv", "--db", str(db))
    assert _rows(every.stdout) == 3
    september = casesim("export", "csv", "--since", "2026-09-01", "--until", "2026-09-15", "--db", str(db))
    assert _rows(september.stdout) == 2  # --until includes its day
    assessment = casesim("export", "csv", "--mode", "assessment", "--db", str(db))
    assert _rows(assessment.stdout) == 1
    jsonl = casesim("export", "jsonl", "--since", "2026-09-02", "--db", str(db))
    assert len(jsonl.stdout.splitlines()) == 2
    decisions = casesim("export", "decisions", "--mode", "assessment", "--db", str(db))
    assert _rows(decisions.stdout) == len(SECRECY)
    xapi = casesim("export", "xapi", "--until", "2026-09-01", "--db", str(db))
    registrations = {json.loads(line)["context"]["registration"] for line in xapi.stdout.splitlines()}
    assert len(registrations) == 1
    criteria = casesim("export", "csv", "--table", "criteria", "--mode", "assessment", "--db", str(db))
    every_criteria = casesim("export", "csv", "--table", "criteria", "--db", str(db))
    assert 0 < _rows(criteria.stdout) < _rows(every_criteria.stdout)
    bad = casesim("export", "csv", "--since", "last tuesday", "--db", str(db))
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    backwards = casesim("export", "csv", "--since", "2026-10-01", "--until", "2026-09-01", "--db", str(db))
    assert backwards.exit_code == 2


def test_import_verifies_the_archive_then_merges_once(casesim: Casesim, db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "campus.jsonl"
    assert casesim("export", "jsonl", "-o", str(archive), "--db", str(db)).exit_code == 0
    program = tmp_path / "program.db"
    result = casesim("records", "import", str(archive), "--db", str(program))
    assert result.exit_code == 0, result.output
    assert "merged 3, skipped 0" in result.stdout and "1 assessment attempt(s) merged as practice only" in result.stdout
    again = casesim("records", "import", str(archive), "--db", str(program))
    assert "merged 0, skipped 3" in again.stdout
    listed = casesim("records", "list", "--db", str(program))
    assert listed.stdout.count("[imported, practice only]") == 3
    assert casesim("records", "verify", "--db", str(program)).exit_code == 0
    lines = archive.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["attempt"]["passed"] = True
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([lines[0], json.dumps(record), lines[2]]) + "\n", encoding="utf-8")
    refused = casesim("records", "import", str(edited), "--db", str(tmp_path / "third.db"))
    assert refused.exit_code == 2 and "nothing was merged" in refused.stderr
    assert "outcome" in refused.stderr
