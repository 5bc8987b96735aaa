"""The plain player says who speaks: "Dr Ruiz (psychiatrist) says: ...", and an interpreter's original."""

from __future__ import annotations

from casesim.authoring.pipeline import require_scenario
from casesim.plain import PlainPlayer
from casesim.play.trainee import TraineeSettings
from casesim.scoring.catalog import Catalog
from support.clock import FakeClock
from support.paths import VALID
from support.plain_console import ChoosingConsole


def test_plain_player_names_each_speaker(catalog: Catalog) -> None:
    loaded = require_scenario(VALID / "family-call.yaml", catalog)
    console = ChoosingConsole("may I talk with your mother about your care?")
    clock = FakeClock()
    player = PlainPlayer(console, catalog=catalog, store=None, trainee=TraineeSettings(name="Ana"),
                         clock=clock, new_seed=lambda: 7, settle_seconds=0.0)
    player.start(loaded, mode="practice", trainee_name="Ana")
    text = console.text
    assert "Maria Reyes (parent, off screen) says: Hello? I am Jordan's mother." in text
    assert "Ana (interpreter) says: She asks how her son is. (in the original: ¿Cómo está mi hijo?)" in text
    assert "Jordan says: Mom, I'm here." in text
    assert "Dr Ruiz (psychiatrist) says: That is the right first question." in text
