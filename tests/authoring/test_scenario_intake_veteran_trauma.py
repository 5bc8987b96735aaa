"""Regression checks for the veteran intake's clinical-review items (clinical-review.md 2.3).

The review found no suicide screen, no firearm question and no Veterans Crisis Line at an intake
for a veteran with a year of nightmares and broken sleep (S1), and trauma screening faulted as
such rather than for how it was asked (m1). Each test fails if one of those comes back.
"""

from __future__ import annotations

import pytest

from casesim.authoring.lint import shared_block_nodes
from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from support.paths import SCENARIOS


@pytest.fixture(scope="module")
def veteran(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(SCENARIOS / "intake-veteran-trauma.yaml", catalog)


def _says(item: AnalysedScenario) -> dict[str, str]:
    assert item.scenario is not None
    return {c.id: (c.say or "") for node in item.scenario.nodes.values() for c in node.choices}


def test_the_expert_path_screens_with_the_shared_cssrs_block(veteran: AnalysedScenario) -> None:
    # 2.3 S1: a permission-based C-SSRS screen, items 1, 2 and 6, through the shared block.
    assert veteran.analysis is not None and veteran.scenario is not None
    expert = list(veteran.analysis.expert_path)
    assert "ask-permission-screen" in expert
    assert expert.index("ask-permission-screen") < expert.index("cssrs-ask-q1-yes") < expert.index("cssrs-ask-q2-no") < expert.index("cssrs-ask-q6-no")
    assert "skip any" in _says(veteran)["ask-permission-screen"]
    assert "cssrs-q1" in shared_block_nodes(veteran.scenario, veteran.document)
    assert any(r.id == "suicide-screen-at-intake" for r in veteran.scenario.requirements)


def test_the_expert_path_gives_the_veterans_crisis_line_and_asks_about_firearms(veteran: AnalysedScenario) -> None:
    # 2.3 S1: the Veterans Crisis Line (988, then press 1) and lethal-means screening.
    assert veteran.analysis is not None and veteran.scenario is not None
    expert = list(veteran.analysis.expert_path)
    says = _says(veteran)
    line = next(step for step in expert if step in {"low-risk-veterans-line"})
    assert "Veterans Crisis Line" in says[line] and "988" in says[line] and "press 1" in says[line]
    assert "ask-firearms" in expert and "firearms" in says["ask-firearms"]
    assert "storage-her-choice" in expert and "locked" in says["storage-her-choice"]
    assert any(r.id == "firearms-asked" for r in veteran.scenario.requirements)


def test_asking_about_suicide_never_raises_her_distress(veteran: AnalysedScenario) -> None:
    # X8: the screen's choices leave the distress meter alone; only how a question is asked moves it.
    assert veteran.scenario is not None
    for node_id in ("safety-intro", "screen-response", *shared_block_nodes(veteran.scenario, veteran.document)):
        for choice in veteran.scenario.nodes[node_id].choices:
            assert "distress" not in choice.effects, choice.id


def test_trauma_screening_with_permission_is_offered_and_not_faulted(veteran: AnalysedScenario) -> None:
    # 2.3 m1: universal trauma screening with permission is right; only the blunt, form-driven ask loses points.
    assert veteran.scenario is not None
    choices = {c.id: c for node in veteran.scenario.nodes.values() for c in node.choices}
    good = choices["ask-screen-with-permission"]
    assert "okay if i ask" in (good.say or "").lower() and "details" in (good.say or "")
    assert all(points > 0 for points in good.scores.values())
    assert "only when the service needs it" not in (choices["ask-trauma-screen-now"].feedback or "")


def test_the_block_nodes_this_client_never_reaches_are_not_reported(veteran: AnalysedScenario) -> None:
    # She answers no to item 2, so items 3 to 5 are unreachable here by design, and not a warning.
    assert veteran.analysis is not None and veteran.scenario is not None
    assert "cssrs-q3" not in veteran.analysis.reachable_nodes
    assert not [w for w in veteran.warnings if w.code == "unreachable-node"]
    own = set(veteran.scenario.nodes) - shared_block_nodes(veteran.scenario, veteran.document)
    assert own <= veteran.analysis.reachable_nodes
