"""The roster's ratings added up by the store (issue 13 benchmark): ``competency_groups`` is the
rating rows of ``competency_points`` summed per trainee, competency, scenario, mode and sign-off,
and the evidence rules read from those sums give every cell the figures they give from every
rating, on both backends.

The store mixes what the sums must keep apart: a signed-off scenario and an unsigned one (the
same competencies), assessment and practice, the same scenario retaken with different ratings
(the latest counts), paths that leave a competency unrated, two cohorts and a trainee with no
cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.api import CompetencyGroup, CompetencyPoint, RecordStore
from casesim.records.evidence import competency_evidence, grouped_evidence
from casesim.scoring.catalog import Catalog
from support.records import EXPERT, LOST, SECRECY, play, signed_example


def _reference(points: Sequence[CompetencyPoint]) -> list[CompetencyGroup]:
    """The sums by hand: points come in time order, so the last rated one is the latest."""
    rated: dict[tuple[str, str, str, str, bool], list[int]] = {}
    for p in points:
        ratings = rated.setdefault((p.trainee_id, p.competency, p.scenario_id, p.mode, p.signed_off), [])
        if p.rating is not None:
            ratings.append(p.rating)
    return _ordered(CompetencyGroup(*key, len(r), r[-1] if r else None) for key, r in rated.items())  # type: ignore[arg-type]


def _ordered(groups: Iterable[CompetencyGroup]) -> list[CompetencyGroup]:
    return sorted(groups, key=lambda g: (g.trainee_id, g.competency, g.scenario_id, g.mode, g.signed_off))


def test_the_store_sums_equal_the_ratings_added_up_by_hand(open_records: Callable[..., RecordStore],
                                                          raw_sql: Callable[..., int], tmp_path: Path,
                                                          catalog: Catalog, example: AnalysedScenario) -> None:
    signed = signed_example(tmp_path, catalog, scenario_id="check-in-signed")
    with open_records() as store:
        for tid, cohort in (("ann", "fall"), ("bo", "fall"), ("cy", "spring"), ("dee", None)):
            store.upsert_trainee(tid, tid.title(), cohort)
        plan = [("ann", signed, EXPERT, "assessment"), ("ann", signed, LOST, "assessment"),
                ("ann", example, SECRECY, "assessment"), ("ann", signed, SECRECY, "practice"),
                ("bo", signed, LOST, "assessment"), ("bo", signed, EXPERT, "assessment"),
                ("bo", example, EXPERT, "practice"), ("cy", signed, SECRECY, "assessment"),
                ("cy", example, LOST, "assessment"), ("dee", signed, EXPERT, "assessment")]
        for tid, loaded, path, mode in plan:
            play(store, loaded, catalog, tid, path, mode=mode)
    # A competency the last of Ann's signed assessments did not evidence (the engine rates it None
    # when no criterion of the path touched it): the latest *rating* is then the first attempt's.
    assert raw_sql("UPDATE competency_results SET rating = NULL WHERE attempt_n = (SELECT max(n) FROM attempts "
                   "WHERE trainee_id = 'ann' AND scenario_id = 'check-in-signed' AND mode = 'assessment') "
                   "AND competency = (SELECT min(competency) FROM competency_results)") == 1
    with open_records() as store:
        everything = store.competency_points()
        assert any(p.rating is None for p in everything) and any(p.signed_off for p in everything)
        assert any(not p.signed_off and p.mode == "assessment" for p in everything)
        for cohort in ("fall", "spring", None):
            points = store.competency_points(cohort=cohort)
            groups = store.competency_groups(cohort=cohort)
            assert _ordered(groups) == _reference(points), cohort
            # the rules give each cell the same figures from the sums as from every rating
            for trainee in {p.trainee_id for p in points}:
                for cid in {p.competency for p in points}:
                    mine = [p for p in points if p.trainee_id == trainee and p.competency == cid]
                    evidence = competency_evidence(mine)
                    summed = grouped_evidence(g for g in groups if g.trainee_id == trainee and g.competency == cid)
                    assert summed == (evidence.measures, evidence.scenarios, evidence.rating), (trainee, cid)
        # a retaken signed-off scenario: the latest rating is the second attempt's, not the best
        ann = [g for g in store.competency_groups(cohort="fall") if g.trainee_id == "ann"
               and g.scenario_id == "check-in-signed" and g.mode == "assessment"]
        assert sorted(g.rated for g in ann)[:2] == [1, 2]
        rated_points = [p for p in everything if p.trainee_id == "ann" and p.scenario_id == "check-in-signed"
                        and p.mode == "assessment"]
        for group in ann:
            assert group.latest == [p.rating for p in rated_points if p.competency == group.competency
                                    and p.rating is not None][-1]
