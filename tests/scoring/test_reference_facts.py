"""The scoring pins the reference facts: MITI formulas and thresholds, C-SSRS triage, safety-plan order."""

from __future__ import annotations

import pytest

from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import AFFIRMS_CODED, mi_label, mi_result, protocol_result
from casesim.scoring.protocols import required_steps, triage_level
from casesim.semantics.program import Step


def _step(i: int, *, mi: list[str] | None = None, protocol_steps: list[str] | None = None) -> Step:
    """A stand-alone trainee utterance carrying only the codes the scoring reads."""
    return Step(f"u{i}", "n", "n", None, (), (), None, False, say=f"utterance {i}",
                mi=tuple(mi or ()), protocol_steps=tuple(protocol_steps or ()))


TARGET = "return to use"
"""A change goal: the MITI summary scores are computed only when the scenario declares one."""


def utterances(*codes: list[str]) -> list[Step]:
    return [_step(i, mi=c) for i, c in enumerate(codes)]


def metric(result: object, cid: str) -> tuple[float | None, str]:
    for m in result.metrics:  # type: ignore[attr-defined]
        if m.id == cid:
            return m.value, m.label
    raise AssertionError(cid)


def test_miti_thresholds_are_the_manuals(catalog: Catalog) -> None:
    scores = {s.criterion: (s.fair, s.good) for s in catalog.frameworks["miti"].summary_scores}
    assert scores["MITI421-RQ"] == (1.0, 2.0)
    assert scores["MITI421-PCTCR"] == (0.40, 0.50)
    assert scores["MITI421-MIA"] == (None, None)
    assert scores["MITI421-MINA"] == (None, None)


def test_miti_worked_example_good_ratio_and_complex_reflections(catalog: Catalog) -> None:
    # 2 SR + 4 CR over 3 questions: R:Q = 6/3 = 2.0 (good), %CR = 4/6 = 0.667 (good)
    result = mi_result(catalog, utterances(["SR"], ["SR"], ["CR"], ["CR"], ["CR"], ["CR"], ["Q"], ["Q"], ["Q"]), target=TARGET)
    assert metric(result, "MITI421-RQ") == (pytest.approx(2.0), "good")
    assert metric(result, "MITI421-PCTCR") == (pytest.approx(4 / 6), "good")


def test_miti_worked_example_fair_and_below_fair(catalog: Catalog) -> None:
    # 3 SR + 2 CR over 4 questions: R:Q = 5/4 = 1.25 (fair), %CR = 2/5 = 0.40 (fair: met at >=)
    result = mi_result(catalog, utterances(["SR"], ["SR"], ["SR"], ["CR"], ["CR"], ["Q"], ["Q"], ["Q"], ["Q"]), target=TARGET)
    assert metric(result, "MITI421-RQ") == (pytest.approx(1.25), "fair")
    assert metric(result, "MITI421-PCTCR") == (pytest.approx(0.40), "fair")
    # 1 SR over 3 questions: R:Q = 0.33 (below fair), %CR = 0 (below fair)
    result = mi_result(catalog, utterances(["SR"], ["Q"], ["Q"], ["Q"]), target=TARGET)
    assert metric(result, "MITI421-RQ") == (pytest.approx(1 / 3), "below fair")
    assert metric(result, "MITI421-PCTCR") == (0.0, "below fair")


def test_miti_zero_denominators_say_not_enough_data(catalog: Catalog) -> None:
    result = mi_result(catalog, utterances(["SR"], ["GI"]), target=TARGET)  # no question; reflections exist
    assert metric(result, "MITI421-RQ") == (None, "not enough data")
    result = mi_result(catalog, utterances(["Q"], ["GI"]), target=TARGET)  # no reflection
    assert metric(result, "MITI421-RQ") == (0.0, "below fair")
    assert metric(result, "MITI421-PCTCR") == (None, "not enough data")


