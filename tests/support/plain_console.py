"""An in-process plain player console that answers like a student picking one option by its words."""

from __future__ import annotations

import io

from casesim.plain import PlainConsole

__all__ = ["ChoosingConsole"]


class ChoosingConsole(PlainConsole):
    """Picks the option whose text ends with ``say`` at the first numbered prompt, then stops."""

    def __init__(self, say: str) -> None:
        super().__init__(io.StringIO(), io.StringIO())
        self.want = say
        self.asked = 0

    def ask(self, prompt: str) -> str | None:
        self.say(prompt)
        if not prompt.startswith("Type a number") or self.asked:
            return None
        self.asked += 1
        block = self.text.rsplit("Your choices:\n", 1)[1]
        return next(line.partition(". ")[0] for line in block.splitlines() if line.endswith(self.want))

    @property
    def text(self) -> str:
        """Everything the player has written so far."""
        assert isinstance(self.stdout, io.StringIO)
        return self.stdout.getvalue()
