"""Drive ``casesim serve`` in a real browser: Debian's chromium through Playwright, the screen read with pyte.

xterm.js draws the terminal on a canvas, so the page holds no text to read. The test sees what
the student sees by feeding the same bytes the page's websocket receives to pyte, a VT emulator
of the size the page asked for; keys go in through the page's keyboard, as a student's do.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from support.terminal import SETTLE

CHROMIUM = Path("/usr/bin/chromium")

BROWSER_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make system-deps installs it)"),
]
"""``pytestmark`` for a module that drives the browser."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def casesim_command() -> list[str]:
    script = Path(sys.executable).with_name("casesim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "casesim"]


@contextmanager
def running_server(args: list[str], env: dict[str, str], port: int, log: Path,
                   serve_args: Sequence[str] = ()) -> Iterator[subprocess.Popen[bytes]]:
    """``casesim ARGS serve --port PORT SERVE_ARGS`` until the block ends (stopped with SIGTERM, then
    killed after 10 s: a test that needs a clean stop checks the process's return code)."""
    import urllib.request

    with open(log, "wb") as out:
        process = subprocess.Popen([*casesim_command(), *args, "serve", "--port", str(port), *serve_args],
                                   env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("casesim serve did not start:\n" + log.read_text(errors="replace")) from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class BrowserTerminal:
    """One page of the served app: its screen (pyte) and its keyboard."""

    def __init__(self, page: Any) -> None:
        import pyte

        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.frames = 0
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        query = parse_qs(urlsplit(ws.url).query)
        if "width" in query and "height" in query:
            self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.frames += 1
            try:
                self.stream.feed(payload)
            except Exception as exc:  # pyte's parser failing is the test's problem, said plainly
                raise AssertionError(f"pyte could not read the terminal's bytes: {exc!r}") from exc

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(int(size["height"]), int(size["width"]))

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear within {timeout}s; the screen shows:\n{screen}")
            self.page.wait_for_timeout(50)

    def focus(self) -> None:
        self.page.locator(".xterm-helper-textarea").focus()

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def choose(self, key: str) -> None:
        """Press a key that chooses, once the new choices have settled (as the tmux tests do)."""
        self.page.wait_for_timeout(int(SETTLE * 1000))
        self.press(key)


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, never a browser Playwright downloads."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])


def have_chromium() -> bool:
    return CHROMIUM.exists() and shutil.which("chromium") is not None
