"""Each scenario's standing for a trainee (not tried, practice only, tried, passed), from real
recorded attempts: what the library shows beside each title."""

from __future__ import annotations

from casesim.authoring.pipeline import AnalysedScenario
from casesim.play.standing import Standing, scenario_standings
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from support.records import play
from support.tui import CRITICAL, EXPERT


def test_passed_beats_practice_and_a_failed_assessment_is_tried(
        store: RecordStore, example: AnalysedScenario, catalog: Catalog) -> None:
    assert scenario_standings(store, "Ana") == {}
    play(store, example, catalog, "Ana", EXPERT[:2])  # practice, left part-way
    assert scenario_standings(store, "Ana")["example-check-in"] == Standing("practice", 1, 0)
    play(store, example, catalog, "Ana", CRITICAL, mode="assessment")
    tried = scenario_standings(store, "Ana")["example-check-in"]
    assert (tried.kind, tried.label) == ("tried", "tried")
    assert "not passed yet" in tried.sentence
    play(store, example, catalog, "Ana", EXPERT, mode="assessment")
    play(store, example, catalog, "Ana", EXPERT[:1])  # more practice never lowers a pass
    passed = scenario_standings(store, "Ana")["example-check-in"]
    assert passed == Standing("passed", 2, 2)
    assert passed.sentence == "Passed in an assessment (2 assessments; 2 practice attempts)."
    # another trainee's record is theirs alone
    assert scenario_standings(store, "Ben") == {}
    assert scenario_standings(None, "Ana") == {} and scenario_standings(store, None) == {}


def test_the_words_never_rely_on_colour() -> None:
    assert [Standing(k).label for k in ("untried", "practice", "tried", "passed")] == [
        "not tried", "practice only", "tried", "passed"]
    assert Standing().sentence == "You have not tried this scenario yet."
