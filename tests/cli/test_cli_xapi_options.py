"""`casesim export xapi`: URL options checked (exit 2) and old scenario versions found by content hash
(issue 13 item 8; program review F8, F10; redteam review M10)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import EXAMPLE, Casesim
from support.records import EXPERT, play


@pytest.mark.parametrize("option", ["--base-iri", "--home-page"])
@pytest.mark.parametrize("value", ["not a url", "Eastside SSO", "https://sim.eastside.edu/#x"])
def test_a_bad_url_option_is_refused_with_exit_2(tmp_path: Path, casesim: Casesim, option: str, value: str) -> None:
    result = casesim("export", "xapi", "--db", str(tmp_path / "none.db"), option, value)
    assert result.exit_code == 2
    flat = " ".join(result.stderr.replace("│", " ").split())  # rich draws the message in a box
    assert f"Invalid value for '{option}'" in flat and "e.g. https://sim.example.edu" in flat
    assert "Traceback" not in result.output


def test_an_escape_code_in_a_url_option_is_shown_visibly(tmp_path: Path, casesim: Casesim) -> None:
    result = casesim("export", "xapi", "--db", str(tmp_path / "none.db"), "--base-iri", "https://x.edu/\x1b]0;t\x07")
    assert result.exit_code == 2 and "\x1b" not in result.stderr


def test_old_versions_are_read_from_the_versions_folder(tmp_path: Path, casesim: Casesim, example: AnalysedScenario,
                                                        catalog: Catalog) -> None:
    old_dir = tmp_path / "archive"
    old_dir.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8").replace("\nversion: 1.1.0\n", "\nversion: 1.0.0\n", 1)
    (old_dir / "example-check-in.yaml").write_text(text.replace("Eastside Services", "Westside Services"),
                                                   encoding="utf-8")
    old = require_scenario(old_dir / "example-check-in.yaml", catalog)
    current = tmp_path / "scenarios"
    current.mkdir()
    shutil.copy(EXAMPLE, current / "example-check-in.yaml")
    db = tmp_path / "class.db"
    with SQLiteStore(db) as store:
        store.upsert_trainee("s1", "Ann Lee", "MSW Fall 2026 #1")
        play(store, old, catalog, "s1", EXPERT, mode="assessment")
        play(store, example, catalog, "s1", EXPERT, mode="assessment")
    args = ["export", "xapi", "--format", "json", "--db", str(db), "--scenarios", str(current),
            "--base-iri", "https://sim.eastside.edu"]

    without = casesim(*args)
    assert without.exit_code == 0
    assert "played on version 1.0.0" in without.stderr and "--versions" in without.stderr

    result = casesim(*args, "--versions", str(old_dir))
    assert result.exit_code == 0 and "played on version" not in result.stderr
    items = json.loads(result.stdout)
    for statement in items:
        BaseXapiStatement(**statement)
    answered = [s for s in items if s["verb"]["display"]["en-US"] == "answered"]
    assert {s["context"]["revision"] for s in answered} == {"1.0.0", "1.1.0"}
    assert all("choices" in s["object"]["definition"] for s in answered)
    old_words = {c["description"]["en-US"] for s in answered if s["context"]["revision"] == "1.0.0"
                 for c in s["object"]["definition"]["choices"]}
    assert any("Westside" in w for w in old_words) and not any("Eastside" in w for w in old_words)