def test_miti_mia_and_mina_totals(catalog: Catalog) -> None:
    # MIA = AF + SEEK + EMPH; MINA = CONF + PERSUADE; Persuade with Permission counts in neither
    result = mi_result(catalog, utterances(["AF"], ["SEEK"], ["EMPH", "AF"], ["CONF"], ["PERSUADE"], ["PWP"]), target=TARGET)
    assert metric(result, "MITI421-MIA") == (4.0, "no threshold")
    assert metric(result, "MITI421-MINA") == (2.0, "no threshold")


def test_one_reflection_code_per_volley_complex_wins(catalog: Catalog) -> None:
    result = mi_result(catalog, utterances(["SR", "CR"], ["Q"]), target=TARGET)
    assert result.counts["SR"] == 0 and result.counts["CR"] == 1


def test_without_a_change_goal_counts_only_and_no_label(catalog: Catalog) -> None:
    # The manual requires a designated target behaviour before coding: no target, no summary score.
    result = mi_result(catalog, utterances(["SR"], ["Q"], ["Q"], ["Q"]))
    assert not result.rated and result.target is None
    assert result.metrics == ()
    assert result.counts["SR"] == 1 and result.counts["Q"] == 3
    assert "fair" not in result.model_dump_json()
    rated = mi_result(catalog, utterances(["SR"], ["Q"], ["Q"], ["Q"]), target=TARGET)
    assert rated.rated and rated.target == TARGET and rated.counts == result.counts
    # stored debriefs round-trip; an unrated one dumps as debriefs sealed before targets existed did
    assert type(rated).model_validate_json(rated.model_dump_json()) == rated
    assert set(result.model_dump()) == {"counts", "metrics"}


def test_three_strikes_counts_at_most_three_affirms(catalog: Catalog) -> None:
    # MITI 4.2.1: after the first 2-3 credible repetitions, Affirms are typically not coded.
    assert AFFIRMS_CODED == 3
    result = mi_result(catalog, utterances(["AF"], ["AF", "SEEK"], ["CR"], ["AF"], ["AF"], ["AF", "EMPH"]), target=TARGET)
    assert result.counts["AF"] == 3
    assert result.affirms_not_coded == 2
    # the utterance's other codes still count when its Affirm does not
    assert result.counts["SEEK"] == 1 and result.counts["EMPH"] == 1 and result.counts["CR"] == 1
    assert metric(result, "MITI421-MIA") == (5.0, "no threshold")
    exactly = mi_result(catalog, utterances(["AF"], ["AF"], ["AF"]))
    assert exactly.counts["AF"] == 3 and exactly.affirms_not_coded == 0


def test_threshold_met_at_or_above() -> None:
    assert mi_label(2.0, 1.0, 2.0) == "good"
    assert mi_label(1.0, 1.0, 2.0) == "fair"
    assert mi_label(0.999, 1.0, 2.0) == "below fair"


# --- C-SSRS screener --------------------------------------------------------------------

CSSRS_TRIAGE = [
    # answers (items answered yes)            -> level,             key words of the action
    ({"CSSRS-Q1"}, "CSSRS-RISK-LOW", "crisis"),
    ({"CSSRS-Q1", "CSSRS-Q2"}, "CSSRS-RISK-LOW", "crisis"),
    ({"CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q3"}, "CSSRS-RISK-MOD", "consult"),
    ({"CSSRS-Q6"}, "CSSRS-RISK-MOD", "consult"),                      # behaviour more than 3 months ago
    ({"CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q4"}, "CSSRS-RISK-HIGH", "evaluat"),
    ({"CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q5"}, "CSSRS-RISK-HIGH", "evaluat"),
    ({"CSSRS-Q6", "CSSRS-Q6a"}, "CSSRS-RISK-HIGH", "evaluat"),         # behaviour in the past 3 months
    ({"CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q3", "CSSRS-Q6"}, "CSSRS-RISK-MOD", "consult"),
]


