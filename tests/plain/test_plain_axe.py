"""The HTML debrief passes axe-core in headless Chromium with no serious or critical violation
(issue 15's "done means"), for a passed expert attempt and for a failed one with critical actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.plain import build_debrief, debrief_html
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.glossary import glossary
from support.axe import AXE_JS, REQUIRE_ENV, axe_violations, chromium, require_axe
from support.paths import ROOT
from support.records import EXPERT, LOST, play

BROWSER = chromium()

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("path", [EXPERT, LOST], ids=["passed", "not-passed"])
def test_the_html_debrief_has_no_serious_or_critical_axe_violation(
        path: list[str], example: AnalysedScenario, catalog: Catalog, store: RecordStore) -> None:
    attempt_id = play(store, example, catalog, "Ana <b>Ruiz</b>", path, mode="assessment")
    debrief = store.debrief(attempt_id)
    assert debrief is not None
    titles = {cid: c.title for cid, c in catalog.criteria.items()}
    # As the player and `casesim debrief` build it: the document picks its entries from the whole glossary.
    doc = build_debrief(debrief, titles, trainee="Ana <b>Ruiz</b>", glossary=glossary(catalog),
                        timing="2× time, set by the instructor")
    page = debrief_html(doc)
    entries = doc.glossary
    assert entries  # the glossary and the links to it are part of what axe checks
    assert f'href="#{entries[0].anchor}"' in page and f'id="{entries[0].anchor}"' in page
    violations = axe_violations(page, require_axe(BROWSER))
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert violations == [], violations  # nothing minor either, today: keep it that way


def test_the_check_itself_reports_a_page_without_a_language_or_alt_text() -> None:
    # the canary: if axe never ran (or its result were lost), the tests above would pass vacuously
    page = ('<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>x</h1><img src="a.png">'
            '<p style="color:#bbb;background:#fff">faint</p></main></body></html>')
    found = {v["id"] for v in axe_violations(page, require_axe(BROWSER))}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found


def test_where_the_check_is_required_a_missing_tool_fails_instead_of_skipping(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    absent = tmp_path / "axe.min.js"
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="axe-core is not installed"):
        require_axe("/usr/bin/chromium", absent)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        require_axe(None, AXE_JS)
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="must run here"):
        require_axe("/usr/bin/chromium", absent)
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        require_axe(None, AXE_JS)


def test_ci_requires_the_check() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"export {REQUIRE_ENV}=1" in ci
