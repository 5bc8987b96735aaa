"""The record-store interface every backend implements (SQLite now; PostgreSQL can follow).

Callers (the TUI, the CLI, reports and exports) use only this interface, so a second backend
needs no change to them. Every write is durable when the method returns: the TUI records a
choice before it draws the next screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar, get_args

from casesim.format.mode import Mode
from casesim.format.signoff import SignOff
from casesim.records.chain import parse_iso

if TYPE_CHECKING:  # a type only: opening the store must not build the debrief models
    from casesim.scoring.debrief import Debrief

if TYPE_CHECKING:  # a type only: opening the store must not build the debrief models
    from casesim.scoring.debrief import Debrief

__all__ = [
    "AUDIT_ACTIONS",
    "COUNTING_RULES",
    "EVENT_KINDS",
    "ROLES",
    "AssignmentCheck",
    "AssignmentRow",
    "AuditAction",
    "AuditEntry",
    "AuditRow",
    "CountingRule",
    "NewAssignment",
    "Role",
    "RoleGrant",
    "ActivityEvent",
    "AttemptPace",
    "AttemptRow",
    "AttemptStatus",
    "ChangeWatch",
    "CohortDetails",
    "CompetencyGroup",
    "CompetencyPoint",
    "CriterionRow",
    "DecisionCount",
    "DecisionPath",
    "ImportedAttempt",
    "EventKind",
    "EventRow",
    "PathStep",
    "RecordStore",
    "TraineeActivity",
    "RosterMember",
    "TraineeRow",
    "VerifyKind",
    "VerifyProblem",
    "LEFT_STATUSES",
    "OutboxCounts",
    "OutboxRow",
    "OutboxSettings",
    "decision_seconds",
    "left_without_penalty",
    "public_status",
    "status_label",
    "effective_path",
    "effective_steps",
]

EventKind = Literal[
    "node-entered",   # payload: {node, lines: [ids of the texts shown]}
    "choice",         # payload: {choice, node, seconds, state: {...}, lines: [...]}  (time taken in seconds)
    "timer-expired",  # payload: {node, choice: "timeout:<node>", state: {...}, lines: [...]}
    "undo",           # payload: {node}  (the node returned to)
    "pause",          # payload: {node}
    "resume",         # payload: {node}
    "left",           # payload: {node}  (the trainee left without penalty)
]
AttemptStatus = Literal["in-progress", "completed", "left", "abandoned"]
"""``left``: the trainee left without penalty (not scored, never counted, never on the PDF).
``abandoned`` is how casesim recorded the same before ``left`` existed (leaving was the only way
to close an attempt unscored), so both read as "left (no penalty)" everywhere."""

LEFT_STATUSES: frozenset[str] = frozenset({"left", "abandoned"})


def left_without_penalty(status: str) -> bool:
    """Whether an attempt was closed because the trainee left without penalty."""
    return status in LEFT_STATUSES


def public_status(status: str) -> str:
    """The status a report or export gives: ``left`` for ``abandoned`` too (the same event)."""
    return "left" if left_without_penalty(status) else status


def status_label(status: str) -> str:
    """An attempt's status in words: "left (no penalty)" for a left attempt, never "abandoned"."""
    return "left (no penalty)" if left_without_penalty(status) else status
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


