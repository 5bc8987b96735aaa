"""A state space that would explode is refused from its estimate; exploring has a budget.

The figures that matter to a user (seconds, megabytes) are in benchmarks/bench_state_space.py;
these tests pin the behaviour: what is refused, what stops, and what the trainer is told.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casesim.authoring.pipeline import load_scenario, load_scenario_bytes
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import REFUSE_ESTIMATE, Budget, analyse, estimate_states
from casesim.semantics.program import Program
from support.paths import BROKEN, ROOT
from support.scenarios import bundled_programs

COUNTERS = BROKEN / "state-space-too-large.yaml"
_CHILD = (
    "import sys\n"
    "from casesim.cli.main import main\n"
    "code = main(['validate', sys.argv[1]])\n"
    "hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
    "print('peak-kib', hwm.split()[1], file=sys.stderr)\n"
    "sys.exit(code)\n"
)
"""`casesim validate PATH` in a fresh interpreter that reports its own peak resident memory.

It reads ``VmHWM`` (the high-water mark of this program's own memory map) rather than
``getrusage``: Linux carries ``ru_maxrss`` across ``exec``, so a child spawned by a large pytest
process would report the parent's peak (seen: 942 MB in a full run, 41 MB alone)."""


def _program(path: Path, catalog: Catalog, text: str | None = None) -> Program:
    raw = (text if text is not None else path.read_text(encoding="utf-8")).encode()
    report = load_scenario_bytes(raw, str(path), catalog, analyse_paths=False)
    assert report.playable is not None, report.diagnostics
    return report.playable.program


def test_six_counters_are_refused_from_the_estimate_without_exploring(catalog: Catalog) -> None:
    program = _program(COUNTERS, catalog)
    estimate = estimate_states(program)
    assert estimate.numeric == 2 * 21**6  # a node and an ending
    analysis = analyse(program)
    assert (analysis.complete, analysis.stopped, analysis.state_count) == (False, "estimate", 1)
    [diag] = [d for d in load_scenario(COUNTERS, catalog).diagnostics if d.is_error]
    assert (diag.line, diag.col, diag.code) == (1, 1, "state-space-too-large")
    assert diag.message.startswith(
        "too large to check: this scenario could reach about 171,532,242 distinct states "
        "(2 nodes and endings × 21 × 21 × 21 × 21 × 21 × 21 values of the number variables), more than the 5,000,000")


def test_every_bundled_scenario_is_well_under_the_refusal_estimate() -> None:
    for program in bundled_programs():
        assert estimate_states(program).numeric * 20 < REFUSE_ESTIMATE, program.scenario.id


def _three_counters(catalog: Catalog) -> Program:
    """2 × 9,261 reachable states: explored in full by default, past the first budget check.

    Nothing reads the counters, so the live-variable merge would file every state of the hub
    as one: the tests below analyse with ``merge=False`` to get the space they are about."""
    text = COUNTERS.read_text(encoding="utf-8")
    for name in ("d", "e", "f"):
        text = text.replace(f"  {name}: {{start: 0, min: 0, max: 20}}\n", "")
        text = text.replace(f"      - {{id: up-{name}, say: {name.upper()}, goto: hub, effects: {{{name}: 1}}, "
                            f"scores: {{SAMHSA14-P2: 0}}, feedback: {name.upper()}.}}\n", "")
    return _program(COUNTERS, catalog, text)


def test_a_spent_time_budget_stops_exploring_and_says_so(catalog: Catalog) -> None:
    program = _three_counters(catalog)
    full = analyse(program, merge=False)
    assert full.complete and full.state_count == 2 * 21**3
    assert analyse(program).state_count == 2  # merged: the hub and the ending
    stopped = analyse(program, budget=Budget(seconds=0.0), merge=False)
    assert (stopped.complete, stopped.stopped) == (False, "seconds")
    assert stopped.state_count < 2 * 21**3


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory is read from /proc")
def test_a_spent_memory_budget_stops_exploring(catalog: Catalog) -> None:
    stopped = analyse(_three_counters(catalog), budget=Budget(memory_bytes=-1), merge=False)
    assert (stopped.complete, stopped.stopped) == (False, "memory")


def test_a_state_budget_stops_exploring_and_the_lint_names_the_limit(catalog: Catalog) -> None:
    program = _three_counters(catalog)
    stopped = analyse(program, budget=Budget(states=100), merge=False)
    assert (stopped.complete, stopped.stopped, stopped.state_count) == (False, "states", 100)


def test_validate_of_the_six_counter_file_answers_with_too_large_in_bounded_memory() -> None:
    # The acceptance check of issue 11, as a user runs it. The timeout is a generous guard
    # against a hang, not a timing assertion; the memory figure is the child's peak RSS.
    done = subprocess.run([sys.executable, "-c", _CHILD, str(COUNTERS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "too large to check" in done.stdout and "[state-space-too-large]" in done.stdout
    peak_kib = int(done.stderr.split("peak-kib ")[1].split()[0])
    assert peak_kib < 500 * 1024
