"""Embedded tests that set up a state (`given:`) and look at where the path went (`visited`,
`not_visited`, `unreachable`); `validate` follows every test path and reports a broken one at
its failing `choose:` entry, and `casesim test` says the same in the same words.

The fixture tests/data/tests/given.yaml passes as written; each case changes it once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.authoring.embedded_paths import follow_test, given_state
from casesim.authoring.embedded_tests import run_tests
from casesim.authoring.pipeline import load_scenario, load_scenario_bytes
from casesim.cli.main import cli
from casesim.format.scenario import Expectation, PedagogicalTest, timeout_id
from casesim.scoring.catalog import Catalog, load_catalog
from casesim.semantics.program import (
    Program,
    apply,
    initial_state,
    is_final,
    open_choices,
    timeout_step,
    variables,
)
from support.paths import DATA, EXAMPLE, ROOT

GIVEN = (DATA / "tests" / "given.yaml").read_text(encoding="utf-8")

# name -> (text replaced once, its replacement, every error expected as (line, col, code, message))
BROKEN: dict[str, tuple[str, str, list[tuple[int, int, str, str]]]] = {
    "a choice whose condition is false": ("    given: {variables: {rapport: 5}}\n", "", [
        (67, 22, "test-path-blocked",
         "test 'with enough rapport the plan opens without an introduction': the path cannot go on with 'plan': "
         "after 1 step it is at node 'middle', where 'plan' is closed because its condition `rapport >= 5` is false; "
         "open there: 'promise-secrecy', 'wait'; variables: rapport=4, told=false; choose an open choice, or set up "
         "the state the test needs with `given:`")]),
    "a choice of another node": ("choose: [greet, wait]", "choose: [greet, plan-later]", [
        (76, 21, "test-path-blocked",
         "test 'after waiting, trust can no longer be broken': the path cannot go on with 'plan-later': after 1 step "
         "it is at node 'middle', and 'plan-later' is a choice of node 'middle-again'; open there: 'plan', "
         "'promise-secrecy', 'wait'; variables: rapport=5, told=true; check the steps before it, or start the test "
         "where 'plan-later' is with `start:`")]),
    "a step after the ending": ("choose: [greet, plan]\n", "choose: [greet, plan, wait]\n", [
        (64, 27, "test-path-blocked",
         "test 'the expert path passes': the path cannot go on with 'wait': it already ended at 'planned' after 2 "
         "steps; remove the steps after the ending, or check the steps before it")]),
    "given values that do not fit": ("rapport: 6, told: true", "rapport: 12, told: 1, mood: 2", [
        (72, 34, "out-of-range", "'rapport' goes from 0 to 10, so it can never be 12; give a value from 0 to 10"),
        (72, 44, "wrong-type", "'told' is true or false, not the number 1: give it true or false"),
        (72, 47, "unknown-variable", "there is no variable 'mood'; declare it under `variables:`")]),
    "a flag given a number's place": ("rapport: 6, told: true", "rapport: true, told: true", [
        (72, 34, "wrong-type", "'rapport' is a number, not true: give it a number from 0 to 10")]),
    "given names that do not exist": ("visited: [hello], chose: [greet]", "visited: [helo], chose: [gret]", [
        (72, 60, "unknown-node", "there is no node 'helo'; did you mean 'hello'?"),
        (72, 75, "unknown-choice", "unknown choice 'gret'; did you mean 'greet'?")]),
    "a screener answer the scenario never hears": (
        "rapport: 6, told: true}", "rapport: 6, told: true}, answers: {CSSRS-Q2: true}", [
            (72, 60, "unknown-step", "test 'a focused test from the middle, already introduced': no node or choice "
                                     "of this scenario gives an answer to CSSRS-Q2, so a test cannot give one "
                                     "either; remove it, or add the answer where the client gives it")]),
    "expected places that do not exist": (
        "not_visited: [middle-again]", "not_visited: [middle-agian], unreachable: [plan]", [
            (65, 78, "unknown-node", "there is no node or ending 'middle-agian'; did you mean 'middle-again'?"),
            (65, 107, "unknown-ending", "`unreachable` lists endings, and there is no ending 'plan'; did you mean "
                                        "'planned'?")]),
}


def test_the_fixture_validates_and_every_test_passes(catalog: Catalog) -> None:
    report = load_scenario_bytes(GIVEN.encode(), "given.yaml", catalog)
    assert report.analysed is not None and not report.errors
    outcomes = list(run_tests(report.analysed, catalog))
    assert [(o.name, o.problems) for o in outcomes if not o.ok] == []
    assert len(outcomes) == 4


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_test_is_an_error_at_its_own_place(name: str, catalog: Catalog) -> None:
    old, new, expected = BROKEN[name]
    assert old in GIVEN, name
    report = load_scenario_bytes(GIVEN.replace(old, new, 1).encode(), "given.yaml", catalog)
    assert [(d.line, d.col, d.code, d.message) for d in report.errors] == expected


def test_given_sets_variables_history_and_answers_on_top_of_the_start(catalog: Catalog) -> None:
    report = load_scenario_bytes(GIVEN.encode(), "given.yaml", catalog)
    assert report.playable is not None
    program = report.playable.program
    focused = report.playable.scenario.tests[2]
    state = given_state(program, focused)
    assert state.node == "middle"
    assert variables(program, state) == {"rapport": 6, "told": True}
    assert state.visited == {"middle", "hello"} and state.chosen == {"greet"}


def _failures(text: str, catalog: Catalog) -> dict[str, list[str]]:
    report = load_scenario_bytes(text.encode(), "given.yaml", catalog)
    assert report.analysed is not None
    return {o.name: o.problems for o in run_tests(report.analysed, catalog) if not o.ok}


def test_visited_and_not_visited_say_which_node_was_missed_or_passed(catalog: Catalog) -> None:
    text = GIVEN.replace("visited: [middle], not_visited: [middle-again]", "visited: [middle-again], not_visited: [middle]")
    assert _failures(text, catalog) == {"the expert path passes": [
        "expected the path to pass through 'middle-again', but it never did",
        "expected the path not to pass through 'middle', but it did"]}


def test_an_ending_still_reachable_is_reported_with_a_way_there(catalog: Catalog) -> None:
    text = GIVEN.replace("choose: [greet, wait]\n    expect: {unreachable: [broken-trust]}",
                         "choose: [greet]\n    expect: {unreachable: [broken-trust]}")
    assert _failures(text, catalog) == {"after waiting, trust can no longer be broken": [
        "expected ending 'broken-trust' to be unreachable from where the path stops ('middle'), but it can still be "
        "reached: e.g. by choosing promise-secrecy"]}


def test_the_test_command_says_the_same_with_the_line_and_column(tmp_path: Path) -> None:
    old, new, [(line, col, _, message)] = BROKEN["a choice whose condition is false"]
    path = tmp_path / "given.yaml"
    path.write_text(GIVEN.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(path)], prog_name="casesim")
    assert result.exit_code == 1
    name, _, words = message.partition(": ")
    assert f"FAIL given-tests: {name.removeprefix('test ').strip(chr(39))}\n" in result.output
    assert f"     line {line}, column {col}: {words}\n" in result.output
    validate = CliRunner().invoke(cli, ["validate", str(path)], prog_name="casesim")
    assert f"{path}:{line}:{col}: error: {message} [test-path-blocked]" in validate.output


@settings(max_examples=40)
@given(st.data())
def test_a_walk_of_open_choices_is_followed_and_one_wrong_step_is_blocked_where_it_is(data: st.DataObject) -> None:
    program = _example_program()
    state, walk = initial_state(program), []
    while not is_final(program, state) and len(walk) < 30:
        expiry = timeout_step(program, state)
        opened = [*open_choices(program, state), *([expiry] if expiry is not None else [])]
        step = data.draw(st.sampled_from(opened))
        walk.append(step.id)
        state = apply(program, state, step)
    test = PedagogicalTest(name="walk", choose=walk, expect=Expectation())
    followed = follow_test(program, test)
    assert followed.blocked is None and followed.replay is not None and followed.replay.final == state
    k = data.draw(st.integers(0, len(walk) - 1))
    here = followed.replay.taken[k][0]
    possible = {s.id for s in open_choices(program, here)} | {timeout_id(here.node)}
    wrong = data.draw(st.sampled_from(sorted(set(program.steps) - possible)))
    blocked = follow_test(program, test.model_copy(update={"choose": [*walk[:k], wrong, *walk[k + 1:]]})).blocked
    assert blocked is not None and (blocked.index, blocked.step_id, blocked.state) == (k, wrong, here)


@cache
def _example_program() -> Program:
    report = load_scenario(EXAMPLE, load_catalog(ROOT / "scoring"), analyse_paths=False)
    assert report.playable is not None
    return report.playable.program
