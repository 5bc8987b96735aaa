"""The author's workbench on a live run: edits checked like the file, scoring what happened, an honest debrief."""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import SessionError
from casesim.play.attempt import LiveAttempt
from casesim.play.workbench import (
    EditError,
    edit_history,
    edit_variable,
    history_ids,
    parse_value,
    run_notice,
    running_score,
)
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import score_path
from casesim.semantics.explore import Analysis
from casesim.semantics.program import variables

EXPERT = ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
          "affirm-and-plan", "agree-visit-with-aunt"]


def _done(analysis: Analysis) -> Future[Analysis]:
    future: Future[Analysis] = Future()
    future.set_result(analysis)
    return future


def _run(example: AnalysedScenario, catalog: Catalog, *, start: str | None = None,
         prefix: list[str] | None = None, mode: str = "practice") -> LiveAttempt:
    return LiveAttempt.begin(example, catalog, _done(example.analysis), mode=mode,  # type: ignore[arg-type]
                             trainee_id=None, store=None, clock=lambda: 0.0, seed=1, start=start,
                             prefix=prefix or [])


@pytest.mark.parametrize(("name", "text", "message"), [
    ("rapport", "11", "11 is outside rapport's range 0..10: type a number from 0 to 10"),
    ("rapport", "-1", "-1 is outside rapport's range 0..10: type a number from 0 to 10"),
    ("rapport", "six", "rapport is a whole number: type one from 0 to 10, not 'six'"),
    ("rapport", "4.5", "rapport is a whole number: type one from 0 to 10, not '4.5'"),
    ("rapport", "٣", "rapport is a whole number: type one from 0 to 10, not '٣'"),
    ("rapport", "", "rapport is a whole number: type one from 0 to 10"),
    ("rapport", "9" * 40, "rapport is a whole number: type one from 0 to 10, not '" + "9" * 40 + "'"),
    ("limits_explained", "maybe", "limits_explained is a yes/no flag: type yes or no, not 'maybe'"),
    ("trust", "3", "the scenario has no variable 'trust'"),
])
def test_a_value_is_checked_against_the_variables_type_and_range(example: AnalysedScenario, name: str, text: str,
                                                                 message: str) -> None:
    with pytest.raises(EditError) as caught:
        parse_value(example.program, name, text)
    assert caught.value.message == message


def test_values_in_range_and_yes_no_are_accepted(example: AnalysedScenario) -> None:
    assert parse_value(example.program, "rapport", " 10 ") == 10
    assert parse_value(example.program, "rapport", "0") == 0
    assert parse_value(example.program, "limits_explained", "Yes") is True
    assert parse_value(example.program, "limits_explained", "no") is False


