"""The write protocol of the hash chain: current heads plus new facts in, rows plus digests out.

Pure and backend-neutral. A backend's write is always the same three moves:

1. read the heads it needs (:class:`TraineeHead`, :class:`AttemptHead`) under a lock that keeps
   other writers out until step 3 (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR
   UPDATE``);
2. call :func:`start`, :func:`append` or :func:`seal` here, which decide everything the chain
   depends on: which hash each row links to, genesis for a trainee's first attempt, the attempt's
   place in the trainee's sequence, event numbering, and the new heads;
3. persist the rows and the new heads atomically, exactly as returned, and pass every new row's
   hash through :func:`advance`, which moves the trainee's chain over it (the head that covers
   everything: profile, attempt starts, events, seals).

So the sequencing that makes the record tamper-evident is written once, here, and two backends
given the same facts write the same digests (which :mod:`casesim.records.verify` checks).
Timestamps and attempt ids are facts the backend supplies (read inside the lock, so time order
is chain order); nothing here reads a clock or a random source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casesim.errors import StoreError
from casesim.format.scenario import MODES, Mode
from casesim.format.signoff import SignOff
from casesim.records.api import (
    EVENT_KINDS,
    AttemptStatus,
    AuditEntry,
    AuditRow,
    EventKind,
    EventRow,
    audit_value,
)
from casesim.records.chain import (
    LinkKind,
    attempt_digest,
    attempt_header,
    audit_digest,
    audit_genesis,
    canonical_json,
    event_digest,
    genesis,
    link_digest,
    seal_digest,
    sha256_text,
)
from casesim.records.verify import (
    ChainTrainee,
    DebriefResults,
    TraineeChain,
    debrief_results,
    profile_value,
)
from casesim.scoring.debrief import Debrief

__all__ = [
    "AuditHead",
    "AttemptFacts",
    "audit",
    "first_audit",
    "AttemptHead",
    "AttemptStart",
    "Appended",
    "EventRecord",
    "NewEvent",
    "Seal",
    "StartedAttempt",
    "TraineeChain",
    "TraineeHead",
    "advance",
    "append",
    "first_chain",
    "profile_value",
    "check_finish",
    "first_head",
    "prepare_events",
    "seal",
    "start",
]


TraineeHead = ChainTrainee
"""Where a trainee's chain of attempts stands: the same row :mod:`casesim.records.verify` checks."""


def first_head(trainee_id: str, key: bytes | None = None) -> TraineeHead:
    """The head of a trainee with no attempts yet: their first attempt links to genesis."""
    if not trainee_id:
        raise ValueError("a trainee id cannot be empty")
    return TraineeHead(trainee_id, 0, genesis(trainee_id, key))


def first_chain(trainee_id: str, key: bytes | None = None) -> TraineeChain:
    """The trainee chain of a new trainee, before its first link (their first profile)."""
    if not trainee_id:
        raise ValueError("a trainee id cannot be empty")
    return TraineeChain(trainee_id, 0, genesis(trainee_id, key))


def advance(chain: TraineeChain, links: Sequence[tuple[LinkKind, Any]], key: bytes | None = None) -> TraineeChain:
    """The trainee chain after ``links`` (in the order they are stored): every profile, attempt
    start, event and seal of the trainee passes through here, so the head covers all of them."""
    head, count = chain.head, chain.link_count
    for kind, value in links:
        head = link_digest(head, kind, value, key)
        count += 1
    return TraineeChain(chain.trainee_id, count, head)


@dataclass(frozen=True, slots=True)
class AttemptHead:
    """Where an attempt's chain of events stands: how many events, the latest hash, its status."""

    attempt_id: str
    event_count: int
    head_hash: str
    status: AttemptStatus


@dataclass(frozen=True, slots=True)
class AttemptFacts:
    """What the caller says about a new attempt (the backend adds its id and start time)."""

    trainee_id: str
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: Mode
    seed: int
    start_node: str
    signoff: SignOff | None = None
    """The scenario's valid clinical sign-off as the attempt begins (None: the attempt is a trial)."""
    cohort: str | None = None
    """The trainee's cohort as the attempt begins, stamped into its hashed header (the backend
    reads it under its lock), so moving the trainee later does not move this attempt."""
    imported: Mapping[str, Any] | None = None
    """For an attempt merged from an archive (``records import``): where it came from, whether
    its signature was trusted and its original mode; covered by the attempt hash."""
    assignment: str | None = None
    """The assignment the attempt starts under (the backend decides it under its lock with
    :func:`casesim.records.assignments.choose`), covered by the attempt hash."""
    section: str | None = None
    """The section of that cohort as the attempt begins (the backend reads it under its lock)."""
    term: str | None = None
    """The term of that cohort as the attempt begins (e.g. "Fall 2026")."""

    def __post_init__(self) -> None:
        # Checked when the facts are made, so a backend refuses them before taking its lock.
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}")
        if not self.trainee_id:
            raise ValueError("a trainee id cannot be empty")


