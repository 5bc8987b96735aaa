"""A replay plays with the time allowance recorded with the attempt it replays (issue 15).

The allowance of a new attempt is worked out when it begins (the instructor's setting, the
student's request). A replay from a decision is a look back at one attempt, so it keeps that
attempt's allowance even when the setting changed since; a new attempt takes the setting as it
is now.
"""

from __future__ import annotations

from casesim.play.recorder import recorded_timing
from casesim.play.timing import attempt_timing
from casesim.records.api import RecordStore
from casesim.tui.screens import DebriefScreen, PlayScreen
from support.tui import CRITICAL, AppFactory, choose, open_and_start, play_area, settle


async def test_a_replay_keeps_the_allowance_recorded_with_the_attempt(
        make_test_app: AppFactory, store: RecordStore) -> None:
    store.upsert_trainee("Test Trainee", "Test Trainee")
    store.set_accommodation("Test Trainee", "2x", set_by="Dr Lee")
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        first = play_area(app).attempt
        assert first.timing.allowance == "2x"
        await choose(pilot, CRITICAL)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        store.set_accommodation("Test Trainee", None, set_by="Dr Lee")  # lifted after the attempt
        await pilot.press("tab", "tab", "r")  # replay from decision 2
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        replay = play_area(app).attempt
        assert replay.attempt_id != first.attempt_id and replay.session.path == CRITICAL[:1]
        assert replay.timing.allowance == "2x"
        assert recorded_timing(store.events(replay.attempt_id or "")).allowance == "2x"  # and so recorded
        # while a new attempt would take the setting as it is now (lifted)
        assert attempt_timing(store, "Test Trainee", "practice").allowance == "standard"
