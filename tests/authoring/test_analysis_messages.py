"""The wording and place of the messages that explain what the path analysis found: a scoring
loop (choices and timers), an expert path that hesitates or takes a poor choice, and a condition
that is never true or closes a dead end, each saying why.

Each case is one small fixture (tests/data/analysis, tests/data/valid, tests/data/broken),
changed once where needed; the test pins line, column, code and the exact words.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.cli.main import cli
from casesim.scoring.catalog import Catalog
from support.paths import BROKEN, DATA, VALID

MINIMAL = (VALID / "minimal.yaml").read_text(encoding="utf-8")

# name -> (file text, text replaced once, its replacement, codes pinned, every such diagnostic expected)
CASES: dict[str, tuple[str, str, str, set[str], list[tuple[int, int, str, str]]]] = {
    "a penalised timer on a loop": (
        (DATA / "analysis" / "timer-loop.yaml").read_text(encoding="utf-8"), "", "", {"scoring-cycle"}, [
            (20, 17, "scoring-cycle", "letting the timer of node 'question' run out costs points and sits on a loop, "
                                      "so a trainee could lose them again and again and the worst score has no "
                                      "limit; let the expiry lead somewhere that cannot come back to 'question', or "
                                      "take the points off the expiry and say it in the feedback")]),
    "a choice that costs points on a loop": (
        MINIMAL, "        goto: middle\n        scores: {SAMHSA14-P2: -1}",
        "        goto: hello\n        scores: {SAMHSA14-P2: -1}", {"scoring-cycle"}, [
            (28, 17, "scoring-cycle", "choice 'ignore' costs points and sits on a loop, so a trainee could lose them "
                                      "again and again and the worst score has no limit; offer it once with "
                                      "`when: not chose(ignore)`")]),
    "a choice that earns points on a loop": (
        MINIMAL, "        goto: middle\n        scores: {SAMHSA14-P2: -1}",
        "        goto: hello\n        scores: {SAMHSA14-P2: 1}", {"scoring-cycle"}, [
            (28, 17, "scoring-cycle", "choice 'ignore' earns points and sits on a loop, so a trainee could earn them "
                                      "again and again and the best score has no limit; offer it once with "
                                      "`when: not chose(ignore)`")]),
    "an expert path that hesitates and takes a poor choice": (
        (DATA / "analysis" / "expert-detours.yaml").read_text(encoding="utf-8"), "", "",
        {"expert-path-timeout", "expert-path-negative"}, [
            (19, 17, "expert-path-negative", "the expert path takes choice 'blunt', which scores -1 (SAMHSA14-P2 -1), "
                                             "because the points it leads to make up for it (4 by the end), so the "
                                             "debrief would show a poor choice as what an expert does; let the good "
                                             "choices at 'opening' lead to those points too, or score this choice 0 "
                                             "or above if it is good practice"),
            (30, 7, "expert-path-timeout", "the expert path lets the timer of node 'question' run out: waiting leads "
                                           "to 5 points by the end, more than any choice there (at best 1, with "
                                           "'answer'), so the debrief would show hesitating as what an expert does; "
                                           "give the choice an expert makes there the points, or let waiting cost "
                                           "points")]),
    "a dead end whose condition one choice alone feeds": (
        (BROKEN / "dead-end.yaml").read_text(encoding="utf-8"), "", "", {"dead-end", "guard-never-true"}, [
            (30, 3, "dead-end", "node 'middle' has no open choice when rapport=6, told=true: the trainee would be "
                                "stuck; 'finish' needs `rapport > 10`: `rapport` starts at 5, and only choice 'greet' "
                                "at node 'hello' (+1) changes it; add a choice without `when`, or loosen a "
                                "condition"),
            (36, 16, "guard-never-true", "choice 'finish' is never offered: its condition is false in every reachable "
                                         "state: at node 'middle' `rapport` is only ever 5 to 6 (it starts at 5, and "
                                         "only choice 'greet' at node 'hello' (+1) changes it); loosen the condition, "
                                         "or change what sets it")]),
    "a condition on a flag nothing sets": (
        MINIMAL.replace("effects: {rapport: 1, told: true}", "effects: {rapport: 1}"),
        'when: "rapport >= 0"', 'when: "told"', {"dead-end", "guard-never-true"}, [
            (30, 3, "dead-end", "node 'middle' has no open choice when rapport=6, told=false: the trainee would be "
                                "stuck; 'finish' needs `told`: nothing changes `told`, so it is always false (its "
                                "start value); add a choice without `when`, or loosen a condition"),
            (36, 16, "guard-never-true", "choice 'finish' is never offered: its condition is false in every reachable "
                                         "state: nothing changes `told`, so it is always false (its start value); "
                                         "loosen the condition, or change what sets it")]),
    "a condition whose parts never hold together": (
        MINIMAL, "        when: \"rapport >= 0\"\n", "        when: \"chose(ignore) and chose(greet)\"\n",
        {"guard-never-true"}, [
            (36, 16, "guard-never-true", "choice 'finish' is never offered: its condition is false in every reachable "
                                         "state: each part of it can hold at node 'middle', but never all of them "
                                         "at once; loosen the condition, or change what sets it")]),
    "a condition on a choice never offered": (
        MINIMAL, "        when: \"rapport >= 0\"\n", "        when: \"chose(finish)\"\n",
        {"guard-never-true"}, [
            (36, 16, "guard-never-true", "choice 'finish' is never offered: its condition is false in every reachable "
                                         "state: choice 'finish' is never offered, so `chose(finish)` is never true; "
                                         "loosen the condition, or change what sets it")]),
}


def _found(name: str, catalog: Catalog) -> list[tuple[int, int, str, str]]:
    text, old, new, codes, _ = CASES[name]
    assert old in text, name
    report = load_scenario_bytes(text.replace(old, new, 1).encode(), "s.yaml", catalog)
    return [(d.line, d.col, d.code, d.message) for d in report.diagnostics if d.code in codes]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_analysis_finding_says_why_at_its_place(name: str, catalog: Catalog) -> None:
    assert _found(name, catalog) == CASES[name][4]


def test_a_sound_expert_path_gets_no_warning(catalog: Catalog) -> None:
    report = load_scenario_bytes(MINIMAL.encode(), "s.yaml", catalog)
    assert not [d for d in report.diagnostics if d.code.startswith("expert-path")]


def test_analyse_prints_an_unbounded_worst_score_never_a_number() -> None:
    path = DATA / "analysis" / "timer-loop.yaml"
    result = CliRunner().invoke(cli, ["analyse", str(path)], prog_name="casesim")
    assert result.exit_code == 0, result.output
    assert "  total points: worst unbounded, best 2, expert (no critical action) 2\n" in result.output
    assert "    SAMHSA14-P2      worst unbounded  best    2\n" in result.output
    summary = json.loads(CliRunner().invoke(cli, ["analyse", "--format", "json", str(path)], prog_name="casesim").output)
    assert (summary["worst_total"], summary["best_total"]) == ("unbounded", 2)
    assert summary["criteria"] == {"SAMHSA14-P2": {"worst": "unbounded", "best": 2}}
