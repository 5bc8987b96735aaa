"""The debrief's ``?`` lists each key once: tab moves between the decisions there, so the app-wide
"tab / shift+tab: move between parts of the screen" line is not listed beside it."""

from __future__ import annotations

from casesim.tui.screens.keys import ALWAYS, KeysScreen, describe_bindings
from support.tui import AppFactory, assessment_debrief, screen_text, settle


def test_a_key_the_screen_gives_its_own_meaning_is_listed_once_with_that_meaning() -> None:
    rows = describe_bindings([("a", "again"), ("tab / shift+tab", "move between your decisions")])
    keys = [p.bullet.plain if p.bullet is not None else "" for p in rows]
    assert keys.count("tab / shift+tab") == 1
    assert [p.content.plain for p in rows if p.bullet is not None and p.bullet.plain == "tab / shift+tab"] == \
        ["move between your decisions"]
    assert "ctrl+q" in keys  # the other app-wide keys stay
    assert [p.bullet.plain for p in describe_bindings([]) if p.bullet is not None] == [k for k, _ in ALWAYS]


async def test_the_debrief_keys_screen_names_tab_once(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await assessment_debrief(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
        text = screen_text(app)
        assert text.count("tab / shift+tab") == 1, text
        assert "move between your decisions" in text and "move between parts of the screen" not in text
