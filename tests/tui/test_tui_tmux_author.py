"""The real ``casesim author`` in a real terminal (tmux, 80×24), driven as a trainer would drive it.

Edits a variable, reads the tests and the graph, breaks the file and fixes it while it plays,
asks for a timeout where there is no timer, and leaves: every step waits for the screen to say so.
"""

from __future__ import annotations

import os
import shlex
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from support.paths import EXAMPLE
from support.terminal import TMUX_MARKS, Terminal, casesim_binary

pytestmark = TMUX_MARKS


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"casesim-author-{os.getpid()}-{time.monotonic_ns()}")
    yield term
    term.close()


def test_a_trainer_edits_tests_breaks_and_fixes_a_draft_in_the_workbench(terminal: Terminal, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    shutil.copy(EXAMPLE, draft)
    env = {"CASESIM_DATA": str(tmp_path / "data"), "HOME": str(tmp_path), "TERM": "xterm-256color", "TZ": "UTC",
           "LANG": "C.UTF-8"}
    command = " ".join([
        "env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
        *map(shlex.quote, casesim_binary()), "author", shlex.quote(str(draft)),
        "; echo casesim-exited-$?; sleep 30",
    ])
    terminal.start(command)
    terminal.wait_for("Node opening")
    terminal.wait_for("State Score Checks Tests Graph")

    terminal.keys("t")
    written = len(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["tests"])  # the example's own tests
    terminal.wait_for(f"{written} tests · 0 failed", timeout=120)

    terminal.keys("v")
    time.sleep(0.3)
    terminal.keys("Down")
    time.sleep(0.3)
    terminal.keys("Enter")
    terminal.wait_for("Set rapport")
    terminal.keys("15")
    time.sleep(0.3)
    terminal.keys("Enter")
    terminal.wait_for("15 is outside rapport's range 0..10")
    terminal.keys("Escape")
    terminal.wait_for("rapport = 4 (0..10)")

    draft.write_text(draft.read_text(encoding="utf-8").replace("goto: ask-q2\n", "goto: ask-q9\n"), encoding="utf-8")
    terminal.keys("d")
    terminal.wait_for("Still playing the last version")
    terminal.wait_for("did you mean")
    draft.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    terminal.wait_for("✓ No problems.", timeout=120)  # the errors of the broken save are gone

    terminal.keys("g")
    terminal.wait_for("▶ opening (start, here)")
    terminal.keys("x")
    terminal.wait_for("This moment has no timer.")

    terminal.keys("p")
    terminal.wait_for("Leave")
    terminal.keys("l")
    terminal.wait_for("casesim-exited-0")
