"""Authoring intent (format 2): `expert: true`, `neutral: true`, `notes:`, and a timer expiry that branches."""

from __future__ import annotations

from casesim.authoring.audit import audit_scenario
from casesim.authoring.graph import scenario_graph
from casesim.authoring.pipeline import SourceReport, load_scenario_bytes
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import replay
from support.paths import VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8").replace("format: 1", "format: 2")
GREET = "      - id: greet\n"
IGNORE = "      - id: ignore\n"


def load(text: str, catalog: Catalog) -> SourceReport:
    return load_scenario_bytes(text.encode(), "s.yaml", catalog)


def found(report: SourceReport) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in report.diagnostics]


# --- expert ------------------------------------------------------------------------------------


def test_the_expert_route_follows_the_marked_choice_and_warns_where_points_disagree(catalog: Catalog) -> None:
    report = load(BASE.replace(IGNORE, IGNORE + "        expert: true\n"), catalog)
    assert report.analysed is not None
    analysis = report.analysed.analysis
    assert analysis.expert_path == ("ignore", "finish")
    assert analysis.best_path == ("greet", "finish")
    [warning] = [d for d in report.diagnostics if d.code == "expert-mark-not-best"]
    assert (warning.line, warning.col) == (26, 9)
    assert warning.message == (
        "you marked `ignore` as expert, but from here it leads to at most 0 points, while `greet` leads to 2; "
        "the debrief counts the best-scoring route as 100%, so a trainee who follows your expert route scores "
        "below it: give `ignore` more points, or mark the other choice instead")


def test_several_marked_choices_take_the_best_of_them_without_a_warning(catalog: Catalog) -> None:
    text = BASE.replace(GREET, GREET + "        expert: true\n").replace(IGNORE, IGNORE + "        expert: true\n")
    report = load(text, catalog)
    assert report.analysed is not None
    assert report.analysed.analysis.expert_path == ("greet", "finish")
    assert "expert-mark-not-best" not in {d.code for d in report.diagnostics}


def test_expert_in_a_format_one_file_says_to_migrate(catalog: Catalog) -> None:
    text = BASE.replace("format: 2", "format: 1").replace(GREET, GREET + "        expert: true\n")
    assert found(load(text, catalog)) == [(20, "needs-format-2")]


# --- neutral -----------------------------------------------------------------------------------

NEUTRAL = ("      - id: ask-to-repeat\n        say: \"Could you say that again?\"\n        goto: middle\n"
           "        neutral: true\n        feedback: Asking to repeat neither helps nor harms here.\n")


def test_a_neutral_choice_with_feedback_is_clean(catalog: Catalog) -> None:
    report = load(BASE.replace(IGNORE, NEUTRAL + IGNORE), catalog)
    assert report.diagnostics == ()


def test_a_neutral_choice_cannot_score_and_must_teach(catalog: Catalog) -> None:
    scored = NEUTRAL.replace("        neutral: true\n", "        neutral: true\n        scores: {SAMHSA14-P2: 1}\n")
    report = load(BASE.replace(IGNORE, scored + IGNORE), catalog)
    [error] = report.errors
    assert (error.line, error.code) == (29, "neutral-scored")
    assert error.message == ("choice 'ask-to-repeat' is `neutral: true` (unscored), so it cannot have `scores`: "
                             "remove `scores`, or remove `neutral: true`")
    silent = NEUTRAL.replace("        feedback: Asking to repeat neither helps nor harms here.\n", "")
    report = load(BASE.replace(IGNORE, silent + IGNORE), catalog)
    assert found(report) == [(28, "neutral-without-feedback")]


def test_a_neutral_choice_is_left_out_of_the_answer_cue_audit(catalog: Catalog) -> None:
    # The neutral option is the longest; without the exemption the expert's `greet` would not be.
    long_neutral = NEUTRAL.replace("Could you say that again?", "Could you say that again, more slowly, please? " * 3)
    report = load(BASE.replace(IGNORE, long_neutral + IGNORE), catalog)
    assert report.analysed is not None
    audit = audit_scenario(report.analysed.scenario, report.analysed.analysis)
    first = audit.decisions[0]
    assert (first.node, first.best, first.options, first.longest) == ("hello", "greet", 2, True)


# --- notes -------------------------------------------------------------------------------------


def test_notes_appear_in_both_graphs(catalog: Catalog) -> None:
    text = (BASE.replace('    client: "Okay."\n', '    client: "Okay."\n    notes: Needs DV-advocate review.\n')
            .replace(GREET, GREET + "        notes: State law varies.\n"))
    report = load(text, catalog)
    assert report.analysed is not None and report.diagnostics == ()
    mermaid = scenario_graph(report.analysed.program, report.analysed.analysis)
    assert '  n1note["note#58; Needs DV-advocate review."]' in mermaid or \
        '  n1note["note: Needs DV-advocate review."]' in mermaid
    assert "  n1 -.- n1note" in mermaid
    assert "greet (note: State law varies.)" in mermaid
    dot = scenario_graph(report.analysed.program, report.analysed.analysis, fmt="dot")
    assert 'tooltip="note: Needs DV-advocate review."' in dot
    assert 'tooltip="note: State law varies."' in dot


# --- a timer expiry that branches ----------------------------------------------------------------

BRANCHES = ("    timer:\n      seconds: 30\n      expire:\n"
            "        - when: \"rapport >= 6\"\n          goto: done\n          narration: She waits, trusting you.\n"
            "        - goto: done\n          narration: She leaves.\n          scores: {SAMHSA14-P4: -1}\n"
            "          feedback: Letting the time pass cost the plan (SAMHSA principle 4).\n")


def with_timer(branches: str = BRANCHES) -> str:
    return BASE.replace('    client: "Okay."\n', '    client: "Okay."\n' + branches)


def test_each_branch_of_a_timer_is_explored_and_named_by_the_state(catalog: Catalog) -> None:
    report = load(with_timer(), catalog)
    assert report.errors == []
    assert report.analysed is not None
    analysis = report.analysed.analysis
    assert {"timeout:middle/1", "timeout:middle/2"} <= analysis.steps_taken
    program = report.analysed.program
    assert replay(program, ["greet", "timeout:middle"]).taken[-1][1].id == "timeout:middle/1"
    assert replay(program, ["ignore", "timeout:middle"]).taken[-1][1].id == "timeout:middle/2"


def test_a_test_path_can_name_a_branching_timer_by_its_node(catalog: Catalog) -> None:
    text = with_timer() + ("tests:\n  - name: hesitating after a poor start loses the plan\n"
                           "    choose: [ignore, timeout:middle]\n    expect: {ending: done}\n")
    report = load(text, catalog)
    assert report.errors == []


def test_the_last_branch_must_be_the_default_and_only_the_last(catalog: Catalog) -> None:
    no_default = BRANCHES.replace("        - goto: done\n", "        - when: \"rapport < 6\"\n          goto: done\n")
    report = load(with_timer(no_default), catalog)
    assert [(e.line, e.code) for e in report.errors] == [(38, "expire-no-default")]
    shadowing = BRANCHES.replace("        - when: \"rapport >= 6\"\n          goto: done\n", "        - goto: done\n")
    report = load(with_timer(shadowing), catalog)
    assert [(e.line, e.code) for e in report.errors] == [(35, "expire-shadows")]


def test_a_branching_timer_in_a_format_one_file_says_to_migrate(catalog: Catalog) -> None:
    report = load(with_timer().replace("format: 2", "format: 1"), catalog)
    assert [(e.line, e.code) for e in report.errors] == [(34, "needs-format-2")]
