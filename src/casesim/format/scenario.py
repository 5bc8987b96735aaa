"""The scenario format, version 1, as strict pydantic models.

Every field carries a docstring: it is what a trainer sees when hovering in an editor (the
docstrings become the JSON Schema's descriptions) and what ``docs/authoring.md`` explains.
Models are frozen: a loaded :class:`Scenario` never changes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from casesim.format.base import ID_PATTERN, VAR_PATTERN, FormatModel, Id, ShortText, Text
from casesim.format.cast import CastMember, SpokenLine
from casesim.format.mode import MODES, Mode
from casesim.format.variants import (
    ClientAlternatives,
    ClientLine,
    ClientText,
    ReplyText,
    TextVariant,
    VariedText,
)

__all__ = [
    "CastMember",
    "Choice",
    "ClientAlternatives",
    "ClientLine",
    "ClientPersona",
    "CriticalAction",
    "Ending",
    "ID_PATTERN",
    "Expectation",
    "Given",
    "MODES",
    "Mode",
    "Node",
    "Order",
    "Outcome",
    "PassRule",
    "PedagogicalTest",
    "ProtocolUse",
    "Requirement",
    "Review",
    "Scenario",
    "ScoreBound",
    "SpokenLine",
    "TIMEOUT_PREFIX",
    "TextVariant",
    "Timer",
    "TimerBranch",
    "TimerExpiry",
    "VAR_PATTERN",
    "Variable",
    "timeout_id",
]

Outcome = Literal["success", "partial", "missed-opportunity", "safety-risk", "rupture"]


Order = Literal["shuffled", "fixed"]
"""How a node's choices are ordered on screen: `shuffled` (the default) in an order drawn from
the attempt's seed, so the position of an option says nothing about its quality; `fixed` in the
order the author wrote them, for a node where the order is the content (a numbered screener's
answer scale, steps that must be read in sequence)."""

TIMEOUT_PREFIX = "timeout:"


def timeout_id(node_id: str) -> str:
    """The id under which letting ``node_id``'s timer run out is recorded (and named in tests)."""
    return f"{TIMEOUT_PREFIX}{node_id}"


STEP_ID_PATTERN = rf"^({TIMEOUT_PREFIX})?{ID_PATTERN.removeprefix('^')}"
"""A choice id, or a timeout id (:func:`timeout_id`): what a pedagogical test's path names."""




class ReviewChange(FormatModel):
    """One line of a scenario's clinical-review record: which review item was answered, and how."""

    item: ShortText
    """The review item answered, as the review numbers it (e.g. "2.6 S1" for section 2.6, serious
    item 1; "X8" for a cross-cutting item), or a short name for a finding from elsewhere."""
    change: Text
    """What changed in the scenario in response, in a sentence a reviewer can check."""


class Review(FormatModel):
    """Clinical review sign-off: who checked the content, with which credential, when, and which
    content the sign-off covers. Written by `casesim review sign`, not by hand: editing the
    scenario afterwards voids the sign-off (its `content_hash` no longer matches)."""

    status: Literal["draft", "reviewed"]
    """`draft` until a qualified reviewer has read the whole scenario; then `reviewed`."""
    by: ShortText | None = None
    """The reviewer's name (e.g. "J. Doe"). Required once `status` is `reviewed`."""
    credential: ShortText | None = None
    """The reviewer's clinical credential (e.g. "LCSW"). Part of a valid sign-off."""
    on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    """The review date, YYYY-MM-DD. Required once `status` is `reviewed`."""
    content_hash: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None
    """`sha256:` and the hash of the content the reviewer signed (everything but this `reviewed`
    block; see docs/scoring.md). Written by `casesim review sign`."""
    notes: Text | None = None
    """Anything the reviewer wants the next author to know."""
    changes: list[ReviewChange] = Field(default_factory=list)
    """The clinical-review record: each review item this version answers and what changed, so the
    next reviewer can check the response item by item. Listed in docs/scenarios.md. Writing it
    does not make the scenario `reviewed`: only a qualified reviewer's sign-off does."""

    @model_validator(mode="after")
    def _reviewed_needs_who_and_when(self) -> Review:
        if self.status == "reviewed" and (self.by is None or self.on is None):
            raise ValueError("a reviewed scenario needs both `by` and `on`")
        return self


