"""The guided first run's callouts meet WCAG AA in every theme casesim offers, at 80×24 and
120×40 (the screen-by-screen contrast test plays as a returning student, without the tour)."""

from __future__ import annotations

import pytest

from casesim.tui.screens.tour import TourScreen
from casesim.tui.themes import OFFERED_THEMES
from support.contrast import too_low
from support.tui import AppFactory, open_and_start, settle

THEME_NAMES = [offered.theme.name for offered in OFFERED_THEMES]


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_callout_of_the_tour_meets_wcag_aa(make_test_app: AppFactory, theme: str,
                                                       size: tuple[int, int]) -> None:
    app = make_test_app(theme=theme, tour_done=False)
    seen = 0
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await settle(pilot)
        while isinstance(app.screen, TourScreen):
            assert [str(run) for run in too_low(app)] == [], seen
            seen += 1
            await pilot.press("enter")
            await settle(pilot)
    assert seen == 6
