"""Rules kept as data (issue 13, benchmarks): a report replays recorded paths with rules read
back from JSON, so they must follow every path exactly as the compiled program does, and data
that is not what :func:`rules_data` wrote must be refused, never followed."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from casesim.semantics.portable import rules_data, rules_from_data
from casesim.semantics.program import (
    Program,
    Rules,
    State,
    apply,
    initial_state,
    open_choices,
    replay,
    timeout_step,
)
from support.scenarios import bundled_programs


def _round_trip(program: Program) -> Rules:
    return rules_from_data(json.loads(json.dumps(rules_data(program))))


def _offered(rules: Rules, state: State) -> tuple[str, ...]:
    expiry = timeout_step(rules, state)
    return tuple(s.id for s in open_choices(rules, state)) + ((expiry.id,) if expiry is not None else ())


@pytest.mark.parametrize("program", bundled_programs(), ids=lambda p: p.scenario.id)
def test_rules_read_back_follow_every_walk_as_the_program_does(program: Program) -> None:
    rules = _round_trip(program)
    rng = random.Random(program.scenario.id)
    starts = [program.scenario.start, *rng.sample(sorted(program.scenario.nodes), 3)]
    for walk in range(60):
        start = starts[walk % len(starts)]
        state, mine = initial_state(program, start), initial_state(rules, start)
        taken: list[str] = []
        for _ in range(80):
            assert mine == state
            offered = _offered(program, state)
            assert _offered(rules, mine) == offered
            if not offered:
                break
            sid = rng.choice(offered)
            taken.append(sid)
            state = apply(program, state, program.steps[sid])
            mine = apply(rules, mine, rules.steps[sid])
        assert replay(rules, taken, start=start).final == replay(program, taken, start=start).final


def _broken(change: str) -> dict[str, Any]:
    program = next(p for p in bundled_programs() if p.timeouts and any(
        e.is_expr for s in p.steps.values() for e in s.effects) and any(s.guard for s in p.steps.values()))
    data = copy.deepcopy(rules_data(program))
    guarded = next(row for row in data["steps"] if row[3] is not None)
    computed = next(row for row in data["steps"] if any(e[1] == "expr" for e in row[4]))
    expr = next(e for e in computed[4] if e[1] == "expr")
    if change == "guard-gives-a-number":
        guarded[3] = "1 + 1"
    elif change == "guard-does-not-parse":
        guarded[3] = "rapport >="
    elif change == "unknown-variable":
        guarded[3] = "no_such_variable > 1"
    elif change == "effect-out-of-range":
        expr[0] = len(data["vars"]) + 50
    elif change == "flag-given-a-number":
        flag = next(i for i, v in enumerate(data["start_values"][:len(data["vars"])]) if isinstance(v, bool))
        computed[4].append([flag, "set", 3])
    elif change == "step-at-unknown-node":
        guarded[1] = "nowhere"
    elif change == "node-lists-a-timeout-as-a-choice":
        data["nodes"][0][1].append(next(row[0] for row in data["steps"] if row[5]))
    elif change == "start-is-not-a-node":
        data["start"] = "nowhere"
    elif change == "bound-on-a-hidden-slot":
        data["bounds"].append([0, 1])
        data["start_values"].append(None)
    elif change == "another-format":
        data["format"] = 99
    return data


@pytest.mark.parametrize("change", ["guard-gives-a-number", "guard-does-not-parse", "unknown-variable",
                                    "effect-out-of-range", "flag-given-a-number", "step-at-unknown-node",
                                    "node-lists-a-timeout-as-a-choice", "start-is-not-a-node",
                                    "bound-on-a-hidden-slot", "another-format"])
def test_rules_that_are_not_what_was_written_are_refused(change: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        rules_from_data(_broken(change))
