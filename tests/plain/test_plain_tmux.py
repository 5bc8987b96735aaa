"""``casesim --plain`` in a real terminal (tmux, 80×24): the cursor stays visible, there is no
alternate screen and no styling, and a number typed before the choices settle chooses nothing."""

from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casesim.records import open_store
from support.terminal import SETTLE, TMUX_MARKS, Terminal, casesim_binary

pytestmark = TMUX_MARKS


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"casesim-plain-{os.getpid()}-{time.monotonic_ns()}")
    yield term
    term.close()


def _state(terminal: Terminal) -> tuple[str, str]:
    """Whether the cursor is shown, and whether the alternate screen is on ("1"/"0")."""
    flags = terminal.tmux("display-message", "-p", "-t", "casesim", "#{cursor_flag} #{alternate_on}").split()
    return flags[0], flags[1]


def _wait_in_history(terminal: Terminal, text: str, timeout: float = 30.0) -> str:
    """The scrollback from ``text`` on, once it has been written (lines leave the screen quickly)."""
    deadline = time.monotonic() + timeout
    while True:
        history = terminal.tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", "casesim")
        if text in history and history.rstrip().endswith(":"):
            return history[history.rindex(text):]
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear within {timeout}s:\n{history[-2000:]}")
        time.sleep(0.05)


def test_the_plain_library_in_a_terminal_keeps_the_cursor_and_the_main_screen(terminal: Terminal,
                                                                               tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    env = {"CASESIM_DATA": str(tmp_path / "data"), "CASESIM_DB": str(db), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "TZ": "UTC", "LANG": "C.UTF-8"}
    command = " ".join(["env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()),
                        *map(shlex.quote, casesim_binary()), "--plain", "; echo casesim-exited-$?; sleep 30"])
    terminal.start(command)
    terminal.wait_for("A short introduction follows")  # the guided first run, skipped as a returning student would
    terminal.keys("s", "Enter")
    terminal.wait_for("Type a number to open a scenario")
    listing = terminal.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "casesim")
    number = re.search(r"^(\d+)\. Example: a first check-in call", listing, re.M)
    assert number is not None, listing
    terminal.keys(number.group(1), "Enter")
    terminal.wait_for("Your name or student id")
    terminal.keys("Tmux Trainee", "Enter")
    terminal.wait_for("Type 1 or 2")
    terminal.keys("1", "Enter")
    terminal.wait_for("Type a number, or h for help")
    assert _state(terminal) == ("1", "0")  # cursor shown, the main screen (scrollback readable)
    terminal.keys("1", "Enter")  # at once: before the choices have settled
    terminal.wait_for("Take a moment to read the choices first. Nothing was chosen.")
    time.sleep(SETTLE)
    terminal.keys("2", "Enter")
    terminal.wait_for("You say: ")
    styled = terminal.tmux("capture-pane", "-p", "-e", "-S", "-200", "-t", "casesim")
    assert "\x1b" not in styled  # -e would show any colour or bold casesim had written
    terminal.keys("q", "Enter")
    terminal.wait_for("Type y to leave")
    terminal.keys("y", "Enter")
    after = _wait_in_history(terminal, "You left this scenario.")
    assert after.rstrip().endswith("Type a number to open a scenario, or q to quit:")
    terminal.keys("q", "Enter")
    terminal.wait_for("casesim-exited-0")
    with open_store(db) as store:
        (attempt,) = store.attempts("Tmux Trainee")
        assert attempt.status == "left"
        assert [e.kind for e in store.events(attempt.id)].count("choice") == 1
