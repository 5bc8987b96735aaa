"""The debrief's protocol section says what happened: no share of "done" for a screen never
begun, no "✓ matches" for a negative screen that was never finished (issue 10, item 9)."""

from __future__ import annotations

from collections.abc import Sequence

from casesim.authoring.pipeline import require_scenario
from casesim.scoring import score_path
from casesim.scoring.catalog import Catalog
from casesim.tui.widgets.debrief_view import protocols_section
from casesim.tui.widgets.prose import Para
from support.paths import ROOT
from support.screener import cssrs, load, screener


def _text(paras: Sequence[Para]) -> str:
    return "\n".join(p.content.plain for p in paras)




def test_a_skipped_screen_is_not_reported_as_partly_done_or_as_a_matching_negative(catalog: Catalog) -> None:
    example = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", catalog)
    path = ["launch-into-questions", "skip-to-housing", "timeout:how-are-you", "acknowledge-after-silence",
            "skip-screen", "mail-forms"]
    debrief = score_path(example.program, example.analysis, catalog, path)
    result = cssrs(debrief)
    assert result.share == 0.0
    assert result.action_matches is False
    text = _text(protocols_section(debrief, {}))
    assert "25%" not in text and "of the protocol done" not in text
    assert "✓ matches" not in text
    assert "Every answer was no" not in text
    assert "not begun" in text and "cannot be known" in text


def test_an_unfinished_negative_screen_names_the_items_never_asked(catalog: Catalog) -> None:
    loaded = load(catalog, screener({}))
    debrief = score_path(loaded.program, loaded.analysis, catalog, ["ask-q1", "skip-q2", "skip-q6", "no-triage"])
    result = cssrs(debrief)
    assert not result.complete and result.action_matches is False
    text = _text(protocols_section(debrief, {}))
    assert "✓ matches" not in text and "Every answer was no" not in text
    assert "not completed (CSSRS-Q2, CSSRS-Q6 never asked)" in text
    assert "never asked: CSSRS-Q2, CSSRS-Q6" in text


def test_a_moderate_triage_on_a_screen_that_skipped_items_3_to_5_matches_but_may_be_higher(catalog: Catalog) -> None:
    crisis = require_scenario(ROOT / "scenarios" / "crisis-suicide-risk.yaml", catalog)
    path = ["reflect-after", "ask-permission-direct", "ask-q1", "ask-q2", "skip-to-behaviour", "ask-q6a",
            "accept-nothing-since", "triage-moderate", "confirm-send-home"]
    debrief = score_path(crisis.program, crisis.analysis, catalog, path)
    text = _text(protocols_section(debrief, {}))
    assert "✓ matches" in text
    assert "CSSRS-Q3, CSSRS-Q4, CSSRS-Q5 never asked, so the level could be higher" in text
    assert "Answers you heard: CSSRS-Q1 yes, CSSRS-Q2 yes, CSSRS-Q6 yes, CSSRS-Q6a no" in text
