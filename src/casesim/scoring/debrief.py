"""The debrief: one data model that the TUI, the records and the exports all use."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, model_validator

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
    "Pace",
    "PaceFigures",
    "PathStep",
    "ProtocolResult",
    "minutes_text",
    "pace_text",
    "percent",
    "score_text",
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
    """(raw - worst) / (best - worst); None when every path earns the same. Data for the
    competency ratings and the records, not a score: the debrief compares a criterion with
    ``expert``, what the expert path earns on it."""
    expert: int | None = None
    """The points the expert path earns on this criterion (None: no expert path, or an older debrief).
    ``best`` can be higher: the expert path maximises the total, not each criterion."""


class FrameworkResult(_Data):
    """Criterion results grouped by framework."""

    id: str
    title: str
    raw: int
    worst: int
    best: int
    share: float | None
    criteria: tuple[str, ...]
    expert: int | None = None
    """The points the expert path earns on this framework's criteria."""


class CriticalResult(_Data):
    """A critical action: a never-event taken, or a must-do requirement missed."""

    kind: Literal["never-event", "missed-requirement", "timer-expired"]
    id: str
    """The choice id (never-event) or requirement id."""
    reason: str
    cites: tuple[Citation, ...]
    node: str | None = None


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


class Pace(_Data):
    """Whether an attempt's decisions came faster than its text can be read (issue 10, item 8).

    Reading time is the words shown at every decision (node narration, the client's line, every
    open choice) at ``wpm``; decision time is the time those screens were on show, from the
    record. ``too_fast`` when decision time is below ``ratio`` of the reading time
    (:mod:`casesim.scoring.pace` and ``docs/scoring.md`` say why these figures)."""

    decision_seconds: float
    reading_seconds: float
    words: int
    wpm: int
    ratio: float
    too_fast: bool


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
    score: float
    """THE score: the share of the expert path's points earned, 0 to 1
    (:func:`casesim.scoring.engine.share_of_expert`). The pass rule compares it with
    ``pass_share``; the records (``share``), reports, the PDF and xAPI ``result.score.scaled``
    all show this one figure. Shown with :func:`score_text`, which adds why it did not pass."""
    pass_share: float
    """The least ``score`` that passes (the scenario's pass rule)."""
    total_raw: int
    """The points earned on this path."""
    total_best: int
    """The expert path's points (what ``score`` is a share of)."""
    total_worst: int
    """The fewest points any path to an ending earns (kept as data; not a score)."""
    criteria: tuple[CriterionResult, ...]
    frameworks: tuple[FrameworkResult, ...]
    critical: tuple[CriticalResult, ...]
    mi: MiResult
    protocols: tuple[ProtocolResult, ...]
    competencies: tuple[CompetencyResult, ...]
    decisions: tuple[Decision, ...]
    expert_path: tuple[PathStep, ...]
    pace: Pace | None = None
    """The implausible-speed check (assessment attempts with a record); None when not measured."""

    @model_validator(mode="before")
    @classmethod
    def _older_debrief(cls, data: Any) -> Any:
        """Read a debrief sealed before the one score: it carried ``total_share`` (the position
        between the worst and the best path) beside ``expert_share`` (the pass figure, None when
        the expert path earns no points). The pass figure becomes ``score``; the other is dropped,
        so no second percentage survives. The stored JSON itself is never rewritten (it is sealed)."""
        if isinstance(data, dict) and "score" not in data and "expert_share" in data:
            data = dict(data)
            data.pop("total_share", None)
            share = data.pop("expert_share")
            if share is None:
                raw, best = data.get("total_raw", 0), data.get("total_best", 0)
                share = 1.0 if raw >= best else 0.0
            data["score"] = share
        return data


def percent(share: float) -> str:
    """``57%``: the one way a share is printed, so the debrief, ``records list``, the reports and
    the PDF round the same figure the same way."""
    return f"{round(share * 100)}%"


def minutes_text(seconds: float) -> str:
    """``20 s``, ``6 min``, ``1 h 5 min``: a duration as a person says it."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class PaceFigures(Protocol):
    """What :func:`pace_text` reads: a debrief's :class:`Pace` or the copy stored with an attempt."""

    @property
    def decision_seconds(self) -> float: ...

    @property
    def reading_seconds(self) -> float: ...

    @property
    def too_fast(self) -> bool: ...


def pace_text(pace: PaceFigures) -> str:
    """``finished in 20 s; reading alone takes about 6 min`` (with a lead-in when flagged)."""
    core = f"finished in {minutes_text(pace.decision_seconds)}; reading alone takes about {minutes_text(pace.reading_seconds)}"
    return f"implausibly fast: {core}" if pace.too_fast else core


_WHY_NOT = {"never-event": "a never-event", "missed-requirement": "a missed requirement",
            "timer-expired": "a critical delay"}


def score_text(d: Debrief) -> str:
    """The one score with its verdict, e.g. ``80% of the expert's points, but a never-event: not
    passed``, so a percentage is never read without the reason it did not pass."""
    pct = f"{percent(d.score)} of the expert's points"
    if d.passed:
        return f"{pct}: passed"
    why: list[str] = []
    if d.ending is None:
        why.append("it stopped before an ending")
    for kind in dict.fromkeys(c.kind for c in d.critical):
        why.append(_WHY_NOT.get(kind, kind))
    below = d.score + 1e-9 < d.pass_share
    text = pct + (f", below the {percent(d.pass_share)} needed" if below else "")
    if why:
        joined = why[0] if len(why) == 1 else ", ".join(why[:-1]) + " and " + why[-1]
        text += (", and " if below else ", but ") + joined
    return f"{text}: not passed"


def verdict_label(passed: bool | None) -> str:
    """How a verdict reads wherever it is shown: "passed", "not passed", or "-" when none was
    recorded (an attempt can be completed without a debrief)."""
    if passed is None:
        return "-"
    return "passed" if passed else "not passed"
