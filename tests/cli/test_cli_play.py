"""The trainee commands: ``casesim play/author/resume`` report mistakes for people, not tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casesim.cli import main
from casesim.cli.play import resolve_scenario
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.paths import EXAMPLE


def test_play_an_unknown_scenario_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "no-such-scenario"]) == 2
    err = capsys.readouterr().err
    assert "no such scenario" in err and "no-such-scenario" in err and "Traceback" not in err


@pytest.mark.parametrize(("seed", "message"), [("-1", "is not in the range 0<=x<=2147483647"),
                                               ("2147483648", "is not in the range 0<=x<=2147483647"),
                                               ("seven", "is not a valid integer")])
def test_a_seed_the_records_cannot_keep_exactly_is_refused(seed: str, message: str, casesim: Casesim) -> None:
    result = casesim("play", "example-check-in", "--seed", seed)
    assert result.exit_code == 2
    assert "--seed" in result.stderr and message in result.stderr, result.stderr


def test_play_a_broken_file_lists_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text().replace("goto: ask-q2\n", "goto: nowhere\n"))
    assert main(["play", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml has errors" in err and "nowhere" in err


def test_author_a_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["author", str(tmp_path / "missing.yaml")]) == 2
    # rich-click draws usage errors in a box that may wrap a long path: compare without the frame
    err = "".join(c for c in capsys.readouterr().err if c not in "│ \n")
    assert "missing.yaml'doesnotexist" in err


def test_resume_with_nothing_in_progress_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resume", "--db", str(tmp_path / "records.db"), "--trainee", "Nobody"]) == 2
    assert "nothing to resume" in capsys.readouterr().err


def test_a_scenario_is_found_by_id_or_by_path(catalog: Catalog, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "renamed.yaml").write_bytes(EXAMPLE.read_bytes())
    by_id = resolve_scenario("example-check-in", catalog, folder)
    by_path = resolve_scenario(str(EXAMPLE), catalog, tmp_path / "elsewhere")
    assert by_id.content_hash == by_path.content_hash
    assert by_id.scenario is not None and by_id.scenario.id == "example-check-in"


@pytest.mark.parametrize("argv", [["--help"], ["records", "--help"], ["validate", str(EXAMPLE)]],
                         ids=["help", "records-help", "validate"])
def test_only_the_commands_that_open_the_tui_load_textual(argv: list[str]) -> None:
    # The TUI is imported by the commands that open it, so help and the trainer commands start quickly.
    code = ("import sys; from casesim.cli import main; code = main(sys.argv[1:]); "
            "loaded = any(m == 'textual' or m.startswith('textual.') for m in sys.modules); "
            "sys.exit(10 if loaded else code)")
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-800:]
