"""Every scenario's title is whole in the library list at 80×24, where the list has a scrollbar:
a title that fits in two lines without the scrollbar needs three with it, and its last line was
cut off ("Denied, nine days before court: an agitated client in" and no "the lobby")."""

from __future__ import annotations

from textual.app import App
from textual.geometry import Region
from textual.widgets import OptionList

from casesim.tui.screens import LibraryScreen
from support.paths import SCENARIOS
from support.tui import AppFactory, settle


def _region_text(app: App[object], region: Region) -> str:
    strips = app.screen._compositor.render_strips()
    lines = []
    for y in range(region.y, region.bottom):
        text = "".join(segment.text for segment in strips[y])
        lines.append(text[region.x:region.right])
    return "\n".join(lines)


async def test_every_title_in_the_list_is_whole_at_80x24(make_test_app: AppFactory) -> None:
    app = make_test_app(library=[SCENARIOS])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        listing = screen.query_one("#library-list", OptionList)
        assert listing.max_scroll_y > 0  # the list scrolls: the case that cut titles
        checked = 0
        for i, option in enumerate(listing.options):
            if option.disabled:
                continue
            listing.highlighted = i
            await pilot.pause()
            shown = " ".join(_region_text(app, listing.scrollable_content_region).split())
            title = " ".join(str(option.prompt).split())
            assert title in shown, (title, shown)
            checked += 1
        assert checked >= 10
