"""What a keypress redraws (issue 15, item 7): the countdown's line and the client's meters are
updated only when their words change (each update costs the keypress a layout pass, and the
countdown's tick landing on a keypress drew it a third frame), and still show every change."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from casesim.tui.widgets.client_panel import Meter
from support.clock import FakeClock
from support.tui import EXPERT, AppFactory, choose, open_and_start, play_area, settle


def _count_updates(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count each widget's ``Static.update`` calls, by widget id."""
    counts: dict[str, int] = {}
    update = Static.update

    def counting(self: Static, *args: Any, **kwargs: Any) -> None:
        counts[self.id or ""] = counts.get(self.id or "", 0) + 1
        update(self, *args, **kwargs)

    monkeypatch.setattr(Static, "update", counting)
    return counts


async def test_the_countdown_line_is_redrawn_only_when_its_words_change(
        make_test_app: AppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot, assessment=True)  # the countdown runs
        await pilot.pause()
        await choose(pilot, EXPERT[:2])
        area = play_area(app)
        timer = app.screen.query_one("#play-timer", Static)
        assert "Time left 1:00" in str(timer.render())
        counts = _count_updates(monkeypatch)
        for _ in range(3):  # ticks with the same time left: nothing to redraw
            area.check_timer()
        assert counts.get("play-timer", 0) == 0
        clock.advance(1)
        area.check_timer()
        assert counts["play-timer"] == 1 and "Time left 0:59" in str(timer.render())


async def test_only_the_meters_a_choice_moved_are_redrawn(
        make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await pilot.pause()
        area = play_area(app)
        meters = {m.id: str(m.render()) for m in app.screen.query(Meter)}
        assert len(meters) >= 2
        counts = _count_updates(monkeypatch)
        area.redraw()  # nothing changed: no meter is redrawn
        assert not any(counts.get(str(i), 0) for i in meters)
        await choose(pilot, EXPERT[:1])
        after = {m.id: str(m.render()) for m in app.screen.query(Meter)}
        moved = {i for i in meters if after[i] != meters[i]}
        assert moved, "the first expert choice moves a meter"
        assert {i for i in meters if counts.get(str(i), 0)} == moved


async def test_play_keeps_what_it_was_built_with_out_of_the_collectors_full_passes(
        make_test_app: AppFactory) -> None:
    import gc

    from casesim.play.memory import holders
    from casesim.tui.screens import PlayScreen

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert holders() == 0 and gc.get_freeze_count() == 0
        await open_and_start(pilot)
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert holders() == 1 and gc.get_freeze_count() > 0, "frozen once play is drawn"
        await choose(pilot, EXPERT[:1])
        assert holders() == 1, "a choice does not freeze again"
        await pilot.press("p")  # pause, then leave without penalty: back to the library
        await pilot.pause()
        await pilot.press("l")
        await settle(pilot)
        assert not isinstance(app.screen, PlayScreen)
    assert holders() == 0 and gc.get_freeze_count() == 0, "handed back when play closes"


async def test_a_choice_draws_the_title_bar_with_it_and_restyles_nothing(
        make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The title bar's "decision N" is set while the choice is drawn (not a message later, which
    cost a frame of its own), and showing or hiding the feedback and the countdown changes
    ``display``, not a class: a class change restyles a widget and all it holds."""
    from textual.app import App

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await pilot.pause()
        area = play_area(app)
        status = app.screen.query_one("#title-status", Static)
        assert "decision 1" in status.content.plain  # type: ignore[attr-defined]
        restyled: list[object] = []
        update_styles = App.update_styles

        def counting(self: App[Any], node: Any, **kwargs: Any) -> None:
            restyled.append(node)
            update_styles(self, node, **kwargs)

        monkeypatch.setattr(App, "update_styles", counting)
        area.choose(EXPERT[0])  # no pause: what the key's own handler drew
        assert "decision 2" in status.content.plain  # type: ignore[attr-defined]
        assert area.query_one("#feedback").display, "practice mode shows the feedback on the choice"
        assert restyled == []
        area.action_undo()
        assert "decision 1" in status.content.plain  # type: ignore[attr-defined]
        assert not area.query_one("#feedback").display
        assert restyled == []


async def test_a_choice_is_laid_out_once_and_drawn_in_one_frame(
        make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A choice changes the height of what is below the conversation (feedback, countdown,
    choices), so the screen is laid out again; Textual then laid it out and drew it a second and
    third time: the conversation's height found in that pass, the row, column and panels around
    it resized, the choices wrapped again and the scrollbar redrawn. Now a choice is one layout
    pass and one frame, and that frame is the whole picture: drawing every widget again changes
    nothing, and the newest line is in view (the pass Textual anchors a view in still has the
    transcript's old height, so a choice that made it shorter hid its last rows).

    Where a scrollbar comes or goes (the choices' own), the screen is rightly laid out twice:
    the content beside it is narrower or wider. The first choice also adds Undo to the footer."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget

    from casesim.tui.widgets.transcript import Transcript

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await settle(pilot)
        await choose(pilot, EXPERT[:1])
        passes: list[object] = []
        frames: list[object] = []
        bars_changed: list[Widget] = []
        refresh_layout, display, refresh_bars = Screen._refresh_layout, App._display, Widget._refresh_scrollbars

        def laying_out(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
            passes.append(self)
            refresh_layout(self, *args, **kwargs)

        def drawing(self: App[Any], screen: Any, update: Any) -> None:
            if update is not None:
                frames.append(update)
            display(self, screen, update)

        def showing_bars(self: Widget) -> None:
            shown = self.show_vertical_scrollbar, self.show_horizontal_scrollbar
            refresh_bars(self)
            if (self.show_vertical_scrollbar, self.show_horizontal_scrollbar) != shown:
                bars_changed.append(self)

        monkeypatch.setattr(Screen, "_refresh_layout", laying_out)
        monkeypatch.setattr(App, "_display", drawing)
        monkeypatch.setattr(Widget, "_refresh_scrollbars", showing_bars)
        transcript = app.screen.query_one(Transcript)
        heights = set()
        once = 0
        for step in EXPERT[1:7]:
            passes.clear()
            frames.clear()
            bars_changed.clear()
            await choose(pilot, [step])
            heights.add(transcript.size.height)
            expected = 2 if bars_changed else 1
            assert (len(passes), len(frames)) == (expected, expected), (step, bars_changed)
            once += expected == 1
            # following the newest line: its last row is the last in view, also when the choices
            # below made the transcript shorter
            shown = transcript.scrollable_content_region.height
            assert transcript.scroll_offset.y + shown == transcript.virtual_size.height > shown, step
            drawn = app.export_screenshot()
            for widget in app.screen.query("*"):
                widget.refresh()
            transcript.vertical_scrollbar.refresh()
            await pilot.pause()
            assert app.export_screenshot() == drawn, step
        assert len(heights) > 2, "the choices below changed the conversation's height"
        assert once >= 3, "most choices show or hide no scrollbar"
