"""On a wide terminal every screen's reading text keeps a readable line (at most 100 columns):
the library's details, "Before you start" and the debrief, not only play's conversation
(test_tui_readable.py)."""

from __future__ import annotations

from textual.widget import Widget

from casesim.tui.screens import BeforeStartScreen, DebriefScreen, LibraryScreen
from support.tui import CRITICAL, AppFactory, choose, settle

WIDE = (200, 50)


def _widest(widgets: list[Widget]) -> int:
    assert widgets
    return max(w.region.width for w in widgets)


async def test_reading_text_stays_within_100_columns_at_200_wide(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert _widest([app.screen.query_one("#library-detail-text")]) <= 100
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BeforeStartScreen)
        assert _widest(list(app.screen.query("#before-body > *"))) <= 100
        await pilot.press("tab", "down", "enter")
        await pilot.pause()
        await choose(pilot, CRITICAL)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert _widest(list(app.screen.query("#debrief-body > *"))) <= 100
