"""casesim started in a window below 80×24 shows the "window too small" notice over the library
at once (it used to show only after a resize: the notice pushed by the first resize was covered
by the library). The clock also stops under the theme picker, as under every overlay."""

from __future__ import annotations

from casesim.tui.screens import LibraryScreen, PlayScreen, ThemeScreen, TooSmallScreen
from support.clock import FakeClock
from support.tui import EXPERT, AppFactory, choose, open_and_start, play_area, screen_text, settle


async def test_a_window_that_starts_small_shows_the_notice_then_the_library(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(60, 18)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert [type(s) for s in app.screen_stack[1:]] == [LibraryScreen, TooSmallScreen]
        assert "This window is 60×18; casesim needs at least 80×24" in screen_text(app)
        await pilot.resize_terminal(70, 20)
        await settle(pilot)
        assert "This window is 70×20" in screen_text(app)
        assert sum(isinstance(s, TooSmallScreen) for s in app.screen_stack) == 1
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)


async def test_the_clock_stops_while_the_theme_picker_is_open(make_test_app: AppFactory, clock: FakeClock) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot, assessment=True)
        await pilot.pause()
        await choose(pilot, EXPERT[:2])
        session = play_area(app).attempt.session
        clock.advance(10)
        left = session.time_left()
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ThemeScreen)
        clock.advance(500)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert session.time_left() == left and not session.timer_expired()