@dataclass(frozen=True, slots=True)
class StartedAttempt:
    """The attempt row to insert: its fixed fields and the two hashes of its link."""

    id: str
    trainee_id: str
    trainee_seq: int
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: Mode
    seed: int
    start_node: str
    started_at: str
    prev_hash: str
    """The trainee's head before this attempt (genesis for their first)."""
    hash: str
    signoff: SignOff | None = None
    cohort: str | None = None
    imported: Mapping[str, Any] | None = None
    assignment: str | None = None
    section: str | None = None
    term: str | None = None

    @property
    def imported_json(self) -> str | None:
        return canonical_json(dict(self.imported)) if self.imported is not None else None

    @property
    def signoff_json(self) -> str | None:
        """The sign-off as stored (canonical JSON of what the hash covers)."""
        return canonical_json(self.signoff.as_dict()) if self.signoff is not None else None


@dataclass(frozen=True, slots=True)
class AttemptStart:
    """Rows of :func:`start`: the attempt, its own (empty) head, and the trainee's new head."""

    attempt: StartedAttempt
    attempt_head: AttemptHead
    trainee_head: TraineeHead


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event checked and frozen to the one JSON text its hash covers (see :func:`prepare_events`)."""

    kind: EventKind
    payload_json: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event row to insert. ``node`` and ``choice`` are copies of the payload's, for reports."""

    attempt_id: str
    seq: int
    kind: EventKind
    at: str
    node: str | None
    choice: str | None
    payload_json: str
    payload: Mapping[str, Any]
    hash: str

    def row(self) -> EventRow:
        return EventRow(self.attempt_id, self.seq, self.kind, self.at, self.payload)


@dataclass(frozen=True, slots=True)
class Appended:
    """Rows of :func:`append`: the events in order, and the attempt's new head."""

    events: tuple[EventRecord, ...]
    head: AttemptHead


@dataclass(frozen=True, slots=True)
class Seal:
    """The outcome columns :func:`seal` sets on the attempt, and the result rows to insert."""

    attempt_id: str
    status: AttemptStatus
    ended_at: str
    passed: bool | None
    share: float | None
    """The debrief's one score (:attr:`~casesim.scoring.debrief.Debrief.score`)."""
    debrief_json: str | None
    seal: str
    results: DebriefResults
    """Copies of the debrief's criterion and competency results, verdict and pace (empty without a debrief)."""


def start(head: TraineeHead, facts: AttemptFacts, *, attempt_id: str, started_at: str,
          key: bytes | None = None) -> AttemptStart:
    """Open an attempt as the next link of the trainee's chain."""
    if head.id != facts.trainee_id:
        raise ValueError(f"the head of trainee {head.id} cannot start an attempt of {facts.trainee_id}")
    seq = head.attempt_count + 1
    seed = int(facts.seed)
    header = attempt_header(id=attempt_id, trainee_id=facts.trainee_id, trainee_seq=seq, scenario_id=facts.scenario_id,
                            scenario_version=facts.scenario_version, content_hash=facts.content_hash,
                            mode=facts.mode, seed=seed, start_node=facts.start_node, started_at=started_at,
                            signoff=facts.signoff.as_dict() if facts.signoff is not None else None,
                            cohort=facts.cohort,
                            imported=dict(facts.imported) if facts.imported is not None else None,
                            assignment=facts.assignment, section=facts.section, term=facts.term)
    digest = attempt_digest(head.head_hash, header, key)
    attempt = StartedAttempt(id=attempt_id, trainee_id=facts.trainee_id, trainee_seq=seq, scenario_id=facts.scenario_id,
                             scenario_version=facts.scenario_version, content_hash=facts.content_hash,
                             mode=facts.mode, seed=seed, start_node=facts.start_node, started_at=started_at,
                             prev_hash=head.head_hash, hash=digest, signoff=facts.signoff,
                             cohort=facts.cohort, imported=facts.imported, assignment=facts.assignment,
                             section=facts.section, term=facts.term)
    return AttemptStart(attempt, AttemptHead(attempt_id, 0, digest, "in-progress"),
                        TraineeHead(facts.trainee_id, seq, digest))


