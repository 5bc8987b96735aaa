"""`casesim --more-time` (or CASESIM_MORE_TIME) for the scenarios opened from the library.

The issue asks that a student can request more time in practice. `casesim play --more-time` did,
but the library (`casesim` alone, the README's main way in, plain or full screen) had no way to ask:
a student who opened a scenario from the list always had the standard time.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from support.cli import INSTALLED
from support.plain import PlainDriver


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data")}


def _to_the_timed_moment(args: list[str], env: dict[str, str]) -> str:
    """Open the example from the plain library in practice, answer the first two moments, and
    return what is said up to the timed one's prompt."""
    driver = PlainDriver(args, env)
    try:
        shown = driver.wait_prompt()
        if "introduction" in shown:
            driver.answer("s")
            shown = driver.wait_prompt()
        number = re.search(r"^(\d+)\. Example: a first check-in call", shown, re.MULTILINE)
        assert number is not None, shown
        driver.answer(number.group(1))
        said = ""
        for answer in ("Ana", "1", "1", "1"):
            said += driver.wait_prompt()
            driver.answer(answer)
        said += driver.wait_prompt()
        driver.finish(["q"])
        return said
    finally:
        driver.close()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_more_time_asked_for_at_the_library_reaches_practice(env: dict[str, str], how: str) -> None:
    args = ["--plain", "--more-time", "none"] if how == "option" else ["--plain"]
    extra = {"CASESIM_MORE_TIME": "none"} if how == "environment" else {}
    said = _to_the_timed_moment(args, {**env, **extra})
    assert "This moment is timed, but you have no time limit." in said


def test_without_it_the_library_gives_the_standard_time(env: dict[str, str]) -> None:
    said = _to_the_timed_moment(["--plain"], env)
    assert "This moment is timed: 60 seconds" in said


def test_an_allowance_that_does_not_exist_is_refused_before_anything_opens(env: dict[str, str]) -> None:
    result = subprocess.run([str(INSTALLED), "--more-time", "3x", "--plain"], input="", capture_output=True,
                            text=True, env={**os.environ, **env}, timeout=60)
    assert result.returncode == 2
    assert "'3x' is not a time allowance" in result.stderr and "Traceback" not in result.stderr
