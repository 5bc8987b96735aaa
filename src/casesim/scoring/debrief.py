"""The debrief: one data model that the TUI, the records and the exports all use."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from casesim.format.mode import Mode

__all__ = [
    "Citation",
    "CompetencyResult",
    "CriterionResult",
    "CriticalResult",
    "Debrief",
    "Decision",
    "FrameworkResult",
    "MI_COUNTS_CAVEAT",
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
    "mi_value_text",
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


MI_COUNTS_CAVEAT = "author-coded choices, not a MITI rating"
"""How MITI code counts are labelled wherever they are shown without a declared change goal:
the MITI 4.2.1 requires a target behaviour before coding, and here the lines were coded by the
scenario's author, not by a coder listening to the trainee."""


class MiResult(_Data):
    """MITI 4.2.1 behaviour counts over the trainee's utterances, and the summary scores when the
    scenario declares an MI target behaviour (``mi_target``)."""

    counts: dict[str, int]
    """Behaviour counts along the path, after the one-code-per-volley and three-strikes rules."""
    metrics: tuple[MiMetric, ...]
    """Summary scores with fair/good labels; empty when the scenario declares no target behaviour
    (records written before targets existed may hold metrics here: views show them only when
    ``target`` is set)."""
    target: str | None = None
    """The scenario's declared change goal; None means the counts are shown unrated
    (:data:`MI_COUNTS_CAVEAT`)."""
    affirms_not_coded: int = 0
    """Affirms chosen beyond the three-strikes limit, so left out of ``counts``."""

    @model_serializer(mode="wrap")
    def _omit_defaults_of_later_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``target`` and ``affirms_not_coded`` out while they hold their defaults, so a
        debrief sealed before they existed dumps to the same JSON, and its seal still matches."""
        data: dict[str, Any] = handler(self)
        if self.target is None:
            data.pop("target", None)
        if not self.affirms_not_coded:
            data.pop("affirms_not_coded", None)
        return data

    @property
    def rated(self) -> bool:
        """Whether the summary scores and their labels apply (a change goal was declared)."""
        return self.target is not None


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
    answers: tuple[tuple[str, bool], ...] = ()
    """The answers the trainee heard on this path, (step, yes?) in the protocol's order."""
    begun: bool = True
    """Whether any step was asked."""
    complete: bool = True
    """Whether every step due for the answers heard was asked (the screen is finished)."""
    level_called_for: str | None
    """The level the answers heard call for; None when no yes was heard."""
    level_certain: bool = True
    """False when items never asked could raise the level (the screen is unfinished and the level
    heard is not the most severe): the level called for is then only a floor, or unknown."""
    level_action: str | None
    """What the level called for requires; for no yes heard, the negative-screen action only when
    the screen is complete (else None: a negative screen cannot be known)."""
    action_taken: str | None
    """The last triage level taken on the path."""
    action_matches: bool | None
    """Whether the triage taken is the one the answers heard call for (None: no triage in this
    protocol). Never true when no yes was heard on an unfinished screen."""
    under_triage: bool = False
    """Whether the response taken is less severe than the level called for, or missing (a missed
    requirement)."""
    share: float
    """Due steps done in order, plus a matching triage, as a share of the due steps (plus one
    for the triage)."""

    @model_serializer(mode="wrap")
    def _leave_out_unset_facts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Debriefs stored before these fields existed are sealed by the hash of their JSON, so a
        # field at its default is left out: an old debrief read back serialises to the same text.
        data: dict[str, Any] = handler(self)
        for name in _FACT_DEFAULTS:
            value = data.get(name)
            if isinstance(value, tuple):
                value = list(value)
            if name in data and value == _FACT_DEFAULTS[name]:
                del data[name]
        return data


_FACT_DEFAULTS: dict[str, Any] = {"answers": [], "begun": True, "complete": True, "level_certain": True,
                                  "under_triage": False}
"""The fields ProtocolResult gained with elicited answers, and the values old debriefs read as."""


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
    gap: float | None = None
    """How many points the best choice here could still reach above this one (None: this was the
    best, or the gap is not a number because the choice closed every clean path). The debrief
    ranks the decisions that mattered most by it (:mod:`casesim.scoring.lessons`)."""

    @model_serializer(mode="wrap")
    def _omit_absent_gap(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``gap`` out when absent, so a debrief stored before it existed serializes to the
        same bytes and its seal still re-computes."""
        data: dict[str, Any] = handler(self)
        if self.gap is None:
            data.pop("gap", None)
        return data


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


def mi_value_text(metric: MiMetric, value: float | None, *, missing: str) -> str:
    """A MITI summary score (or threshold) as printed: %CR as a percentage, R:Q to two places,
    counts as whole numbers; ``missing`` when there is no value. One format for every debrief."""
    if value is None:
        return missing
    if metric.id.endswith("PCTCR"):
        return f"{value:.0%}"
    if metric.id.endswith("RQ"):
        return f"{value:.2f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
