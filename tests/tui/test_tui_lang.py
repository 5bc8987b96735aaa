"""``casesim play --lang es`` in the terminal UI: the notice first, then the scenario in Spanish."""

from __future__ import annotations

from casesim.authoring.pipeline import require_scenario
from casesim.play.localise import localise
from casesim.scoring.catalog import Catalog
from casesim.tui import OpenScenario
from casesim.tui.screens import PlayScreen
from support.paths import VARIANTS
from support.tui import AppFactory, screen_text, settle


async def test_the_notice_is_shown_and_the_scenario_plays_in_spanish(make_test_app: AppFactory,
                                                                      catalog: Catalog) -> None:
    localised = localise(require_scenario(VARIANTS, catalog), "es", catalog)
    app = make_test_app(start=OpenScenario(localised.loaded, mode="practice", notice=localised.notice))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert [n.message for n in app._notifications] == [localised.notice]
        for _ in range(3):
            if isinstance(app.screen, PlayScreen):
                break
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        text = " ".join(screen_text(app).split())
        assert "Rosa contesta al segundo timbre. La confianza es 4 de 10." in text
        assert "Hola Rosa, soy Sam. ¿Qué tal la semana?" in text
