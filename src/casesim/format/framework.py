"""The framework files in the top-level ``scoring/`` folder, as strict pydantic models.

Each file holds one framework (SAMHSA trauma-informed principles, the NASW Code, MITI 4.2.1,
the C-SSRS screener, ...): its criteria, written in our own words with their source, and for
some frameworks the MITI behaviour codes with their summary-score thresholds, or an ordered
protocol with skip logic and triage levels. ``competency-map.yaml`` maps criteria to CSWE 2022
EPAS competencies and says how results become a 1–5 field-evaluation rating.
``never-events.yaml`` is the library's one never-event policy: the classes of act that fail an
assessment attempt, each with its citation, which scenario choices name.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Band",
    "Behaviour",
    "CompetencyMap",
    "Criterion",
    "Duty",
    "Framework",
    "Level",
    "MI_CODES",
    "MiCode",
    "MiCodeName",
    "NEVER_EVENT_CRITICALITIES",
    "NeverEventClass",
    "NeverEventCriticality",
    "NeverEventPolicy",
    "Protocol",
    "ProtocolStep",
    "ScaleLabel",
    "SummaryScore",
    "TriageDuty",
]

CriterionId = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Za-z0-9.()-]*$", max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]

MiCodeName = Literal["GI", "PERSUADE", "PWP", "Q", "SR", "CR", "AF", "SEEK", "EMPH", "CONF"]
"""The MITI 4.2.1 behaviour codes casesim counts."""
MI_CODES: tuple[MiCodeName, ...] = get_args(MiCodeName)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Criterion(_Model):
    """One thing a trainee's choice can be scored against."""

    id: CriterionId
    """Stable id cited by scenarios (e.g. SAMHSA14-P2, NASW-1.07(c), CSSRS-Q1)."""
    title: Annotated[str, Field(min_length=1, max_length=120)]
    """A short title, paraphrased."""
    good: Text
    """What good practice looks like, in a conversation with a client."""
    poor: Text
    """What poor practice looks like."""
    source: Text
    """The precise citation of the source."""
    verified: bool = True
    """False when the fact could not be confirmed: scenarios may not score an unverified criterion."""
    note: Text | None = None
    """Caveats (why unverified, title variants, state-law variation)."""


class MiCode(_Model):
    """A MITI 4.2.1 behaviour code a scenario can put on a trainee's utterance."""

    code: MiCodeName
    """The short code used in scenarios (mi: [SR])."""
    criterion: CriterionId
    """The criterion that describes the code."""
    class_: Literal["neutral", "question", "simple-reflection", "complex-reflection", "mi-adherent", "mi-non-adherent"] = Field(alias="class")
    """How the code counts in the summary scores."""


class SummaryScore(_Model):
    """A MITI summary score and its thresholds (null where the manual sets none)."""

    criterion: CriterionId
    """The criterion that describes the summary score (MITI421-RQ, MITI421-PCTCR, ...)."""
    formula: Text
    """The formula, for people; the code computes it."""
    fair: float | None
    """The basic-competence threshold, met when the value is at least this."""
    good: float | None
    """The proficiency threshold, met when the value is at least this."""


class ProtocolStep(_Model):
    """One step of an ordered protocol."""

    step: CriterionId
    """The criterion id of the step (e.g. CSSRS-Q3)."""
    ask: Literal["always", "if-yes"]
    """Whether the step is always done, or only after a yes to `after_yes`."""
    after_yes: CriterionId | None = None
    """With `if-yes`: the step whose yes answer opens this one."""

    @model_validator(mode="after")
    def _if_yes_needs_source(self) -> ProtocolStep:
        if (self.ask == "if-yes") != (self.after_yes is not None):
            raise ValueError("`after_yes` is required with `ask: if-yes` and only then")
        return self


class Level(_Model):
    """A triage level: the first level (top to bottom) with a yes to any listed step applies."""

    level: CriterionId
    """The criterion id of the level (e.g. CSSRS-RISK-HIGH)."""
    any_yes: list[CriterionId] = Field(min_length=1)
    """Steps whose yes answer puts the client at this level."""
    action: Text
    """What the level calls for, paraphrased."""


