"""Readable at every size (issue 15 item 5): a theme picker that is remembered, a notice instead of
a broken layout below 80×24 (with the clock held), a reading width on wide terminals, and meter
labels that are never cut."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from casesim.tui.screens import PlayScreen, ThemeScreen, TooSmallScreen
from casesim.tui.themes import DEFAULT_THEME
from casesim.tui.widgets.choice_list import ChoiceList
from casesim.tui.widgets.client_panel import INLINE_LABEL, meter_content
from casesim.tui.widgets.transcript import Transcript
from support.clock import FakeClock
from support.tui import EXPERT, AppFactory, choose, open_and_start, play_area, screen_text, settle


async def _to_timed_moment(pilot: object) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await open_and_start(pilot, assessment=True)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]
    await choose(pilot, EXPERT[:2])  # type: ignore[arg-type]


async def test_the_theme_picked_in_the_app_is_used_and_remembered(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    assert app.theme == DEFAULT_THEME
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, ThemeScreen)
        assert "Dark (now): light text on a dark background (the default)" in screen_text(app)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.theme == "casesim-high-contrast"
        assert not isinstance(app.screen, ThemeScreen)
    saved = json.loads((tmp_path / "trainee.json").read_text(encoding="utf-8"))
    assert saved["theme"] == "casesim-high-contrast" and saved["name"] == "Test Trainee"
    # Next start: the student's pick wins over a theme the config file names.
    again = make_test_app(theme="casesim-light", trainee="Test Trainee")
    again.trainee = replace(again.trainee, theme=saved["theme"])
    from casesim.tui import make_app
    rebuilt = make_app(catalog=again.catalog, library_paths=again.deps.library_paths, store=None,
                       trainee=again.trainee, theme="casesim-light", deterministic=True)
    assert rebuilt.theme == "casesim-high-contrast"


async def test_escape_keeps_the_current_theme(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(theme="casesim-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t", "down", "escape")
        await settle(pilot)
        assert app.theme == "casesim-light"
    assert not (tmp_path / "trainee.json").exists()


async def test_below_80x24_a_notice_covers_the_screen_holds_the_clock_and_goes_when_the_window_grows(
        make_test_app: AppFactory, clock: FakeClock) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_timed_moment(pilot)
        session = play_area(app).attempt.session
        clock.advance(10)
        left = session.time_left()
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "This window is 60×20; casesim needs at least 80×24" in screen_text(app)
        await pilot.resize_terminal(70, 22)
        await settle(pilot)
        assert "This window is 70×22" in screen_text(app)
        assert sum(isinstance(s, TooSmallScreen) for s in app.screen_stack) == 1
        clock.advance(500)  # far past the timer: nothing runs out while the notice shows
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert session.time_left() == left and not session.timer_expired()


async def test_on_a_wide_terminal_the_conversation_and_choices_keep_a_readable_width(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await settle(pilot)
        await choose(pilot, EXPERT[:2])
        await settle(pilot)
        transcript = app.screen.query_one(Transcript)
        choices = app.screen.query_one(ChoiceList)
        assert transcript.region.width <= 100 and choices.region.width <= 100
        # Centred: the play area leaves room on both sides.
        area = play_area(app).region
        assert area.x > 20 and 200 - area.right > 20


def test_a_meter_label_is_never_cut() -> None:
    short = meter_content("Rapport", 6, 0, 10, 1, label_width=len("Rapport"))
    assert short.plain == "Rapport ██████░░░░  6/10 ▲1"
    long_label = "Ms. Nguyen's trust"
    assert len(long_label) > INLINE_LABEL
    long = meter_content(long_label, 4, 0, 10, -2, label_width=len(long_label))
    assert long.plain == "Ms. Nguyen's trust\n████░░░░░░  4/10 ▼2"
    # Beside a long label, a short one also takes its own line, so the bars line up.
    assert meter_content("Hope", 3, 0, 10, label_width=len(long_label)).plain == "Hope\n███░░░░░░░  3/10"
