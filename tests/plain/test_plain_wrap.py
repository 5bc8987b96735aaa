"""Plain mode at a terminal breaks a long line between words, never inside one (the terminal cut
"three" into "thr" / "ee" at the window's edge, and a screen reader reviewing by line read the
halves); through a pipe the lines stay whole, as a transcript."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.plain import PlainConsole
from support.terminal import Terminal, casesim_binary

LONG = ("What you already know: Referred by a shelter intake worker after an eviction three weeks ago. "
        "Works part-time at a warehouse; staying on a cousin's couch.")


def test_a_long_line_is_broken_between_words_at_the_width() -> None:
    out = io.StringIO()
    console = PlainConsole(io.StringIO("2\n"), out, interactive=True, width=40)
    console.say(f"{LONG}\n\nshort")
    assert console.ask("Type a number to open a scenario, or q to quit:") == "2"
    lines = out.getvalue().split("\n")
    assert all(len(line) < 40 for line in lines), lines
    assert " ".join(out.getvalue().split()) == " ".join(f"{LONG} short Type a number to open a scenario, or q "
                                                          "to quit:".split())
    assert "" in lines  # a blank line stays a blank line
    assert out.getvalue().endswith("quit: ")  # the answer is typed after the prompt, on its line


def test_through_a_pipe_lines_stay_whole() -> None:
    out = io.StringIO()
    PlainConsole(io.StringIO(), out, interactive=False).say(LONG)
    assert out.getvalue() == LONG + "\n"


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"casesim-wrap-{os.getpid()}-{time.monotonic_ns()}")
    yield term
    term.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make system-deps installs it)")
def test_at_an_80_column_terminal_no_line_reaches_the_edge(terminal: Terminal, tmp_path: Path) -> None:
    env = {"CASESIM_DATA": str(tmp_path / "data"), "CASESIM_DB": str(tmp_path / "records.db"), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    command = " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
                        *map(shlex.quote, casesim_binary()), "play", "--plain", "example-check-in", "; sleep 30"])
    terminal.start(command)
    screen = terminal.wait_for("Your name or student id")
    assert "eviction" in screen or "What you already know" in screen, screen
    # The terminal wraps only a line that reaches its last column; casesim's lines stop before it.
    assert all(len(line) < 80 for line in screen.splitlines()), screen
