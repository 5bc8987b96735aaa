"""SIGKILL the real casesim TUI at random points, many times: nothing chosen is lost, and
``casesim resume`` carries on at exactly the decision where the process died.

Each round starts the real binary in tmux (a new attempt, or ``casesim resume``), checks that the
resumed screen is at the decision the record says, makes a few choices (each confirmed on screen
before the next; the settle time is off, see below), presses one more key and kills the process
a random moment later, without waiting. Once the killed process is gone, the record must hold every confirmed choice, and at
most the one in flight.

"Gone" matters. A kill that lands after SQLite wrote a commit frame to the WAL but before it
updated the shared WAL index (the index is memory, updated after the write and fsync system
calls return) leaves a committed choice that only WAL recovery finds. The killed process keeps
its files and locks until its exit is complete, which on a loaded machine takes a while; a
reader that opens meanwhile uses the stale index and misses the choice, while the next process
to open the file after the exit recovers the WAL and sees it. Reading the record before the
process has exited compared the resumed screen with a stale read (the flake: "decision 4" on
screen, 2 choices read).
"""

from __future__ import annotations

import os
import random
import re
import shlex
import subprocess
import time
from pathlib import Path

from casesim.records import open_store
from casesim.records.api import effective_path
from support.paths import EXAMPLE
from support.terminal import TMUX_MARKS, Process, Terminal, casesim_binary

pytestmark = TMUX_MARKS

ROUNDS = 50
TRAINEE = "kill-test"


def _recorded(db: Path) -> tuple[str | None, list[str], str | None]:
    """(attempt id, effective path, status) of the trainee's latest attempt."""
    if not db.exists():
        return None, [], None
    store = open_store(db, readonly=True)
    try:
        rows = store.attempts(trainee_id=TRAINEE)
        if not rows:
            return None, [], None
        latest = max(rows, key=lambda r: r.started_at)
        return latest.id, effective_path(store.events(latest.id)), latest.status
    finally:
        store.close()


def _decision(screen: str) -> int | None:
    match = re.search(r"decision (\d+)", screen)
    return int(match.group(1)) if match else None


def test_killing_the_tui_never_loses_a_confirmed_choice_and_resume_continues(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    library = tmp_path / "library"
    library.mkdir()
    (library / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    db = tmp_path / "records.db"
    # This test is about durability, not the settle time (tests/tui/test_tui_choice_order.py and
    # the tmux play test cover that): turn it off through the config file, as a user could, so 50
    # rounds do not spend minutes waiting it out.
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "config.yaml").write_text("choice_settle_seconds: 0\n", encoding="utf-8")
    (tmp_path / "data").mkdir(parents=True, exist_ok=True)  # the guided first run counts as done here
    (tmp_path / "data" / "trainee.json").write_text('{"tour_done": true}', encoding="utf-8")
    env = {"CASESIM_DATA": str(tmp_path / "data"), "CASESIM_SCENARIOS": str(library), "CASESIM_DB": str(db),
           "HOME": str(tmp_path), "TERM": "xterm-256color", "TZ": "UTC", "LANG": "C.UTF-8"}
    prefix = ["env", *(f"{k}={shlex.quote(v)}" for k, v in env.items()), *map(shlex.quote, casesim_binary())]
    kills = resumed = 0
    for round_no in range(ROUNDS):
        attempt_id, path, status = _recorded(db)
        if status == "in-progress":
            command = [*prefix, "resume", "--trainee", TRAINEE]
        else:
            command = [*prefix, "play", "example-check-in", "--mode", "practice", "--trainee", TRAINEE]
        # A fresh tmux server per round: reusing a socket just after kill-server can race.
        terminal = Terminal(f"casesim-kill-{os.getpid()}-{round_no}-{time.monotonic_ns()}")
        try:
            _start(terminal, "exec " + " ".join(command))
            process = Process(terminal.pane_pid())
            if status != "in-progress":
                terminal.wait_for("Content notes:")
                terminal.keys("C-s")
                path = []
            else:
                resumed += 1
            screen = terminal.wait_for("decision", timeout=60) if not path else _wait_play(terminal)
            top = screen.splitlines()[0]
            if "ending" in top:
                # Killed after the last choice but before the debrief: finish it now.
                terminal.keys("1")
                terminal.wait_for("Debrief", timeout=60)
            else:
                # The resumed screen is at exactly the decision after the recorded path.
                assert _decision(top) == len(path) + 1, (round_no, path, screen)
            confirmed = len(path)
            for _ in range(rng.randint(0, 2)):
                if "ending" in terminal.screen().splitlines()[0] or "Debrief" in terminal.screen():
                    break
                terminal.keys("1")
                _wait_next(terminal, confirmed)
                confirmed += 1
            # One more key, then the kill at a random moment, without waiting for the screen.
            top = terminal.screen().splitlines()[0]
            if "decision" in top:
                terminal.keys("1")
                time.sleep(rng.uniform(0.0, 0.25))
            process.kill()
            kills += 1
        finally:
            terminal.close()
        process.wait_gone()
        attempt_id, after, status = _recorded(db)
        assert attempt_id is not None
        assert len(after) in (confirmed, confirmed + 1), (round_no, confirmed, after)
        assert after[:len(path)] == path, "what was recorded before stays recorded"
    assert kills == ROUNDS
    assert resumed >= ROUNDS // 3


def _start(terminal: Terminal, command: str) -> None:
    for attempt in range(3):
        try:
            terminal.start(command)
            return
        except subprocess.CalledProcessError as exc:
            if attempt == 2:
                raise AssertionError(f"tmux could not start: {exc.stderr}") from exc
            terminal.close()
            time.sleep(0.2)


def _wait_play(terminal: Terminal) -> str:
    """Wait for the play screen of a resumed attempt (at a decision or an ending)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        screen = terminal.screen()
        top = screen.splitlines()[0] if screen else ""
        if "decision" in top or "ending" in top:
            return screen
        time.sleep(0.03)
    raise AssertionError(f"the resumed attempt did not open: {terminal.screen()}")


def _wait_next(terminal: Terminal, confirmed: int) -> None:
    """Wait until the screen shows the decision after ``confirmed`` choices (or an ending)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        top = terminal.screen().splitlines()[0]
        if "ending" in top or _decision(top) == confirmed + 2:
            return
        time.sleep(0.03)
    raise AssertionError(f"the choice after {confirmed} was not shown: {terminal.screen()}")