@dataclass(frozen=True, slots=True)
class AttemptPace:
    """The speed check stored with an attempt (a copy of its debrief's :class:`~casesim.scoring.debrief.Pace`;
    :func:`~casesim.scoring.debrief.pace_text` words it)."""

    decision_seconds: float
    reading_seconds: float
    too_fast: bool


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One attempt at one scenario."""

    id: str
    trainee_id: str
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: Mode
    seed: int
    start_node: str
    started_at: str
    """ISO-8601 UTC, e.g. 2026-11-22T10:00:00.000000Z."""
    ended_at: str | None
    status: AttemptStatus
    passed: bool | None
    share: float | None
    signoff: SignOff | None = None
    """The scenario's clinical sign-off when the attempt began; None makes the attempt a trial
    (so does every attempt recorded before casesim kept sign-offs)."""
    verdict: str | None = None
    """The score with its verdict, e.g. "80% of the expert's points, but a never-event: not passed"."""
    pace: AttemptPace | None = None
    """The implausible-speed check, when it was measured (assessment attempts)."""
    cohort: str | None = None
    """The trainee's cohort when the attempt began, stamped into its hashed header; None when
    they had none, or for an attempt recorded before cohorts were stamped (schema 6), which
    reports place in the trainee's current cohort."""
    imported: Mapping[str, Any] | None = None
    """For an attempt merged by ``records import``: ``from_store``, ``original_hash``, ``trusted``
    (signed by this store's record key), ``original_mode``, ``imported_at``. None: recorded here."""
    assignment: str | None = None
    """The id of the assignment the attempt was started under (stamped into its hashed header by
    the store when it began); None: started outside any assignment."""
    section: str | None = None
    """The section of the attempt's cohort when it began, stamped into its hashed header like
    the cohort (None: none set, or recorded before sections were stamped)."""
    term: str | None = None
    """The term of the attempt's cohort when it began (e.g. "Fall 2026"), stamped the same way."""


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event of an attempt, in order (seq starts at 1)."""

    attempt_id: str
    seq: int
    kind: EventKind
    at: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TraineeRow:
    """A trainee. ``display_name`` and ``cohort`` may change; the attempt chain may not."""

    id: str
    display_name: str
    cohort: str | None
    created_at: str
    attempt_count: int


@dataclass(frozen=True, slots=True)
class RosterMember:
    """A member of a class roster (:mod:`casesim.records.classroom`); never the code itself."""

    cohort: str
    trainee_id: str
    display_name: str
    role: str
    """``student`` or ``instructor``."""
    code_issued_at: str | None
    code_used_at: str | None
    """When the current code was used to sign in (None: not yet)."""
    session_epoch: int
    """Sessions carry the epoch they began in; a reissued code or a sign-out moves it on."""


@dataclass(frozen=True, slots=True)
class AccommodationRow:
    """A trainee's timing accommodation as an instructor set it (``time``: 1.5x, 2x or none)."""

    trainee_id: str
    time: str
    set_by: str
    set_at: str


@dataclass(frozen=True, slots=True)
class CohortDetails:
    """A cohort's section and term as an instructor set them (each None when not set)."""

    cohort: str
    section: str | None
    term: str | None
    set_by: str
    set_at: str


@dataclass(frozen=True, slots=True)
class DecisionCount:
    """How often one trainee took one option at one node, on the effective paths of their attempts."""

    scenario_id: str
    node: str | None
    choice: str
    trainee_id: str
    count: int


@dataclass(frozen=True, slots=True)
class ImportedAttempt:
    """An attempt to merge from a verified archive (see :mod:`casesim.records.archive`)."""

    attempt_id: str
    trainee_id: str
    display_name: str
    trainee_cohort: str | None
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: Mode
    seed: int
    start_node: str
    started_at: str
    signoff: SignOff | None
    cohort: str | None
    imported: Mapping[str, Any]
    events: tuple[tuple[EventKind, str, Mapping[str, Any]], ...]
    """(kind, time, payload) in order."""
    status: AttemptStatus
    ended_at: str | None
    debrief: Debrief | None
    section: str | None = None
    term: str | None = None
    """The section and term stamped in the archived attempt's header (kept as they were)."""


@dataclass(frozen=True, slots=True)
class DecisionPath:
    """An effective path (undone steps removed) and how many of one trainee's attempts took it,
    for replaying what was offered (the same path is replayed once, however often it was played)."""

    trainee_id: str
    scenario_id: str
    content_hash: str
    start_node: str
    steps: tuple[str, ...]
    nodes: tuple[str, ...] = ()
    """The node each step was taken at, as recorded ("?" when the event did not say)."""
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class CompetencyPoint:
    """One competency rating from one finished attempt's debrief (for progress over time)."""

    trainee_id: str
    attempt_id: str
    scenario_id: str
    mode: Mode
    ended_at: str
    competency: str
    rating: int | None
    share: float | None
    signed_off: bool = False
    """Whether the scenario had a valid clinical sign-off when the attempt began."""


