"""The TUI library shows the languages a scenario can be played in: its translations' tags in the
list, the languages by name in the detail."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.paths import EXAMPLE, SCENARIOS
from support.tui import AppFactory, settle, shown_texts


async def test_the_library_lists_and_names_the_languages(make_test_app: AppFactory, library_dir: Path) -> None:
    (library_dir / "locales").mkdir()
    shutil.copy(SCENARIOS / "locales" / "example-check-in.es.yaml", library_dir / "locales")
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = shown_texts(app)
        assert "Example: a first check-in call · en es" in shown
        assert "Languages: English, Español" in shown


async def test_a_scenario_without_translations_is_listed_by_title_alone(make_test_app: AppFactory,
                                                                         library_dir: Path) -> None:
    assert (library_dir / EXAMPLE.name).exists() and not (library_dir / "locales").exists()
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = shown_texts(app)
        assert "Example: a first check-in call\n" in shown + "\n" and "· en es" not in shown
        assert "Languages: English" in shown and "Español" not in shown
