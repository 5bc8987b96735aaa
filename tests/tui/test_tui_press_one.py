"""The review's test-wise trainee, for real: the ``casesim`` binary under tmux, in assessment
mode, pressing Enter and then "1" at every prompt of every bundled scenario (issue 10).

Enter chooses nothing (no option is highlighted when a node opens), so a trainee who only
presses Enter never leaves the first decision. "1" picks whatever the attempt's shuffled order
shows first, which is a uniformly random option at every shuffled node: it passes a scenario
only as often as the answer-cue audit's random chooser does (at most 5%, pinned by
``tests/authoring/test_library_depth.py``). With the seed fixed here the run is reproducible,
and the test checks that what the screen and the record say agrees with the engine's verdict
for that seed's "press 1" path.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.authoring.pipeline import require_scenario
from casesim.bundled import frameworks_dir, scenarios_dir
from casesim.records import open_store
from casesim.records.api import effective_path
from casesim.scoring.catalog import load_catalog
from casesim.scoring.engine import score_path
from casesim.semantics.order import shown_choices
from casesim.semantics.program import apply, initial_state, is_final
from support.terminal import TMUX_MARKS, Terminal, casesim_binary
from support.tui import TEST_SEED

pytestmark = TMUX_MARKS

BUNDLED = sorted(scenarios_dir().glob("*.yaml"))
SETTLE = 0.2
"""The choice settle time this test configures: shorter than the default, so ten scenarios play
in minutes; a key pressed sooner is ignored and pressed again."""


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"casesim-press1-{os.getpid()}-{time.monotonic_ns()}")
    yield term
    term.close()


def _press_one_path(path: Path) -> tuple[list[str], bool]:
    """The path "1" at every prompt takes with :data:`TEST_SEED`, and whether the engine passes it."""
    catalog = load_catalog(frameworks_dir())
    loaded = require_scenario(path, catalog)
    program = loaded.program
    state = initial_state(program)
    steps: list[str] = []
    while not is_final(program, state):
        first = shown_choices(program, state, TEST_SEED)[0]
        steps.append(first.id)
        state = apply(program, state, first)
    debrief = score_path(program, loaded.analysis, catalog, steps)
    return steps, debrief.passed


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_pressing_enter_then_1_at_every_prompt_fails_the_assessment(path: Path, terminal: Terminal,
                                                                      tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.yaml").write_text(f"choice_settle_seconds: {SETTLE}\n", encoding="utf-8")
    db = tmp_path / "records.db"
    (data).mkdir(parents=True, exist_ok=True)  # the guided first run counts as done here
    (data / "trainee.json").write_text('{"tour_done": true}', encoding="utf-8")
    env = {"CASESIM_DATA": str(data), "CASESIM_DB": str(db), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "TZ": "UTC", "LANG": "C.UTF-8"}
    command = " ".join([
        "env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
        *map(shlex.quote, casesim_binary()), "play", path.stem, "--mode", "assessment",
        "--seed", str(TEST_SEED), "--trainee", "'Press One'", "; echo casesim-exited-$?; sleep 30",
    ])
    terminal.start(command)
    terminal.wait_for("Before you start")
    terminal.keys("Enter")
    terminal.wait_for("decision 1")

    # Enter alone: nothing is highlighted, so nothing is chosen, however often it is pressed.
    for _ in range(3):
        time.sleep(SETTLE + 0.1)
        terminal.keys("Enter")
    time.sleep(0.5)
    assert "decision 1" in terminal.screen()
    with open_store(db, readonly=True) as store:
        [attempt] = store.attempts()
        assert [e for e in store.events(attempt.id) if e.kind == "choice"] == []

    # Then "1" at every prompt, the "see your debrief" prompt included.
    deadline = time.monotonic() + 180
    while "Debrief ·" not in (screen := terminal.screen()):
        assert time.monotonic() < deadline, f"no debrief after 180 s; the screen shows:\n{screen}"
        time.sleep(SETTLE + 0.1)
        terminal.keys("1")
    screen = terminal.wait_for("NOT PASSED")
    assert "✓ PASSED" not in screen

    expected_path, engine_passes = _press_one_path(path)
    assert not engine_passes
    with open_store(db, readonly=True) as store:
        [attempt] = store.attempts()
        assert attempt.mode == "assessment" and attempt.seed == TEST_SEED and attempt.passed is False
        chosen = effective_path(store.events(attempt.id))
    assert chosen == expected_path
    terminal.keys("Escape")
    terminal.wait_for("scenario library")
    terminal.keys("q")
    terminal.wait_for("casesim-exited-0")