class Duty(_Model):
    """A skip-logic duty: steps that must be asked once they are due, or the attempt misses a requirement.

    A scenario that uses the protocol gets one must-do requirement per duty, named
    ``<protocol id>-<duty id>`` (e.g. ``cssrs-screener-items-3-to-5``): it fails an assessment
    attempt like the scenario's own requirements, and the static analysis (expert path, score
    ranges, answer-cue audit) sees it. A step asked ``always`` is due once the protocol is begun
    (any of its steps asked on the path); a step asked ``if-yes`` is due once the client's yes
    to its ``after_yes`` step was heard. Whether the protocol must be begun at all is for the
    scenario to require.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
    """Kebab-case id, unique in the protocol (not `triage`)."""
    steps: list[CriterionId] = Field(min_length=1)
    """The steps that must be asked once due."""
    reason: Text
    """Why skipping them matters, in teaching language (shown in the debrief when missed)."""
    cites: list[CriterionId] = Field(default_factory=list)
    """Criterion ids the duty rests on."""


class TriageDuty(_Model):
    """The duty to respond at the level the answers heard call for.

    A scenario gets the requirement ``<protocol id>-triage``: it is missed when the last triage
    level taken on the path is less severe than the level the answers heard call for, or when
    none was taken although one is called for (under-triage). A response more severe than called
    for (over-triage) is not a missed requirement, but earns no triage credit in the protocol's
    share.
    """

    reason: Text
    """Why under-triage matters, in teaching language (shown in the debrief when missed)."""
    cites: list[CriterionId] = Field(default_factory=list)
    """Criterion ids the duty rests on."""


class Protocol(_Model):
    """An ordered protocol with skip logic and, for screeners, triage levels."""

    ordered: bool
    """Whether the steps must be done in the listed order."""
    steps: list[ProtocolStep] = Field(min_length=1)
    """The steps, in order."""
    levels: list[Level] = Field(default_factory=list)
    """Triage levels, most severe first."""
    none_action: Text | None = None
    """What to do when every answer is no."""
    duties: list[Duty] = Field(default_factory=list)
    """Skip-logic duties scored as must-do requirements in every scenario that uses the protocol."""
    triage: TriageDuty | None = None
    """The duty to respond at the level the answers heard call for (needs `levels`)."""

    @model_validator(mode="after")
    def _duties_name_steps(self) -> Protocol:
        steps = {s.step for s in self.steps}
        ids = [d.id for d in self.duties]
        if len(set(ids)) != len(ids) or "triage" in ids:
            raise ValueError("duty ids must be unique, and `triage` is kept for the triage duty")
        for duty in self.duties:
            unknown = [s for s in duty.steps if s not in steps]
            if unknown:
                raise ValueError(f"duty {duty.id!r} names {', '.join(unknown)}, not a step of this protocol")
        for step in self.steps:
            if step.after_yes is not None and step.after_yes not in steps:
                raise ValueError(f"step {step.step!r} follows {step.after_yes!r}, not a step of this protocol")
        if self.triage is not None and not self.levels:
            raise ValueError("a `triage` duty needs triage `levels`")
        return self


class Framework(_Model):
    """One framework file."""

    format: Literal[1]
    """The version of this file format."""
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    """The framework id (the file name without .yaml)."""
    title: Text
    """The framework's name."""
    source: Text
    """The full citation of the document."""
    summary: Text
    """What the framework is and why a case manager is scored on it, in our words."""
    criteria: list[Criterion] = Field(min_length=1)
    """The criteria scenarios can cite."""
    mi_codes: list[MiCode] = Field(default_factory=list)
    """MITI behaviour codes (the MITI framework only)."""
    summary_scores: list[SummaryScore] = Field(default_factory=list)
    """MITI summary scores and thresholds (the MITI framework only)."""
    protocol: Protocol | None = None
    """An ordered protocol (C-SSRS screener, Stanley–Brown safety plan)."""


NeverEventCriticality = Literal["fails-attempt", "fails-unless-corrected"]
"""How a never-event class counts: `fails-attempt` (taking it fails an assessment attempt
whatever follows) or `fails-unless-corrected` (it fails the attempt unless the trainee corrects
it before harm is done; a scenario judges the harm with a requirement of the same class)."""
NEVER_EVENT_CRITICALITIES: tuple[NeverEventCriticality, ...] = get_args(NeverEventCriticality)


