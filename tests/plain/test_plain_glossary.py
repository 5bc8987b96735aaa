"""The plain and HTML debriefs' glossary explains every term their own text names, not only the
frameworks the attempt was scored on: the competency ratings say "CSWE 2022 EPAS", so EPAS is
in the glossary and, in HTML, linked to it (issue 15 item 4: a glossary reachable from any term)."""

from __future__ import annotations

import re

from casesim.authoring.pipeline import AnalysedScenario
from casesim.plain import build_debrief, debrief_html, debrief_text
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.glossary import debrief_glossary, glossary, used_entries
from support.records import EXPERT, SECRECY, play


def test_a_term_the_debrief_names_is_in_its_glossary_and_every_link_has_its_entry(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore) -> None:
    debrief = store.debrief(play(store, example, catalog, "ana", EXPERT, mode="assessment"))
    assert debrief is not None and debrief.competencies
    assert "EPAS" not in {e.term for e in used_entries(debrief, catalog)}  # not a scored framework
    doc = build_debrief(debrief, {cid: c.title for cid, c in catalog.criteria.items()}, glossary=glossary(catalog))
    text = debrief_text(doc)
    assert "CSWE 2022 EPAS" in text.split("Glossary:")[0]
    listed = text.split("Glossary:")[1]
    assert "\n- EPAS (" in listed
    # Only what the debrief uses: the example scores no Project BETA and never names it.
    assert "BETA" not in text
    page = debrief_html(doc)
    assert '<a href="#gloss-epas">EPAS</a>' in page
    links = set(re.findall(r'href="#(gloss-[a-z0-9-]+)"', page))
    anchors = set(re.findall(r'<dt id="(gloss-[a-z0-9-]+)"', page))
    assert links and links <= anchors


def test_a_criterion_id_the_debrief_cites_links_to_what_the_criterion_says(
        example: AnalysedScenario, catalog: Catalog, store: RecordStore) -> None:
    # As the TUI debrief does (a click on NASW-1.01 opens the criterion's text), the plain and
    # HTML debriefs explain each criterion id their text cites, in the framework file's words.
    debrief = store.debrief(play(store, example, catalog, "ana", SECRECY, mode="assessment"))
    assert debrief is not None
    doc = build_debrief(debrief, {cid: c.title for cid, c in catalog.criteria.items()},
                        glossary=debrief_glossary(catalog))
    cited = {e.term for e in doc.glossary if e.criterion}
    assert cited, "the example's debrief cites criteria by id"
    text = debrief_text(doc)
    head, listed = text.split("Glossary:")
    assert all(cid in head for cid in cited)
    assert "abbreviations and criterion ids" in listed
    for cid in cited:
        criterion = catalog.criteria[cid]
        assert f"\n- {cid} ({' '.join(criterion.title.split())}): What good practice looks like:" in listed
    page = debrief_html(doc)
    for entry in doc.glossary:
        if entry.criterion:
            assert f'<a href="#{entry.anchor}">' in page and f'<dt id="{entry.anchor}">' in page
    # a criterion no text cites is not listed
    assert len(cited) < len(catalog.criteria)