class ClientPersona(FormatModel):
    """The fictional client the trainee talks with."""

    name: ShortText
    """The client's name as the trainee will see it. Fictional."""
    age: Annotated[int, Field(ge=0, le=120)]
    """Age in years."""
    pronouns: ShortText
    """The pronouns the client uses, e.g. "she/her", "they/them"."""
    background: Text
    """What the case manager knows before the conversation: referral reason, situation, strengths."""
    language: ShortText | None = None
    """Preferred language, and whether an interpreter is involved."""
    culture: Text | None = None
    """Cultural, community or identity context the client has shared, in their own terms."""


class Variable(FormatModel):
    """A piece of client or session state: a bounded whole number or a true/false flag."""

    start: int | bool
    """The value at the start of the scenario. A number makes this a bounded integer; true/false makes it a flag."""
    min: int | None = None
    """Smallest value (integers only; required for them). Effects are clamped to it."""
    max: int | None = None
    """Largest value (integers only; required for them). Effects are clamped to it."""
    show: Literal["meter", "number", "hidden"] = "hidden"
    """How the trainee sees it during play: a labelled meter, a number, or not at all."""
    label: ShortText | None = None
    """The label shown to the trainee (defaults to the variable's name)."""
    description: Text | None = None
    """What the variable means, for authors and for the author-mode inspector."""

    @model_validator(mode="after")
    def _shape(self) -> Variable:
        if isinstance(self.start, bool):
            if self.min is not None or self.max is not None:
                raise ValueError("a true/false variable has no `min` or `max`")
            if self.show == "meter":
                raise ValueError("a true/false variable cannot be shown as a meter; use `number` or `hidden`")
        else:
            if self.min is None or self.max is None:
                raise ValueError("a number variable needs both `min` and `max`")
            if self.min > self.max:
                raise ValueError(f"`min` ({self.min}) is larger than `max` ({self.max})")
            if not self.min <= self.start <= self.max:
                raise ValueError(f"`start` ({self.start}) is outside {self.min}..{self.max}")
        return self

    @property
    def type(self) -> Literal["int", "bool"]:
        return "bool" if isinstance(self.start, bool) else "int"


EffectValue = int | bool | str
"""A number changes a number variable by that amount (+1, -2); true/false sets a flag; a quoted
expression sets the variable to the expression's value (e.g. "distress - 2", or "3")."""


NeverEventId = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=60)]
"""The id of a never-event class in `scoring/never-events.yaml`."""


class CriticalAction(FormatModel):
    """Marks a choice as a never-event: taking it fails an assessment attempt, whatever the points."""

    reason: Text
    """Why this must never happen, in teaching language (shown in the debrief)."""
    cites: list[str] = Field(default_factory=list)
    """Criterion ids from `scoring/` that this breaches (e.g. NASW-1.07(c))."""


class Choice(FormatModel):
    """One thing the trainee can say or do."""

    id: Id
    """Unique within the scenario, kebab-case. Used by `chose(...)`, tests and the records."""
    say: Text
    """What the trainee says (or does, in brackets), shown literally."""
    goto: Id
    """The node or ending this choice leads to."""
    when: Text | None = None
    """A guard: the choice is offered only when this expression is true (e.g. "rapport >= 5")."""
    effects: dict[str, EffectValue] = Field(default_factory=dict)
    """Changes to variables: a number adds to a number variable, true/false sets a flag, a quoted expression assigns."""
    scores: dict[str, int] = Field(default_factory=dict)
    """Rubric points per criterion id (positive for good practice, negative for poor practice)."""
    mi: list[str] = Field(default_factory=list)
    """MITI 4.2.1 behaviour codes of this utterance: GI PERSUADE PWP Q SR CR AF SEEK EMPH CONF."""
    steps: list[str] = Field(default_factory=list)
    """Protocol steps this choice carries out (e.g. CSSRS-Q1, SPI-3, or a triage level like CSSRS-RISK-HIGH)."""
    never_event: NeverEventId | None = None
    """The never-event class this act belongs to (scoring/never-events.yaml), e.g. confidentiality-beyond-law. A choice that names a class must be `critical`, unless the class is `fails-unless-corrected` and a requirement of the same class judges whether harm was done."""
    critical: CriticalAction | None = None
    """Set when this choice is a never-event that fails an assessment attempt; name its class in `never_event`."""
    feedback: VariedText | None = None
    """Why this choice helps or harms, citing the guideline, in teaching language. Shown in practice mode and the debrief. A list of variants with `when` fits it to the state just after the choice."""
    reply: ReplyText | None = None
    """What the client says straight after this choice, before the next node (optional). Read in the state just after the choice; variants and `one_of` as for a node's `client`. Format 2:
    `{say: ..., speaker: mother}` when someone else of the cast answers."""
    expert: bool = False
    """Format 2: this is what an expert does here (several choices of a node may be marked). The
    expert route follows marked choices where there are some; `validate` warns when the best-scoring
    route differs."""
    neutral: bool = False
    """Format 2: an unscored choice (no `scores`, `mi` or `critical`) that still teaches through its
    `feedback`; left out of the answer-cue audit."""
    notes: Text | None = None
    """Format 2: notes for reviewers ("needs DV-advocate review"); shown in author mode and the graph, never to trainees."""
    answers: dict[str, bool] = Field(default_factory=dict)
    """Screener answers the client gives in the `reply` to this choice (e.g. {CSSRS-Q5: false}). Use it instead of the node's `answers` when the node this choice leads to can also be reached without that answer."""


