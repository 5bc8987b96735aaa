"""`casesim migrate FILE|DIR [--check]` and the format-2 starter."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.cli import ROOT, Casesim

TRAINER = ROOT / "tests" / "data" / "trainer" / "example-base.yaml"


def test_check_exits_1_for_a_format_one_file_and_migrate_then_makes_it_0(casesim: Casesim, tmp_path: Path) -> None:
    shutil.copy(TRAINER, tmp_path / "old.yaml")
    (tmp_path / "notes.yaml").write_text("just: a list\n", encoding="utf-8")  # not a scenario: left alone
    check = casesim("migrate", "--check", str(tmp_path))
    assert check.exit_code == 1
    assert check.stdout == (f"{tmp_path / 'old.yaml'}: needs migrating to format 2 "
                            f"(run `casesim migrate {tmp_path / 'old.yaml'}`)\n")
    assert (tmp_path / "old.yaml").read_text(encoding="utf-8") == TRAINER.read_text(encoding="utf-8")
    done = casesim("migrate", str(tmp_path))
    assert done.exit_code == 0
    assert done.stdout == (f"{tmp_path / 'old.yaml'}: migrated to format 2; moved the protocol answer table "
                           "onto the choices\n")
    assert "1 file(s) migrated, 1 already current or not scenarios" in done.stderr
    assert (tmp_path / "old.yaml").read_text(encoding="utf-8").startswith(
        TRAINER.read_text(encoding="utf-8").split("format: 1", 1)[0] + "format: 2")
    assert casesim("migrate", "--check", str(tmp_path)).exit_code == 0
    assert casesim("validate", str(tmp_path / "old.yaml")).exit_code == 0


def test_an_unreadable_file_is_reported_and_fails(casesim: Casesim, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("format: 1\nid: [broken\n", encoding="utf-8")
    result = casesim("migrate", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 1
    assert "not readable as YAML; fix the problems above, then migrate it" in result.stderr
    assert "Traceback" not in result.output


def test_new_writes_format_two(casesim: Casesim, tmp_path: Path) -> None:
    assert casesim("new", "telehealth-first-call", "--kind", "telehealth", "-o", str(tmp_path / "s.yaml")).exit_code == 0
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    assert "\nformat: 2\n" in text
    assert casesim("migrate", "--check", str(tmp_path / "s.yaml")).exit_code == 0
    assert casesim("validate", str(tmp_path / "s.yaml")).exit_code == 0
