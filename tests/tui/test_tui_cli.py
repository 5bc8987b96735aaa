"""The trainee commands: ``casesim play/author/resume`` report mistakes for people, not tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casesim.cli import main
from casesim.cli.play import resolve_scenario
from casesim.scoring.catalog import Catalog
from conftest import EXAMPLE


def test_play_an_unknown_scenario_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "no-such-scenario"]) == 2
    err = capsys.readouterr().err
    assert "no such scenario" in err and "no-such-scenario" in err and "Traceback" not in err


@pytest.mark.parametrize(("seed", "message"), [("-1", "out of range"), ("2147483648", "out of range"),
                                               ("seven", "not a whole number")])
def test_a_seed_the_records_cannot_keep_exactly_is_refused(seed: str, message: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["play", "example-check-in", "--seed", seed])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--seed" in err and message in err


def test_play_a_broken_file_lists_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text().replace("goto: ask-q2\n", "goto: nowhere\n"))
    assert main(["play", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml has errors" in err and "nowhere" in err


def test_author_a_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["author", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_resume_with_nothing_in_progress_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resume", "--db", str(tmp_path / "records.db"), "--trainee", "Nobody"]) == 2
    assert "nothing to resume" in capsys.readouterr().err


def test_a_scenario_is_found_by_id_or_by_path(catalog: Catalog, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "renamed.yaml").write_bytes(EXAMPLE.read_bytes())
    monkeypatch.setenv("CASESIM_SCENARIOS", str(folder))
    by_id = resolve_scenario("example-check-in", catalog)
    by_path = resolve_scenario(str(EXAMPLE), catalog)
    assert by_id.content_hash == by_path.content_hash
    assert by_id.scenario is not None and by_id.scenario.id == "example-check-in"


def test_the_cli_parser_does_not_load_textual() -> None:
    code = ("import sys; from casesim.cli.main import build_parser; build_parser(); "
            "sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
