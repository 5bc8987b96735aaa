"""A trainee's competency ratings over time, from the record store's report query.

Every completed attempt is charted (the trainee's own learning view), each labelled as the
evidence rules of :mod:`casesim.records.evidence` see it; the rating each competency shows is the
one those rules allow, or "insufficient evidence (n=…)".
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.records.api import CompetencyPoint, RecordStore
from casesim.records.evidence import (
    CompetencyEvidence,
    EvidenceKind,
    RatedPoint,
    competency_evidence,
    evidence_kind,
)
from casesim.records.reports import attempt_standings
from casesim.scoring.catalog import Catalog

__all__ = ["AttemptLabel", "CompetencySeries", "Progress", "gather_progress"]


@dataclass(frozen=True, slots=True)
class CompetencySeries:
    """One competency's ratings (1–5, or None when not evidenced), one per completed attempt."""

    id: str
    title: str
    ratings: tuple[int | None, ...]
    evidence: CompetencyEvidence
    """What the evidence rules allow to be said about this competency."""

    @property
    def latest(self) -> int | None:
        for rating in reversed(self.ratings):
            if rating is not None:
                return rating
        return None


@dataclass(frozen=True, slots=True)
class AttemptLabel:
    """Which scenario an attempt was, and in which mode (no dates: they vary between runs)."""

    scenario_id: str
    mode: str
    evidence: EvidenceKind = "practice"
    """``assessment`` (counted), ``practice``, ``trial`` or ``uncounted`` (not counted; assignments applied)."""

    @property
    def label(self) -> str:
        return f"{self.scenario_id} ({self.evidence})"


@dataclass(frozen=True, slots=True)
class Progress:
    """Completed attempts in order, and the series of every competency."""

    attempts: tuple[AttemptLabel, ...]
    series: tuple[CompetencySeries, ...]


def gather_progress(store: RecordStore, trainee_id: str, catalog: Catalog) -> Progress:
    """The trainee's finished attempts, oldest first, and the competency ratings each earned."""
    points = store.competency_points(trainee_id=trainee_id)
    trainee = store.trainee(trainee_id)
    standing = attempt_standings(store, store.attempts(trainee_id=trainee_id), [trainee] if trainee else [])

    def kind_of(p: RatedPoint) -> EvidenceKind:
        """The same standing the reports give (assignments applied), else the plain rules."""
        found = standing.get(p.attempt_id) if isinstance(p, CompetencyPoint) else None
        return found.kind if found is not None else evidence_kind(p.mode, p.signed_off)

    order: dict[str, AttemptLabel] = {}
    by_competency: dict[str, list[CompetencyPoint]] = {}
    for p in points:
        order.setdefault(p.attempt_id, AttemptLabel(p.scenario_id, p.mode, kind_of(p)))
        by_competency.setdefault(p.competency, []).append(p)
    index = {aid: i for i, aid in enumerate(order)}
    ratings: dict[str, list[int | None]] = {cid: [None] * len(order) for cid in catalog.competencies}
    for p in points:
        ratings.setdefault(p.competency, [None] * len(order))[index[p.attempt_id]] = p.rating
    titles = {cid: catalog.criteria[cid].title if cid in catalog.criteria else cid for cid in ratings}
    ordered = sorted(ratings, key=_competency_order)
    return Progress(tuple(order.values()),
                    tuple(CompetencySeries(cid, titles[cid], tuple(ratings[cid]),
                                           competency_evidence(by_competency.get(cid, ()), kind_of))
                          for cid in ordered))


def _competency_order(cid: str) -> tuple[int, str]:
    tail = cid.rsplit("C", 1)[-1]
    return (int(tail), cid) if tail.isdigit() else (99, cid)
