"""The evidence rules: which attempts count towards a competency rating, and when there is enough.

One place, used by ``report trainee``, the cohort roster, the PDF summary, the TUI progress
screen and the xAPI export, so no view can count differently:

1. **Only assessment attempts count.** Practice attempts (with feedback, hints and undo) are shown,
   labelled ``practice``, and never counted. In a cohort with assignments, only assessments under
   an assignment count, one per trainee and assignment by its counting rule
   (:mod:`casesim.records.assignments`).
2. **Only signed-off scenarios count.** An attempt on a scenario without a valid clinical sign-off
   when the attempt began (a draft, a hand-written ``reviewed``, or a sign-off voided by an edit)
   is a **trial**: shown, labelled ``trial``, never counted. The record keeps the sign-off with
   each attempt, inside its hash, so this cannot be flipped unnoticed.
3. **A rating needs two measures from two scenarios.** A competency's rating is reported only
   when at least :data:`MIN_MEASURES` counted assessment ratings from at least
   :data:`MIN_SCENARIOS` different scenarios evidence it; otherwise it reads
   ``insufficient evidence (n=…)``, with n the number of counted measures.
4. **The rating** is the mean, over the scenarios, of each scenario's latest counted rating (so a
   scenario taken five times weighs as much as one taken once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

__all__ = [
    "MIN_MEASURES",
    "MIN_SCENARIOS",
    "CompetencyEvidence",
    "EvidenceKind",
    "RatedPoint",
    "RatingGroup",
    "competency_evidence",
    "counts_as_evidence",
    "evidence_kind",
    "grouped_evidence",
    "insufficient",
]

MIN_MEASURES = 2
"""Counted assessment ratings a competency needs before a rating is reported (CSWE expects at
least two measures per competency)."""
MIN_SCENARIOS = 2
"""Different scenarios those ratings must come from: one scenario retaken is still one measure
of the same task."""

EvidenceKind = Literal["assessment", "practice", "trial", "uncounted"]
"""``assessment``: counted; ``practice``: practice mode, never counted; ``trial``: an assessment
attempt on a scenario without a valid sign-off, never counted; ``uncounted``: an assessment under
an assignment whose counting rule picked another attempt (:mod:`casesim.records.assignments`,
which also turns an assessment outside every assignment of a governed cohort into practice)."""


def evidence_kind(mode: str, signed_off: bool) -> EvidenceKind:
    """What an attempt is as evidence: practice first (whatever the sign-off), then trial."""
    if mode != "assessment":
        return "practice"
    return "assessment" if signed_off else "trial"


def counts_as_evidence(mode: str, signed_off: bool) -> bool:
    return evidence_kind(mode, signed_off) == "assessment"


def insufficient(measures: int, scenarios: int) -> str:
    """The words shown instead of a rating: ``insufficient evidence (n=1)``."""
    if measures >= MIN_MEASURES and scenarios < MIN_SCENARIOS:
        return f"insufficient evidence (n={measures}, from {scenarios} scenario)"
    return f"insufficient evidence (n={measures})"


class _Evidenced(Protocol):
    """Where a rating comes from: its scenario, and what decides its kind as evidence."""

    @property
    def scenario_id(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def signed_off(self) -> bool: ...


class RatedPoint(_Evidenced, Protocol):
    """One competency rating from one finished attempt (a report's progress point)."""

    @property
    def rating(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class CompetencyEvidence:
    """A competency's counted measures and what they allow to be said."""

    measures: int
    """Counted assessment ratings (assessment attempts on signed-off scenarios)."""
    scenarios: int
    """Different scenarios among them."""
    rating: float | None
    """The reported rating (None with insufficient evidence)."""
    practice: tuple[int, ...]
    """Practice ratings, oldest first: shown, never counted."""
    trial: tuple[int, ...]
    """Trial ratings (assessment on an unsigned scenario), oldest first: shown, never counted."""
    uncounted: tuple[int, ...] = ()
    """Ratings of assessments an assignment's counting rule passed over: shown, never counted."""

    @property
    def sufficient(self) -> bool:
        return self.rating is not None

    def summary(self) -> str:
        """``3.5 (n=3, 2 scenarios)`` or ``insufficient evidence (n=1)``."""
        if self.rating is None:
            return insufficient(self.measures, self.scenarios)
        return f"{self.rating:.1f} (n={self.measures}, {self.scenarios} scenarios)"


PointT = TypeVar("PointT", bound=RatedPoint)


def competency_evidence(points: Iterable[PointT],
                        kind_of: Callable[[PointT], EvidenceKind] | None = None) -> CompetencyEvidence:
    """Apply the rules to one competency's points (in time order). ``kind_of``: what each point is
    as evidence once assignments are applied (default: :func:`evidence_kind` of its mode and sign-off)."""
    latest_by_scenario: dict[str, int] = {}
    measures = 0
    practice: list[int] = []
    trial: list[int] = []
    uncounted: list[int] = []
    for point in points:
        if point.rating is None:
            continue
        kind = kind_of(point) if kind_of is not None else evidence_kind(point.mode, point.signed_off)
        if kind == "practice":
            practice.append(point.rating)
        elif kind == "trial":
            trial.append(point.rating)
        elif kind == "uncounted":
            uncounted.append(point.rating)
        else:
            measures += 1
            latest_by_scenario[point.scenario_id] = point.rating
    return CompetencyEvidence(measures, len(latest_by_scenario), _rating(measures, latest_by_scenario),
                              tuple(practice), tuple(trial), tuple(uncounted))


def _rating(measures: int, latest_by_scenario: dict[str, int]) -> float | None:
    """Rules 3 and 4: enough counted measures from enough scenarios, then the mean of each
    scenario's latest counted rating."""
    scenarios = len(latest_by_scenario)
    if measures >= MIN_MEASURES and scenarios >= MIN_SCENARIOS:
        return sum(latest_by_scenario.values()) / scenarios
    return None


class RatingGroup(_Evidenced, Protocol):
    """A store's sum of one competency's ratings on one scenario in one mode and sign-off state
    (:class:`casesim.records.api.CompetencyGroup`)."""

    @property
    def rated(self) -> int: ...

    @property
    def latest(self) -> int | None: ...


def grouped_evidence(groups: Iterable[RatingGroup]) -> tuple[int, int, float | None]:
    """The rules applied to one competency's ratings added up by scenario, mode and sign-off, for
    attempts whose kind is :func:`evidence_kind` of those (no assignment decides it): the counted
    measures, the scenarios among them and the rating, as :func:`competency_evidence` gives them
    from every point (a roster's cells need no more)."""
    latest_by_scenario: dict[str, int] = {}
    measures = 0
    for group in groups:
        if group.rated and evidence_kind(group.mode, group.signed_off) == "assessment" and group.latest is not None:
            measures += group.rated
            latest_by_scenario[group.scenario_id] = group.latest
    return measures, len(latest_by_scenario), _rating(measures, latest_by_scenario)