class TimerExpiry(FormatModel):
    """What happens when a timed node's clock runs out: treated like a choice the trainee did not make."""

    goto: Id
    """The node or ending the scenario moves to."""
    narration: VariedText
    """What the trainee is told happened while they hesitated (variants with `when` allowed)."""
    effects: dict[str, EffectValue] = Field(default_factory=dict)
    """Changes to variables, as for a choice."""
    scores: dict[str, int] = Field(default_factory=dict)
    """Rubric points per criterion id, as for a choice."""
    never_event: NeverEventId | None = None
    """The never-event class letting the clock run out belongs to, as for a choice."""
    critical: CriticalAction | None = None
    """Set when letting the clock run out is itself a never-event; name its class in `never_event`."""
    feedback: VariedText | None = None
    """Teaching feedback about the hesitation (variants with `when` allowed)."""


class TimerBranch(TimerExpiry):
    """Format 2: one branch of a timer expiry that depends on the state; the first whose `when` holds applies."""

    when: Text | None = None
    """Take this branch only when the expression is true; leave it off the last, default branch."""


class Timer(FormatModel):
    """A countdown on a node: the trainee must choose before it ends."""

    seconds: Annotated[int, Field(ge=5, le=600)]
    """How long the trainee has, in seconds (5 to 600)."""
    expire: TimerExpiry | list[TimerBranch]
    """What happens when the time runs out (enforced in assessment mode). Format 2: a list of
    branches, each with `when`, the last without, when what happens depends on the state."""

    def branches(self) -> tuple[TimerExpiry, ...]:
        """Every way the expiry can go, in order (one for the single form)."""
        return tuple(self.expire) if isinstance(self.expire, list) else (self.expire,)

    def step_ids(self, node_id: str) -> tuple[str, ...]:
        """The step id of each branch: `timeout:NODE` for the single form, `timeout:NODE/1`,
        `timeout:NODE/2`, ... for a list (a test may still name plain `timeout:NODE`)."""
        if not isinstance(self.expire, list):
            return (timeout_id(node_id),)
        return tuple(f"{timeout_id(node_id)}/{n}" for n in range(1, len(self.expire) + 1))


class Node(FormatModel):
    """A moment in the conversation: what the client says, what the trainee notices, and the choices."""

    client: ClientText | None = None
    """What the client says. A list of variants with `when` makes the client react to the state; `one_of` draws one of several wordings per attempt."""
    narration: VariedText | None = None
    """What the trainee notices (body language, setting), shown in italics-free plain text. A list of variants with `when` fits it to the state."""
    hint: VariedText | None = None
    """A nudge shown on request in practice mode only (variants with `when` allowed)."""
    choices: list[Choice]
    """What the trainee can say or do here (at least one)."""
    timer: Timer | None = None
    """An optional countdown."""
    answers: dict[str, bool] = Field(default_factory=dict)
    """Screener answers the client has given on reaching this node, by protocol step (e.g. {CSSRS-Q2: true} on the node that follows the item-2 question). The answers heard on a path are those of the nodes (and choices) it passes through, a later answer to the same step replacing an earlier one; they decide which steps the skip logic makes due and the triage level called for."""
    notes: Text | None = None
    """Format 2: notes for reviewers ("state law varies"); shown in author mode and the graph, never to trainees."""
    order: Order = "shuffled"
    """How the choices are ordered on screen: `shuffled` (default; drawn per attempt, so option 1 is not a cue) or `fixed` (as written, only where the order is the content, e.g. a rating scale)."""

    @field_validator("choices")
    @classmethod
    def _at_least_one(cls, value: list[Choice]) -> list[Choice]:
        if not value:
            raise ValueError("a node needs at least one choice; a place where the conversation stops is an ending")
        return value


