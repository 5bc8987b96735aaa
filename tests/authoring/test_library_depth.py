"""The bundled library meets the depth an instructor can build a course on (issue 5)."""

from __future__ import annotations

from collections import deque

import pytest

from casesim.authoring.audit import RANDOM_PASS_LIMIT, audit_scenario
from casesim.authoring.embedded_tests import run_tests
from casesim.authoring.lint import shared_block_nodes
from casesim.authoring.pipeline import AnalysedScenario
from casesim.format.expressions import names_used, parse_expression
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis
from casesim.semantics.program import is_final

REQUIRED_KINDS = {"intake", "crisis", "de-escalation", "relapse", "boundaries", "home-visit", "duty-to-protect", "family",
                  "telehealth", "privacy-and-records", "transition-of-care", "caseload", "cultural-humility"}
SCREENING_KINDS = {"intake", "crisis", "relapse", "duty-to-protect", "family", "transition-of-care", "caseload",
                   "telehealth"}
"""Kinds of work where the standard of care asks for a suicide screen (clinical review X5: intake,
crisis, a return to opioid use, a threat to others, a first episode of psychosis, the first week
after a psychiatric discharge, a goodbye message, a disclosure of violence at home)."""
NEGATIVE_METERS = {"distress", "shame", "anger", "fear"}
"""Meters where a rise means the client is worse off."""


def course(library: list[AnalysedScenario]) -> list[AnalysedScenario]:
    return [item for item in library if item.scenario is not None and item.scenario.id != "example-check-in"]


def fewest_decisions(analysis: Analysis) -> int:
    """The fewest choices on any path from the start to an ending."""
    depth = {0: 0}
    queue = deque([0])
    while queue:
        sid = queue.popleft()
        if is_final(analysis.program, analysis.states[sid]):
            return depth[sid]
        for _, target in analysis.edges[sid]:
            if target not in depth:
                depth[target] = depth[sid] + 1
                queue.append(target)
    raise AssertionError("no ending reachable")


def test_at_least_sixteen_scenarios_across_twelve_kinds_cover_the_work(library: list[AnalysedScenario]) -> None:
    assert len(library) >= 16
    kinds = {item.scenario.kind for item in library if item.scenario}
    assert len(kinds) >= 12 and kinds >= REQUIRED_KINDS, kinds


def _expert_steps(item: AnalysedScenario) -> set[str]:
    """The protocol steps the expert path takes (C-SSRS items, by step id)."""
    assert item.scenario is not None and item.analysis is not None
    choices = {c.id: c for node in item.scenario.nodes.values() for c in node.choices}
    return {step for cid in item.analysis.expert_path if cid in choices for step in choices[cid].steps}


def test_the_expert_screens_for_suicide_where_the_kind_requires_it(library: list[AnalysedScenario]) -> None:
    missing = [item.scenario.id for item in library
               if item.scenario is not None and item.scenario.kind in SCREENING_KINDS
               and not {"CSSRS-Q1", "CSSRS-Q2"} <= _expert_steps(item)]
    assert missing == [], f"these scenarios' expert path asks no C-SSRS items 1 and 2: {missing}"


def test_asking_about_suicide_never_makes_the_client_worse_off(library: list[AnalysedScenario]) -> None:
    # X8: meters respond to how a question is asked, never to whether suicide is asked about; shared
    # blocks included, as the scenario sees them after include: is expanded.
    bad = []
    for item in library:
        assert item.scenario is not None
        for node in item.scenario.nodes.values():
            for choice in node.choices:
                if not any(step.startswith("CSSRS-Q") for step in choice.steps):
                    continue
                for name, value in choice.effects.items():
                    rises = isinstance(value, int) and not isinstance(value, bool) and value > 0
                    if name in NEGATIVE_METERS and rises:
                        bad.append(f"{item.scenario.id}:{choice.id} {name} +{value}")
    assert bad == []


def test_every_critical_action_names_a_never_event_class_the_catalog_defines(
        library: list[AnalysedScenario], catalog: Catalog) -> None:
    # One library-wide policy: a critical act is classed, so the same act fails for the same
    # reason in every scenario (the secrecy promises are pinned in test_never_events.py). A missed
    # requirement is an omission, not an act: it may or may not name a class.
    unclassed = []
    for item in library:
        sc = item.scenario
        assert sc is not None
        acts = [(c.id, c.never_event) for node in sc.nodes.values() for c in node.choices if c.critical]
        unclassed += [f"{sc.id}:{act}" for act, klass in acts if klass is None or klass not in catalog.never_events]
    assert unclassed == []