@dataclass(frozen=True, slots=True)
class CompetencyGroup:
    """One trainee's ratings of one competency on one scenario in one mode and sign-off state,
    added up by the store (:meth:`RecordStore.competency_groups`): what the evidence rules need
    of them when every attempt's kind follows from its mode and sign-off (no assignment governs
    the cohort), without a row per rating."""

    trainee_id: str
    competency: str
    scenario_id: str
    mode: Mode
    signed_off: bool
    rated: int
    """How many of these attempts gave the competency a rating (not None)."""
    latest: int | None
    """The latest of those ratings (by the attempt's end, then its order in the store)."""


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """One criterion result from one finished attempt's debrief."""

    trainee_id: str
    attempt_id: str
    scenario_id: str
    mode: Mode
    ended_at: str
    criterion: str
    framework: str
    raw: int
    worst: int
    best: int
    share: float | None


CountingRule = Literal["first", "best", "latest"]
"""Which of a trainee's attempts under an assignment counts: the first finished, the best score
(the earliest of equal scores), or the latest finished (Moodle's H5P grading methods, without
the mean: one counted attempt keeps one debrief behind every rating)."""
COUNTING_RULES: tuple[str, ...] = get_args(CountingRule)


@dataclass(frozen=True, slots=True)
class NewAssignment:
    """What an instructor assigns: a scenario pinned to one file (its content hash), a mode, a
    window, an attempt limit and a counting rule, for one cohort."""

    cohort: str
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: Mode
    opens_at: str | None = None
    """ISO-8601 UTC; None: open from the moment it is assigned."""
    closes_at: str | None = None
    """ISO-8601 UTC, exclusive; None: never closes."""
    attempt_limit: int | None = None
    """Attempts a trainee may start under it (left ones do not count); None: no limit."""
    counting: CountingRule = "best"


