"""``casesim class``: rosters from CSV, codes handed out once, reissued, never shown again."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from casesim.records import open_store
from casesim.records.classroom import code_digest
from support.cli import Casesim

COHORT = "MSW Fall 2026"


def _roster(tmp_path: Path, text: str) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_students_prints_each_code_once_and_keeps_only_digests(casesim: Casesim, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    assert casesim("--db", db, "class", "create", COHORT).exit_code == 0
    again = casesim("--db", db, "class", "create", COHORT)
    assert again.exit_code == 0 and "exists already" in again.output
    result = casesim("--db", db, "class", "add-students", COHORT, _roster(tmp_path, "id,name\ns1001,Ana Ruiz\ns1002,Ben\n"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["name"]) for r in rows] == [("s1001", "Ana Ruiz"), ("s1002", "Ben")]
    assert "cannot be shown again" in result.stderr
    with open_store(db) as store:
        member = store.redeem_code(code_digest(rows[0]["code"]))
        assert member is not None and member.trainee_id == "s1001"
    listing = casesim("--db", db, "class", "roster", COHORT)
    assert "signed in" in listing.output and rows[0]["code"] not in listing.output and "not used yet" in listing.output


def test_a_bad_roster_row_is_named_by_its_line_and_changes_nothing(casesim: Casesim, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    casesim("--db", db, "class", "create", COHORT)
    result = casesim("--db", db, "class", "add-students", COHORT,
                     _roster(tmp_path, "id,name\ns1001,Ana\ns1002,Bad\x07Name\n"))
    assert result.exit_code == 2
    assert "line 3: the name" in result.stderr and "control character" in result.stderr and "Traceback" not in result.output
    with open_store(db) as store:
        assert store.roster_members(COHORT) == []
    missing = casesim("--db", db, "class", "add-students", "No such", _roster(tmp_path, "id,name\ns1,A\n"))
    assert missing.exit_code == 2 and "class create" in missing.stderr


def test_codes_file_is_private_and_reissue_replaces_a_lost_code(casesim: Casesim, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    casesim("--db", db, "class", "create", COHORT)
    first = tmp_path / "codes.csv"
    casesim("--db", db, "class", "add-students", COHORT, _roster(tmp_path, "id,name\ns1001,Ana\n"),
            "--codes-file", str(first))
    assert first.stat().st_mode & 0o777 == 0o600
    (old,) = csv.DictReader(io.StringIO(first.read_text(encoding="utf-8")))
    result = casesim("--db", db, "class", "reissue", COHORT, "s1001")
    assert result.exit_code == 0
    (new,) = csv.DictReader(io.StringIO(result.stdout))
    assert new["code"] != old["code"]
    with open_store(db) as store:
        assert store.redeem_code(code_digest(old["code"])) is None
        assert store.redeem_code(code_digest(new["code"])) is not None
    unknown = casesim("--db", db, "class", "reissue", COHORT, "s9999")
    assert unknown.exit_code == 2 and "not on the roster" in unknown.stderr
    assert casesim("--db", db, "class", "reissue", COHORT).exit_code == 2  # neither ids nor --all
    instructor = casesim("--db", db, "class", "add-instructor", COHORT, "prof.lee", "--name", "Dr Lee")
    assert instructor.exit_code == 0 and "prof.lee,Dr Lee," in instructor.stdout


def test_serve_session_refuses_to_start_without_the_servers_sign_in(casesim: Casesim, tmp_path: Path) -> None:
    result = casesim("--db", str(tmp_path / "c.db"), "serve-session")
    assert result.exit_code == 2 and "started by `casesim serve`" in result.stderr
