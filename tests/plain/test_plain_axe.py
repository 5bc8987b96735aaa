"""The HTML debrief passes axe-core in headless Chromium with no serious or critical violation
(issue 15's "done means"), for a passed expert attempt and for a failed one with critical actions."""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.plain import build_debrief, debrief_html
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.glossary import used_entries
from support.axe import AXE_JS, axe_violations, chromium
from support.records import EXPERT, LOST, play

BROWSER = chromium()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BROWSER is None, reason="chromium is not installed (make system-deps installs it)"),
    pytest.mark.skipif(not AXE_JS.exists(), reason="axe-core is not installed (npm ci --prefix tests/data/axe)"),
]


@pytest.mark.parametrize("path", [EXPERT, LOST], ids=["passed", "not-passed"])
def test_the_html_debrief_has_no_serious_or_critical_axe_violation(
        path: list[str], example: AnalysedScenario, catalog: Catalog, store: RecordStore) -> None:
    attempt_id = play(store, example, catalog, "Ana <b>Ruiz</b>", path, mode="assessment")
    debrief = store.debrief(attempt_id)
    assert debrief is not None
    titles = {cid: c.title for cid, c in catalog.criteria.items()}
    entries = used_entries(debrief, catalog)
    assert entries  # the glossary and the links to it are part of what axe checks
    page = debrief_html(build_debrief(debrief, titles, trainee="Ana <b>Ruiz</b>", glossary=entries,
                                      timing="2× time, set by the instructor"))
    assert f'href="#{entries[0].anchor}"' in page and f'id="{entries[0].anchor}"' in page
    assert BROWSER is not None
    violations = axe_violations(page, BROWSER)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert violations == [], violations  # nothing minor either, today: keep it that way


def test_the_check_itself_reports_a_page_without_a_language_or_alt_text() -> None:
    # the canary: if axe never ran (or its result were lost), the tests above would pass vacuously
    page = ('<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>x</h1><img src="a.png">'
            '<p style="color:#bbb;background:#fff">faint</p></main></body></html>')
    assert BROWSER is not None
    found = {v["id"] for v in axe_violations(page, BROWSER)}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found
