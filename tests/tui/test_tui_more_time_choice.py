"""Asking for more time in the app (issue 15, item 2: "a student can request [it] in practice").

Before you start lists the time on timers under the mode: standard (the reading allowance is
always included), 1.5×, 2× or no limit. The choice is recorded with a practice attempt as the
student's own request, kept for the next scenario, and never applies to an assessment (only the
instructor's setting does). Before, only `casesim play --more-time` could ask. When the
instructor has set more time for the student, the screen says so under the list, so "Standard"
never reads as all they get.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from casesim.play.trainee import trainee_id_for
from casesim.records.api import RecordStore
from casesim.tui.screens import BeforeStartScreen, PlayScreen
from support.tui import AppFactory, settle, until_screen


async def _before_start(pilot: Pilot[object]) -> None:
    """From the library: open the first scenario and wait on its Before you start."""
    await settle(pilot)
    await pilot.press("enter")
    await until_screen(pilot, BeforeStartScreen)
    assert isinstance(pilot.app.screen, BeforeStartScreen)


async def _start(make_test_app: AppFactory, keys: tuple[str, ...]) -> tuple[str, str]:
    """Open the first scenario, press ``keys`` on Before you start, and return what the time list
    showed as chosen and the attempt's recorded accommodation (as text)."""
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _before_start(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        times = app.screen.query_one("#before-time", OptionList)
        shown = next(str(times.get_option_at_index(i).prompt) for i in range(times.option_count)
                     if str(times.get_option_at_index(i).prompt).startswith("(•)"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        return shown, app.more_time or "standard"


async def test_2x_chosen_before_a_practice_attempt_is_recorded_as_the_student_s_request(
        make_test_app: AppFactory, store: RecordStore) -> None:
    # tab: the mode list (practice); tab: the time list; down twice: 2×
    shown, kept = await _start(make_test_app, ("tab", "tab", "down", "down"))
    assert shown == "(•) 2× time" and kept == "2x"
    (attempt,) = store.attempts()
    assert attempt.mode == "practice"
    assert store.events(attempt.id)[0].payload["accommodation"] == {"time": "2x", "source": "student"}


async def test_an_assessment_keeps_the_standard_time_whatever_is_asked(
        make_test_app: AppFactory, store: RecordStore) -> None:
    # tab, down: assessment; tab, down x3: no time limit
    await _start(make_test_app, ("tab", "down", "tab", "down", "down", "down"))
    (attempt,) = store.attempts()
    assert attempt.mode == "assessment"
    assert "accommodation" not in store.events(attempt.id)[0].payload


async def test_the_standard_time_records_no_accommodation(make_test_app: AppFactory, store: RecordStore) -> None:
    shown, kept = await _start(make_test_app, ())
    assert shown.startswith("(•) Standard time") and kept == "standard"
    (attempt,) = store.attempts()
    assert "accommodation" not in store.events(attempt.id)[0].payload


async def test_the_time_an_instructor_set_is_said_before_the_student_starts(
        make_test_app: AppFactory, store: RecordStore) -> None:
    # The time list's "Standard" must not read as all the student gets when their instructor
    # has set more: Before you start says it, for whoever the name field names.
    tid = trainee_id_for("Test Trainee")
    store.upsert_trainee(tid, "Test Trainee", None)
    store.set_accommodation(tid, "2x", set_by="prof")
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _before_start(pilot)
        note = app.screen.query_one("#before-instructor-time", Static)
        assert note.display and "Your instructor has set 2× time for you" in str(note.render())
        name = app.screen.query_one("#before-name", Input)
        name.value = "Somebody Else"  # another student at the same machine: nothing set for them
        await pilot.pause()
        assert not note.display
        name.value = "Test Trainee"
        await pilot.pause()
        assert note.display
        # Assessment: the instructor's time is what the attempt gets.
        await pilot.press("tab", "down")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
    (attempt,) = store.attempts()
    assert attempt.mode == "assessment"
    assert store.events(attempt.id)[0].payload["accommodation"] == {"time": "2x", "source": "instructor"}


async def test_no_note_without_an_instructor_s_setting(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _before_start(pilot)
        assert not app.screen.query_one("#before-instructor-time", Static).display