@pytest.mark.parametrize(("yes", "level", "action_word"), CSSRS_TRIAGE)
def test_cssrs_triage_table_row_by_row(catalog: Catalog, yes: set[str], level: str, action_word: str) -> None:
    protocol = catalog.protocols["cssrs-screener"]
    answers = {s.step: s.step in yes for s in protocol.steps}
    found = triage_level(protocol, answers)
    assert found is not None and found.level == level
    assert action_word in found.action.lower()


def test_cssrs_high_risk_action_keeps_the_person_safe_until_evaluated(catalog: Catalog) -> None:
    high = next(lv for lv in catalog.protocols["cssrs-screener"].levels if lv.level == "CSSRS-RISK-HIGH")
    assert "stay" in high.action.lower() or "alone" in high.action.lower()


def test_cssrs_all_no_is_negative(catalog: Catalog) -> None:
    protocol = catalog.protocols["cssrs-screener"]
    assert triage_level(protocol, {s.step: False for s in protocol.steps}) is None
    assert protocol.none_action


def test_cssrs_skip_logic(catalog: Catalog) -> None:
    protocol = catalog.protocols["cssrs-screener"]
    assert required_steps(protocol, {"CSSRS-Q2": False, "CSSRS-Q6": False}) == ["CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q6"]
    assert required_steps(protocol, {"CSSRS-Q2": True, "CSSRS-Q6": False}) == [
        "CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q3", "CSSRS-Q4", "CSSRS-Q5", "CSSRS-Q6"]
    assert required_steps(protocol, {"CSSRS-Q2": False, "CSSRS-Q6": True}) == [
        "CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q6", "CSSRS-Q6a"]


def _steps(*ids: str) -> list[Step]:
    return [_step(n, protocol_steps=[i]) for n, i in enumerate(ids)]


def test_cssrs_adherence_counts_order_skips_and_triage(catalog: Catalog) -> None:
    answers = {"CSSRS-Q1": True, "CSSRS-Q2": False, "CSSRS-Q6": False}
    perfect = protocol_result(catalog, "cssrs-screener", answers, _steps("CSSRS-Q1", "CSSRS-Q2", "CSSRS-Q6", "CSSRS-RISK-LOW"))
    assert perfect is not None and perfect.share == 1.0 and perfect.action_matches is True
    assert perfect.level_called_for == "CSSRS-RISK-LOW"
    muddled = protocol_result(catalog, "cssrs-screener", answers, _steps("CSSRS-Q2", "CSSRS-Q1", "CSSRS-Q3", "CSSRS-RISK-HIGH"))
    assert muddled is not None
    assert muddled.missing == ("CSSRS-Q6",)
    assert muddled.out_of_order == ("CSSRS-Q1",)  # Q2 counts in order; Q1 came after it
    assert muddled.unnecessary == ("CSSRS-Q3",)
    assert muddled.action_matches is False
    assert muddled.share == pytest.approx(1 / 4)  # one of three steps in order; wrong triage


def test_adherence_gives_the_most_in_order_credit(catalog: Catalog) -> None:
    # Q2, Q6 in order but Q1 last: two of three steps are in order, not one.
    answers = {"CSSRS-Q1": False, "CSSRS-Q2": False, "CSSRS-Q6": False}
    result = protocol_result(catalog, "cssrs-screener", answers, _steps("CSSRS-Q2", "CSSRS-Q6", "CSSRS-Q1"))
    assert result is not None and result.out_of_order == ("CSSRS-Q1",)
    assert result.share == pytest.approx(3 / 4)  # two steps in order + the (correct) absence of triage


# --- Stanley–Brown safety planning ---------------------------------------------------------


def test_safety_plan_steps_are_in_the_published_order(catalog: Catalog) -> None:
    protocol = catalog.protocols["stanley-brown"]
    assert protocol.ordered
    assert [s.step for s in protocol.steps] == ["SPI-1", "SPI-2", "SPI-3", "SPI-4", "SPI-5", "SPI-6"]
    titles = [catalog.criteria[f"SPI-{i}"].title.lower() for i in range(1, 7)]
    assert "warning" in titles[0]
    assert "coping" in titles[1]
    assert "social" in titles[2] or "distract" in titles[2]
    assert "family" in titles[3] or "friend" in titles[3]
    assert "professional" in titles[4] or "agenc" in titles[4]
    assert "environment" in titles[5] or "means" in titles[5]