class Ending(FormatModel):
    """Where the scenario stops."""

    outcome: Outcome
    """The class of outcome: success, partial, missed-opportunity, safety-risk or rupture."""
    title: ShortText
    """A short name shown at the top of the debrief."""
    summary: VariedText
    """What happened next for the client, in a few sentences (variants with `when` allowed; the last needs no `when`)."""
    client: ClientText | None = None
    """The client's last words (optional; variants and `one_of` as for a node's `client`)."""


class Requirement(FormatModel):
    """A must-do critical action: checked at the end; when it does not hold, an assessment attempt fails."""

    id: Id
    """Unique id of the requirement."""
    holds: Text
    """An expression that must be true at the ending (e.g. "not visited(high-risk) or chose(stay-with-client)")."""
    reason: Text
    """Why it matters, in teaching language (shown in the debrief when it was missed)."""
    cites: list[str] = Field(default_factory=list)
    """Criterion ids this requirement rests on."""
    never_event: NeverEventId | None = None
    """The never-event class whose harm this requirement judges (e.g. a secrecy promise the client relied on before it was corrected)."""


class PassRule(FormatModel):
    """When an attempt passes."""

    min_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.7
    """The least share of the expert path's points (raw points divided by the best achievable, 0 to 1) that passes."""
    no_critical: bool = True
    """Whether any critical action (never-event or missed requirement) fails the attempt."""


class ProtocolUse(FormatModel):
    """A protocol scored in this scenario: its steps in order, its skip-logic duties and its triage."""

    protocol: Id
    """The framework id of the protocol in `scoring/` (e.g. cssrs-screener, stanley-brown)."""
    answers: dict[str, bool] = Field(default_factory=dict)
    """Old form, kept for old files: how this client answers each item *if asked* (e.g. CSSRS-Q2: true). An answer counts as heard only on a path where a choice carries that step. Prefer `answers:` on the nodes (or choices) where the client gives them."""


class ScoreBound(FormatModel):
    """Bounds for a score in a pedagogical test."""

    min: int | None = None
    """The score must be at least this."""
    max: int | None = None
    """The score must be at most this."""


class Expectation(FormatModel):
    """What a pedagogical test expects at the end of its path."""

    ending: Id | None = None
    """The ending the path must reach."""
    passed: bool | None = None
    """Whether an assessment attempt along this path passes."""
    flags: dict[str, int | bool] = Field(default_factory=dict)
    """Variable values expected at the end."""
    scores: dict[str, ScoreBound] = Field(default_factory=dict)
    """Bounds on raw criterion points (use `total` for the sum of all criteria)."""
    critical: list[Id] | None = None
    """Ids of the choices or requirements expected as critical actions (empty list: none)."""
    visited: list[Id] = Field(default_factory=list)
    """Nodes (or endings) the path must have passed through by its end; the test's start and the nodes in `given: visited` count."""
    not_visited: list[Id] = Field(default_factory=list)
    """Nodes (or endings) the path must not pass through."""
    unreachable: list[Id] = Field(default_factory=list)
    """Endings that can no longer be reached from where the path stops, whatever the trainee chooses next (proved by the exhaustive analysis from that state), e.g. after a never-event the success ending."""


class Given(FormatModel):
    """The state a test starts in, as if the trainee had already got there: set before its `choose:` path."""

    variables: dict[Annotated[str, Field(pattern=VAR_PATTERN)], int | bool] = Field(default_factory=dict)
    """Variable values at the start (the others keep their `start`), e.g. {rapport: 7, limits_explained: true}."""
    visited: list[Id] = Field(default_factory=list)
    """Nodes already visited, for conditions that ask `visited(...)`."""
    chose: list[Annotated[str, Field(pattern=STEP_ID_PATTERN)]] = Field(default_factory=list)
    """Choices already made (or `timeout:<node-id>`), for conditions that ask `chose(...)`."""
    answers: dict[str, bool] = Field(default_factory=dict)
    """Screener answers already heard, by protocol step (e.g. {CSSRS-Q2: true}), as a node's `answers:` gives them."""


