"""Before you start, at 80×24: Start is in view and the case file is not hidden behind it.

The case file used to sit below the buttons inside the scrolling body, so on a small window a
student either saw Start or the case file. Now the buttons stay under the scrolling part and the
case file scrolls above them (issue 15, leftover of item 3).
"""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from casesim.tui.screens import BeforeStartScreen
from support.tui import AppFactory, settle


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_start_stays_in_view_and_the_case_file_scrolls_above_it(make_test_app: AppFactory,
                                                                      size: tuple[int, int]) -> None:
    app = make_test_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BeforeStartScreen)
        body = screen.query_one("#before-body", VerticalScroll)
        start = screen.query_one("#start", Button)
        case_file = screen.query_one("#before-case-file", Static)
        height = size[1]
        assert 0 <= start.region.y < height - 1  # on screen, above the footer
        assert case_file.region.y < start.region.y or body.max_scroll_y > 0  # above it, or reached by scrolling
        body.scroll_end(animate=False)
        await pilot.pause()
        # scrolled to its end, the case file's last line is in view and Start has not moved
        assert case_file.region.bottom <= start.region.y
        assert case_file.region.bottom > body.region.y
        assert 0 <= start.region.y < height - 1
        await pilot.click("#start")
        await pilot.pause()
        assert not isinstance(app.screen, BeforeStartScreen)  # Start works from there