def prepare_events(events: Sequence[tuple[EventKind, Mapping[str, Any]]]) -> list[NewEvent]:
    """Check events and freeze each payload to canonical JSON (before any lock is taken).

    The payload stored and handed back is the JSON round trip, so a reader sees exactly what the
    hash covers (a tuple becomes a list, for instance).
    """
    prepared: list[NewEvent] = []
    for kind, payload in events:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}")
        if kind in ("choice", "timer-expired") and not isinstance(payload.get("choice"), str):
            raise ValueError(f"a {kind} event needs the step id in payload['choice']")
        try:
            text = canonical_json(dict(payload))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the event payload cannot be stored as JSON: {exc}") from exc
        prepared.append(NewEvent(kind, text, json.loads(text)))
    return prepared


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def append(head: AttemptHead, events: Sequence[NewEvent], *, at: str, key: bytes | None = None) -> Appended:
    """Link events after the attempt's head, numbered on from its event count."""
    if head.status != "in-progress":
        raise StoreError(f"attempt {head.attempt_id} is {head.status}; no more events can be added",
                         title="records error")
    seq, digest = head.event_count, head.head_hash
    records: list[EventRecord] = []
    for event in events:
        seq += 1
        digest = event_digest(digest, head.attempt_id, seq, event.kind, at, event.payload, key)
        records.append(EventRecord(head.attempt_id, seq, event.kind, at, _text(event.payload.get("node")),
                                   _text(event.payload.get("choice")), event.payload_json, event.payload, digest))
    return Appended(tuple(records), AttemptHead(head.attempt_id, seq, digest, head.status))


def check_finish(status: str) -> None:
    """Refuse a status an attempt cannot finish with (a backend calls this before its lock)."""
    if status not in ("completed", "left", "abandoned"):
        raise ValueError("an attempt finishes as 'completed' or 'left' (or 'abandoned', as before 'left' existed)")


def seal(head: AttemptHead, status: AttemptStatus, debrief: Debrief | None, *, ended_at: str,
         key: bytes | None = None) -> Seal:
    """Close an attempt: its outcome, sealed over the last event's hash and the debrief's SHA-256."""
    check_finish(status)
    if head.status != "in-progress":
        raise StoreError(f"attempt {head.attempt_id} is already {head.status}", title="records error")
    text = debrief.model_dump_json() if debrief is not None else None
    passed = debrief.passed if debrief is not None else None
    share = debrief.score if debrief is not None else None
    digest = seal_digest(head.head_hash, status=status, ended_at=ended_at, passed=passed, share=share,
                         event_count=head.event_count, debrief_sha256=sha256_text(text) if text is not None else None, key=key)
    results = debrief_results(text) if text is not None else DebriefResults()
    return Seal(head.attempt_id, status, ended_at, passed, share, text, digest, results)


# --- the store's audit chain ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditHead:
    """Where the store's audit chain stands: how many entries, and the latest hash (a backend
    reads it under its write lock: SQLite's ``meta``, a locked row in PostgreSQL)."""

    count: int
    head: str


def first_audit(store_id: str, key: bytes | None = None) -> AuditHead:
    """The audit chain of a store with no entry yet."""
    return AuditHead(0, audit_genesis(store_id, key))


def audit(head: AuditHead, entry: AuditEntry, *, at: str, key: bytes | None = None) -> AuditRow:
    """The next audit entry, numbered and linked after ``head`` (its ``hash`` is the new head).

    Its lists are sorted and de-duplicated, so the same disclosure reads the same whatever order
    a command found the records in."""
    if not entry.actor:
        raise ValueError("an audit entry needs the actor's name")
    clean = AuditEntry(actor=entry.actor, action=entry.action, trainees=tuple(sorted(set(entry.trainees))),
                       cohort=entry.cohort, attempts=tuple(sorted(set(entry.attempts))),
                       purpose=entry.purpose or None,
                       detail=json.loads(canonical_json(dict(entry.detail))) if entry.detail is not None else None)
    seq = head.count + 1
    digest = audit_digest(head.head, audit_value(seq, at, clean), key)
    return AuditRow(actor=clean.actor, action=clean.action, trainees=clean.trainees, cohort=clean.cohort,
                    attempts=clean.attempts, purpose=clean.purpose, detail=clean.detail, seq=seq, at=at, hash=digest)