class NeverEventClass(_Model):
    """One class of never-event: an act that fails an assessment attempt in every scenario."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    """Stable id a scenario choice names with `never_event:` (e.g. confidentiality-beyond-law)."""
    title: Annotated[str, Field(min_length=1, max_length=80)]
    """A short title, shown in the debrief and the records next to the scenario's reason."""
    description: Text
    """What the class covers, in plain words a trainer understands, with typical examples."""
    criticality: NeverEventCriticality
    """`fails-attempt` or `fails-unless-corrected` (see the policy's summary)."""
    cites: list[CriterionId] = Field(min_length=1)
    """Criterion ids in `scoring/` the class rests on; each must exist and be verified."""
    source: Text
    """Where the rule comes from, in words: the standard or law and what it says."""
    note: Text | None = None
    """Caveats: state variation, what the reference marks unverified and is therefore not cited."""


class NeverEventPolicy(_Model):
    """The library's never-event policy (``scoring/never-events.yaml``)."""

    format: Literal[1]
    """The version of this file format."""
    id: Literal["never-events"]
    """Always never-events."""
    title: Text
    """A title."""
    summary: Text
    """What the policy is for and how scenarios use it."""
    classes: list[NeverEventClass] = Field(min_length=1)
    """The never-event classes, in the order the documentation lists them."""


class ScaleLabel(_Model):
    """A point on the 1–5 field-evaluation scale."""

    rating: Annotated[int, Field(ge=1, le=5)]
    """The rating."""
    label: Text
    """What the rating means."""


class Band(_Model):
    """A share of the best achievable score that earns a rating."""

    min_share: Annotated[float, Field(ge=0.0, le=1.0)]
    """The least share (0 to 1) for this rating."""
    rating: Annotated[int, Field(ge=1, le=5)]
    """The rating earned."""


class Behaviour(_Model):
    """One practice behaviour of a competency, as the PDF summary lists it under the competency."""

    id: Annotated[str, Field(min_length=1, max_length=12)]
    """Its number in the EPAS (e.g. 1.1)."""
    text: Text
    """The behaviour in a few words (a paraphrase unless the source is the EPAS text itself)."""
    source: Text
    """Where the wording comes from."""


class CompetencyMap(_Model):
    """How criteria results become CSWE 2022 EPAS competency ratings."""

    format: Literal[1]
    """The version of this file format."""
    id: Literal["competency-map"]
    """Always competency-map."""
    title: Text
    """A title."""
    summary: Text
    """How the map works; a program convention, not a CSWE rule."""
    scale: list[ScaleLabel] = Field(min_length=5, max_length=5)
    """The five points of the scale."""
    bands: list[Band] = Field(min_length=1)
    """Shares to ratings, highest first; the last band should start at 0."""
    critical_action_cap: Annotated[int, Field(ge=1, le=5)]
    """A critical action touching a competency's evidence caps its rating at this value."""
    competencies: dict[CriterionId, list[CriterionId]]
    """Competency id -> the criteria that evidence it."""
    behaviours: dict[CriterionId, list[Behaviour]] = Field(default_factory=dict)
    """Competency id -> its EPAS practice behaviours, printed under it on the PDF summary. Only
    behaviours whose wording has a source are listed; a competency without any prints that the
    program has not added them yet."""

    @model_validator(mode="after")
    def _bands_descend(self) -> CompetencyMap:
        shares = [b.min_share for b in self.bands]
        if shares != sorted(shares, reverse=True):
            raise ValueError("`bands` must be listed from the highest `min_share` to the lowest")
        if shares[-1] != 0.0:
            raise ValueError("the last band must start at `min_share: 0.0` so every result has a rating")
        ratings = sorted(s.rating for s in self.scale)
        if ratings != [1, 2, 3, 4, 5]:
            raise ValueError("`scale` must label each rating 1 to 5 once")
        unknown = sorted(set(self.behaviours) - set(self.competencies))
        if unknown:
            raise ValueError(f"`behaviours` names {', '.join(unknown)}, which `competencies` does not list")
        return self
