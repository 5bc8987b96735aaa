"""Pilot tests for issue 15 items 2-4 in the terminal UI: the clock stops under any overlay, an
instructor's 2x reaches the countdown, the case file opens on c, and the debrief teaches first."""

from __future__ import annotations

from textual.widgets import Static

from casesim.records.api import RecordStore
from casesim.tui.screens import DebriefScreen, PlayScreen
from casesim.tui.screens.case_file import CaseFileScreen
from casesim.tui.screens.glossary import GlossaryScreen
from support.clock import FakeClock
from support.tui import (
    EXPERT,
    AppFactory,
    assessment_debrief,
    choose,
    play_area,
    screen_text,
    settle,
)


async def _to_timed_moment(pilot: object, *, mode: str = "assessment") -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    if mode == "assessment":
        await pilot.press("tab", "down")  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await choose(pilot, EXPERT[:2])  # type: ignore[arg-type]


async def test_the_clock_stops_while_the_case_file_help_or_pause_is_open(
        make_test_app: AppFactory, clock: FakeClock) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_timed_moment(pilot)
        session = play_area(app).attempt.session
        assert session.timer_seconds() == 60  # 45 s and 15 s to read the screen
        clock.advance(10)
        assert session.time_left() == 50
        for key, overlay in (("c", CaseFileScreen), ("question_mark", None), ("p", None)):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, PlayScreen)
            if overlay is not None:
                assert isinstance(app.screen, overlay)
            clock.advance(500)  # far past the timer: nothing runs out under an overlay
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen)
            assert session.time_left() == 50 and not session.timer_expired()
        clock.advance(5)
        assert session.time_left() == 45


async def test_an_instructor_s_2x_reaches_the_countdown(
        make_test_app: AppFactory, store: RecordStore, clock: FakeClock) -> None:
    store.upsert_trainee("Test Trainee", "Test Trainee")
    store.set_accommodation("Test Trainee", "2x", set_by="Dr Lee")
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_timed_moment(pilot)
        assert play_area(app).attempt.session.timer_seconds() == 120
        timer = str(app.screen.query_one("#play-timer", Static).render())
        assert "2:00" in timer or "120" in timer
        assert "2× time" in timer


async def test_the_case_file_shows_the_client_and_the_objectives(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert "Case file: Dana Okafor" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        text = screen_text(app)
        for part in ("Referral", "What you already know", "Language", "Culture and identity",
                     "What to practise (the objectives)", "clock is stopped"):
            assert part in text, part


async def test_the_debrief_opens_with_the_lesson_and_the_glossary_is_one_key_away(
        make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await assessment_debrief(pilot)
        assert isinstance(app.screen, DebriefScreen)
        text = screen_text(app)
        assert "What to take away" in text and "NOT PASSED" in text
        assert "decision" in text and "that mattered most" in text and "Better:" in text
        assert text.index("What to take away") < text.index("Outcome")
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GlossaryScreen)
        assert "NASW" in screen_text(app)
