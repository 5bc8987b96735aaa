"""Every glossary term in the debrief opens its definition: by a click on the term, and from the
keyboard through ``g`` (the list of the debrief's terms, enter on one). Scenario text that looks
like markup or holds escape codes stays literal, and cannot add or redirect a link."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import OptionList

from casesim.scoring.catalog import Catalog
from casesim.scoring.glossary import glossary
from casesim.tui.screens import DebriefScreen
from casesim.tui.screens.glossary import GlossaryScreen, TermScreen
from casesim.tui.text import literal
from casesim.tui.widgets.glossary_links import TERM_ACTION, link_paras, link_terms, linked_anchors
from casesim.tui.widgets.prose import para
from support.glossary import click_actions, click_term, term_links
from support.tui import (
    CRITICAL,
    EXPERT,
    AppFactory,
    choose,
    copy_markup_fixture,
    open_and_start,
    screen_text,
    settle,
)


async def _to_debrief(pilot: object, path: list[str]) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await open_and_start(pilot, assessment=True)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]
    await choose(pilot, path)  # type: ignore[arg-type]
    await pilot.press("1")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


def test_terms_become_links_over_literal_text_that_looks_like_markup(catalog: Catalog) -> None:
    entries = glossary(catalog)
    text = "[@click=app.quit]C-SSRS[/] and \x1b[31m 42 CFR Part 2; MITI-ish; the NASW code"
    linked = link_terms(literal(text), entries)
    assert linked.plain == "[@click=app.quit]C-SSRS[/] and ␛[31m 42 CFR Part 2; MITI-ish; the NASW code"
    # C-SSRS inside the fake markup is a term; "42 CFR" and "Part 2" are both Part 2's names (the
    # longer match wins, once); "MITI-ish" is not MITI; nothing else carries an action.
    assert linked_anchors(linked) == ["gloss-c-ssrs", "gloss-part-2", "gloss-part-2", "gloss-nasw"]
    spans = [(linked.plain[s.start:s.end], s.style.meta["@click"]) for s in linked.spans
             if not isinstance(s.style, str)]
    assert spans == [("C-SSRS", (TERM_ACTION, ("gloss-c-ssrs",))), ("42 CFR", (TERM_ACTION, ("gloss-part-2",))),
                     ("Part 2", (TERM_ACTION, ("gloss-part-2",))), ("NASW", (TERM_ACTION, ("gloss-nasw",)))]
    # Bullets and labels are casesim's words; styles already on the text are kept under the link.
    [kept] = link_paras([para(("Feedback: ", "bold"), literal("see MITI"), indent=3, bullet="• ")], entries)
    assert kept.indent == 3 and kept.bullet == "• " and kept.content.plain == "Feedback: see MITI"
    assert linked_anchors(kept.content) == ["gloss-miti"] and any(s.style == "bold" for s in kept.content.spans)
    assert linked_anchors(Content("no term here")) == []


async def test_a_click_on_a_term_opens_its_definition_and_escape_goes_back(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_debrief(pilot, CRITICAL)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        await click_term(pilot, "gloss-nasw")
        assert isinstance(app.screen, TermScreen) and app.screen.entry.term == "NASW"
        text = screen_text(app)
        assert "NASW Code of Ethics" in text and "escape or enter: back to the debrief" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is debrief


async def test_every_term_linked_in_the_debrief_opens_its_own_entry(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_debrief(pilot, CRITICAL)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        seen: set[str] = set()
        for _ in range(30):  # page through the whole debrief
            seen |= set(term_links(app))
            await pilot.press("pagedown")
            await pilot.pause()
        # The g list offers exactly the terms the debrief's text links (and those of its frameworks).
        assert seen and seen <= {e.anchor for e in debrief.glossary}
        for anchor in sorted(seen):
            await pilot.press("home")
            await click_term(pilot, anchor)
            assert isinstance(app.screen, TermScreen) and app.screen.entry.anchor == anchor, anchor
            assert app.screen.entry.plain.split()[0] in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()


async def test_the_keyboard_reaches_every_term_through_the_glossary_list(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_debrief(pilot, CRITICAL)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        await pilot.press("g")
        await pilot.pause()
        glossary_screen = app.screen
        assert isinstance(glossary_screen, GlossaryScreen)
        terms = app.screen.query_one("#glossary-terms", OptionList)
        assert app.focused is terms
        assert [str(terms.get_option_at_index(i).id) for i in range(terms.option_count)] == \
            [e.anchor for e in debrief.glossary]
        for i, entry in enumerate(debrief.glossary):
            if i:
                await pilot.press("down")
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TermScreen) and app.screen.entry == entry
            assert "back to the glossary" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is glossary_screen and terms.highlighted == i
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is debrief
        # Tab order is the debrief's own: the body, then each decision (no stop per link).
        assert app.focused is debrief.query_one("#debrief-body")
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "decision-0"


async def test_scenario_text_cannot_add_or_redirect_a_link(make_test_app: AppFactory, tmp_path: Path) -> None:
    folder = tmp_path / "markup-library"
    folder.mkdir()
    fixture = copy_markup_fixture(folder)
    source = fixture.read_text(encoding="utf-8")
    feedback = 'feedback: "[bold green]Feedback[/] with'
    assert source.count(feedback) == 1
    fixture.write_text(source.replace(feedback, 'feedback: "[@click=app.quit]C-SSRS[/] \\e[31mMITI\\e[0m [bold green]'
                                                'Feedback[/] with'), encoding="utf-8")
    app = make_test_app(library=[folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        await pilot.pause()
        await choose(pilot, EXPERT)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        await click_term(pilot, "gloss-c-ssrs")
        assert isinstance(app.screen, TermScreen) and app.screen.entry.term == "C-SSRS"
        await pilot.press("escape")
        await pilot.pause()
        assert "[@click=app.quit]C-SSRS[/] ␛[31mMITI␛[0m [bold green]Feedback[/]" in " ".join(screen_text(app).split())
        # Every action on the debrief is casesim's own: a glossary entry, never the scenario's.
        scenario_actions = [a for _, a in click_actions(app) if not (isinstance(a, tuple) and a[0] == TERM_ACTION)]
        assert all("quit" not in str(a) for a in scenario_actions), scenario_actions
        assert app.is_running
