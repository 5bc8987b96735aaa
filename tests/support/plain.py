"""The real ``casesim --plain`` through a pipe: no terminal, lines in and out, as a screen reader's
shell or a script would run it.

The driver waits for a prompt (the player flushes it and then blocks reading stdin), answers it,
and keeps everything written, so a test can read the whole transcript in order.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from collections.abc import Mapping, Sequence

from support.cli import INSTALLED, ROOT

PROMPT = re.compile(r"(Type [^\n]*|Your name or student id[^\n]*|Press Enter[^\n]*): $")
"""Every question the plain player asks ends its line with ": " and waits."""


class PlainDriver:
    """``casesim ARGS`` with stdin and stdout as pipes."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen([str(INSTALLED), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, **env})
        self.output = b""
        self._read_to = 0

    @property
    def transcript(self) -> str:
        return self.output.decode("utf-8")

    def wait_prompt(self) -> str:
        """Everything written since the last answer, up to and including the next prompt."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + self.timeout
        while not PROMPT.search(self.output[self._read_to:].decode("utf-8", "replace")):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no prompt within {self.timeout} s; output so far:\n{self.transcript[-2000:]}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"casesim ended while a prompt was expected:\n{self.transcript[-2000:]}\n"
                                         f"stderr: {self._stderr()}")
                self.output += chunk
        text = self.output[self._read_to:].decode("utf-8")
        self._read_to = len(self.output)
        return text

    def answer(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def finish(self, stdin_lines: Sequence[str] = ()) -> int:
        """Send the last lines, close stdin, and read to the end; the exit code."""
        assert self.process.stdin is not None and self.process.stdout is not None
        for line in stdin_lines:
            self.answer(line)
        self.process.stdin.close()
        self.output += self.process.stdout.read()
        return self.process.wait(timeout=self.timeout)

    def _stderr(self) -> str:
        assert self.process.stderr is not None
        self.process.wait(timeout=5)
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def numbered_choices(block: str) -> dict[str, int]:
    """The last "Your choices:" list in ``block``: the text of each choice -> its number."""
    tail = block.rsplit("Your choices:\n", 1)[1]
    out: dict[str, int] = {}
    for line in tail.splitlines():
        match = re.fullmatch(r"(\d+)\. (.*)", line)
        if match is None:
            break
        out[match.group(2)] = int(match.group(1))
    return out
