"""Lines in, lines out: the only terminal the plain player knows.

The plain player writes whole lines to stdout and reads whole lines from stdin. It never moves,
hides or styles the cursor and never writes an escape sequence, terminal or not, so a screen
reader, a Braille display, a slow SSH link or a pipe gets exactly the words and nothing else.

When stdin is not a terminal (a pipe, a script, a test) each line read is echoed after its
prompt, so the output reads as a complete transcript of the conversation.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from casesim.format.text import visible

__all__ = ["PlainConsole"]


class PlainConsole:
    """Say a line; ask for a line (None once the input has ended)."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, *,
                 interactive: bool | None = None) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        if interactive is None:
            interactive = _isatty(self.stdin)
        self.interactive = interactive
        """Whether a person types at a terminal (then nothing is echoed and type-ahead is dropped)."""

    def say(self, text: str = "") -> None:
        """Write ``text`` (one or more lines) and make sure it is out before anything is read."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str | None:
        """Show ``prompt`` and read one line, without its line ending; None at the end of input."""
        self.stdout.write(prompt + " ")
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            if not self.interactive:
                self.stdout.write("\n")
            self.stdout.write("(input ended)\n")
            self.stdout.flush()
            return None
        text = line.rstrip("\r\n")
        if not self.interactive:
            self.stdout.write(visible(text) + "\n")
            self.stdout.flush()
        return text

    def drop_typeahead(self) -> None:
        """Forget lines typed before new choices appeared (the line-mode form of the settle time).

        A number typed ahead while the previous moment was still being read aloud would otherwise
        choose an option nobody has heard. Only at a terminal; a pipe's lines are meant.
        """
        if not self.interactive:
            return
        try:
            import termios
        except ImportError:  # pragma: no cover - Windows: the settle time still applies
            return
        with contextlib.suppress(OSError, ValueError, termios.error):
            termios.tcflush(self.stdin.fileno(), termios.TCIFLUSH)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
