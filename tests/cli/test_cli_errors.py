"""One error handler: 1 means problems found, 2 a user error with what to do, 3 a crash with a report."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from pathlib import Path

import pytest

from casesim.cli.main import main
from support.cli import BROKEN, INSTALLED, Casesim


def test_a_user_error_prints_title_message_and_hint_and_exits_2(casesim: Casesim) -> None:
    result = casesim("play", "no-such-scenario")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: no such scenario"
    assert lines[1] == "there is no scenario file or library scenario called 'no-such-scenario'"
    assert lines[2].startswith("hint: run `casesim` to browse the library")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_problems_found_exit_1_not_2(casesim: Casesim) -> None:
    assert casesim("validate", str(BROKEN / "goto-missing.yaml")).exit_code == 1


def test_a_usage_mistake_exits_2(casesim: Casesim) -> None:
    result = casesim("records", "list", "--status", "lost")
    assert result.exit_code == 2 and "'lost' is not one of" in result.stderr
    assert casesim("export", "csv", "--trainee", "a", "--cohort", "b").exit_code == 2
    assert casesim("no-such-command").exit_code == 2


def test_a_crash_exits_3_with_a_short_report_and_the_traceback_in_a_file(
        casesim: Casesim, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(paths: list[Path]) -> list[Path]:
        raise ZeroDivisionError("the kind of bug casesim must not hide")

    monkeypatch.setattr("casesim.authoring.pipeline.find_scenario_files", broken)  # imported by validate when run
    data = tmp_path / "data"
    result = casesim("--data-dir", str(data), "validate", "scenarios")
    assert result.exit_code == 3
    first, where, how = result.stderr.splitlines()
    assert first.startswith("casesim crashed: ZeroDivisionError: the kind of bug casesim must not hide (at ")
    # where: the innermost frame in casesim's own code (the test's stand-in is not casesim's)
    assert "(at casesim/cli/authoring.py:" in first and first.endswith(" in validate_command)")
    assert "Traceback" not in result.stderr
    assert how.startswith("this is a bug in casesim") and "Reporting a problem" in how
    [report] = data.glob("casesim-crash-*.txt")
    assert where == f"the full traceback is in {report}"
    text = report.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError" in text
    assert "validate_command" in text
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_main_returns_the_exit_code_for_the_console_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip().startswith("casesim ")
    assert main(["validate", str(BROKEN / "goto-missing.yaml")]) == 1
    assert main(["play", "no-such-scenario"]) == 2


@pytest.mark.parametrize(("flags", "info", "debug"), [([], False, False), (["-v"], True, False),
                                                       (["-vv"], True, True)])
def test_verbose_shows_the_casesim_logger_on_stderr(casesim: Casesim, flags: list[str], info: bool,
                                                     debug: bool) -> None:
    result = casesim(*flags, "validate", "scenarios/example-check-in.yaml")
    assert result.exit_code == 0
    assert ("INFO    casesim.cli.options: records " in result.stderr) is info
    assert ("DEBUG   casesim.settings: no config file at " in result.stderr) is debug
    # the handler goes when the command ends: nothing leaks into the next run in this process
    assert logging.getLogger("casesim").handlers == [] or all(
        isinstance(h, logging.NullHandler) for h in logging.getLogger("casesim").handlers)


class _CrashedApp:
    """What Textual leaves after an unhandled error in the app: return code 1, the error kept."""

    return_code = 1
    _exception = KeyError("a widget that is not there")
    startup_error = None

    def run(self) -> None:
        pass


def test_a_crash_inside_the_tui_exits_3_not_1(casesim: Casesim, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setattr("casesim.tui.make_app", lambda **kwargs: _CrashedApp())
    result = casesim("--data-dir", str(tmp_path), "play", "example-check-in")
    assert result.exit_code == 3
    assert "casesim crashed: RuntimeError: the terminal UI stopped on an unexpected error" in result.stderr
    [report] = tmp_path.glob("casesim-crash-*.txt")
    assert "KeyError: 'a widget that is not there'" in report.read_text(encoding="utf-8")


def test_the_library_alone_says_a_usage_error_as_any_command_does(tmp_path: Path) -> None:
    # `casesim` with no arguments runs the plain click group (no rich-click before the library's
    # first frame); its usage errors are still drawn by rich-click, word for word as with an argument.
    env = {**os.environ, "CASESIM_DATA": str(tmp_path / "data"), "CASESIM_DB": str(tmp_path / "records.db"),
           "COLUMNS": "80"}
    alone = subprocess.run([str(INSTALLED)], env={**env, "CASESIM_MORE_TIME": "9x"}, capture_output=True,
                           text=True, timeout=60)
    given = subprocess.run([str(INSTALLED), "--more-time", "9x"], env=env, capture_output=True, text=True, timeout=60)
    assert alone.returncode == given.returncode == 2
    assert "Invalid value for '--more-time': '9x' is not a time allowance" in alone.stderr
    assert "╭─ Error" in alone.stderr and "Try 'casesim -h' for help" in alone.stderr
    assert alone.stderr == given.stderr and "Traceback" not in alone.stderr


def test_a_crash_in_the_library_alone_exits_3_with_the_report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    def broken(**kwargs: object) -> int:
        raise ZeroDivisionError("a bug in the library")

    monkeypatch.setattr("casesim.cli.library.run_library", broken)
    # the settings are not resolved yet, so the report goes to the platform's data folder
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main([]) == 3
    err = capsys.readouterr().err
    assert err.startswith("casesim crashed: ZeroDivisionError: a bug in the library")
    [report] = (tmp_path / "share" / "casesim").glob("casesim-crash-*.txt")
    assert f"the full traceback is in {report}" in err
