"""Users remap keys by binding id (``keymap:`` in config.yaml), and a wrong id is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.errors import CaseSimError
from casesim.settings import resolve_settings
from casesim.tui.keymap import binding_ids
from casesim.tui.screens import PauseScreen, PlayScreen
from support.tui import AppFactory, open_and_start, settle


async def test_a_binding_remapped_in_the_config_file_answers_to_the_new_key(make_test_app: AppFactory,
                                                                            tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.yaml").write_text("keymap:\n  pause: ctrl+t\n", encoding="utf-8")
    settings = resolve_settings(data_dir=data)
    app = make_test_app(keymap=settings.keymap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("p")  # the old key no longer pauses
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, PauseScreen)


def test_an_unknown_binding_id_is_refused_with_the_ids_that_exist(make_test_app: AppFactory) -> None:
    with pytest.raises(CaseSimError) as caught:
        make_test_app(keymap={"pasue": "ctrl+t"})
    assert caught.value.title == "bad keymap"
    assert "unknown binding id 'pasue'; did you mean 'pause'?" in caught.value.message
    assert caught.value.hint is not None and "library-search" in caught.value.hint


def test_every_casesim_binding_can_be_remapped() -> None:
    ids = binding_ids()
    assert {"quit", "keys", "pause", "undo", "hint", "library-search", "debrief-again", "author-reload"} <= ids


def test_an_unknown_theme_is_refused_with_the_themes_that_exist(make_test_app: AppFactory) -> None:
    with pytest.raises(CaseSimError) as caught:
        make_test_app(theme="no-such-theme")
    assert caught.value.hint is not None and "textual-light" in caught.value.hint


async def test_the_theme_setting_is_applied(make_test_app: AppFactory) -> None:
    app = make_test_app(theme="textual-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"


def test_the_readme_lists_every_binding_id(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    missing = sorted(i for i in binding_ids() if f"`{i}`" not in readme and not i.startswith("choose-"))
    assert missing == [], "add these binding ids to the README's Settings section"