def test_an_edited_variable_opens_the_choices_its_guard_allows(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = _run(example, catalog, start="next-steps")
    assert "agree-visit-with-aunt" not in [s.id for s in attempt.session.open_choices()]
    assert edit_variable(attempt, "rapport", "8") == "rapport 4 → 8"
    assert variables(attempt.program, attempt.session.state)["rapport"] == 8
    assert "agree-visit-with-aunt" in [s.id for s in attempt.session.open_choices()]
    attempt.choose("agree-visit-with-aunt")
    assert attempt.session.node_id == "engaged"
    with pytest.raises(EditError, match="reached an ending"):
        edit_variable(attempt, "rapport", "2")


def test_a_rejected_value_changes_nothing(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = _run(example, catalog)
    before = attempt.session.state
    with pytest.raises(EditError):
        edit_variable(attempt, "rapport", "99")
    assert attempt.session.state == before and attempt.edits == []


def test_history_holds_visited_nodes_and_chosen_steps_as_the_engine_does(example: AnalysedScenario,
                                                                          catalog: Catalog) -> None:
    attempt = _run(example, catalog, start="screen-done")
    program = attempt.program
    nodes, steps = history_ids(program)
    assert "engaged" in nodes and "timeout:how-are-you" in steps
    assert attempt.session.client_line() == "Okay. Thanks for asking, I guess. Nobody really asks."
    what = edit_history(attempt, ["screen-done", "ask-q6"], ["ask-method-anyway"])
    assert what == "visited: +ask-q6; chose: +ask-method-anyway"
    assert attempt.session.state.chosen == {"ask-method-anyway"}
    assert attempt.session.client_line() == "Look, I'm fine. Can we do the housing stuff?", \
        "a condition on chose(...) reads the edited history"
    assert edit_history(attempt, ["screen-done", "ask-q6"], ["ask-method-anyway"]) is None, "no change, no edit"


def test_history_edits_are_checked(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = _run(example, catalog, start="screen-done")
    with pytest.raises(EditError, match="screen-done is the node being played"):
        edit_history(attempt, ["ask-q6"], [])
    with pytest.raises(EditError, match="no node or choice 'nowhere'"):
        edit_history(attempt, ["screen-done", "nowhere"], [])


def test_a_recorded_attempt_cannot_be_edited(example: AnalysedScenario, catalog: Catalog, store: RecordStore) -> None:
    attempt = LiveAttempt.begin(example, catalog, _done(example.analysis), mode="practice", trainee_id="t-1",
                                store=store, clock=lambda: 0.0, seed=1)
    before = attempt.session.state
    with pytest.raises(SessionError, match="recorded attempt cannot be edited"):
        edit_variable(attempt, "rapport", "9")
    assert attempt.edits == [] and attempt.session.state == before


def test_the_running_score_is_the_debrief_of_the_path_so_far(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = _run(example, catalog, prefix=EXPERT[:3])
    score = running_score(attempt)
    expected = score_path(example.program, example.analysis, catalog, EXPERT[:3], mode="practice")
    assert score == expected
    # three expert steps earn points, and the tally counts their MI codes as the debrief does
    assert score is not None and score.total_raw > 0 and sum(score.mi.counts.values()) >= 1


def test_the_running_score_waits_for_the_analysis(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = LiveAttempt.begin(example, catalog, Future(), mode="practice", trainee_id=None, store=None,
                                clock=lambda: 0.0, seed=1)
    assert running_score(attempt) is None


def test_scoring_judges_each_step_in_the_state_it_was_really_taken(example: AnalysedScenario,
                                                                    catalog: Catalog) -> None:
    attempt = _run(example, catalog, start="next-steps")
    edit_variable(attempt, "rapport", "8")
    attempt.choose("agree-visit-with-aunt")
    debrief = attempt.finish()
    assert debrief.ending == "engaged"
    assert [d.choice for d in debrief.decisions] == ["agree-visit-with-aunt"]
    with pytest.raises(ValueError):  # a replay of the ids alone could not take that step
        score_path(example.program, example.analysis, catalog, ["agree-visit-with-aunt"], start="next-steps")


def test_undo_past_an_edit_forgets_it(example: AnalysedScenario, catalog: Catalog) -> None:
    attempt = _run(example, catalog, prefix=EXPERT[:1])
    edit_variable(attempt, "rapport", "9")
    attempt.choose(EXPERT[1])
    edit_variable(attempt, "distress", "2")
    assert [e.after_steps for e in attempt.edits] == [1, 2]
    attempt.undo()
    assert [e.what for e in attempt.edits] == ["rapport 5 → 9"]
    assert variables(attempt.program, attempt.session.state)["rapport"] == 9


def test_the_notice_says_a_run_began_mid_scenario_or_was_edited(example: AnalysedScenario, catalog: Catalog) -> None:
    assert run_notice(_run(example, catalog, prefix=EXPERT[:2])) is None
    jumped = _run(example, catalog, start="ask-q6")
    notice = run_notice(jumped)
    assert notice is not None
    assert notice.startswith("This run began mid-scenario, at node 'ask-q6'")
    assert "not an attempt and was not recorded" in notice
    edited = _run(example, catalog, prefix=EXPERT[:2])
    edit_variable(edited, "rapport", "9")
    notice = run_notice(edited)
    assert notice is not None and "began mid-scenario" not in notice
    assert "The state was edited during this run: rapport 6 → 9 (at how-are-you, after 2 steps)." in notice
