"""The debrief's MI section: MITI labels only where the scenario declares a change goal."""

from __future__ import annotations

from casesim.authoring.pipeline import AnalysedScenario
from casesim.scoring import score_path
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import MI_COUNTS_CAVEAT, Debrief
from casesim.tui.widgets.debrief_view import mi_section
from casesim.tui.widgets.prose import wrap_paras


def _text(debrief: Debrief) -> str:
    return "\n".join(line.plain for line in wrap_paras(mi_section(debrief), 1000))


def _expert(item: AnalysedScenario, catalog: Catalog) -> Debrief:
    return score_path(item.program, item.analysis, catalog, item.analysis.expert_path)


def test_without_a_change_goal_counts_only_labelled_not_a_rating(example: AnalysedScenario, catalog: Catalog) -> None:
    assert example.scenario.mi_target is None
    text = _text(_expert(example, catalog))
    assert MI_COUNTS_CAVEAT == "author-coded choices, not a MITI rating"
    assert "author-coded choices, not a MITI rating" in text
    assert "Behaviour counts: GI 1, Q 3, CR 1, SEEK 2" in text
    for word in ("fair", "good", "R:Q", "Reflection-to-question"):
        assert word not in text


def test_with_a_change_goal_summary_scores_with_labels(library: list[AnalysedScenario], catalog: Catalog) -> None:
    relapse = next(item for item in library if item.scenario.id == "relapse-return-to-use")
    text = _text(_expert(relapse, catalog))
    assert "change goal: return to opioid use" in text
    # 1.33, fair: the expert path also asks C-SSRS items 1, 2 and 6 after "Most days" (clinical
    # review relapse S4), and a screen is questions; it was 2.67 before the screen was added.
    assert "Reflection-to-question ratio" in text and " 1.33  fair  (fair ≥ 1.00, good ≥ 2.00)" in text
    assert "Complex reflections" in text and "  75%  good  (fair ≥ 40%, good ≥ 50%)" in text
    assert MI_COUNTS_CAVEAT not in text
    # four Affirms on the expert path, three coded (three strikes)
    assert "AF 3" in text and "1 more Affirm not counted" in text


def test_a_stored_debrief_from_before_targets_shows_no_label(example: AnalysedScenario, catalog: Catalog) -> None:
    # Records sealed before change goals existed hold labelled metrics and no target: never show them.
    debrief = _expert(example, catalog)
    old = debrief.model_dump(mode="json")
    old["mi"] = {"counts": old["mi"]["counts"], "metrics": [
        {"id": "MITI421-RQ", "title": "Reflection-to-question ratio", "value": 0.33, "fair": 1.0, "good": 2.0,
         "label": "below fair"}]}
    text = _text(Debrief.model_validate(old))
    assert "below fair" not in text and MI_COUNTS_CAVEAT in text


def test_no_bundled_expert_path_shows_below_fair(library: list[AnalysedScenario], catalog: Catalog) -> None:
    for item in library:
        text = _text(_expert(item, catalog))
        assert "below fair" not in text, item.scenario.id
        assert (MI_COUNTS_CAVEAT in text) == (item.scenario.mi_target is None), item.scenario.id
