"""Run the pedagogical tests embedded in a scenario (``casesim test``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from casesim.authoring.pipeline import AnalysedScenario
from casesim.format.scenario import PedagogicalTest
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.explore import analyse
from casesim.semantics.program import is_final, replay, variables

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
    program, analysis = loaded.program, loaded.analysis
    outcome = TestOutcome(test.name)
    try:
        state = replay(program, test.choose, start=test.start).final
    except ValueError as exc:
        outcome.problems.append(f"the path cannot be followed: {exc}")
        return outcome
    expect = test.expect
    if expect.ending is not None and state.node != expect.ending:
        where = "ending" if is_final(program, state) else "node"
        outcome.problems.append(f"expected ending {expect.ending!r}, but the path stops at {where} {state.node!r}")
    values = variables(program, state)
    for name, wanted in expect.flags.items():
        if values.get(name) != wanted:
            outcome.problems.append(f"expected {name} = {wanted}, got {values.get(name)}")
    if test.start is not None and test.start != program.scenario.start:
        analysis = analyse(program, start=test.start)
    debrief = score_path(program, analysis, catalog, test.choose, mode="assessment", start=test.start)
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
