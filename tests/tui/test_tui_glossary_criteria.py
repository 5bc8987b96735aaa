"""A criterion id the debrief cites (``NASW-1.01``) opens that criterion's own text from the
framework file, by a click or from the ``g`` list; and a term right after an escape code the
debrief makes visible (``␛[31mC-SSRS``) is a link like any other."""

from __future__ import annotations

from textual.widgets import OptionList

from casesim.scoring.catalog import Catalog
from casesim.scoring.glossary import criterion_entries, glossary, terms_in
from casesim.tui.screens import DebriefScreen
from casesim.tui.screens.glossary import GlossaryScreen, TermScreen
from casesim.tui.text import literal
from casesim.tui.widgets.glossary_links import link_terms, linked_anchors
from support.glossary import click_term
from support.tui import AppFactory, assessment_debrief, screen_text


def test_a_term_right_after_a_shown_escape_code_is_linked(catalog: Catalog) -> None:
    entries = glossary(catalog)
    linked = link_terms(literal("\x1b[31mC-SSRS, \x1b]0;title\x07MITI and \u009b1mNASW"), entries)
    assert linked.plain == "␛[31mC-SSRS, ␛]0;title␇MITI and <U+009B>1mNASW"
    assert linked_anchors(linked) == ["gloss-c-ssrs", "gloss-miti", "gloss-nasw"]
    # Offsets are those of the text as shown: the link covers the term, not the escape code.
    [(start, end, _)] = terms_in("␛[31mC-SSRS", entries)
    assert "␛[31mC-SSRS"[start:end] == "C-SSRS"
    # A word that only looks like a term is still not one, escape code or none.
    assert terms_in("␛[31mMITI-ish", entries) == []


def test_the_criteria_a_text_cites_get_their_framework_file_s_words(catalog: Catalog) -> None:
    found = criterion_entries(catalog, ["Missed requirement: ... (NASW-1.03(a), NASW-1.01)", "evidence CSSRS-Q2"])
    assert [e.term for e in found] == sorted((e.term for e in found), key=list(catalog.criteria).index)
    by_id = {e.term: e for e in found}
    assert set(by_id) == {"NASW-1.03(a)", "NASW-1.01", "CSSRS-Q2"}  # not NASW-1.03, inside NASW-1.03(a)
    nasw = catalog.criteria["NASW-1.01"]
    assert by_id["NASW-1.01"].title == nasw.title
    assert " ".join(nasw.good.split()) in by_id["NASW-1.01"].plain
    assert " ".join(nasw.source.split()) in by_id["NASW-1.01"].plain
    assert len({e.anchor for e in found}) == 3 and all(e.anchor.startswith("gloss-criterion-") for e in found)
    # Each id is found where it stands in the text, and only there.
    text = "(NASW-1.03(a), NASW-1.01)"
    assert [text[s:e] for s, e, _ in terms_in(text, found)] == ["NASW-1.03(a)", "NASW-1.01"]


async def test_a_click_on_a_cited_criterion_opens_its_text_and_g_lists_it(make_test_app: AppFactory,
                                                                         catalog: Catalog) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await assessment_debrief(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        anchor = "gloss-criterion-nasw-1-01"
        await click_term(pilot, anchor)
        assert isinstance(app.screen, TermScreen) and app.screen.entry.term == "NASW-1.01"
        assert catalog.criteria["NASW-1.01"].title in screen_text(app)
        assert "What good practice looks like" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is debrief
        await pilot.press("home", "g")
        await pilot.pause()
        assert isinstance(app.screen, GlossaryScreen)
        terms = app.screen.query_one("#glossary-terms", OptionList)
        ids = [str(terms.get_option_at_index(i).id) for i in range(terms.option_count)]
        assert anchor in ids and ids.index("gloss-nasw") < ids.index(anchor)  # the terms first, then the criteria