def test_safety_plan_out_of_order_loses_credit(catalog: Catalog) -> None:
    in_order = protocol_result(catalog, "stanley-brown", {}, _steps(*[f"SPI-{i}" for i in range(1, 7)]))
    shuffled = protocol_result(catalog, "stanley-brown", {}, _steps("SPI-6", "SPI-1", "SPI-2", "SPI-3", "SPI-4", "SPI-5"))
    assert in_order is not None and in_order.share == 1.0
    assert shuffled is not None and shuffled.out_of_order == ("SPI-6",) and shuffled.share == pytest.approx(5 / 6)


def test_epas_has_nine_competencies_and_the_map_uses_the_field_scale(catalog: Catalog) -> None:
    assert sorted(catalog.competencies) == [f"EPAS22-C{i}" for i in range(1, 10)]
    cmap = catalog.competency_map
    assert cmap is not None
    assert {s.rating for s in cmap.scale} == {1, 2, 3, 4, 5}
    assert "met" in next(s.label for s in cmap.scale if s.rating == 3).lower()


def test_each_criterion_evidences_one_competency_only(catalog: Catalog) -> None:
    # Clinical review §5: criteria listed under two competencies let one choice move two ratings.
    cmap = catalog.competency_map
    assert cmap is not None
    seen: dict[str, str] = {}
    twice = []
    for comp, criteria in cmap.competencies.items():
        for cid in criteria:
            if cid in seen:
                twice.append(f"{cid} under {seen[cid]} and {comp}")
            seen[cid] = comp
    assert not twice, twice


def test_the_limits_talk_is_not_nasw_1_07c(catalog: Catalog) -> None:
    # Clinical review X7: 1.07(c) is the imminent-harm exception and the least-information rule.
    c = catalog.criteria["NASW-1.07(c)"]
    assert "imminent" in c.good and "least information" in c.good
    assert "limits" not in c.good.lower()
    # The Code's own limits provisions are listed, but the reference leaves them unverified.
    for cid in ("NASW-1.07(d)", "NASW-1.07(e)", "NASW-1.07(i)"):
        assert catalog.criteria[cid].verified is False, cid
    assert catalog.criteria["NASW-1.03(e)-(g)"].verified is True


def test_mandated_reporting_is_personal_and_not_held_up_by_consultation(catalog: Catalog) -> None:
    c = catalog.criteria["MANDATED-REPORT"]
    assert "personally" in c.good and "neither replaces the report nor holds it up" in c.good
    assert "supervisor's decision" in c.poor


def test_part2_facts_the_reference_does_not_give_are_unscored(catalog: Catalog) -> None:
    verified = {"42CFR2-2.31", "42CFR2-2.12c6"}
    unverified = {"42CFR2-2.51", "42CFR2-2.12c5", "42CFR2-2.13", "42CFR2-2.32", "42CFR2-2.35", "42CFR2-E",
                  "45CFR164-510b", "45CFR164-512b", "MINOR-CONSENT", "ACA1557-92.201"}
    for cid in verified:
        assert catalog.criteria[cid].verified, cid
    for cid in unverified:
        assert not catalog.criteria[cid].verified, cid
    legal = catalog.frameworks["legal-basics"]
    # No invented "someone else in danger" exception is stated as Part 2 law anywhere.
    for crit in legal.criteria:
        if crit.id.startswith("42CFR2") and crit.verified:
            assert "someone else" not in crit.good.lower()


def test_miti_question_and_complex_reflection_definitions(catalog: Catalog) -> None:
    q = catalog.criteria["MITI421-Q"]
    assert "open" not in q.good.replace("open or closed", "")
    cr = catalog.criteria["MITI421-CR"]
    assert "toward change" not in cr.good and "need not point toward change" in (cr.note or "")
    assert "not specific" in (catalog.criteria["MITI421-AF"].note or "")
