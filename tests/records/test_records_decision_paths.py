"""``decision_paths`` (the item analysis's one read of the events) against each attempt's effective
path worked out from its events one by one: undone choices removed, pauses ignored, equal paths of
one trainee counted together, other trainees' kept apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import effective_steps
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play


def test_decision_paths_match_the_events_replayed_one_by_one(tmp_path: Path, catalog: Catalog,
                                                             example: AnalysedScenario) -> None:
    with SQLiteStore(tmp_path / "paths.db") as store:
        store.upsert_trainee("ann", "Ann", "c1")
        store.upsert_trainee("bo", "Bo", "c1")
        store.upsert_trainee("cy", "Cy", "c2")
        play(store, example, catalog, "ann", EXPERT)
        play(store, example, catalog, "ann", EXPERT)
        play(store, example, catalog, "ann", [EXPERT[0], "undo", *SECRECY])  # an undone first step
        play(store, example, catalog, "bo", EXPERT)
        play(store, example, catalog, "bo", LOST)
        play(store, example, catalog, "cy", [*SECRECY[:3], "undo", "undo", *SECRECY[1:]])
        expected: Counter[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]] = Counter()
        for attempt in store.attempts():
            steps = effective_steps(store.events(attempt.id))
            expected[(attempt.trainee_id, attempt.scenario_id, attempt.content_hash, attempt.start_node,
                      tuple(str(e.payload["choice"]) for e in steps),
                      tuple(str(e.payload.get("node") or "?") for e in steps))] += 1
        found = Counter({(p.trainee_id, p.scenario_id, p.content_hash, p.start_node, p.steps, p.nodes): p.attempts
                         for p in store.decision_paths()})
        assert found == expected
        assert expected[("ann", "example-check-in", example.content_hash, example.program.scenario.start,
                         tuple(EXPERT), tuple(example.program.steps[s].node for s in EXPERT))] == 2
        in_c1 = {p.trainee_id for p in store.decision_paths(cohort="c1")}
        assert in_c1 == {"ann", "bo"}
