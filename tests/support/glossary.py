"""Finding and clicking the glossary links the debrief draws (tests/tui)."""

from __future__ import annotations

from textual.app import App
from textual.geometry import Offset
from textual.pilot import Pilot

from casesim.tui.widgets.glossary_links import TERM_ACTION


def click_actions(app: App[object]) -> list[tuple[Offset, object]]:
    """Every cell run on screen that carries an ``@click`` action: where it starts, and the action."""
    found: list[tuple[Offset, object]] = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        x = 0
        for segment in strip:
            style = segment.style
            if style is not None and style._meta is not None and "@click" in style.meta:
                found.append((Offset(x, y), style.meta["@click"]))
            x += segment.cell_length
    return found


def term_links(app: App[object]) -> dict[str, Offset]:
    """The glossary anchors linked on screen, each with the first cell that opens it."""
    out: dict[str, Offset] = {}
    for offset, action in click_actions(app):
        if isinstance(action, tuple) and action[0] == TERM_ACTION:
            out.setdefault(str(action[1][0]), offset)
    return out


async def click_term(pilot: Pilot[object], anchor: str, *, pages: int = 40) -> None:
    """Scroll the debrief down until a link to ``anchor`` is on screen, then click it."""
    for _ in range(pages):
        links = term_links(pilot.app)
        if anchor in links:
            await pilot.click(offset=links[anchor])
            await pilot.pause()
            return
        await pilot.press("pagedown")
        await pilot.pause()
    raise AssertionError(f"no link to {anchor} on any page of the debrief")
