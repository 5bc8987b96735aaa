"""A few runs of the installed ``casesim`` console script, as a shell runs it (the rest run in process)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from casesim.records import open_store
from support.cli import BROKEN, INSTALLED, ROOT


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INSTALLED), *args], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def test_the_binary_reads_the_db_given_before_the_command(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    with open_store(db) as store:
        store.upsert_trainee("s1234", "Ann Lee", "fall-2026")
    result = _run("--db", str(db), "records", "trainees", env={"CASESIM_DB": str(tmp_path / "other.db")})
    assert result.returncode == 0, result.stderr
    assert "Ann Lee" in result.stdout and "fall-2026" in result.stdout
    assert not (tmp_path / "other.db").exists()


def test_the_binary_exits_1_for_problems_and_2_for_a_user_error() -> None:
    problems = _run("validate", str(BROKEN / "goto-missing.yaml"))
    assert problems.returncode == 1 and "goto-missing" in problems.stdout
    mistake = _run("play", "no-such-scenario")
    assert mistake.returncode == 2 and mistake.stderr.startswith("error: no such scenario\n")
    assert "Traceback" not in problems.stderr + mistake.stderr
