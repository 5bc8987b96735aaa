"""The plain player says who speaks: "Dr Ruiz (psychiatrist) says: ...", and an interpreter's original."""

from __future__ import annotations

import io

from casesim.authoring.pipeline import require_scenario
from casesim.plain import PlainConsole, PlainPlayer
from casesim.play.trainee import TraineeSettings
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.paths import VALID


class _Choosing(PlainConsole):
    """Picks the option whose text is ``say`` at the first numbered prompt, then stops."""

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
        assert isinstance(self.stdout, io.StringIO)
        return self.stdout.getvalue()


def test_plain_player_names_each_speaker(catalog: Catalog) -> None:
    loaded = require_scenario(VALID / "family-call.yaml", catalog)
    console = _Choosing("may I talk with your mother about your care?")
    clock = FakeClock()
    player = PlainPlayer(console, catalog=catalog, store=None, trainee=TraineeSettings(name="Ana"),
                         clock=clock, new_seed=lambda: 7, settle_seconds=0.0)
    player.start(loaded, mode="practice", trainee_name="Ana")
    text = console.text
    assert "Maria Reyes (parent, off screen) says: Hello? I am Jordan's mother." in text
    assert "Ana (interpreter) says: She asks how her son is. (in the original: ¿Cómo está mi hijo?)" in text
    assert "Jordan says: Mom, I'm here." in text
    assert "Dr Ruiz (psychiatrist) says: That is the right first question." in text