def test_each_scenario_is_deep_enough(library: list[AnalysedScenario]) -> None:
    for item in course(library):
        sc, analysis = item.scenario, item.analysis
        assert sc is not None and analysis is not None
        assert len(sc.nodes) >= 20, sc.id
        assert len(sc.endings) >= 3 and len({e.outcome for e in sc.endings.values()}) >= 3, sc.id
        assert fewest_decisions(analysis) >= 6, sc.id
        assert not analysis.dead_ends and not analysis.trapped, sc.id
        # Nodes of a shared block for answers this client never gives are unreachable by design.
        assert set(sc.nodes) - shared_block_nodes(sc, item.document) <= analysis.reachable_nodes, sc.id
        assert analysis.reachable_endings == set(sc.endings), sc.id


def test_the_client_reacts_to_at_least_two_variables(library: list[AnalysedScenario]) -> None:
    for item in course(library):
        sc = item.scenario
        assert sc is not None
        in_lines: set[str] = set()
        in_guards: set[str] = set()
        for node in sc.nodes.values():
            if isinstance(node.client, list):
                for line in node.client:
                    if line.when:
                        in_lines |= names_used(parse_expression(line.when))[0]
            for choice in node.choices:
                if choice.when:
                    in_guards |= names_used(parse_expression(choice.when))[0]
        assert len(in_lines) >= 2, (sc.id, in_lines)
        assert len(in_guards) >= 2, (sc.id, in_guards)


def test_every_choice_teaches_and_cites(library: list[AnalysedScenario], catalog: Catalog) -> None:
    for item in course(library):
        sc = item.scenario
        assert sc is not None
        for node in sc.nodes.values():
            for choice in node.choices:
                assert choice.feedback, (sc.id, choice.id)
                # A neutral choice is unscored on purpose (the format checks it still teaches).
                assert choice.scores or choice.critical or choice.neutral, (sc.id, choice.id)
                for cid in choice.scores:
                    assert catalog.criteria[cid].verified
        assert sc.content_notes and sc.objectives and sc.competencies and sc.estimated_minutes, sc.id
        assert sc.reviewed.status in ("draft", "reviewed")


def test_mi_codes_are_used_where_miti_applies(library: list[AnalysedScenario]) -> None:
    for item in course(library):
        sc = item.scenario
        assert sc is not None
        coded = sum(1 for node in sc.nodes.values() for c in node.choices if c.mi)
        assert coded >= 10, (sc.id, coded)


def test_embedded_tests_pin_the_learning_outcome(library: list[AnalysedScenario], catalog: Catalog) -> None:
    for item in course(library):
        sc = item.scenario
        assert sc is not None and item.analysis is not None
        outcomes = list(run_tests(item, catalog))
        assert all(o.ok for o in outcomes), [(o.name, o.problems) for o in outcomes if not o.ok]
        assert any(t.expect.passed is True for t in sc.tests), sc.id
        reached = {t.expect.ending for t in sc.tests if t.expect.ending}
        assert reached == set(sc.endings), (sc.id, set(sc.endings) - reached)
        critical_ids = {c.id for node in sc.nodes.values() for c in node.choices if c.critical}
        critical_ids |= {r.id for r in sc.requirements}
        tested = {cid for t in sc.tests if t.expect.passed is False for cid in (t.expect.critical or [])}
        assert critical_ids <= tested, (sc.id, critical_ids - tested)


@pytest.mark.parametrize("minimum_gap", [40])
def test_wide_gap_between_best_and_worst(library: list[AnalysedScenario], minimum_gap: int) -> None:
    for item in course(library):
        analysis = item.analysis
        assert analysis is not None and analysis.total is not None
        assert analysis.best_to_go[0] - analysis.total.worst >= minimum_gap, item.path


def test_every_bundled_assessment_earns_its_pass(library: list[AnalysedScenario]) -> None:
    """Issue 10's done-means: for every bundled scenario (the example included) a trainee who
    chooses at random passes at most 5% of the time, and no naive strategy (longest, shortest,
    most empathy words, pressing 1) passes. ``casesim analyse --format json`` reports the same."""
    failing = {}
    for item in library:
        audit = audit_scenario(item.scenario, item.analysis)
        assert audit.random_pass is not None, f"{item.scenario.id}: the audit could not compute the random pass"
        if audit.random_pass > RANDOM_PASS_LIMIT or any(s.passed for s in audit.strategies):
            failing[item.scenario.id] = (float(audit.random_pass), [s.name for s in audit.strategies if s.passed])
    assert not failing, failing
    assert len(library) >= 10
