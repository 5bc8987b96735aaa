"""The order choices are shown in: a pure function of (seed, node, open choices), per attempt.

Authors write the best option first (184 of 192 decisions, clinical review X1), so the shown
order must come from the attempt's seed, be the same whenever it is redrawn (resume, replay),
and leave a node pinned with ``order: fixed`` as written.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.play.session import Session
from casesim.scoring.catalog import Catalog
from casesim.semantics.order import is_shuffled, shown_choices, shuffled
from casesim.semantics.program import Program, apply, initial_state, is_final, open_choices
from support.scenarios import bundled_programs

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "example-check-in.yaml"



def _example() -> Program:
    return next(p for p in bundled_programs() if p.scenario.id == "example-check-in")


def _decisions(program: Program, limit: int = 400) -> list[tuple[str, tuple[str, ...]]]:
    """(node, open choice ids) at every state a breadth-first walk meets, up to ``limit``."""
    seen, queue = {initial_state(program)}, [initial_state(program)]
    out: list[tuple[str, tuple[str, ...]]] = []
    while queue and len(out) < limit:
        state = queue.pop(0)
        if is_final(program, state):
            continue
        steps = open_choices(program, state)
        out.append((state.node, tuple(s.id for s in steps)))
        for step in steps:
            after = apply(program, state, step)
            if after not in seen:
                seen.add(after)
                queue.append(after)
    return out


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_the_shown_order_is_a_permutation_and_the_same_every_time_it_is_drawn(seed: int) -> None:
    for program in bundled_programs():
        state = initial_state(program)
        while not is_final(program, state):
            shown = shown_choices(program, state, seed)
            assert sorted(s.id for s in shown) == sorted(s.id for s in open_choices(program, state))
            assert shown == shown_choices(program, state, seed), "drawn again, the same order"
            state = apply(program, state, shown[seed % len(shown)])


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), drop=st.integers(0, 8))
def test_a_choice_hidden_by_its_condition_does_not_reorder_the_others(seed: int, drop: int) -> None:
    program = bundled_programs()[seed % len(bundled_programs())]
    steps = open_choices(program, initial_state(program))
    fewer = [s for i, s in enumerate(steps) if i != drop % len(steps)]
    full = [s.id for s in shuffled(seed, "any-node", steps)]
    assert [s.id for s in shuffled(seed, "any-node", fewer)] == [sid for sid in full if sid in {s.id for s in fewer}]


def test_over_many_seeds_every_option_is_shown_first_about_equally_often() -> None:
    # The cue being removed: the author's first option is shown first only about 1/n of the time.
    seeds = range(600)
    for program in bundled_programs():
        for node, ids in _decisions(program, limit=30):
            if len(ids) < 2 or not is_shuffled(program, node):
                continue
            steps = [program.steps[i] for i in ids]
            firsts = Counter(shuffled(seed, node, steps)[0].id for seed in seeds)
            assert set(firsts) == set(ids), f"{program.scenario.id}/{node}: some option is never first"
            expected = len(seeds) / len(ids)
            assert max(firsts.values()) < 1.5 * expected, (program.scenario.id, node, firsts)


def test_different_nodes_and_seeds_get_independent_orders() -> None:
    program = _example()
    node, ids = next((n, i) for n, i in _decisions(program) if len(i) == 3)
    steps = [program.steps[i] for i in ids]
    pairs = {(tuple(s.id for s in shuffled(seed, node, steps)), tuple(s.id for s in shuffled(seed, "other", steps)))
             for seed in range(400)}
    assert len({a for a, _ in pairs}) == 6, "three options: all six orders turn up"
    assert len(pairs) == 36, "the order at one node says nothing about the order at another"


def test_a_session_shows_the_order_of_its_seed_and_keeps_it_across_an_undo() -> None:
    program = _example()
    session = Session(program, mode="practice", seed=11)
    first = session.shown_choices()
    assert first == shown_choices(program, session.state, 11)
    session.choose(first[0].id)
    session.undo()
    assert session.shown_choices() == first
    assert Session(program, seed=11).shown_choices() == first
    assert {Session(program, seed=seed).shown_choices()[0].id for seed in range(30)} == {s.id for s in first}


def test_a_fresh_session_draws_its_own_seed() -> None:
    seeds = {Session(_example()).seed for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= s < 2**31 for s in seeds)


def _with_order(order: str) -> bytes:
    text = EXAMPLE.read_text(encoding="utf-8")
    marker = "  opening:\n"
    assert marker in text
    return text.replace(marker, f"{marker}    order: {order}\n", 1).encode()


def test_a_node_pinned_with_order_fixed_is_shown_as_written(catalog: Catalog) -> None:
    report = load_scenario_bytes(_with_order("fixed"), "pinned.yaml", catalog, analyse_paths=False)
    assert report.playable is not None, report.diagnostics
    program = report.playable.program
    state = initial_state(program)
    assert not is_shuffled(program, "opening")
    assert all(shown_choices(program, state, seed) == open_choices(program, state) for seed in range(50))
    after = apply(program, state, program.steps["introduce-and-ask-time"])
    assert is_shuffled(program, after.node), "only the pinned node keeps its order"


def test_an_unknown_order_is_reported_where_it_is_written(catalog: Catalog) -> None:
    report = load_scenario_bytes(_with_order("sideways"), "bad.yaml", catalog, analyse_paths=False)
    assert report.playable is None
    errors = [d for d in report.diagnostics if d.is_error]
    assert errors, report.diagnostics
    text = " ".join(d.format() for d in errors)
    assert "order" in text and "shuffled" in text and "fixed" in text, text
