"""The real ``casesim`` binary in a real terminal (tmux, 80×24): library → play → debrief.

tmux drives the program exactly as a trainee would (send-keys), and the test reads the screen
with capture-pane. It waits for text to appear, and before a key that chooses, for the app's
settle time (a key sooner is ignored, as it would be for a trainee). ``make test`` installs
tmux when it can; without it this test is skipped with the reason.
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records import open_store
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.order import shown_choices
from casesim.semantics.program import apply, initial_state
from support.paths import EXAMPLE
from support.terminal import TMUX_MARKS, Terminal, casesim_binary
from support.tui import EXPERT

pytestmark = TMUX_MARKS


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"casesim-test-{os.getpid()}-{time.monotonic_ns()}")
    yield term
    term.close()


def test_the_casesim_binary_plays_the_example_to_its_debrief(terminal: Terminal, tmp_path: Path,
                                                             catalog: Catalog, example: AnalysedScenario) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(EXAMPLE, library / EXAMPLE.name)
    db = tmp_path / "records.db"
    env = {"CASESIM_DATA": str(tmp_path / "data"), "CASESIM_SCENARIOS": str(library), "CASESIM_DB": str(db),
           "HOME": str(tmp_path), "TERM": "xterm-256color", "TZ": "UTC", "LANG": "C.UTF-8"}
    command = " ".join([
        "env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
        *map(shlex.quote, casesim_binary()), "; echo casesim-exited-$?; sleep 30",
    ])
    terminal.start(command)
    screen = terminal.wait_for("Example: a first check-in call")
    assert "scenario library" in screen and "no trainee yet" in screen
    terminal.keys("Enter")
    terminal.wait_for("Content notes:")
    terminal.keys("Tmux Trainee", "Enter")
    terminal.wait_for("decision 1")
    terminal.wait_for("Welcome (1 of")  # the guided first run, once: skipped with one key
    terminal.keys("s")

    program = example.program
    store = open_store(db, readonly=True)
    try:
        seed = store.attempts()[0].seed  # recorded when the attempt began; it orders the choices
    finally:
        store.close()
    state = initial_state(program)
    for n, step_id in enumerate(EXPERT, start=1):
        shown = [s.id for s in shown_choices(program, state, seed)]
        terminal.choose(str(shown.index(step_id) + 1))
        state = apply(program, state, program.steps[step_id])
        terminal.wait_for("ending" if n == len(EXPERT) else f"decision {n + 1}")
    terminal.wait_for("See your debrief")
    terminal.wait_for("Ending: A visit planned, with support")
    terminal.choose("1")
    screen = terminal.wait_for("✓ PASSED")
    assert "Debrief · Example: a first check-in call" in screen
    # the expert's own total, as the scenario scores it now (not a pinned figure)
    total = score_path(program, example.analysis, catalog, EXPERT).total_raw
    assert "100% of the expert's points: passed" in screen and f"{total} points of the expert path's {total}" in screen
    terminal.keys("Escape")
    terminal.wait_for("scenario library")
    terminal.keys("q")
    terminal.wait_for("casesim-exited-0")

    store = open_store(db)
    try:
        rows = store.attempts()
        assert [(r.trainee_id, r.status, r.passed) for r in rows] == [("Tmux Trainee", "completed", True)]
        assert [e.payload["choice"] for e in store.events(rows[0].id) if e.kind == "choice"] == EXPERT
    finally:
        store.close()
