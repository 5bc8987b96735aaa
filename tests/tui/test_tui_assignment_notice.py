"""Before an assessment starts, the trainee learns whether it counts for an assignment (issue 14 item 5)."""

from __future__ import annotations

from textual.widgets import Static

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import NewAssignment, RecordStore
from casesim.tui.screens import BeforeStartScreen, PlayScreen
from support.tui import AppFactory, settle


async def test_an_assessment_outside_the_assignment_is_said_to_count_as_practice_before_it_starts(
        make_test_app: AppFactory, store: RecordStore, example: AnalysedScenario) -> None:
    store.upsert_trainee("Test Trainee", "Test Trainee", "c1")
    store.add_assignment(NewAssignment(cohort="c1", scenario_id=example.scenario.id,
                                       scenario_version=example.scenario.version, content_hash="0" * 64,
                                       mode="assessment"), by="prof")
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press("tab", "down")  # the mode list: assessment
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BeforeStartScreen)  # told first, not started
        notice = str(app.screen.query_one("#before-assignment", Static).render())
        assert "will count as practice" in notice and "another version of the scenario" in notice
        assert not store.attempts(trainee_id="Test Trainee")
        await pilot.press("enter")  # a second Start goes ahead
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
    [attempt] = store.attempts(trainee_id="Test Trainee")
    assert attempt.mode == "assessment" and attempt.assignment is None
