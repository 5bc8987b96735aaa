"""Regression checks for `caseload-monday-inbox` (issue 12 item 4, caseload prioritisation).

A morning's inbox with one message that reads like a goodbye. What the scenario teaches, and what
an edit must not undo: the crisis goes first and by phone; location and a callback number come
before the risk questions; the C-SSRS screen comes from the shared block, and asking about
suicide never raises the distress meter; at high risk the worker stays on the line (hanging up
is the library's `client-at-risk-left-alone` never-event); the rest of the morning is ordered by
real deadlines (the `clock` variable and the same-day cut-off), and the timers branch on the
state.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.program import State, replay
from support.scenarios import choices_by_id

PATH = Path(__file__).resolve().parents[2] / "scenarios" / "caseload-monday-inbox.yaml"


@pytest.fixture(scope="module")
def inbox(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def _var(item: AnalysedScenario, state: State, name: str) -> object:
    return state.vars[item.program.var_index[name]]


def test_the_expert_path_puts_sam_first_and_keeps_the_cut_off(inbox: AnalysedScenario, catalog: Catalog) -> None:
    path = inbox.analysis.expert_path
    assert path[0] == "call-sam-first"
    # Location and callback before the first screener question.
    assert path.index("location-callback-first") < path.index("cssrs-ask-q1-yes")
    final = replay(inbox.program, path).final
    debrief = score_path(inbox.program, inbox.analysis, catalog, path)
    assert debrief.passed and debrief.ending == "morning-held"
    assert _var(inbox, final, "stayed_on_line") is True
    assert _var(inbox, final, "rx_late") is False
    # The renewal with the same-day cut-off is the first task after the crisis.
    after = path[path.index("negotiate-priorities") + 1:]
    assert after[0] == "first-rx-on-time"


def test_the_screen_is_the_shared_block_and_sams_answers_are_high_risk(inbox: AnalysedScenario) -> None:
    nodes = set(inbox.scenario.nodes)
    assert {"cssrs-q1", "cssrs-q2", "cssrs-q3", "cssrs-q4", "cssrs-q5", "cssrs-q6", "cssrs-q6a"} <= nodes
    declared = inbox.scenario.variables
    assert declared["cssrs_q4_yes"].start is True  # a yes to intent: high risk
    assert any(p.protocol == "cssrs-screener" for p in inbox.scenario.protocols)


def test_asking_about_suicide_never_raises_distress(inbox: AnalysedScenario) -> None:
    # X8: the meter answers how something is said, never whether suicide is asked about.
    for node_id, node in inbox.scenario.nodes.items():
        for choice in node.choices:
            rise = choice.effects.get("sam_distress")
            if choice.steps or "suicide" in choice.say.lower() or node_id.startswith("cssrs-"):
                assert not (isinstance(rise, int) and not isinstance(rise, bool) and rise > 0), choice.id


def test_hanging_up_at_high_risk_is_the_library_never_event(inbox: AnalysedScenario) -> None:
    hang_up = choices_by_id(inbox)["hang-up-to-call-team"]
    assert hang_up.never_event == "client-at-risk-left-alone" and hang_up.critical is not None
    requirement = {r.id: r for r in inbox.scenario.requirements}["high-risk-help-reaches-sam"]
    assert requirement.never_event == "client-at-risk-left-alone"


def test_under_triage_is_never_rewarded(inbox: AnalysedScenario) -> None:
    choices = choices_by_id(inbox)
    for cid in ("see-counselor-today", "card-988", "keep-redialling-only", "wait-for-callback", "text-back-only"):
        assert choices[cid].scores.get("CSSRS-RISK-HIGH", 0) < 0, cid


def test_the_triage_timer_branches_on_what_the_worker_knows(inbox: AnalysedScenario) -> None:
    timer = inbox.scenario.nodes["triage"].timer
    assert timer is not None and isinstance(timer.expire, list)
    assert [branch.goto for branch in timer.expire] == ["line-drops", "line-drops-no-address"]
    assert timer.expire[0].when == "location_known"


def test_order_matters_through_the_clock(inbox: AnalysedScenario) -> None:
    # The same words, and the points follow what is still waiting: each task is written twice.
    choices = choices_by_id(inbox)
    for on_time, late in (("rx-on-time", "rx-late"), ("sam-note-in-order", "sam-note-ahead-of-rx"),
                          ("keisha-in-order", "keisha-early"), ("howard-in-order", "howard-early")):
        assert choices[on_time].say == choices[late].say
        assert sum(choices[on_time].scores.values()) > sum(choices[late].scores.values())
    # Taking on the extra intake pushes the renewal past the cut-off.
    path = list(inbox.analysis.expert_path)
    path[path.index("negotiate-priorities")] = "say-yes-to-intake"
    path[path.index("first-rx-on-time")] = "first-rx-late"
    path[-1] = "plan-tomorrow-gaps"
    final = replay(inbox.program, path).final
    assert _var(inbox, final, "rx_late") is True and final.node == "stretched-thin"


def test_every_outcome_class_is_represented(inbox: AnalysedScenario) -> None:
    outcomes = {e.outcome for e in inbox.scenario.endings.values()}
    assert outcomes == {"success", "partial", "safety-risk", "missed-opportunity"}
