"""The real ``casesim`` binary in a real terminal: a private tmux server, read with capture-pane.

Tests wait for text to appear on the screen, or for a process to exit. The one wait of fixed
length is the product's own: a key that chooses is ignored until new choices have been on
screen for ``CHOICE_SETTLE_SECONDS`` of real time, so :meth:`Terminal.choose` waits that out.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casesim.tui.widgets.play_area import CHOICE_SETTLE_SECONDS

TMUX_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (make system-deps installs it)"),
]
"""``pytestmark`` for a module that drives tmux."""

SETTLE = CHOICE_SETTLE_SECONDS + 0.15
"""How long to wait after new choices are on screen before a key that chooses (real time)."""


class Terminal:
    """A private tmux server with one 80×24 window running a command."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", "casesim", "-x", "80", "-y", "24", command)

    def pane_pid(self) -> int:
        """The pid of the pane's process (the command itself when it was started with ``exec``)."""
        return int(self.tmux("display-message", "-p", "-t", "casesim", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "casesim")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "casesim", *keys)

    def choose(self, key: str) -> None:
        """Press a key that chooses, once the choices on screen have settled."""
        time.sleep(SETTLE)
        self.keys(key)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear within {timeout}s; the screen shows:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def casesim_binary() -> list[str]:
    """The installed ``casesim`` script beside this Python, or ``python -m casesim``."""
    script = Path(sys.executable).with_name("casesim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "casesim"]


class Process:
    """A process the test did not start (a tmux pane's), held by a pidfd where the platform has
    one (Linux), so the kill and the wait address this process even if its pid is reused."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd: int | None = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None

    def kill(self) -> None:
        if self.fd is not None:
            signal.pidfd_send_signal(self.fd, signal.SIGKILL)
        else:
            os.kill(self.pid, signal.SIGKILL)

    def wait_gone(self, timeout: float = 60.0) -> None:
        """Wait until the process has exited: its files closed, its locks released.

        ``kill`` returns before the process is gone: it keeps its files and locks until its exit
        is complete (a write or fsync in progress finishes first, then its memory is torn down).
        """
        try:
            if self.fd is not None:
                # A pidfd becomes readable when the process exits, zombie or reaped.
                ready, _, _ = select.select([self.fd], [], [], timeout)
                if not ready:
                    raise AssertionError(f"process {self.pid} was still running {timeout}s after SIGKILL")
                return
            deadline = time.monotonic() + timeout
            while True:
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"process {self.pid} was still running {timeout}s after SIGKILL")
                time.sleep(0.02)
        finally:
            self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
