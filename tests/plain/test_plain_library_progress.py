"""The plain library says where the trainee stands with each scenario, in the TUI list's words
(issue 15 item 6: tried, passed, practice only); a scenario not tried says nothing more."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.plain import PlainConsole, PlainPlayer
from casesim.play.library import load_library
from casesim.play.trainee import TraineeSettings
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.paths import EXAMPLE, MARKUP
from support.records import EXPERT, LOST, play


class _Quit(PlainConsole):
    def __init__(self) -> None:
        super().__init__(io.StringIO(), io.StringIO(), interactive=False)

    def ask(self, prompt: str) -> str | None:
        self.say(prompt)
        return "q"

    @property
    def text(self) -> str:
        out = self.stdout
        assert isinstance(out, io.StringIO)
        return out.getvalue()


def _listing(catalog: Catalog, store: RecordStore, clock: FakeClock, folder: Path, trainee: str) -> list[str]:
    console = _Quit()
    player = PlainPlayer(console, catalog=catalog, store=store, trainee=TraineeSettings(name=trainee, tour_done=True),
                         clock=clock, new_seed=lambda: 7, settle_seconds=0.0)
    assert player.library(load_library([folder], catalog)) == 0
    return console.text.splitlines()


def test_each_scenario_s_standing_is_said_beside_its_title(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore, clock: FakeClock, tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    for source in (EXAMPLE, MARKUP):
        shutil.copy(source, folder / source.name)
    play(store, example, catalog, "Ana", EXPERT[:1])  # practice, left
    title = example.program.scenario.title
    lines = _listing(catalog, store, clock, folder, "Ana")
    example_line = next(line for line in lines if f"{title}, about" in line)
    assert example_line.endswith("; practice only"), example_line
    markup_line = next(line for line in lines if "Markup" in line)
    assert ";" not in markup_line.split("minutes", 1)[1], markup_line  # not tried: nothing said
    play(store, example, catalog, "Ana", LOST, mode="assessment")
    assert any(f"{title}, about" in line and line.endswith("; tried") for line in _listing(catalog, store, clock,
                                                                                          folder, "Ana"))
    play(store, example, catalog, "Ana", EXPERT, mode="assessment")
    assert any(f"{title}, about" in line and line.endswith("; passed") for line in _listing(catalog, store, clock,
                                                                                           folder, "Ana"))
    # Someone else's attempts are not this trainee's standing.
    assert not any(line.endswith(("; passed", "; tried", "; practice only"))
                   for line in _listing(catalog, store, clock, folder, "Ben"))
