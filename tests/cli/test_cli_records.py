"""The records, report and export commands, end to end through ``casesim.cli.main``."""

from __future__ import annotations

import gc
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli import main
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play


@pytest.fixture
def db(tmp_path: Path, example: AnalysedScenario, catalog: Catalog) -> Path:
    path = tmp_path / "class.db"
    with SQLiteStore(path) as store:
        store.upsert_trainee("s1", "Ann Lee", "fall")
        play(store, example, catalog, "s1", EXPERT, mode="assessment")
        play(store, example, catalog, "s2", LOST[:2], finish=False)
    return path


def test_records_list_and_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["records", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "s1" in out and "passed" in out and "in-progress" in out
    assert main(["records", "list", "--db", str(db), "--status", "in-progress", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trainee_id"] for r in rows] == ["s2"]


def test_records_verify_exit_codes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["records", "verify", "--db", str(db)]) == 0
    assert "intact" in capsys.readouterr().out
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3")
    conn.commit()
    conn.close()
    assert main(["records", "verify", "--db", str(db), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["intact"] and {p["seq"] for p in report["problems"]} == {3}
    assert {(p["kind"], p["trainee_id"]) for p in report["problems"]} == {("edited", "s1"), ("edited", "s2")}


def test_the_pdf_warns_about_its_own_trainees_record_only(db: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3 AND attempt_n IN "
                 "(SELECT n FROM attempts WHERE trainee_id = 's2')")
    conn.commit()
    conn.close()
    assert main(["export", "pdf", "s1", "--db", str(db), "-o", str(tmp_path / "s1.pdf")]) == 0
    assert "WARNING" not in capsys.readouterr().err
    assert main(["export", "pdf", "s2", "--db", str(db), "-o", str(tmp_path / "s2.pdf")]) == 0
    assert "WARNING: verify found 1 problem(s)" in capsys.readouterr().err


def test_env_variable_points_every_command_at_the_database(db: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASESIM_DB", str(db))
    assert main(["records", "trainees"]) == 0
    assert "Ann Lee" in capsys.readouterr().out


def test_records_trainee_sets_name_and_cohort(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["records", "trainee", "s2", "--name", "Bo Chen", "--cohort", "fall", "--db", str(db)]) == 0
    assert "Bo Chen, cohort fall, 1 attempt(s)" in capsys.readouterr().out


def test_the_report_commands_run_with_the_collector_paused_and_leave_it_on(
        db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A report is thousands of acyclic rows made once: the whole command runs with automatic
    collection paused (casesim.collector), rendering included, and it is back on after."""
    from casesim.records import render

    seen: list[bool] = []
    for name in ("cohort_text", "trainee_text"):
        real = getattr(render, name)
        monkeypatch.setattr(render, name, lambda report, _real=real: seen.append(gc.isenabled()) or _real(report))
    assert gc.isenabled()
    assert main(["report", "cohort", "fall", "--db", str(db)]) == 0
    assert main(["report", "trainee", "s1", "--db", str(db)]) == 0
    assert "Cohort fall" in capsys.readouterr().out
    assert seen == [False, False] and gc.isenabled()


def test_reports(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "trainee", "s1", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Competency ratings (1-5): assessment attempts on signed-off scenarios only" in out
    assert "insufficient evidence (n=0)" in out  # the bundled example is a draft: its attempts are trials
    assert main(["report", "cohort", "fall", "--db", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cohort"] == "fall" and data["items"][0]["scenario_id"] == "example-check-in"
    assert main(["report", "cohort", "nobody", "--db", str(db)]) == 2
    assert "no such cohort" in capsys.readouterr().err
    assert main(["report", "trainee", "ghost", "--db", str(db)]) == 2


def test_exports_write_private_files(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args, name in ((["csv", "--table", "criteria"], "c.csv"), (["jsonl"], "a.jsonl"),
                       (["xapi", "--format", "json", "--base-iri", "https://sim.example.edu"], "x.json"),
                       (["pdf", "s1", "--program", "MSW"], "s1.pdf")):
        target = tmp_path / name
        assert main(["export", *args, "--db", str(db), "-o", str(target)]) == 0, name
        assert target.stat().st_size > 0 and stat.S_IMODE(target.stat().st_mode) == 0o600, name
    statements = json.loads((tmp_path / "x.json").read_text())
    assert statements[0]["object"]["id"].startswith("https://sim.example.edu/xapi/")
    assert (tmp_path / "s1.pdf").read_bytes().startswith(b"%PDF")


def test_reading_commands_never_create_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert main(["records", "list", "--db", str(missing)]) == 2
    assert "no records database" in capsys.readouterr().err and not missing.exists()


def test_a_foreign_file_is_a_clear_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert main(["records", "verify", "--db", str(other)]) == 2
    err = capsys.readouterr().err
    assert "not a casesim records database" in err and "Traceback" not in err
    assert other.read_text() == "hello"
