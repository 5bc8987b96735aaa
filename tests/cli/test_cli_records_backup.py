"""``casesim records backup`` and ``restore`` from the command line (issue 13 item 4)."""

from __future__ import annotations

import stat
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, play


def _store(path: Path, example: AnalysedScenario, catalog: Catalog, *trainees: str) -> Path:
    with SQLiteStore(path) as store:
        for trainee in trainees:
            play(store, example, catalog, trainee, EXPERT)
    return path


def test_backup_then_restore_from_the_command_line(tmp_path: Path, casesim: Casesim, example: AnalysedScenario,
                                                    catalog: Catalog) -> None:
    db = _store(tmp_path / "class.db", example, catalog, "ann", "bo")
    dest = tmp_path / "backups" / "monday.db"
    result = casesim("records", "backup", str(dest), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "2 trainee(s), 2 attempt(s)" in result.stdout and "chains verify" in result.stdout
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    again = casesim("records", "backup", str(dest), "--db", str(db))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert casesim("records", "backup", str(dest), "--force", "--db", str(db)).exit_code == 0
    _store(db, example, catalog, "cy")
    restored = casesim("records", "restore", str(dest), "--db", str(db))
    assert restored.exit_code == 0, restored.output
    assert "the replaced store was kept as" in restored.stdout and "2 attempt(s)" in restored.stdout
    kept = next(tmp_path.glob("class.db.before-restore-*"))
    with SQLiteStore(kept, readonly=True) as store:
        assert len(store.attempts()) == 3
    listed = casesim("records", "list", "--db", str(db))
    assert listed.stdout.count("example-check-in") == 2


def test_restore_refuses_a_file_that_is_not_a_store(tmp_path: Path, casesim: Casesim, example: AnalysedScenario,
                                                    catalog: Catalog) -> None:
    db = _store(tmp_path / "class.db", example, catalog, "ann")
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 20, encoding="utf-8")
    result = casesim("records", "restore", str(text), "--db", str(db))
    assert result.exit_code == 2 and "not a casesim records database" in result.stderr
    link = tmp_path / "link.db"
    link.symlink_to(text)
    result = casesim("records", "backup", str(link), "--force", "--db", str(db))
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert text.read_text(encoding="utf-8").startswith("not a database")
