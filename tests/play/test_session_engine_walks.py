"""Engine tests for the live session the TUI plays (no Textual here).

On every bundled scenario, seeded random walks take only open choices and reach an ending;
at every step the Machine-driven session and the pure semantics agree; undo restores the exact
prior state; timers run on the injected clock.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from casesim.authoring.pipeline import (
    AnalysedScenario,
    Playable,
    SourceReport,
    find_scenario_files,
    load_scenario,
)
from casesim.errors import SessionError
from casesim.play.machine import machine_for
from casesim.play.session import Session
from casesim.scoring.catalog import Catalog
from casesim.scoring.pace import screen_words
from casesim.semantics.program import Step, apply, initial_state, timeout_step
from support.clock import FakeClock
from support.paths import ROOT

BUNDLED = find_scenario_files([ROOT / "scenarios"])
MAX_STEPS = 2000


@pytest.fixture(scope="module")
def scenarios(catalog: Catalog) -> dict[str, Playable]:
    return {p.name: _playable(load_scenario(p, catalog, analyse_paths=False)) for p in BUNDLED}


def _playable(report: SourceReport) -> Playable:
    assert report.playable is not None, report.diagnostics
    return report.playable


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: Path(p).stem)
@pytest.mark.parametrize("mode", ["practice", "assessment"])
def test_seeded_random_walks_take_only_open_choices_and_reach_an_ending(
        scenarios: dict[str, Playable], path: Path, mode: str) -> None:
    program = scenarios[path.name].program
    at_node: dict[str, list[Step]] = {}
    for candidate in program.steps.values():
        if not candidate.is_timeout:
            at_node.setdefault(candidate.node, []).append(candidate)
    for seed in range(12):
        rng = random.Random(seed)
        clock = FakeClock()
        session = Session(program, mode=mode, clock=clock, seed=seed)  # type: ignore[arg-type]
        taken: list[str] = []
        try:
            for _ in range(MAX_STEPS):
                if session.finished:
                    break
                before = session.state
                offered = session.open_choices()
                open_ids = {s.id for s in offered}
                # The Machine's guards (its own conditions, not open_choices) refuse every choice
                # at this node that the pure semantics close, and leave the state as it was.
                for closed in at_node.get(before.node, []):
                    if closed.id not in open_ids:
                        with pytest.raises(SessionError, match="not open now"):
                            session.choose(closed.id)
                        assert session.state == before
                timeout = timeout_step(program, before)
                if timeout is not None and (not offered or rng.random() < 0.25):
                    result = session.expire_timer()
                    step = timeout
                else:
                    assert offered, f"dead end at {before.node} (seed {seed})"
                    step = rng.choice(offered)
                    result = session.choose(step.id)
                taken.append(step.id)
                # The Machine moved the session exactly where the pure semantics say.
                assert result.state == session.state == apply(program, before, step)
                assert session.node_id == session.state.node
                if mode == "practice" and rng.random() < 0.2:
                    assert session.undo() == before
                    taken.pop()
                    assert session.state == before and session.node_id == before.node
                    assert session.path == taken
                    session.apply_path([step.id])
                    taken.append(step.id)
                    assert session.state == apply(program, before, step)
            assert session.finished, f"{path.name}: seed {seed} did not reach an ending in {MAX_STEPS} steps"
            assert session.state.node in program.scenario.endings
            # The session's path is the steps in effect (undone ones gone), and replaying it on
            # the pure semantics from the start gives the very state the session ended in.
            assert session.path == taken
            replayed = initial_state(program)
            for step_id in taken:
                replayed = apply(program, replayed, program.steps[step_id])
            assert replayed == session.state
        finally:
            session.close()


def test_the_machine_is_built_once_per_scenario_and_sessions_detach(example: AnalysedScenario) -> None:
    assert example.program is not None
    machine = machine_for(example.program)
    assert machine_for(example.program) is machine
    count = len(machine.models)
    session = Session(example.program)
    assert len(machine.models) == count + 1
    session.close()
    assert len(machine.models) == count


def test_undo_restores_exactly_the_prior_state_and_history(example: AnalysedScenario) -> None:
    assert example.program is not None
    session = Session(example.program, mode="practice", clock=FakeClock())
    states = [session.state]
    for step_id in ["launch-into-questions", "skip-to-housing", "cheer-up"]:
        session.choose(step_id)
        states.append(session.state)
    for expected in reversed(states[:-1]):
        assert session.undo() == expected
        assert session.state == expected
        assert len(session.history) == states.index(expected)
    assert session.state == initial_state(example.program)
    with pytest.raises(SessionError):
        session.undo()


def test_assessment_has_no_undo(example: AnalysedScenario) -> None:
    assert example.program is not None
    session = Session(example.program, mode="assessment")
    session.choose("introduce-and-ask-time")
    assert not session.can_undo
    with pytest.raises(SessionError):
        session.undo()


def test_timers_run_on_the_injected_clock(example: AnalysedScenario) -> None:
    assert example.program is not None
    clock = FakeClock()
    session = Session(example.program, mode="assessment", clock=clock)
    assert session.time_left() is None
    session.apply_path(["introduce-and-ask-time", "explain-role-and-limits"])
    assert session.node_id == "how-are-you"
    # The author's 45 s plus the time the screen's words take to read at 238 wpm (issue 15 item 2).
    assert session.author_timer_seconds() == 45
    limit = math.ceil(45 + screen_words(example.program, session.state) * 60 / 238)
    assert limit == session.timer_seconds() == 60
    assert session.time_left() == limit
    clock.advance(limit - 0.5)
    assert session.time_left() == pytest.approx(0.5)
    assert not session.timer_expired()
    clock.advance(0.5)
    assert session.timer_expired()
    with pytest.raises(SessionError):
        session.choose("reflect-tiredness")
    result = session.expire_timer()
    assert result.state.node == "dana-goes-quiet"
    assert session.history[-1].timed_out and session.history[-1].seconds == limit
    assert result.narration == "The line is quiet for a long moment. Dana sighs."


def test_time_taken_per_choice_comes_from_the_clock(example: AnalysedScenario) -> None:
    assert example.program is not None
    clock = FakeClock()
    session = Session(example.program, clock=clock)
    clock.advance(7)
    session.choose("introduce-and-ask-time")
    clock.advance(3.5)
    session.choose("explain-role-and-limits")
    assert [h.seconds for h in session.history] == [7, 3.5]


def test_retract_last_takes_back_an_unrecorded_step_even_in_assessment(
        scenarios: dict[str, AnalysedScenario]) -> None:
    program = scenarios["example-check-in.yaml"].program
    assert program is not None
    session = Session(program, mode="assessment", clock=FakeClock())
    session.choose("introduce-and-ask-time")
    before = session.state
    session.choose("explain-role-and-limits")
    assert session.retract_last() == before
    assert session.state == before and session.node_id == before.node
    assert session.path == ["introduce-and-ask-time"]
    with pytest.raises(SessionError):
        session.undo()  # the trainee still has no undo in assessment
