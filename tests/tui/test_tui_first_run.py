"""Issue 15 item 6 in the terminal UI: the guided first run on the example (shown once, skippable,
remembered, the clock held while a callout is open, back on t) and each scenario's progress in
the library, in words."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.tour import TOUR
from casesim.play.trainee import load_trainee
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui.screens import LibraryScreen, PlayScreen
from casesim.tui.screens.tour import TourScreen
from support.clock import FakeClock
from support.paths import MARKUP, VARIANTS
from support.records import play
from support.tui import EXPERT, AppFactory, choose, screen_text, settle


async def _start(pilot: object) -> None:
    """From the library: open the highlighted scenario and start it in practice."""
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_the_callouts_appear_on_the_first_example_attempt_and_hold_the_clock(
        make_test_app: AppFactory, clock: FakeClock, tmp_path: Path) -> None:
    app = make_test_app(tour_done=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        assert isinstance(app.screen, TourScreen)
        under = app.screen_stack[-2]
        assert isinstance(under, PlayScreen)
        attempt = under.attempt
        assert "overlay" in attempt.clock.holds
        before = attempt.clock()
        seen = []
        for _ in TOUR:
            seen.append(screen_text(app))
            clock.advance(100)
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert not attempt.clock.holds
        for callout, text in zip(TOUR, seen, strict=True):
            assert callout.title in text
        assert "Press p to pause" in "\n".join(seen) and "Press c" in "\n".join(seen)
        assert attempt.clock() == before  # ten minutes of reading callouts cost no time
    assert load_trainee(tmp_path / "trainee.json").tour_done


async def test_skip_works_with_one_key_and_is_remembered(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(tour_done=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        assert isinstance(app.screen, TourScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await choose(pilot, EXPERT[:1])  # play carries on as usual
        assert app.trainee.tour_done
    remembered = load_trainee(tmp_path / "trainee.json")
    assert remembered.tour_done and remembered.name == "Test Trainee"
    # the next run starts from the remembered settings: no callouts the second time
    again = make_test_app(tour_done=remembered.tour_done, with_store=False)
    async with again.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        assert isinstance(again.screen, PlayScreen)
        # ... but t brings the tour back on request, and escape closes it
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(again.screen, TourScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(again.screen, PlayScreen)


async def test_no_callouts_for_other_scenarios(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(tour_done=False, library=[VARIANTS])
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert not app.trainee.tour_done  # still waiting for the example
    assert not (tmp_path / "trainee.json").exists() or not load_trainee(tmp_path / "trainee.json").tour_done


async def test_the_keys_screen_lists_the_tour(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _start(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "the guided tour again" in screen_text(app)


async def test_the_library_says_each_scenario_s_progress_in_words(
        make_test_app: AppFactory, store: RecordStore, example: AnalysedScenario,
        markup_scenario: AnalysedScenario, catalog: Catalog, library_dir: Path) -> None:
    play(store, example, catalog, "Test Trainee", EXPERT, mode="assessment")
    play(store, markup_scenario, catalog, "Test Trainee", EXPERT[:1])
    play(store, example, catalog, "Someone Else", EXPERT[:1])
    app = make_test_app(library=[library_dir, MARKUP, VARIANTS])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        listing = screen.query_one("#library-list", OptionList)
        labels = [str(o.prompt) for o in listing.options if o.id]

        def label(needle: str) -> str:
            return next(text for text in labels if needle in text)

        assert label("first check-in").endswith(" · passed")
        assert label("Markup").endswith(" · practice only")
        assert label("Variants") == "Variants: a second check-in · en es"  # languages only: not tried yet
        details = {}
        for i, option in enumerate(listing.options):
            if option.disabled:
                continue
            listing.highlighted = i
            await pilot.pause()
            details[str(option.prompt)] = screen_text(app)
        text = "\n".join(details.values())
        assert "Passed in an assessment (1 assessment)." in text
        assert "Practice only so far (1 practice attempt)." in text
        assert "You have not tried this scenario yet." in text
