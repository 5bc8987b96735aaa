"""``casesim class assign/assignments/unassign/grant/revoke/roles``, role checks on the records
commands, and the audit log (``records audit``), end to end through ``casesim.cli.main``
(issue 14 items 3 and 5), on both backends. A PostgreSQL store is shared from the start, so there
the tests that act as a personal file's owner first make "prof" an administrator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli import main
from casesim.play.assignment_notice import assessment_notice
from casesim.records import open_store
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, play, signed_example


@pytest.fixture
def library(tmp_path: Path, catalog: Catalog) -> tuple[Path, AnalysedScenario]:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder, signed_example(folder, catalog)


@pytest.fixture
def db(records_db: Path | str) -> str:
    """The class's records (a file, or a PostgreSQL database), as ``--db`` takes them."""
    with open_store(records_db) as store:
        for tid, cohort in (("s1", "fall"), ("s2", "fall"), ("o1", "online")):
            store.upsert_trainee(tid, tid.upper(), cohort)
    return str(records_db)


@pytest.fixture
def personal(db: str, backend: str) -> str:
    """``db`` where "prof" may do everything: a file nobody granted a role in is its owner's; a
    PostgreSQL store is always shared, so there "prof" is made its administrator."""
    if backend == "postgresql":
        with open_store(db) as store:
            store.grant_role("prof", "administrator", None, by="prof")
    return db


