"""The guided first run in plain mode, through a pipe (issue 15, item 6 for `casesim --plain`).

The TUI's tour (casesim.play.tour) is said as notes read one at a time before the first listing
of the library; Enter reads on, s skips; finishing or skipping is remembered with the trainee
settings (the same `tour_done` the TUI reads), so the next start goes straight to the list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casesim.play.tour import TOUR
from support.plain import PlainDriver


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CASESIM_DB": str(tmp_path / "records.db"), "CASESIM_DATA": str(tmp_path / "data")}


def _tour_done(env: dict[str, str]) -> bool:
    data = json.loads((Path(env["CASESIM_DATA"]) / "trainee.json").read_text(encoding="utf-8"))
    return bool(data["tour_done"])


def test_the_first_start_reads_the_notes_in_order_then_lists_and_the_next_start_does_not(env: dict[str, str]) -> None:
    first = PlainDriver(["--plain"], env)
    try:
        assert "A short introduction follows: 6 notes" in first.wait_prompt()
        first.answer("")
        said = ""
        for _ in range(len(TOUR) - 1):
            said += first.wait_prompt()
            first.answer("")
        said += first.wait_prompt()
        assert "Type a number to open a scenario" in said  # the list follows the last note
        notes = [f"Note {i} of {len(TOUR)}, {c.title}: {c.text_for(plain=True)}" for i, c in enumerate(TOUR, start=1)]
        places = [said.index(note) for note in notes]
        assert places == sorted(places)  # every note, in order
        assert "as a bar" not in said and "Press t" not in said  # the screen's wording is not used here
        assert said.index("These notes will not be shown again.") < said.index("casesim scenario library.")
        assert first.finish(["q"]) == 0
    finally:
        first.close()
    assert _tour_done(env)
    second = PlainDriver(["--plain"], env)
    try:
        shown = second.wait_prompt()
        assert "introduction" not in shown and "casesim scenario library." in shown
        assert second.finish(["q"]) == 0
    finally:
        second.close()


def test_the_notes_can_be_skipped_at_once_or_part_way_and_that_is_remembered(env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    driver = PlainDriver(["--plain"], env)
    try:
        driver.wait_prompt()
        driver.answer("s")
        shown = driver.wait_prompt()
        assert "Note 1" not in shown and "casesim scenario library." in shown
        assert driver.finish(["q"]) == 0
    finally:
        driver.close()
    assert _tour_done(env)
    other = {**env, "CASESIM_DATA": str(tmp_path / "other")}
    driver = PlainDriver(["--plain"], other)
    try:
        driver.wait_prompt()
        driver.answer("")
        assert "Note 1 of" in driver.wait_prompt()
        driver.answer("s")  # part way
        shown = driver.wait_prompt()
        assert "Note 2 of" not in shown and "casesim scenario library." in shown
        assert driver.finish(["q"]) == 0
    finally:
        driver.close()
    assert _tour_done(other)
