"""`casesim export pdf`: the default file name and the new context options (issue 13 item 6)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.cli import main
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, play


def test_the_default_file_is_a_slug_and_hash_in_the_current_folder(tmp_path: Path, example: AnalysedScenario,
                                                                    catalog: Catalog,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    trainee = "../Ann Lee"  # once written as practicum-../Ann Lee.pdf, one folder up
    db = tmp_path / "class.db"
    with SQLiteStore(db) as store:
        store.upsert_trainee(trainee, "Ann Lee", "fall")
        play(store, example, catalog, trainee, EXPERT, mode="assessment")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["export", "pdf", trainee, "--db", str(db), "--term", "Fall 2026, final",
                 "--placement", "Eastside Services", "--liaison", "Prof. J. Okafor"]) == 0
    expected = f"practicum-ann-lee-{hashlib.sha256(trainee.encode()).hexdigest()[:8]}.pdf"
    assert [p.name for p in work.iterdir()] == [expected]
    assert not list(tmp_path.glob("practicum-*"))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(work / expected), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Fall 2026, final" in text and "Eastside Services" in text and "Prof. J. Okafor" in text
