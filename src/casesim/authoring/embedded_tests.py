"""Run the pedagogical tests embedded in a scenario (``casesim test``).

A test starts at the scenario's start (or its ``start:`` node) in the state its ``given:`` sets
up, follows its ``choose:`` path, and checks what it expects at the end: the ending, variable
values, points, pass or fail, critical actions, nodes visited or not, and endings that can no
longer be reached from there (proved by exploring every continuation).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from casesim.authoring.embedded_paths import blocked_message, follow_test
from casesim.authoring.pipeline import AnalysedScenario
from casesim.format.scenario import Expectation, PedagogicalTest
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program, State, initial_state, is_final, variables

__all__ = ["TestOutcome", "run_tests", "run_test"]


@dataclass
class TestOutcome:
    """The result of one embedded test."""

    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_tests(loaded: AnalysedScenario, catalog: Catalog) -> Iterator[TestOutcome]:
    """Run every test of a scenario that loaded without errors."""
    for test in loaded.scenario.tests:
        yield run_test(loaded, catalog, test)


def run_test(loaded: AnalysedScenario, catalog: Catalog, test: PedagogicalTest) -> TestOutcome:
    """Follow ``test``'s path from the state its ``start`` and ``given`` set up and check each
    expectation; every unmet one is a problem, in the words ``validate`` uses."""
    program, analysis = loaded.program, loaded.analysis
    outcome = TestOutcome(test.name)
    followed = follow_test(program, test)
    if followed.blocked is not None or followed.replay is None:
        where = _entry_position(loaded, test, followed.blocked.index if followed.blocked else 0)
        message = blocked_message(program, followed.blocked) if followed.blocked else "the path cannot be followed"
        outcome.problems.append(f"{where}: {message}")
        return outcome
    state = followed.replay.final
    expect = test.expect
    if expect.ending is not None and state.node != expect.ending:
        where = "ending" if is_final(program, state) else "node"
        outcome.problems.append(f"expected ending {expect.ending!r}, but the path stops at {where} {state.node!r}")
    values = variables(program, state)
    for name, wanted in expect.flags.items():
        if values.get(name) != wanted:
            outcome.problems.append(f"expected {name} = {wanted}, got {values.get(name)}")
    outcome.problems.extend(_visits(expect, state))
    if expect.unreachable:
        outcome.problems.extend(_unreachable(program, expect.unreachable, state))
    if followed.initial != initial_state(program):
        analysis = analyse(program, initial=followed.initial)
    debrief = score_path(program, analysis, catalog, test.choose, mode="assessment", initial=followed.initial)
    raw = {c.id: c.raw for c in debrief.criteria}
    raw["total"] = debrief.total_raw
    for criterion, bound in expect.scores.items():
        value = raw.get(criterion, 0)
        if bound.min is not None and value < bound.min:
            outcome.problems.append(f"{criterion} scored {value}, expected at least {bound.min}")
        if bound.max is not None and value > bound.max:
            outcome.problems.append(f"{criterion} scored {value}, expected at most {bound.max}")
    if expect.passed is not None and debrief.passed != expect.passed:
        why = "; ".join(debrief.reasons)
        outcome.problems.append(f"expected the assessment attempt to {'pass' if expect.passed else 'fail'}, "
                                f"but it {'passed' if debrief.passed else 'failed'}: {why}")
    if expect.critical is not None:
        got = sorted(c.id for c in debrief.critical)
        if got != sorted(expect.critical):
            outcome.problems.append(f"expected critical actions {sorted(expect.critical)}, got {got}")
    return outcome


def _entry_position(loaded: AnalysedScenario, test: PedagogicalTest, index: int) -> str:
    """``line N, column M``: where the failing ``choose:`` entry of ``test`` is in the file."""
    position = loaded.document.position(("tests", loaded.scenario.tests.index(test), "choose", index))
    return f"line {position.line}, column {position.col}"


def _visits(expect: Expectation, state: State) -> list[str]:
    """The ``visited`` / ``not_visited`` expectations the path breaks."""
    problems = [f"expected the path to pass through {node!r}, but it never did"
                for node in expect.visited if node not in state.visited]
    problems += [f"expected the path not to pass through {node!r}, but it did"
                 for node in expect.not_visited if node in state.visited]
    return problems


def _unreachable(program: Program, endings: Sequence[str], state: State) -> list[str]:
    """The endings expected unreachable that some continuation from ``state`` still reaches,
    each with one such continuation, found by the exhaustive analysis from that state."""
    from_here = analyse(program, initial=state)
    if not from_here.complete:
        return [f"cannot tell whether {', '.join(map(repr, endings))} can still be reached: the analysis from where "
                f"the path stops ({state.node!r}) is too large to finish"]
    problems = []
    for ending in endings:
        if ending in from_here.reachable_endings:
            route = _route_to(from_here, ending)
            how = f"e.g. by choosing {' then '.join(route)}" if route else "the path stops there"
            problems.append(f"expected ending {ending!r} to be unreachable from where the path stops "
                            f"({state.node!r}), but it can still be reached: {how}")
    return problems


def _route_to(analysis: Analysis, ending: str) -> list[str]:
    """The step ids of a shortest continuation from the analysis' first state to ``ending``."""
    parents: dict[int, tuple[int, str]] = {}
    queue = deque([0])
    seen = {0}
    while queue:
        sid = queue.popleft()
        if analysis.states[sid].node == ending:
            route: list[str] = []
            while sid != 0:
                sid, step_id = parents[sid]
                route.append(step_id)
            return route[::-1]
        for step, target in analysis.edges[sid]:
            if target not in seen:
                seen.add(target)
                parents[target] = (sid, step.id)
                queue.append(target)
    return []