def _as(monkeypatch: pytest.MonkeyPatch, login: str) -> None:
    """Act as ``login`` (getpass.getuser reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", login)


Rows = Callable[..., list[tuple[Any, ...]]]


def _audit_count(sql_rows: Rows) -> int:
    return int(sql_rows("SELECT count(*) FROM audit")[0][0])


def test_assign_play_and_the_report_counts_by_the_rule(personal: str, library: tuple[Path, AnalysedScenario],
                                                       catalog: Catalog, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder, signed = library
    db = personal
    _as(monkeypatch, "prof")
    assert main(["class", "assign", "fall", signed.scenario.id, "--mode", "assessment", "--closes", "2099-01-01",
                 "--attempts", "2", "--count", "best", "--scenarios", str(folder), "--db", str(db)]) == 0
    line = capsys.readouterr().out
    assert f"content {signed.content_hash[:12]}" in line and "counts the best" in line and "by prof" in line
    aid = line.split()[0]
    with open_store(db) as store:
        told = assessment_notice(store, "s1", signed, "assessment")
        assert told is not None and told[0] and aid in told[1]
        weak = play(store, signed, catalog, "s1", LOST, mode="assessment")
        strong = play(store, signed, catalog, "s1", EXPERT, mode="assessment")
        told = assessment_notice(store, "s1", signed, "assessment")
        assert told is not None and not told[0] and "count as practice" in told[1] and "all 2 attempt(s)" in told[1]
        third = play(store, signed, catalog, "s1", EXPERT, mode="assessment")
        assert store.attempt(third).assignment is None and store.attempt(strong).assignment == aid
    assert main(["report", "trainee", "s1", "--format", "json", "--scenarios", str(folder), "--db", str(db)]) == 0
    report = json.loads(capsys.readouterr().out)
    kinds = {a["attempt"]["id"]: (a["evidence"], a["evidence_reason"]) for a in report["attempts"]}
    assert kinds[strong][0] == "assessment" and aid in kinds[strong][1]
    assert kinds[weak][0] == "uncounted"
    assert kinds[third][0] == "practice" and "all 2 attempt(s)" in (kinds[third][1] or "")
    assert main(["report", "trainee", "s1", "--scenarios", str(folder), "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert "evidence: counts as practice: you have used all 2 attempt(s)" in text
    assert main(["class", "assignments", "fall", "--db", str(db)]) == 0
    assert aid in capsys.readouterr().out
    assert main(["class", "unassign", aid, "--db", str(db)]) == 0
    assert "WITHDRAWN" in capsys.readouterr().out
    assert main(["class", "unassign", aid, "--db", str(db)]) == 2
    assert main(["records", "verify", "--db", str(db)]) == 0


def test_each_audited_command_writes_exactly_one_entry(personal: str, sql_rows: Rows,
                                                       library: tuple[Path, AnalysedScenario],
                                                       catalog: Catalog, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder, signed = library
    db = personal
    start = _audit_count(sql_rows)  # the grant that made prof an administrator, on PostgreSQL
    with open_store(db) as store:
        attempt = play(store, signed, catalog, "s1", EXPERT, mode="assessment")
    _as(monkeypatch, "prof")
    base = ["--db", str(db)]
    commands = [
        ["report", "trainee", "s1", "--scenarios", str(folder), "--purpose", "midterm review"],
        ["report", "cohort", "fall", "--scenarios", str(folder)],
        ["export", "csv", "--cohort", "fall", "-o", str(tmp_path / "a.csv")],
        ["export", "decisions", "--trainee", "s1", "--scenarios", str(folder), "-o", str(tmp_path / "d.csv")],
        ["export", "jsonl", "-o", str(tmp_path / "a.jsonl")],
        ["export", "xapi", "--trainee", "s1", "--scenarios", str(folder), "-o", str(tmp_path / "x.jsonl")],
        ["export", "pdf", "s1", "--scenarios", str(folder), "-o", str(tmp_path / "s1.pdf")],
        ["records", "list", "--trainee", "s1"],
        ["records", "trainees", "--cohort", "fall"],
    ]
    for n, args in enumerate(commands, 1):
        assert main([*args, *base]) == 0, args
        assert _audit_count(sql_rows) == start + n, args
    assert main(["records", "verify", *base]) == 0  # a clean verify names no records: not a disclosure
    assert _audit_count(sql_rows) == start + len(commands)
    _as(monkeypatch, "s1")
    assert main(["records", "list", "--trainee", "s1", *base]) == 0  # a student's own records
    assert _audit_count(sql_rows) == start + len(commands)
    capsys.readouterr()
    assert main(["records", "audit", "--trainee", "s1", "--format", "json", *base]) == 0
    entries = json.loads(capsys.readouterr().out)
    first = entries[0]
    assert (first["actor"], first["action"], first["trainees"], first["attempts"], first["purpose"]) == \
        ("prof", "report", ["s1"], [attempt], "midterm review")
    assert {e["action"] for e in entries} == {"report", "export", "pdf", "list", "roster"}
    assert all("s1" in e["trainees"] for e in entries)


def test_editing_or_deleting_an_audit_entry_is_caught(personal: str, raw_sql: Callable[..., int],
                                                      sql_rows: Rows, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = personal
    _as(monkeypatch, "prof")
    assert main(["records", "list", "--trainee", "s1", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["records", "verify", "--format", "json", "--db", str(db)]) == 0
    before = json.loads(capsys.readouterr().out)["store_head"]
    assert main(["records", "list", "--trainee", "s2", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["records", "verify", "--db", str(db), "--against", before]) == 0
    assert "it was the store head 1 audit log entry ago" in capsys.readouterr().out
    [(actor,)] = sql_rows("SELECT actor FROM audit WHERE seq = 1")
    assert raw_sql("UPDATE audit SET actor = 'nobody' WHERE seq = 1") == 1
    assert main(["records", "verify", "--format", "json", "--db", str(db)]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [p["message"] for p in problems][0].startswith("audit log: entry 1 was edited")
    raw_sql("UPDATE audit SET actor = ? WHERE seq = 1", (actor,))
    assert raw_sql("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)") == 1
    assert raw_sql("UPDATE meta SET value = CAST(CAST(value AS INTEGER) - 1 AS TEXT) WHERE key = 'audit_count'") == 1
    assert main(["records", "verify", "--format", "json", "--db", str(db)]) == 1  # the head no longer matches
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] and report["store_head"] != before


def test_roles_bind_the_records_commands_once_the_store_is_shared(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db)]
    _as(monkeypatch, "root")
    assert main(["class", "grant", "prof", "--instructor", "fall", *base]) == 2  # the first must be an admin
    assert "first role granted" in capsys.readouterr().err
    assert main(["class", "grant", "root", "--administrator", *base]) == 0
    assert main(["class", "grant", "prof", "--instructor", "fall", *base]) == 0
    _as(monkeypatch, "prof")
    assert main(["report", "cohort", "fall", *base]) == 0
    assert main(["records", "list", "--trainee", "s2", *base]) == 0
    capsys.readouterr()
    assert main(["report", "cohort", "online", *base]) == 2
    assert "prof does not teach cohort online" in capsys.readouterr().err
    assert main(["records", "list", "--trainee", "o1", *base]) == 2
    assert main(["export", "jsonl", *base]) == 2  # everyone's records: administrators only
    assert main(["records", "list", "--trainee", "s1", "--as", "root", *base]) == 2  # --as: administrators only
    assert main(["class", "grant", "eve", "--administrator", *base]) == 2
    assert main(["records", "backup", str(tmp_path / "copy.db"), *base]) == 2
    assert main(["records", "pseudonym-key", "--export", str(tmp_path / "p.key"), *base]) == 2  # administrators'
    assert main(["records", "cohort", "fall", "--term", "Fall 2026", *base]) == 0  # their cohort's term
    assert main(["records", "cohort", "online", "--term", "Fall 2026", *base]) == 2
    _as(monkeypatch, "s1")
    assert main(["records", "list", "--trainee", "s1", *base]) == 0
    assert main(["records", "list", "--trainee", "s2", *base]) == 2
    assert main(["records", "cohort", "fall", "--term", "Spring 2027", *base]) == 2
    assert main(["records", "audit", "--trainee", "s1", *base]) == 0
    _as(monkeypatch, "root")
    capsys.readouterr()
    assert main(["records", "list", "--trainee", "o1", "--as", "prof", *base]) == 2  # as prof: not their cohort
    assert main(["records", "list", "--trainee", "s1", "--as", "prof", "--purpose", "check", *base]) == 0
    capsys.readouterr()
    assert main(["records", "audit", *base]) == 0
    out = capsys.readouterr().out
    assert "prof (as by root)  list" in out and "purpose: check" in out
    assert main(["class", "roles", *base]) == 0
    assert "prof" in capsys.readouterr().out
    assert main(["records", "verify", *base]) == 0


def test_the_audit_log_shows_control_characters_as_escapes(personal: str, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = personal
    _as(monkeypatch, "prof")
    assert main(["records", "list", "--trainee", "s1", "--purpose", "x\x1b]0;pwned\x07y", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["records", "audit", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "purpose: x" in out


def test_a_postgresql_store_is_shared_before_any_role_and_its_first_grant_bootstraps_it(
        db: str, backend: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from casesim.records.access import is_shared

    assert is_shared("postgresql://casesim@db.example.edu/practicum", []) is True
    assert is_shared("/home/ann/.local/share/casesim/casesim.db", []) is False
    _as(monkeypatch, "prof")
    capsys.readouterr()
    everyone = main(["records", "list", "--db", db])
    if backend == "postgresql":  # enforced from the start: nobody may see everyone's records yet
        assert everyone == 2
        assert "this store has no roles yet" in capsys.readouterr().err
        assert main(["records", "list", "--trainee", "prof", "--db", db]) == 0  # their own records: yes
    else:  # a file nobody granted a role in is its owner's
        assert everyone == 0
    assert main(["class", "grant", "prof", "--administrator", "--db", db]) == 0  # the first grant is let through
    assert main(["records", "list", "--db", db]) == 0
    _as(monkeypatch, "s1")
    assert main(["records", "list", "--db", db]) == 2  # shared on both now
