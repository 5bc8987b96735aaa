"""The TUI debrief says the timing accommodation an attempt was played with, as an accommodation
that does not change the score (the plain and HTML debriefs and the PDF said it; the TUI's did
not, though the README promises it "on the debrief"). Standard time says nothing."""

from __future__ import annotations

from casesim.records.api import RecordStore
from casesim.tui.screens import DebriefScreen
from casesim.tui.widgets.prose import Prose
from support.tui import AppFactory, assessment_debrief


async def _debrief_outcome(make_test_app: AppFactory) -> str:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await assessment_debrief(pilot)
        assert isinstance(app.screen, DebriefScreen)
        return " ".join(app.screen.query_one("#debrief-outcome", Prose).plain.split())


async def test_the_debrief_names_an_instructor_s_2x_as_an_accommodation(
        make_test_app: AppFactory, store: RecordStore) -> None:
    store.upsert_trainee("Test Trainee", "Test Trainee")
    store.set_accommodation("Test Trainee", "2x", set_by="Dr Lee")
    text = await _debrief_outcome(make_test_app)
    assert ("Timing accommodation: 2× time, set by the instructor. It gives more time; it does not change the "
            "score.") in text


async def test_standard_time_is_not_mentioned(make_test_app: AppFactory) -> None:
    assert "Timing accommodation" not in await _debrief_outcome(make_test_app)
