"""Scenario text is shown literally: markup never styles, escape sequences never reach the terminal."""

from __future__ import annotations

from pathlib import Path

from casesim.tui.screens import DebriefScreen, PlayScreen
from casesim.tui.text import literal, visible
from support.tui import (
    EXPERT,
    AppFactory,
    choose,
    copy_markup_fixture,
    screen_text,
    settle,
    shown_texts,
)


def test_control_characters_become_visible_stand_ins() -> None:
    assert visible("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    assert visible("bell\a") == "bell␇"
    assert visible("cr\rlf\n") == "cr␍lf\n"
    assert visible("tab\there") == "tab    here"
    assert visible("\x7f\x9b\u202e") == "␡<U+009B><U+202E>"
    assert visible("plain [b]text[/b] ✓") == "plain [b]text[/b] ✓"


def test_literal_content_never_parses_markup() -> None:
    content = literal("[bold red]x[/] [link=https://example.com]y[/link] [@click=app.quit]z[/]")
    assert content.plain == "[bold red]x[/] [link=https://example.com]y[/link] [@click=app.quit]z[/]"
    assert not content.spans


async def test_markup_and_escapes_in_a_scenario_are_shown_as_plain_characters(
        make_test_app: AppFactory, tmp_path: Path) -> None:
    folder = tmp_path / "markup-library"
    folder.mkdir()
    copy_markup_fixture(folder)
    app = make_test_app(library=[folder])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        library = screen_text(app)
        assert "[bold red]Markup[/] in a title ␛[31m" in library
        assert "[bold]Not bold[/bold] ␛[31m" in library
        await pilot.press("enter")
        assert "[red]housing loss[/red], ␛[5mblink␛[0m" in screen_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, PlayScreen)
        text = shown_texts(app)
        for shown in ("[reverse]Scene[/reverse] with ␛[1mescape␛[0m and a bell ␇",
                      "[bold red]Not bold[/] [link=https://example.com]not a link[/link]",
                      "␛[31mnot red␛[0m ␛]0;pwned␇ ␛[2J end",
                      "Dana [i]Okafor[/i]"):
            assert shown in text, shown
        await choose(pilot, EXPERT[:1])
        text = shown_texts(app)
        assert "[b]Hi[/b] Dana [@click=app.quit]quit[/] ␛[?1049h" in text
        assert "[blink]reply[/blink] ␛[7minverse␛[27m" in text
        assert "[bold green]Feedback[/] with ␛[32mescapes␛[0m and [link=https://example.com]a link[/link]." in text
        strips = app.screen._compositor.render_strips()
        for strip in strips:
            for segment in strip:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert segment.style is None or segment.style.link is None, segment
        await choose(pilot, EXPERT[1:])
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert "[bold]A visit[/bold] planned ␛[1m" in screen_text(app)
        assert "\x1b" not in app.export_screenshot()