class PedagogicalTest(FormatModel):
    """A path through the scenario and the learning outcome it must produce."""

    name: ShortText
    """What the test shows, e.g. "the expert path passes"."""
    choose: list[Annotated[str, Field(pattern=STEP_ID_PATTERN)]]
    """Choice ids in order (use `timeout:<node-id>` for letting a timer run out)."""
    start: Id | None = None
    """Start from this node instead of the scenario's start (for focused tests)."""
    given: Given | None = None
    """Variables and history to set up before the path, so a focused test can start mid-scenario in the state it needs."""
    expect: Expectation
    """What must hold at the end."""


class Scenario(FormatModel):
    """A branching practice conversation with a fictional client."""

    format: Literal[1, 2]
    """The version of this file format: 2 for new files (speakers, authoring intent, open kinds);
    1 still loads, and `casesim migrate FILE` upgrades it."""
    id: Id
    """Unique id of the scenario, kebab-case (e.g. intake-first-contact)."""
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    """The content version, MAJOR.MINOR.PATCH; bump it when you change what trainees see or how it is scored."""
    title: ShortText
    """The title shown in the library."""
    kind: Id
    """The kind of practice, one of those in the catalog's kinds.yaml: intake, crisis, de-escalation,
    relapse, boundaries, home-visit, duty-to-protect, family, telehealth, privacy-and-records,
    transition-of-care, caseload, cultural-humility, other (a program may add its own)."""
    summary: Text
    """Two or three sentences for the library: who the client is and what the trainee practises."""
    estimated_minutes: Annotated[int, Field(ge=1, le=240)]
    """About how long one attempt takes."""
    content_notes: list[ShortText] = Field(default_factory=list)
    """Topics a trainee may want warning of (e.g. suicidal thoughts, child neglect). Shown before starting."""
    objectives: list[Text] = Field(min_length=1)
    """Learning objectives, each starting with a verb ("Explain the limits of confidentiality...")."""
    catalog: list[Id] = Field(default_factory=list)
    """The framework folders beyond the bundled one whose criteria, classes or protocols this
    scenario cites, by catalog name (e.g. [my-program]). Loading it where a named catalog is not
    added (`--catalog DIR`) is a clear error naming the missing catalog."""
    competencies: list[str] = Field(default_factory=list)
    """CSWE 2022 EPAS competency ids this scenario evidences (EPAS22-C1 ... EPAS22-C9)."""
    mi_target: ShortText | None = None
    """The behaviour the conversation is meant to move the client toward changing (e.g. "return to
    use", "engaging in housing services"). The MITI 4.2.1 requires a designated change goal before
    coding, so only a scenario that names one gets MITI summary scores with fair/good labels, and
    `validate` then checks that the expert path is not below fair on any of them. Leave it out for
    a screening, consent or engaging conversation: the debrief then shows the raw MITI code counts,
    labelled as author-coded choices, not a MITI rating."""
    reviewed: Review
    """Clinical review sign-off."""
    client: ClientPersona
    """The fictional client."""
    cast: dict[Id, CastMember] = Field(default_factory=dict)
    """Format 2: everyone else who speaks (a parent, a psychiatrist, the front desk, an interpreter,
    a partner off screen), by id; lines name them with `speaker:`. The client is always in the cast
    as `client`."""
    variables: dict[Annotated[str, Field(pattern=VAR_PATTERN)], Variable] = Field(default_factory=dict)
    """Named state (snake_case): rapport, distress, flags such as confidentiality_explained."""
    start: Id
    """The node where the conversation begins."""
    nodes: dict[Id, Node] = Field(min_length=1)
    """The moments of the conversation, by id."""
    endings: dict[Id, Ending] = Field(min_length=1)
    """Where the conversation can stop, by id."""
    requirements: list[Requirement] = Field(default_factory=list)
    """Must-do critical actions, checked at the ending."""
    protocols: list[ProtocolUse] = Field(default_factory=list)
    """Protocols scored for adherence in this scenario (C-SSRS screener, Stanley–Brown safety plan)."""
    pass_rule: PassRule = Field(default_factory=PassRule)
    """When an attempt passes."""
    tests: list[PedagogicalTest] = Field(default_factory=list)
    """Paths through the scenario and the outcome each must produce (`casesim test`)."""

    # --- convenience lookups (not part of the file format) ---

    def choice_index(self) -> dict[str, tuple[str, Choice]]:
        """Every choice by id, with the id of the node it belongs to."""
        return {c.id: (nid, c) for nid, node in self.nodes.items() for c in node.choices}

    def is_ending(self, target: str) -> bool:
        return target in self.endings
