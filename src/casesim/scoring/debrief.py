"""The debrief: one data model that the TUI, the records and the exports all use."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from casesim.format.scenario import Mode

__all__ = [
    "Citation",
    "CompetencyResult",
    "CriterionResult",
    "CriticalResult",
    "Debrief",
    "Decision",
    "FrameworkResult",
    "MiMetric",
    "MiResult",
    "PathStep",
    "ProtocolResult",
    "verdict_label",
]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Data):
    """A criterion cited in a result."""

    id: str
    title: str
    source: str


class CriterionResult(_Data):
    """Points earned on one criterion, against the worst and best achievable in the scenario."""

    id: str
    title: str
    framework: str
    source: str
    raw: int
    worst: int
    best: int
    share: float | None
    """(raw - worst) / (best - worst); None when every path earns the same."""


class FrameworkResult(_Data):
    """Criterion results grouped by framework."""

    id: str
    title: str
    raw: int
    worst: int
    best: int
    share: float | None
    criteria: tuple[str, ...]


class CriticalResult(_Data):
    """A critical action: a never-event taken, or a must-do requirement missed."""

    kind: Literal["never-event", "missed-requirement", "timer-expired"]
    id: str
    """The choice id (never-event) or requirement id."""
    reason: str
    cites: tuple[Citation, ...]
    node: str | None = None
    never_event: str | None = None
    """The id of the never-event class (scoring/never-events.yaml) the choice or requirement names."""
    never_event_title: str | None = None
    """That class's title, shown with the reason (stored, so old records keep the title they had)."""

    @model_serializer(mode="wrap")
    def _omit_absent_class(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave the class keys out when there is no class, so a debrief stored before the
        policy existed serializes to the same bytes and its seal still re-computes."""
        data: dict[str, Any] = handler(self)
        if self.never_event is None and self.never_event_title is None:
            data.pop("never_event", None)
            data.pop("never_event_title", None)
        return data

    @property
    def headline(self) -> str:
        """The reason with the class title in front, as the debrief, records and PDF show it."""
        return f"{self.never_event_title}: {self.reason}" if self.never_event_title else self.reason


class MiMetric(_Data):
    """One MITI summary score with its thresholds."""

    id: str
    title: str
    value: float | None
    """None when the denominator is zero (not enough data)."""
    fair: float | None
    good: float | None
    label: Literal["good", "fair", "below fair", "not enough data", "no threshold"]


class MiResult(_Data):
    """MITI 4.2.1 behaviour counts and summary scores over the trainee's utterances."""

    counts: dict[str, int]
    metrics: tuple[MiMetric, ...]


class ProtocolResult(_Data):
    """Adherence to an ordered protocol with skip logic."""

    id: str
    title: str
    required: tuple[str, ...]
    """Steps the skip logic requires for this client's answers, in order."""
    done: tuple[str, ...]
    """Steps the trainee carried out, in the order done."""
    missing: tuple[str, ...]
    out_of_order: tuple[str, ...]
    unnecessary: tuple[str, ...]
    """Steps done that the skip logic says to skip."""
    level_called_for: str | None
    level_action: str | None
    action_taken: str | None
    action_matches: bool | None
    """Whether the triage action taken is the one the answers call for (None: no triage in this protocol)."""
    share: float
    """Required steps done, in order, as a share of those required."""


class CompetencyResult(_Data):
    """A CSWE 2022 EPAS competency rating on the 1–5 field-evaluation scale."""

    id: str
    title: str
    rating: int | None
    """None when nothing in this attempt evidenced the competency."""
    label: str
    share: float | None
    capped: bool
    evidence: tuple[str, ...]


class PathStep(_Data):
    """A choice on a path."""

    choice: str
    node: str
    say: str


class Decision(_Data):
    """One decision the trainee made, its feedback, and the better choice when one existed."""

    index: int
    node: str
    choice: str
    say: str
    feedback: str | None
    points: int
    critical: str | None
    on_expert_path: bool
    better: PathStep | None = None
    better_feedback: str | None = None
    timed_out: bool = False


class Debrief(_Data):
    """Everything the trainee, the instructor and the records need about one finished attempt."""

    scenario_id: str
    scenario_version: str
    scenario_title: str
    mode: Mode
    ending: str | None
    ending_title: str | None
    outcome: str | None
    ending_summary: str | None
    passed: bool
    reasons: tuple[str, ...]
    """Why the attempt passed or failed, in plain words."""
    total_raw: int
    total_worst: int
    total_best: int
    total_share: float | None
    """(raw - worst) / (best - worst): where the attempt lies between the worst and the expert path."""
    expert_share: float | None
    """raw / best, floored at 0: the share of the expert path's points earned (the pass rule uses this)."""
    pass_share: float
    """The least ``expert_share`` that passes (the scenario's pass rule)."""
    criteria: tuple[CriterionResult, ...]
    frameworks: tuple[FrameworkResult, ...]
    critical: tuple[CriticalResult, ...]
    mi: MiResult
    protocols: tuple[ProtocolResult, ...]
    competencies: tuple[CompetencyResult, ...]
    decisions: tuple[Decision, ...]
    expert_path: tuple[PathStep, ...]


def verdict_label(passed: bool | None) -> str:
    """How a verdict reads wherever it is shown: "passed", "not passed", or "-" when none was
    recorded (an attempt can be completed without a debrief)."""
    if passed is None:
        return "-"
    return "passed" if passed else "not passed"
