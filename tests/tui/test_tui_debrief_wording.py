"""The debrief does not contradict itself (issue 10 item 9; UX review §2.5): each statement the
review saw on screen, checked on the text the debrief sections build."""

from __future__ import annotations

import re
from collections.abc import Sequence

from casesim.authoring.pipeline import AnalysedScenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief
from casesim.scoring.engine import score_path
from casesim.tui.widgets.debrief_view import (
    decision_paras,
    expert_section,
    frameworks_section,
    outcome_section,
)
from casesim.tui.widgets.prose import Para
from support.records import EXPERT, LOST, SECRECY


def _text(paras: Sequence[Para]) -> str:
    return "\n".join(p.content.plain for p in paras)


def _score(example: AnalysedScenario, catalog: Catalog, path: Sequence[str]) -> Debrief:
    assert example.program and example.analysis
    return score_path(example.program, example.analysis, catalog, path)


def test_an_expert_run_is_not_told_it_fell_short_anywhere(example: AnalysedScenario, catalog: Catalog) -> None:
    d = _score(example, catalog, EXPERT)
    outcome = _text(outcome_section(d))
    assert "100% of the expert's points: passed" in outcome
    assert "lowest possible" not in outcome
    # Every criterion and framework is measured against the expert path, so a perfect run has no ✗
    # (the review saw "SAMHSA14-P2 67% (best path 2)" on it).
    scores = _text(frameworks_section(d))
    assert "✗" not in scores and scores.count("✓") == len(d.criteria) + len(d.frameworks)
    assert not re.search(r"\d+%", scores)  # no second percentage to quote as "the score"
    assert "✗" not in _text(expert_section(d.expert_path, {x.choice for x in d.decisions},
                                            {x.node for x in d.decisions}))


def test_a_good_ending_beside_not_passed_says_why(example: AnalysedScenario, catalog: Catalog) -> None:
    d = _score(example, catalog, SECRECY)
    assert d.outcome == "success" and not d.passed
    outcome = _text(outcome_section(d))
    assert "The conversation ended well, but the attempt is not passed: a critical action fails" in outcome
    assert "a never-event" in outcome


def test_expert_steps_the_trainee_never_reached_say_so(example: AnalysedScenario, catalog: Catalog) -> None:
    d = _score(example, catalog, LOST)
    text = _text(expert_section(d.expert_path, {x.choice for x in d.decisions}, {x.node for x in d.decisions}))
    assert "your path did not reach this point" in text
    assert "✗ you chose otherwise here" in text  # at the first node, which both paths share


def test_points_agree_with_their_number(example: AnalysedScenario, catalog: Catalog) -> None:
    decisions = [x for path in (LOST, EXPERT) for x in _score(example, catalog, path).decisions]
    assert any(abs(x.points) == 1 for x in decisions) and any(abs(x.points) != 1 for x in decisions)
    for decision in decisions:
        head = decision_paras(decision)[0].content.plain
        if abs(decision.points) == 1:
            assert f"{decision.points:+d} point ·" in head, head
        else:
            assert re.search(r"[+-]?\d+ points ·", head), head
