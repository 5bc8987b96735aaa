"""Plain mode says when ``c`` reads the case file, and keeps its word: at the mode question
``c`` reads the case file again (it used to answer "There is no mode 'c'" right after the
introduction said "Type c at any moment"); at the name prompt any text is a name."""

from __future__ import annotations

import io

from casesim.authoring.pipeline import AnalysedScenario
from casesim.plain import Outcome, PlainConsole, PlainPlayer
from casesim.play.trainee import TraineeSettings
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock


class _Script(PlainConsole):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(io.StringIO(), io.StringIO(), interactive=False)
        self.lines = lines

    def ask(self, prompt: str) -> str | None:
        self.say(prompt)
        return self.lines.pop(0) if self.lines else None

    @property
    def text(self) -> str:
        out = self.stdout
        assert isinstance(out, io.StringIO)
        return out.getvalue()


def test_c_at_the_mode_question_reads_the_case_file_again(example: AnalysedScenario, catalog: Catalog,
                                                          clock: FakeClock) -> None:
    console = _Script(["c", "x"])
    player = PlainPlayer(console, catalog=catalog, store=None, trainee=TraineeSettings(name="Ana"), clock=clock,
                         new_seed=lambda: 7, settle_seconds=0.0)
    assert player.start(example, trainee_name="Ana") is Outcome.STOPPED  # the script ends at the mode question
    text = console.text
    intro, after = text.split("Type 1 or 2", 1)
    assert "From the mode question on, type c at any moment to read the case file again." in intro
    assert "Once you are playing, you can pause at any moment by typing p" in intro
    assert intro.count("Case file: Dana Okafor") == 1
    assert "There is no mode 'c'" not in after
    assert after.count("Case file: Dana Okafor") == 1 and "What to practise (the objectives):" in after
    assert "There is no mode 'x'. Type 1 for practice or 2 for assessment, or c to read the case file again." in after
