"""casesim validate's static checks of the scoring model."""

from __future__ import annotations

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.scoring.catalog import Catalog
from support.paths import VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8")


def codes(text: str, catalog: Catalog) -> list[tuple[int, str]]:
    loaded = load_scenario_bytes(text.encode(), "s.yaml", catalog)
    return [(d.line, d.code) for d in loaded.diagnostics]


def test_minimal_is_clean(catalog: Catalog) -> None:
    assert codes(BASE, catalog) == []


def test_pass_rule_no_path_can_meet(catalog: Catalog) -> None:
    text = BASE.replace("        when: \"rapport >= 0\"\n", "        when: \"rapport >= 0\"\n        critical: {reason: Always wrong.}\n")
    assert (1, "pass-impossible") in codes(text, catalog)


def test_critical_action_on_the_best_path(catalog: Catalog) -> None:
    text = BASE.replace("      - id: ignore\n        say: \"...\"\n        goto: middle\n        scores: {SAMHSA14-P2: -1}",
                        "      - id: ignore\n        say: \"...\"\n        goto: middle\n        scores: {SAMHSA14-P2: 5}\n        critical: {reason: Never.}")
    assert (1, "critical-on-best-path") in codes(text, catalog)


def test_claimed_competency_without_reachable_evidence(catalog: Catalog) -> None:
    text = BASE.replace("objectives: [Practise one choice.]", "objectives: [Practise one choice.]\ncompetencies: [EPAS22-C5]")
    assert (9, "competency-without-evidence") in codes(text, catalog)


def test_protocol_whose_steps_no_path_completes_in_order(catalog: Catalog) -> None:
    text = BASE.replace("endings:", "protocols:\n  - protocol: stanley-brown\nendings:").replace(
        "        scores: {SAMHSA14-P4: 1}\n", "        scores: {SAMHSA14-P4: 1}\n        steps: [SPI-2, SPI-1]\n")
    found = codes(text, catalog)
    assert any(code == "protocol-impossible" for _, code in found)


def test_no_score_spread(catalog: Catalog) -> None:
    text = BASE.replace("scores: {SAMHSA14-P2: -1}", "scores: {SAMHSA14-P2: 1}")
    assert (1, "no-score-spread") in codes(text, catalog)


def test_scoring_choice_on_a_loop(catalog: Catalog) -> None:
    text = BASE.replace("        goto: middle\n        scores: {SAMHSA14-P2: -1}", "        goto: hello\n        scores: {SAMHSA14-P2: -1}")
    assert any(code == "scoring-cycle" for _, code in codes(text, catalog))


def test_unverified_criterion_cannot_be_scored(catalog: Catalog) -> None:
    text = BASE.replace("scores: {SAMHSA14-P4: 1}", "scores: {CCMC-R1: 1}")
    assert any(code == "unverified-criterion" for _, code in codes(text, catalog))


def _questions_over_reflections(target: bool) -> str:
    """The minimal scenario with an expert path (greet, finish) coded CR+Q then Q: R:Q = 1/2."""
    text = BASE.replace("        scores: {SAMHSA14-P2: 1}\n", "        scores: {SAMHSA14-P2: 1}\n        mi: [CR, Q]\n").replace(
        "        scores: {SAMHSA14-P4: 1}\n", "        scores: {SAMHSA14-P4: 1}\n        mi: [Q]\n")
    if target:
        text = text.replace("objectives: [Practise one choice.]\n", "objectives: [Practise one choice.]\nmi_target: return to use\n")
    return text


def test_expert_path_below_fair_with_a_change_goal_is_an_error(catalog: Catalog) -> None:
    loaded = load_scenario_bytes(_questions_over_reflections(target=True).encode(), "s.yaml", catalog)
    found = [d for d in loaded.diagnostics if d.code == "mi-expert-below-fair"]
    assert len(found) == 1, loaded.diagnostics  # %CR is 100%: only R:Q is below fair
    d = found[0]
    assert d.is_error and d.line == 9  # the mi_target line
    assert "reflection-to-question ratio (MITI421-RQ) is 0.50" in d.message
    assert "fair threshold of 1.00" in d.message
    assert "make a reflection, not a question, the best option" in d.message
    assert "remove `mi_target`" in d.message


def test_expert_path_below_fair_without_a_change_goal_passes(catalog: Catalog) -> None:
    assert codes(_questions_over_reflections(target=False), catalog) == []


def test_expert_path_at_fair_with_a_change_goal_passes(catalog: Catalog) -> None:
    text = _questions_over_reflections(target=True).replace("        mi: [Q]\n", "        mi: [SR]\n")  # R:Q = 2/1
    assert codes(text, catalog) == []