@dataclass(frozen=True, slots=True)
class AssignmentRow(NewAssignment):
    """An assignment as stored: its definition, who made it and when, and whether it was withdrawn."""

    id: str = ""
    created_by: str = ""
    created_at: str = ""
    removed_at: str | None = None
    """When ``class unassign`` withdrew it (no new attempt is tied to it after; attempts already
    started under it keep counting by its rule). None: in force."""
    removed_by: str | None = None

    def definition(self) -> dict[str, Any]:
        """What the audit chain records when it is made (so an edited row shows in verify)."""
        return {"id": self.id, "cohort": self.cohort, "scenario_id": self.scenario_id,
                "scenario_version": self.scenario_version, "content_hash": self.content_hash, "mode": self.mode,
                "opens_at": self.opens_at, "closes_at": self.closes_at, "attempt_limit": self.attempt_limit,
                "counting": self.counting, "created_by": self.created_by, "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class AssignmentCheck:
    """What a new attempt would be tied to now: the assignment, or None and why not (in words
    for the trainee, said before they start)."""

    assignment: AssignmentRow | None
    reason: str | None


Role = Literal["instructor", "administrator"]
"""Roles a store grants. Everyone else is a student, who may see their own records only."""
ROLES: tuple[str, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """One role held by one actor (an OS login, a roster identity or an SSO user): an instructor
    of one cohort, or an administrator (``cohort`` None)."""

    actor: str
    role: Role
    cohort: str | None
    granted_by: str
    granted_at: str


AuditAction = Literal["report", "export", "pdf", "list", "verify", "roster", "watch", "grant", "revoke", "assign",
                      "unassign"]
"""What an audit entry records: a disclosure (``report``, ``export``, ``pdf``, ``list``,
``verify`` with problems named, ``roster``, ``watch``) or a change of who may see what or what
counts (``grant``, ``revoke``, ``assign``, ``unassign``)."""
AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An entry to add to the audit log (the store adds its number, time and hash)."""

    actor: str
    action: AuditAction
    trainees: tuple[str, ...] = ()
    """Whose records (trainee ids, sorted); empty with ``everyone`` or for a governance entry."""
    cohort: str | None = None
    attempts: tuple[str, ...] = ()
    """Which attempts were disclosed, when the command selected attempts."""
    purpose: str | None = None
    """Why, as the actor gave it (``--purpose``); FERPA's record of disclosures asks for it."""
    detail: Mapping[str, Any] | None = None
    """What else the entry records: the command, ``everyone`` (every trainee's records), or the
    assignment or role granted."""


@dataclass(frozen=True, slots=True)
class AuditRow(AuditEntry):
    """An audit entry as stored: its place in the audit chain, its time (the store's clock) and hash."""

    seq: int = 0
    at: str = ""
    hash: str = ""

    def value(self) -> dict[str, Any]:
        """What the audit chain's hash covers."""
        return audit_value(self.seq, self.at, self)


def audit_value(seq: int, at: str, entry: AuditEntry) -> dict[str, Any]:
    """An audit entry as its hash covers it."""
    return {"seq": seq, "at": at, "actor": entry.actor, "action": entry.action, "trainees": list(entry.trainees),
            "cohort": entry.cohort, "attempts": list(entry.attempts), "purpose": entry.purpose,
            "detail": dict(entry.detail) if entry.detail is not None else None}
@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """One event of an attempt as the live class view reads it: what and when, without the payload
    (the view needs where the trainee is and how fast they go, not the state snapshots)."""

    seq: int
    kind: EventKind
    at: str
    node: str | None
    choice: str | None


@dataclass(frozen=True, slots=True)
class TraineeActivity:
    """A cohort member and their latest attempt in the cohort, for the live class view."""

    trainee: TraineeRow
    attempt: AttemptRow | None
    """The attempt in this cohort started last (None: none yet)."""
    attempts: int
    """How many attempts the trainee has started in this cohort."""
    events: tuple[ActivityEvent, ...]
    """The events of :attr:`attempt`, in order."""


class ChangeWatch(Protocol):
    """Tells a live view cheaply whether anything was committed to the store, so it re-reads the
    store only when something moved (no polling storm: one cheap check a second, not a report).

    SQLite: ``PRAGMA data_version`` on a connection of its own, which moves when any other
    connection (in any process) commits. PostgreSQL: a connection of its own that ran
    ``LISTEN casesim_changes``; every write to a trainee or attempt row notifies that channel with
    the row's cohort (triggers; delivered at commit, once per transaction and cohort), and
    :meth:`changed` makes one round
    trip that reads no table (by its answer the server has delivered every notification of a
    transaction committed before it) and drains what arrived without waiting (psycopg's
    ``Connection.notifies(timeout=0)``), ignoring those for other cohorts when the watch was made
    for one.
    """

    def changed(self) -> bool:
        """Whether a commit may have happened since the watch was made or since the last call
        that returned True (a False is certain: nothing was committed; a True may be a change
        the caller does not look at)."""
        ...

    def close(self) -> None: ...


VerifyKind = Literal["damaged", "edited", "deleted", "added", "reordered", "orphaned"]
"""What verification found: the file is ``damaged`` (the database itself reports damage), a row
was ``edited``, ``deleted``, ``added`` or ``reordered``, or rows are ``orphaned`` (they belong to
no attempt or trainee any more)."""


@dataclass(frozen=True, slots=True)
class VerifyProblem:
    """Something ``records verify`` found: what, whose, which attempt and event, and in words."""

    kind: VerifyKind
    trainee_id: str | None
    """The trainee whose record it is (None for damage to the file or orphaned rows)."""
    attempt_id: str | None
    seq: int | None
    """The event (None when the problem is with the attempt or trainee as a whole)."""
    message: str


class RecordStore(Protocol):
    """What every backend provides.

    Lists are in time order (oldest first) unless a method says otherwise. Writes raise
    :class:`~casesim.errors.StoreError` (with a message for the trainee) when they cannot be
    made durable; nothing is half-written. A missing attempt or trainee asked for by id raises
    :class:`~casesim.errors.NotFoundError`. The chain itself is built by
    :mod:`casesim.records.ledger`; a backend only reads the heads under a lock and persists the
    rows the ledger returns.
    """

    # --- the store itself ---------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the records are (a file path or a database URL without its password)."""
        ...

    @property
    def pseudonym_key(self) -> str:
        """This store's own random secret, the key of the pseudonymous trainee ids in xAPI.

        Every backend keeps one (made when the store is created, never shown), so a trainee's
        pseudonym is stable per store and cannot be reversed by guessing ids.
        """
        ...

    def set_pseudonym_key(self, key: str) -> tuple[str, str]:
        """Use ``key`` (another store's, shared by a program) as this store's pseudonym key, so
        both name a trainee alike in xAPI; the change is linked into every trainee's chain.
        Returns the store head before and after. Refused (nothing changed) when the store does
        not verify or already uses ``key``."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None:
        """Closes the store."""
        ...

    # --- writing ------------------------------------------------------------------------

    def upsert_trainee(self, trainee_id: str, display_name: str, cohort: str | None = None) -> None: ...

    def start_attempt(self, *, trainee_id: str, scenario_id: str, scenario_version: str, content_hash: str,
                      mode: Mode, seed: int, start_node: str, signoff: SignOff | None = None) -> str:
        """Open an attempt; ``signoff`` is the scenario's valid sign-off now (None: a trial)."""
        ...

    def record_event(self, attempt_id: str, kind: EventKind, payload: Mapping[str, Any]) -> EventRow: ...

    def record_events(self, attempt_id: str,
                      events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> Sequence[EventRow]:
        """Several events in one durable commit (a choice and the node it leads to)."""
        ...

    def finish_attempt(self, attempt_id: str, status: AttemptStatus, debrief: Debrief | None) -> None: ...

    def import_attempt(self, record: ImportedAttempt) -> bool:
        """Add an attempt from an archive to this store's chains, with its own times and events
        (False: an attempt with its id is here already; nothing changed)."""
        ...

    def chain_record(self, attempt_id: str) -> Mapping[str, Any]:
        """An attempt's chain as stored (hashes, seal, raw debrief and sign-off text, event hashes
        by seq), for an archive that can be verified elsewhere."""
        ...

    # --- reading one trainee or attempt -------------------------------------------------

    def set_accommodation(self, trainee_id: str, time: str | None, *, set_by: str) -> None:
        """Set (``time``) or remove (None) a trainee's timing accommodation, noting who and when."""
        ...

    def accommodation(self, trainee_id: str) -> AccommodationRow | None: ...

    def set_cohort_details(self, cohort: str, *, section: str | None, term: str | None, set_by: str) -> None:
        """Set a cohort's section and term (None: not set), noting who and when. Attempts started
        from now on stamp them; attempts already recorded keep what they stamped."""
        ...

    def cohort_details(self, cohort: str | None = None) -> Sequence[CohortDetails]:
        """The section and term of one cohort (none, or one item), or of every cohort that has them."""
        ...

    def attempt(self, attempt_id: str) -> AttemptRow: ...

    def events(self, attempt_id: str) -> Sequence[EventRow]: ...

    def debrief(self, attempt_id: str) -> Debrief | None: ...

    def trainee(self, trainee_id: str) -> TraineeRow | None: ...

    # --- listing ------------------------------------------------------------------------

    def in_progress(self, trainee_id: str | None = None) -> Sequence[AttemptRow]: ...

    def attempts(self, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[AttemptRow]: ...

    def trainees(self, cohort: str | None = None) -> Sequence[TraineeRow]: ...

    def cohorts(self) -> Sequence[str]: ...

    # --- report queries -----------------------------------------------------------------

    def decision_counts(self, *, cohort: str | None = None, trainee_id: str | None = None,
                        scenario_id: str | None = None,
                        mode: Mode | None = None) -> Sequence[DecisionCount]:
        """Decisions on each attempt's effective path (undone ones removed), counted per trainee."""
        ...

    def decision_paths(self, *, cohort: str | None = None, trainee_id: str | None = None,
                       scenario_id: str | None = None, mode: Mode | None = None) -> Sequence[DecisionPath]:
        """The selected attempts' effective paths, one per distinct (trainee, scenario file, path),
        with how many attempts took it."""
        ...

    def competency_points(self, *, trainee_id: str | None = None,
                          cohort: str | None = None) -> Sequence[CompetencyPoint]: ...

    def competency_groups(self, *, cohort: str | None = None) -> Sequence[CompetencyGroup]:
        """The competency ratings of the selected attempts added up per trainee, competency,
        scenario, mode and sign-off (:class:`CompetencyGroup`), in no particular order: a cohort's
        roster reads these instead of every rating when no assignment governs it."""
        ...

    def criterion_rows(self, *, trainee_id: str | None = None, cohort: str | None = None) -> Sequence[CriterionRow]: ...

    # --- assignments, roles and the audit log (program governance) -----------------------

    def add_assignment(self, assignment: NewAssignment, *, by: str) -> AssignmentRow:
        """Store an assignment and its audit entry (``assign``, with its definition) in one write."""
        ...

    def remove_assignment(self, assignment_id: str, *, by: str) -> AssignmentRow:
        """Withdraw an assignment (``unassign`` in the audit log); raises NotFoundError if unknown."""
        ...

    def assignments(self, cohort: str | None = None) -> Sequence[AssignmentRow]:
        """Every assignment (withdrawn ones too), or one cohort's, oldest first."""
        ...

    def assignment_for(self, trainee_id: str, scenario_id: str, content_hash: str, mode: Mode) -> AssignmentCheck:
        """The assignment an attempt started now would be tied to (as :meth:`start_attempt` decides
        it, with the same rule: :func:`casesim.records.assignments.choose`), or why none."""
        ...

    def grant_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> RoleGrant:
        """Grant a role (and write a ``grant`` audit entry) in one write."""
        ...

    def revoke_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> bool:
        """Remove a role (and write a ``revoke`` audit entry); False when it was not held."""
        ...

    def roles(self) -> Sequence[RoleGrant]:
        """Every role granted, by actor."""
        ...

    def record_audit(self, entry: AuditEntry) -> AuditRow:
        """Append an entry to the audit chain, durable when this returns."""
        ...

    def audit_log(self, *, trainee_id: str | None = None, since: str | None = None) -> Sequence[AuditRow]:
        """The audit entries, oldest first: those naming ``trainee_id`` (or every trainee), from
        ``since`` (an ISO-8601 time) on."""
        ...

    # --- the live class view -----------------------------------------------------------

    def cohort_activity(self, cohort: str) -> Sequence[TraineeActivity]:
        """Every trainee of a cohort (as :meth:`trainees` selects them), in id order, each with
        their latest attempt in the cohort and its events: read in one snapshot, in a fixed number
        of queries however large the class (the live view re-reads it on every change)."""
        ...

    def change_watch(self, cohort: str | None = None) -> ChangeWatch:
        """A watch on commits to the store (see :class:`ChangeWatch`); ``cohort``: a backend that
        can tell may ignore commits for other cohorts. The caller closes it."""
        ...

    # --- the chain ----------------------------------------------------------------------

    def chain_heads(self) -> Mapping[str, tuple[int, str]]:
        """Each trainee's number of attempts and the head of their chain over everything: the
        anchors printed by ``records verify`` and on the PDF summary."""
        ...

    def store_head(self) -> str:
        """The head over the whole store (every trainee's chain head in id order, and the audit
        chain's length and head)."""
        ...

    def store_heads_since(self, head: str) -> int | None:
        """How many audit entries were added since ``head`` was the store head, when nothing but
        audit entries changed since (None: it was never the store head of today's trainee
        chains), so a store head printed before a report still matches after it."""
        ...

    def find_head(self, head: str) -> Any:
        """Where a head printed earlier sits in a trainee's chain today (None: nowhere)."""
        ...

    def chain_info(self) -> Mapping[str, str]:
        """The chain mode (``sha256`` or ``hmac-sha256``) and the re-chain note of the store."""
        ...

    def check_empty(self, what: str) -> None:
        """Raise :class:`~casesim.errors.StoreCorruptError` if the file is damaged (called when a
        read found nothing, so damage is never read as an empty record)."""
        ...

    def verify(self, trainee_id: str | None = None) -> Sequence[VerifyProblem]:
        """Every problem in the record, or in one trainee's part of it (and the storage itself)."""
        ...

    # --- the xAPI outbox (casesim.records.outbox) ---------------------------------------
    # While the outbox is on, every write that makes statements (an attempt starts, a choice, an
    # undo, the seal, an import) adds them here in the same transaction, built by
    # casesim.records.outbox.LiveStatements; a forwarder (casesim.records.lrs) posts them.

    def configure_outbox(self, settings: OutboxSettings | None) -> None:
        """Turn the outbox on with ``settings`` (checked absolute http(s) URLs), or off (None).
        Rows already queued stay, sent or not."""
        ...

    def outbox_settings(self) -> OutboxSettings | None:
        """The settings the outbox is on with (None: off)."""
        ...

    def outbox_add(self, statements: Sequence[tuple[str, str, str]]) -> int:
        """Queue (statement id, attempt id, JSON text) rows, skipping ids queued already; returns
        how many were added (``casesim lrs enable --backfill`` queues earlier attempts this way)."""
        ...

    def outbox_pending(self, limit: int, *, after: int = 0) -> Sequence[OutboxRow]:
        """Up to ``limit`` statements not yet accepted with ``seq`` above ``after``, in write order."""
        ...

    def outbox_rows(self, *, after: int = 0, limit: int = 1000) -> Sequence[OutboxRow]:
        """Every queued statement (sent or not) with ``seq`` above ``after``, in write order."""
        ...

    def outbox_mark_sent(self, ids: Sequence[str]) -> None:
        """The LRS accepted these statements (by id): stamp them sent, now."""
        ...

    def outbox_mark_failed(self, ids: Sequence[str], error: str) -> None:
        """A post of these statements failed: count the try and keep ``error`` (they stay pending)."""
        ...

    def outbox_counts(self) -> OutboxCounts: ...

    def outbox_prune(self, sent_before: str) -> int:
        """Delete the statements the LRS accepted before ``sent_before`` (an ISO-8601 UTC time as
        :func:`~casesim.records.chain.iso_utc` writes it); pending ones are never deleted. Returns
        how many were deleted. (The outbox is not evidence: each statement can be rebuilt from
        the chained record, so pruning what the LRS holds loses nothing.)"""
        ...

    # --- class rosters and sign-in codes (casesim.records.classroom; `casesim class`, `serve`) --

    def create_roster(self, cohort: str, *, created_by: str) -> bool:
        """Open a class roster named ``cohort`` (False: it exists already, nothing changed)."""
        ...

    def rosters(self) -> Sequence[str]:
        """The names of the class rosters, sorted."""
        ...

    def add_roster_member(self, cohort: str, trainee_id: str, display_name: str, role: str,
                          code_digest: str) -> None:
        """Put a member on ``cohort``'s roster (or update their name and role) with a fresh code's
        digest, ending their sessions. A student is also made a trainee in ``cohort``.
        :class:`~casesim.errors.NotFoundError` when there is no such roster."""
        ...

    def roster_members(self, cohort: str) -> Sequence[RosterMember]:
        """The members of a roster by id (:class:`~casesim.errors.NotFoundError`: no such roster)."""
        ...

    def memberships(self, trainee_id: str) -> Sequence[RosterMember]:
        """Every roster ``trainee_id`` is on, by cohort."""
        ...

    def reissue_code(self, cohort: str, trainee_id: str, code_digest: str) -> None:
        """Replace a member's code (the old one stops working) and end their sessions
        (:class:`~casesim.errors.NotFoundError`: not on that roster)."""
        ...

    def redeem_code(self, code_digest: str) -> RosterMember | None:
        """Consume the unused code with this digest, atomically (two browsers racing with one code:
        one wins), and return its member; None when no unused code has it."""
        ...

    def end_sessions(self, cohort: str, trainee_id: str) -> None:
        """Move the member's session epoch on: every session cookie issued before is refused."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    """What a store's live xAPI statements are built with, kept in the store itself (so every
    process that writes to it, every ``serve`` session and every laptop, builds the same
    statements): the IRI the activity ids are built on and the actor's ``account.homePage``. The
    pseudonym key is the store's own (:attr:`RecordStore.pseudonym_key`)."""

    base_iri: str
    home_page: str


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One statement waiting for, or already accepted by, the LRS (``seq``: write order)."""

    seq: int
    id: str
    """The statement id (a UUIDv5, so a re-post is recognised by the LRS)."""
    attempt_id: str
    statement: str
    """The statement as JSON text, exactly as it is posted."""
    created_at: str
    sent_at: str | None
    """When the LRS accepted it (None: not yet)."""
    attempts: int
    """How many times a post of it failed."""
    last_error: str | None


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """The outbox at a glance: ``waiting`` never tried, ``failed`` tried and not yet accepted
    (both are pending), ``sent`` accepted by the LRS."""

    waiting: int
    failed: int
    sent: int

    @property
    def pending(self) -> int:
        return self.waiting + self.failed


class PathStep(Protocol):
    """Anything with an event kind: a full :class:`EventRow`, or a backend's bare row of kind, node and choice."""

    @property
    def kind(self) -> str: ...


StepT = TypeVar("StepT", bound=PathStep)


def effective_steps(events: Iterable[StepT]) -> list[StepT]:
    """The ``choice`` and ``timer-expired`` events in effect after replaying undos, in order.

    The one undo rule of the record: an ``undo`` takes back the latest step still in effect.
    Resume (the path and the recorded state to check), reports, the item analysis, xAPI and the
    library screen all read a path through here.
    """
    steps: list[StepT] = []
    for event in events:
        if event.kind in ("choice", "timer-expired"):
            steps.append(event)
        elif event.kind == "undo" and steps:
            steps.pop()
    return steps


def effective_path(events: Iterable[EventRow]) -> list[str]:
    """The step ids in effect after replaying choices and undos (for resume and reports)."""
    return [str(event.payload["choice"]) for event in effective_steps(events)]


class TimedStep(PathStep, Protocol):
    """An event with its place and time: a full :class:`EventRow` or an :class:`ActivityEvent`."""

    @property
    def seq(self) -> int: ...

    @property
    def at(self) -> str: ...


TimedT = TypeVar("TimedT", bound=TimedStep)


def decision_seconds(events: Sequence[TimedT]) -> float:
    """How long an attempt's decision screens were on show, from the recorded event timestamps.

    The sum of the gaps between consecutive events up to the last step in effect, leaving out
    every gap that ends in a ``resume`` event: that gap is a break (the pause screen hides the
    conversation) or the time between an interrupted session and its resumption (a closed
    terminal, the next day). What is left is the time spent with a node on screen; the speed
    check (:mod:`casesim.scoring.pace`) compares it with the time its text takes to read.
    """
    steps = effective_steps(events)
    if not steps:
        return 0.0
    last = steps[-1].seq
    total = 0.0
    previous: TimedT | None = None
    for event in events:
        if event.seq > last:
            break
        if previous is not None and event.kind != "resume":
            total += max(0.0, (parse_iso(event.at) - parse_iso(previous.at)).total_seconds())
        previous = event
    return total
