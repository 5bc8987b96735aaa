"""Lines in, lines out: the only terminal the plain player knows.

The plain player writes whole lines to stdout and reads whole lines from stdin. It never moves,
hides or styles the cursor and never writes an escape sequence, terminal or not, so a screen
reader, a Braille display, a slow SSH link or a pipe gets exactly the words and nothing else.

When stdin is not a terminal (a pipe, a script, a test) each line read is echoed after its
prompt, so the output reads as a complete transcript of the conversation. When stdout is a
terminal, a line longer than the window is broken between words: the terminal itself would cut
it mid-word ("thr" / "ee weeks"), and a screen reader reviewing line by line reads two halves.
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
from typing import TextIO

from casesim.format.text import visible

__all__ = ["PlainConsole"]


class PlainConsole:
    """Say a line; ask for a line (None once the input has ended)."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, *,
                 interactive: bool | None = None, width: int | None = None) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        if interactive is None:
            interactive = _isatty(self.stdin)
        self.interactive = interactive
        """Whether a person types at a terminal (then nothing is echoed and type-ahead is dropped)."""
        self.width = width
        """Break lines between words at this width; None: the terminal's width when stdout is one
        (read at each line, so a resized window is followed), else never."""

    def _columns(self) -> int:
        if self.width is not None:
            return self.width
        if not _isatty(self.stdout):
            return 0
        try:
            return os.get_terminal_size(self.stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):
            return 0

    def _wrapped(self, text: str) -> str:
        """``text`` with each line longer than the window broken between words; a word longer
        than the line is left whole (the terminal wraps it)."""
        columns = self._columns()
        if columns < 20:  # unknown, or too narrow to wrap sensibly: the terminal's own wrapping
            return text
        return "\n".join(textwrap.fill(line, columns - 1, break_long_words=False, break_on_hyphens=False,
                                       drop_whitespace=True, replace_whitespace=False) or line
                         if len(line) >= columns else line for line in text.split("\n"))

    def say(self, text: str = "") -> None:
        """Write ``text`` (one or more lines) and make sure it is out before anything is read."""
        self.stdout.write(self._wrapped(text) + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str | None:
        """Show ``prompt`` and read one line, without its line ending; None at the end of input."""
        self.stdout.write(self._wrapped(prompt) + " ")
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
