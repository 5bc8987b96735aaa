"""docs/scenarios.md: what the generated library page says about speakers and the review record."""

from __future__ import annotations

from dataclasses import replace

from casesim.authoring.library_doc import library_markdown
from casesim.authoring.pipeline import load_scenario_bytes
from casesim.scoring.catalog import Catalog
from support.paths import SCENARIOS

EXAMPLE = SCENARIOS / "example-check-in.yaml"

RECORD = '''reviewed:
  status: draft
  notes: Written as a format example.
  changes:
    - item: "2.1 S1"
      change: "A privacy check and a callback number now come before the screen."
    - item: X8
      change: "Asking about suicide | directly no longer raises distress."
'''

CAST = '''cast:
  dad:
    name: Sam Okafor
    role: father
    off_screen: true
client:
'''


def _page(text: str, catalog: Catalog) -> str:
    report = load_scenario_bytes(text.encode(), str(EXAMPLE), catalog)
    assert report.analysed is not None, report.errors
    return library_markdown([report.analysed], catalog)


def test_the_review_record_is_a_table_that_says_the_scenario_is_still_a_draft(catalog: Catalog) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    start = source.index("reviewed:\n")
    end = source.index("client:\n", start)
    page = _page(source[:start] + RECORD + source[end:], catalog)
    assert ("**Clinical-review record** (still a draft: no qualified clinician has signed it off).\n\n"
            "| review item | what changed |\n|---|---|\n"
            "| 2.1 S1 | A privacy check and a callback number now come before the screen. |\n"
            "| X8 | Asking about suicide \\| directly no longer raises distress. |") in page


def test_a_scenario_without_a_record_has_no_table_and_one_with_a_cast_lists_its_speakers(catalog: Catalog) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    start = source.index("reviewed:\n")
    source = source[:start] + "reviewed:\n  status: draft\n" + source[source.index("client:\n", start):]
    plain = _page(source, catalog)
    assert "Clinical-review record" not in plain and "**Speakers.**" not in plain
    with_cast = _page(source.replace("client:\n", CAST, 1), catalog)
    assert "**Speakers.** Sam Okafor (father, off screen).\n" in with_cast


def test_the_size_names_the_state_count_for_what_it_is(catalog: Catalog) -> None:
    """The analysis merges states that differ only in variables nothing later reads, so its count
    is of states analysed, not of every reachable state; an unmerged analysis may say reachable."""
    report = load_scenario_bytes(EXAMPLE.read_bytes(), str(EXAMPLE), catalog)
    assert report.analysed is not None and report.analysed.analysis is not None
    analysis = report.analysed.analysis
    assert analysis.merged
    page = library_markdown([report.analysed], catalog)
    assert f"distinct paths, {analysis.state_count:,} distinct states analysed.\n" in page
    assert "reachable states" not in page.split("**Size.**", 1)[1]
    assert "differ only\nin variables nothing later reads are analysed once" in page
    unmerged = replace(report.analysed, analysis=replace(analysis, merged=False))
    assert f"{analysis.state_count:,} reachable states.\n" in library_markdown([unmerged], catalog)
