"""Check the hash chain: which attempt and event was edited, deleted or reordered.

Pure functions over plain rows, so every backend verifies the same way. Each stored hash is
checked against the *stored* hash before it, so one edited row is reported once, at its place,
instead of breaking everything after it. A row that fails is then tried at every other place in
its chain: if it fits elsewhere, it was moved (reordered), not edited.

Above the attempts, each trainee has one chain over everything recorded about them (profile,
attempt starts, events, seals: :func:`verify_links`), and the store head covers every trainee.

What verify alone cannot show in a store without a key: someone who rewrites a chain and
recomputes every hash with casesim's own code (SHA-256 has no secret). The heads printed by
``records verify`` and on the PDF summary are the anchors against that: any such rewrite changes
them, and ``records verify --against HEAD`` compares. In a keyed store nobody without the key can
compute a hash that verifies, so verify alone shows such rewrites; neither mode shows a whole file
put back to an earlier copy, except against a head kept from later.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, NamedTuple, Protocol

from casesim.errors import NotFoundError
from casesim.records.api import EVENT_KINDS, AuditAction, AuditRow, VerifyKind, VerifyProblem
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
    roster_digest,
    roster_genesis,
    seal_digest,
    sha256_text,
)
from casesim.records.paths import path_text

__all__ = ["ChainAttempt", "ChainAudit", "ChainEvent", "ChainLink", "ChainTrainee", "DebriefResults", "HeadMatch",
           "Rows", "StoreLayout", "StoredAssignment", "TraineeChain", "TraineeProfile", "audit_entries",
           "chain_attempts", "debrief_results", "find_head", "profile_value", "verify_assignments", "verify_attempt",
           "verify_audit", "verify_links", "verify_roles", "verify_trainee", "walk_store"]


@dataclass(frozen=True, slots=True)
class ChainTrainee:
    """Where a trainee's chain of attempts stands: how many attempts, and the latest hash (the
    ledger's ``TraineeHead`` before a write, the row verify checks after)."""

    id: str
    attempt_count: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class TraineeChain:
    """Where a trainee's chain over everything stands: how many links, and the head (the value
    printed by ``records verify`` and on the PDF)."""

    trainee_id: str
    link_count: int
    head: str


def profile_value(display_name: str, cohort: str | None, created_at: str) -> dict[str, Any]:
    """A trainee's profile as a link of their chain covers it (and as ``links.profile`` stores it)."""
    return {"display_name": display_name, "cohort": cohort, "created_at": created_at}


@dataclass(frozen=True, slots=True)
class TraineeProfile:
    """The stored trainee row that verify checks against the chain."""

    id: str
    display_name: str
    cohort: str | None
    created_at: str
    link_count: int
    head: str | None


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One stored link of a trainee chain: what it names, and the hash of that row as stored now.

    ``seq`` is 0 for an attempt's start, -1 for its seal, else the event number; ``attempt_id``
    is None for a profile link, whose value is ``profile`` (JSON). ``ref`` is None when the named
    row (or its seal) no longer exists."""

    pos: int
    attempt_id: str | None
    seq: int | None
    profile: str | None
    ref: str | None


def _json_or_text(text: str | None) -> Any:
    """A stored JSON column as the value its hash covers; unreadable JSON is hashed as text, so it
    cannot match and shows as edited."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


_NOTES = frozenset({"rekey", "pseudonym_key"})
"""The one-key values of a profile link that record a change to the whole store, not a profile
(:mod:`casesim.records.sqlite.rekey`, :mod:`casesim.records.sqlite.pseudonym`)."""


@dataclass(frozen=True, slots=True)
class ChainAttempt:
    id: str
    trainee_id: str
    trainee_seq: int
    scenario_id: str
    scenario_version: str
    content_hash: str
    mode: str
    seed: int
    start_node: str
    started_at: str
    prev_hash: str
    hash: str
    event_count: int
    head_hash: str
    status: str
    ended_at: str | None
    passed: bool | None
    share: float | None
    debrief: str | None
    seal: str | None
    signoff: str | None = None
    """The stored sign-off JSON (None: a trial, or recorded before sign-offs existed)."""
    outcome: tuple[Any, ...] = (None, None, None, None)
    """The stored copies (verdict, decision_seconds, reading_seconds, too_fast); see :class:`DebriefResults`."""
    cohort: str | None = None
    """The cohort stamped when the attempt began (None: none, or recorded before stamping)."""
    imported: str | None = None
    """Stored JSON of where an imported attempt came from (None: recorded here)."""
    assignment: str | None = None
    """The assignment the attempt was started under (None: none)."""
    section: str | None = None
    """The cohort's section stamped when the attempt began (None: none, or recorded before)."""
    term: str | None = None
    """The cohort's term stamped when the attempt began (None: none, or recorded before)."""
    path: str | None = None
    """The stored copy of the effective path (:mod:`casesim.records.paths`; None: not stored)."""

    def header(self) -> dict[str, Any]:
        signoff: Any = None
        if self.signoff is not None:
            try:
                signoff = json.loads(self.signoff)
            except ValueError:
                signoff = self.signoff  # unreadable: hashed as text, so it cannot match and shows as edited
        return attempt_header(id=self.id, trainee_id=self.trainee_id, trainee_seq=self.trainee_seq,
                              scenario_id=self.scenario_id, scenario_version=self.scenario_version,
                              content_hash=self.content_hash, mode=self.mode, seed=self.seed,
                              start_node=self.start_node, started_at=self.started_at, signoff=signoff,
                              cohort=self.cohort, imported=_json_or_text(self.imported),
                              assignment=self.assignment, section=self.section, term=self.term)

    def header_at(self, trainee_seq: int) -> dict[str, Any]:
        header = self.header()
        header["trainee_seq"] = trainee_seq
        return header

    def label(self) -> str:
        return f"attempt {self.id} (trainee {self.trainee_id}, #{self.trainee_seq}, {self.scenario_id})"


@dataclass(frozen=True, slots=True)
class ChainEvent:
    seq: int
    kind: str
    at: str
    node: str | None
    choice: str | None
    payload: str
    hash: str


@dataclass(frozen=True, slots=True)
class DebriefResults:
    """The result rows a debrief implies (criterion id -> values, competency id -> values)."""

    criteria: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    competencies: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    outcome: tuple[Any, ...] = (None, None, None, None)
    """Copies on the attempt row, so lists and reports need not parse debriefs: the score with its
    verdict (:func:`~casesim.scoring.debrief.score_text`) and the speed check (decision seconds,
    reading seconds, too fast as 0/1). All None for a debrief sealed before they existed."""


def debrief_results(debrief_json: str) -> DebriefResults:
    """The copies of a debrief's results that the store keeps in its own tables."""
    data = json.loads(debrief_json)
    outcome: tuple[Any, ...] = (None, None, None, None)
    if "score" in data:  # sealed after the one score; older debriefs have no copies
        from casesim.scoring.debrief import Debrief, score_text  # only when a debrief is read

        debrief = Debrief.model_validate(data)
        p = debrief.pace
        outcome = (score_text(debrief), p.decision_seconds if p else None, p.reading_seconds if p else None,
                   int(p.too_fast) if p else None)
    return DebriefResults(
        criteria={c["id"]: (c["framework"], c["raw"], c["worst"], c["best"], c["share"]) for c in data["criteria"]},
        competencies={c["id"]: (c["rating"], c["share"]) for c in data["competencies"]},
        outcome=outcome,
    )


@dataclass(frozen=True, slots=True)
class _Finding:
    kind: str  # "edited" | "moved" | "deleted" | "duplicate" | "relinked"
    position: int
    index: int | None = None
    moved_to: int | None = None


_Digest = Callable[[int, str, int], "str | None"]
"""(index of the item, previous hash, position) -> the hash the item would have there."""


def _locate(base: str, positions: Sequence[int], hashes: Sequence[str], digest: _Digest) -> list[_Finding]:
    """Find what breaks a chain: items (in stored order) with their positions and stored hashes.

    Each item is first checked against the stored hash of the item before it. One that fails is
    tried after every other hash of the chain (its predecessor was replaced or deleted), then at
    every other position (it was moved), and is otherwise reported as edited.
    """
    findings: list[_Finding] = []
    by_position: dict[int, int] = {}
    expected_seq = 1
    for index, position in enumerate(positions):
        if position in by_position:
            findings.append(_Finding("duplicate", position, index))
            continue
        by_position[position] = index
        while expected_seq < position:
            findings.append(_Finding("deleted", expected_seq))
            expected_seq += 1
        expected_seq = max(expected_seq, position + 1)

    def prev_stored(position: int) -> str | None:
        if position == 1:
            return base
        index = by_position.get(position - 1)
        return hashes[index] if index is not None else None

    expected: dict[int, str | None] = {}
    pending: list[int] = []
    for index, position in enumerate(positions):
        prev = prev_stored(position)
        value = digest(index, prev, position) if prev is not None else None
        expected[index] = value
        if value != hashes[index]:
            pending.append(index)
    if not pending:
        return findings

    pool = [base, *hashes, *(v for v in expected.values() if v is not None)]
    origin: dict[str, int] = {hashes[i]: positions[i] for i in range(len(positions)) if i not in pending}
    relinked: list[tuple[int, str]] = []
    for index in pending:
        position = positions[index]
        own_prev = next((p for p in pool if digest(index, p, position) == hashes[index]), None)
        if own_prev is not None:
            origin[hashes[index]] = position
            relinked.append((index, own_prev))
            continue
        moved_to = None
        for other in sorted(by_position):
            if other == position:
                continue
            prev = prev_stored(other)
            if prev is not None and digest(index, prev, other) == hashes[by_position[other]]:
                moved_to = other  # this item's content sits where another was recorded
                break
            if any(digest(index, p, other) == hashes[index] for p in pool):
                moved_to = other
                break
        if moved_to is not None:
            origin[hashes[index]] = moved_to
            findings.append(_Finding("moved", position, index, moved_to))
        elif position > 1 and (position - 1) not in by_position:
            pass  # follows a deleted item: it cannot be checked, and the deletion is reported
        else:
            findings.append(_Finding("edited", position, index))
    for index, own_prev in relinked:
        position = positions[index]
        before = by_position.get(position - 1)
        if position > 1 and before is None:
            continue  # the deletion before it is reported
        if origin.get(own_prev) == position - 1 or (before is not None and own_prev == expected.get(before)):
            continue  # its predecessor moved or had its hash edited; that is reported there
        findings.append(_Finding("relinked", position, index))
    return findings


def _event_hash(attempt_id: str, event: ChainEvent, prev: str, seq: int, key: bytes | None) -> str | None:
    try:
        payload = json.loads(event.payload)
    except ValueError:
        return None
    return event_digest(prev, attempt_id, seq, event.kind, event.at, payload, key)


def verify_attempt(attempt: ChainAttempt, events: Sequence[ChainEvent],
                   results: DebriefResults | None, key: bytes | None = None) -> list[VerifyProblem]:
    """Problems in one attempt: its events' chain, its head, its seal and its result copies."""
    problems: list[VerifyProblem] = []
    aid = attempt.id

    def report(kind: VerifyKind, seq: int | None, message: str) -> None:
        problems.append(VerifyProblem(kind, attempt.trainee_id, aid, seq, f"{attempt.label()}: {message}"))

    # 1-2. The chain of events.
    findings = _locate(attempt.hash, [e.seq for e in events], [e.hash for e in events],
                       lambda i, prev, seq: _event_hash(aid, events[i], prev, seq, key))
    for f in findings:
        if f.kind == "deleted":
            report("deleted", f.position, f"event {f.position} was deleted (the sequence skips it)")
        elif f.kind == "duplicate":
            report("added", f.position, f"event {f.position} appears twice")
        elif f.kind == "moved":
            report("reordered", f.position,
                   f"event {f.position} is out of order: it holds what was recorded as event {f.moved_to}")
        elif f.kind == "relinked":
            report("reordered", f.position, f"event {f.position} does not follow event {f.position - 1}: the "
                                            "events were reordered or one was replaced")
        else:
            kind = events[f.index].kind if f.index is not None else "?"
            report("edited", f.position,
                   f"event {f.position} ({kind}) was edited: its hash does not match its content")
    for event in events:
        if event.kind not in EVENT_KINDS:
            report("edited", event.seq, f"event {event.seq} has an unknown kind {event.kind!r}")
    hashes_by_seq = {e.seq: e.hash for e in events}

    # 3. Columns copied out of the payload for reports must agree with it.
    for event in events:
        try:
            payload = json.loads(event.payload)
        except ValueError:
            continue
        node = payload.get("node") if isinstance(payload, dict) else None
        choice = payload.get("choice") if isinstance(payload, dict) else None
        if event.node != (node if isinstance(node, str) else None) or \
                event.choice != (choice if isinstance(choice, str) else None):
            report("edited", event.seq,
                   f"event {event.seq}'s node/choice columns were edited (they differ from its payload)")

    # The path copied out of the events for reports (written at the seal) must be theirs; events
    # already reported (edited, moved, deleted) would only make it differ again.
    if attempt.path is not None and not problems and \
            attempt.path != path_text((e.kind, e.node, e.choice) for e in events):
        report("edited", None, "the stored path (the copy of its choices that reports read) was edited: it differs "
                               "from the attempt's events")

    # 4. The head: how many events there are and which is last.
    last_hash = events[-1].hash if events else attempt.hash
    last_seq = events[-1].seq if events else 0
    if attempt.event_count != last_seq or attempt.head_hash != last_hash:
        if attempt.event_count > last_seq and attempt.head_hash != last_hash:
            first = last_seq + 1
            which = f"event {first}" if first == attempt.event_count else f"events {first}-{attempt.event_count}"
            report("deleted", first,
                   f"{which} (the last) {'was' if first == attempt.event_count else 'were'} deleted")
        elif attempt.event_count == last_seq and attempt.head_hash in hashes_by_seq.values():
            moved = next(seq for seq, h in hashes_by_seq.items() if h == attempt.head_hash)
            report("reordered", moved,
                   f"event {moved} was recorded last but is no longer last: the events were reordered")
        elif attempt.head_hash == last_hash:
            report("edited", None, f"the attempt's event count was edited (it says {attempt.event_count}, "
                         f"the chain has {last_seq})")
        elif attempt.event_count < last_seq and attempt.event_count in hashes_by_seq and \
                hashes_by_seq[attempt.event_count] == attempt.head_hash:
            report("added", attempt.event_count + 1, f"events after {attempt.event_count} were added to the chain")
        else:
            report("edited", None, "the attempt's chain head was edited (it does not match its last event)")

    # 5. The seal over the outcome, and the result copies.
    debrief_sha = sha256_text(attempt.debrief) if attempt.debrief is not None else None
    if attempt.status == "in-progress":
        extra = [name for name, value in (("end time", attempt.ended_at), ("pass/fail", attempt.passed),
                                          ("share", attempt.share), ("debrief", attempt.debrief),
                                          ("seal", attempt.seal), ("verdict or pace", any(
                                              v is not None for v in attempt.outcome) or None))
                 if value is not None]
        if extra:
            report("edited", None,
                   f"an in-progress attempt has a {', '.join(extra)}: its status or outcome was edited")
    elif attempt.status not in ("completed", "left", "abandoned"):
        report("edited", None, f"the status {attempt.status!r} is not a status casesim writes")
    else:
        expected = seal_digest(attempt.head_hash, status=attempt.status, ended_at=attempt.ended_at,
                               passed=attempt.passed, share=attempt.share, event_count=attempt.event_count,
                               debrief_sha256=debrief_sha, key=key)
        if attempt.seal != expected:
            report("edited", None, "the outcome (status, end time, pass/fail, share or debrief) was edited after the "
                         "attempt was sealed")
    if results is not None:
        if attempt.debrief is None:
            if results.criteria or results.competencies:
                report("added", None, "result rows exist for an attempt without a debrief (they were added)")
            if attempt.status != "in-progress" and any(v is not None for v in attempt.outcome):
                report("added", None, "a verdict or pace flag was added to an attempt without a debrief")
        else:
            try:
                expected_results = debrief_results(attempt.debrief)
            except (ValueError, KeyError, TypeError):
                report("edited", None, "the stored debrief is not readable")
            else:
                if tuple(expected_results.outcome) != tuple(attempt.outcome):
                    report("edited", None, "the attempt's verdict or pace flag was edited (it differs from the "
                                           "debrief)")
                for table, want, have in (("criterion", expected_results.criteria, results.criteria),
                                          ("competency", expected_results.competencies, results.competencies)):
                    for name in sorted(set(want) | set(have)):
                        if name not in have:
                            report("deleted", None, f"the {table} result {name} was deleted")
                        elif name not in want:
                            report("added", None, f"a {table} result {name} was added")
                        elif tuple(want[name]) != tuple(have[name]):
                            report("edited", None, f"the {table} result {name} was edited (it differs from the debrief)")
    return problems


def verify_trainee(trainee: ChainTrainee | None, trainee_id: str,
                   attempts: Sequence[ChainAttempt], key: bytes | None = None) -> list[VerifyProblem]:
    """Problems in one trainee's chain of attempts (``attempts`` in trainee_seq order)."""
    problems: list[VerifyProblem] = []
    if trainee is None:
        for attempt in attempts:
            problems.append(VerifyProblem("deleted", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: its trainee {trainee_id} was deleted"))
    base = genesis(trainee_id, key)
    findings = _locate(base, [a.trainee_seq for a in attempts], [a.hash for a in attempts],
                       lambda i, prev, seq: attempt_digest(prev, attempts[i].header_at(seq), key))
    for f in findings:
        if f.kind == "deleted" or f.index is None:
            problems.append(VerifyProblem("deleted", trainee_id, None, None,
                                          f"trainee {trainee_id}: attempt #{f.position} was deleted"))
            continue
        attempt = attempts[f.index]
        if f.kind == "duplicate":
            problems.append(VerifyProblem("added", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: two attempts claim place #{f.position}"))
        elif f.kind == "moved":
            problems.append(VerifyProblem("reordered", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: out of order; it holds what was recorded as the "
                                          f"trainee's attempt #{f.moved_to}"))
        elif f.kind == "relinked":
            problems.append(VerifyProblem("reordered", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: does not follow the trainee's previous attempt "
                                          "(attempts were reordered or replaced)"))
        else:
            problems.append(VerifyProblem("edited", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: edited; its hash does not match its trainee, "
                                          "scenario, mode, seed, start, time or clinical sign-off"))
    # The stored prev_hash column is redundant with the chain; it must agree too.
    for index, attempt in enumerate(attempts):
        want = base if index == 0 and attempt.trainee_seq == 1 else (
            attempts[index - 1].hash if index > 0 and attempts[index - 1].trainee_seq == attempt.trainee_seq - 1
            else None)
        if want is not None and attempt.prev_hash != want and \
                attempt_digest(want, attempt.header(), key) == attempt.hash:
            problems.append(VerifyProblem("edited", trainee_id, attempt.id, None,
                                          f"{attempt.label()}: its stored link to the previous attempt was edited"))
    if trainee is not None:
        last_hash = attempts[-1].hash if attempts else base
        last_seq = attempts[-1].trainee_seq if attempts else 0
        if trainee.attempt_count != last_seq or trainee.head_hash != last_hash:
            if trainee.attempt_count > last_seq and trainee.head_hash != last_hash:
                problems.append(VerifyProblem("deleted", trainee_id, None, None,
                                              f"trainee {trainee_id}: attempt #{trainee.attempt_count} (the latest) "
                                              "was deleted"))
            elif trainee.head_hash == last_hash:
                problems.append(VerifyProblem("edited", trainee_id, None, None,
                                              f"trainee {trainee_id}: the attempt count was edited"))
            else:
                problems.append(VerifyProblem("edited", trainee_id, None, None,
                                              f"trainee {trainee_id}: the chain head was edited"))
    return problems


def verify_links(trainee_id: str, profile: TraineeProfile | None, links: Sequence[ChainLink],
                 attempts: Sequence[ChainAttempt], event_counts: Mapping[str, int],
                 key: bytes | None = None, *, head_explained: bool = False) -> list[VerifyProblem]:
    """Problems in a trainee's chain over everything (``links`` in position order).

    Recomputes the head over the hashes stored *now* in the rows the links name, so a row that
    was rewritten and rehashed (with casesim's own code) changes the head even when its own
    attempt chain verifies; and checks that every attempt, event and seal of the trainee is
    linked exactly once, in the order it was written, and that the profile row matches the last
    profile link. ``event_counts``: attempt id -> the number of event rows it has.
    ``head_explained``: problems were already found in this trainee's attempts, which change the
    head too; a changed head is then not reported again.
    """
    problems: list[VerifyProblem] = []

    def report(kind: VerifyKind, attempt_id: str | None, seq: int | None, message: str) -> None:
        problems.append(VerifyProblem(kind, trainee_id, attempt_id, seq, f"trainee {trainee_id}: {message}"))

    head, count, complete = genesis(trainee_id, key), 0, True
    expected_pos = 1
    by_attempt: dict[str, list[int]] = {}
    last_profile: str | None = None
    for link in links:
        if link.pos != expected_pos:
            if link.pos > expected_pos:
                report("deleted", None, None, f"link {expected_pos}"
                       + (f"-{link.pos - 1}" if link.pos - 1 > expected_pos else "")
                       + " of their chain was deleted")
            complete = False
        expected_pos = link.pos + 1
        if (link.attempt_id is None) != (link.seq is None) or (link.attempt_id is None) != (link.profile is not None):
            report("edited", link.attempt_id, None, f"link {link.pos} of their chain was edited (it names both a "
                                                    "profile and an attempt, or neither)")
            complete = False
            continue
        if link.attempt_id is None:
            try:
                value: Any = json.loads(link.profile or "")
            except ValueError:
                last_profile = link.profile
                report("edited", None, None, f"link {link.pos} (a profile) is not readable: it was edited")
                complete = False
                continue
            # a note (rekey, a new pseudonym key) is not a profile
            if not (isinstance(value, dict) and len(value) == 1 and set(value) <= _NOTES):
                last_profile = link.profile
            head, count = link_digest(head, "profile", value, key), count + 1
            continue
        seq = link.seq if link.seq is not None else 0
        by_attempt.setdefault(link.attempt_id, []).append(seq)
        if link.ref is None:
            complete = False
            what = ("the attempt" if seq == 0 else "its outcome (seal); the attempt was reopened or its seal cleared"
                    if seq < 0 else f"event {seq}")
            report("deleted", link.attempt_id, seq if seq > 0 else None,
                   f"attempt {link.attempt_id}: {what} was recorded in their chain (link {link.pos}) but is gone")
            continue
        kind: LinkKind = "start" if seq == 0 else "seal" if seq < 0 else "event"
        head, count = link_digest(head, kind, link.ref, key), count + 1
    if profile is None:
        if links:
            report("deleted", None, None, "the trainee was deleted, but their chain is still in the file")
        return problems
    if complete and count < profile.link_count:
        report("deleted", None, None, f"their chain had {profile.link_count} link(s); the last "
               f"{profile.link_count - count} were deleted with what they recorded")
    elif complete and not head_explained and (head != profile.head or count != profile.link_count):
        report("edited", None, None,
               "their chain head does not match what is stored now: an attempt, choice, outcome or profile "
               "was rewritten and rehashed, or the head itself was edited")
    elif not complete and profile.link_count != len(links):
        report("deleted", None, None, f"their chain had {profile.link_count} link(s); {len(links)} are left")
    for attempt in attempts:
        seqs = by_attempt.pop(attempt.id, [])
        n_events = event_counts.get(attempt.id, 0)
        if 0 not in seqs:
            report("added", attempt.id, None, f"{attempt.label()} is not in their chain: it was added outside casesim")
            continue
        events = [s for s in seqs if s > 0]
        if len(set(events)) != len(events):
            report("added", attempt.id, None, f"{attempt.label()}: an event is linked twice in their chain")
        missing = n_events - len(set(events))
        if missing > 0:
            report("added", attempt.id, None, f"{attempt.label()}: {missing} event(s) are not in their chain: "
                                              "they were added outside casesim")
        sealed = attempt.status != "in-progress" or attempt.seal is not None
        if sealed and -1 not in seqs:
            report("added", attempt.id, None, f"{attempt.label()}: its outcome is not in their chain: it was "
                                              "finished outside casesim")
        order = [s if s >= 0 else 1 << 62 for s in seqs]
        if order != sorted(order):
            report("reordered", attempt.id, None, f"{attempt.label()}: its start, events and outcome are linked out "
                                                  "of order in their chain")
    for attempt_id in sorted(by_attempt):
        if any(s == 0 for s in by_attempt[attempt_id]):
            report("deleted", attempt_id, None, f"attempt {attempt_id} is in their chain but was deleted")
    stored = canonical_json(profile_value(profile.display_name, profile.cohort, profile.created_at))
    if last_profile is None:
        report("added", None, None, "their name, cohort and creation time are not in their chain")
    else:
        try:
            linked = canonical_json(json.loads(last_profile))
        except ValueError:
            linked = None
        if linked is not None and linked != stored:
            report("edited", None, None, "their display name, cohort or creation time was edited outside casesim "
                                         "(it differs from the last one in their chain)")
    return problems


# --- the store's audit chain ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainAudit:
    """One stored audit entry, its list and detail columns as stored text (JSON)."""

    seq: int
    at: str
    actor: str
    action: str
    trainees: str
    cohort: str | None
    attempts: str
    purpose: str | None
    detail: str | None
    hash: str

    def value(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "trainees": _json_or_text(self.trainees), "cohort": self.cohort,
                "attempts": _json_or_text(self.attempts), "purpose": self.purpose,
                "detail": _json_or_text(self.detail)}

    def row(self) -> AuditRow:
        """The entry as the store's ``audit_log`` gives it, on every backend; an edited list or
        detail is shown as stored (``verify`` names the edit)."""
        def names(text: str) -> tuple[str, ...]:
            value = _json_or_text(text)
            return tuple(str(v) for v in value) if isinstance(value, list) else (text,)

        detail = _json_or_text(self.detail)
        action: AuditAction = self.action  # type: ignore[assignment]  # an edited action is shown as stored
        return AuditRow(actor=self.actor, action=action, trainees=names(self.trainees), cohort=self.cohort,
                        attempts=names(self.attempts), purpose=self.purpose,
                        detail=detail if detail is None or isinstance(detail, dict) else {"unreadable": self.detail},
                        seq=self.seq, at=self.at, hash=self.hash)


def verify_audit(entries: Sequence[ChainAudit], base: str, count: int | None, head: str | None,
                 key: bytes | None = None) -> list[VerifyProblem]:
    """Problems in the audit chain (``entries`` in seq order; ``base`` its genesis; ``count`` and
    ``head`` as the store keeps them, None when missing): an edited, deleted, added or reordered
    entry is named by its number."""
    problems: list[VerifyProblem] = []

    def report(kind: VerifyKind, message: str) -> None:
        problems.append(VerifyProblem(kind, None, None, None, f"audit log: {message}"))

    findings = _locate(base, [e.seq for e in entries], [e.hash for e in entries],
                       lambda i, prev, seq: audit_digest(prev, {**entries[i].value(), "seq": seq}, key))
    for f in findings:
        if f.kind == "deleted":
            report("deleted", f"entry {f.position} was deleted (the numbers skip it)")
        elif f.kind == "duplicate":
            report("added", f"entry {f.position} appears twice")
        elif f.kind == "moved":
            report("reordered", f"entry {f.position} holds what was recorded as entry {f.moved_to}")
        elif f.kind == "relinked":
            report("reordered", f"entry {f.position} does not follow entry {f.position - 1}: entries were "
                                "reordered or one was replaced")
        else:
            report("edited", f"entry {f.position} was edited: its hash does not match who, what, whose records, "
                             "when or why")
    last_seq = entries[-1].seq if entries else 0
    last_hash = entries[-1].hash if entries else base
    if count is None or head is None:
        if entries:
            report("deleted", "the head of the audit log is missing from the store (it was deleted)")
    elif count != last_seq or head != last_hash:
        if count > last_seq:
            report("deleted", f"entries {last_seq + 1}-{count} (the latest) were deleted" if count > last_seq + 1
                   else f"entry {count} (the latest) was deleted")
        elif count < last_seq:
            report("added", f"entries after {count} were added outside casesim")
        else:
            report("edited", "the head of the audit log was edited (it does not match its last entry)")
    return problems


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    """An assignment row as stored, for checking against the audit entry that made it."""

    id: str
    definition: dict[str, Any]
    removed_at: str | None
    removed_by: str | None


def verify_assignments(assignments: Sequence[StoredAssignment], entries: Sequence[ChainAudit]) -> list[VerifyProblem]:
    """Each assignment must be as its ``assign`` entry in the audit chain recorded it (and
    withdrawn only as an ``unassign`` entry says): what counts cannot be changed unnoticed."""
    made: dict[str, Any] = {}
    removed: dict[str, tuple[str, str]] = {}
    for entry in entries:
        detail = _json_or_text(entry.detail)
        if not isinstance(detail, dict) or not isinstance(detail.get("assignment"), dict):
            continue
        definition = detail["assignment"]
        aid = definition.get("id")
        if entry.action == "assign" and isinstance(aid, str):
            made[aid] = definition
        elif entry.action == "unassign" and isinstance(aid, str):
            removed[aid] = (entry.at, entry.actor)
    problems: list[VerifyProblem] = []
    for row in assignments:
        recorded = made.pop(row.id, None)
        if recorded is None:
            problems.append(VerifyProblem("added", None, None, None, f"assignment {row.id} is not in the audit log: "
                                                                     "it was added outside casesim"))
            continue
        if canonical_json(recorded) != canonical_json(row.definition):
            problems.append(VerifyProblem("edited", None, None, None,
                                          f"assignment {row.id} was edited (its cohort, scenario, version, mode, "
                                          "window, limit or counting rule differs from the audit log)"))
        want = removed.get(row.id)
        withdrawn = row.removed_at is not None or row.removed_by is not None  # either alone is an edit too
        have = (row.removed_at, row.removed_by) if withdrawn else None
        if want != have:
            problems.append(VerifyProblem("edited", None, None, None,
                                          f"assignment {row.id}: its withdrawal was "
                                          + ("cleared" if have is None else "added or edited")
                                          + " outside casesim (it differs from the audit log)"))
    for aid in sorted(made):
        problems.append(VerifyProblem("deleted", None, None, None,
                                      f"assignment {aid} was deleted (the audit log recorded it being made)"))
    return problems


def verify_roles(rows: Mapping[tuple[str, str, str], tuple[str, str]],
                 entries: Sequence[ChainAudit]) -> list[VerifyProblem]:
    """The roles table must be what the audit log's grants and revocations leave (``rows``:
    (actor, role, cohort or '') -> (granted_by, granted_at), as stored)."""
    held: dict[tuple[str, str, str], tuple[str, str]] = {}
    for entry in entries:
        detail = _json_or_text(entry.detail)
        role = detail.get("role") if isinstance(detail, dict) else None
        if not isinstance(role, dict) or entry.action not in ("grant", "revoke"):
            continue
        grant = (str(role.get("actor")), str(role.get("role")), str(role.get("cohort") or ""))
        if entry.action == "grant":
            held[grant] = (entry.actor, entry.at)
        else:
            held.pop(grant, None)
    problems: list[VerifyProblem] = []
    for grant in sorted(set(rows) | set(held)):
        actor, role_name, cohort = grant
        what = f"{actor} as {role_name}" + (f" of {cohort}" if cohort else "")
        if grant not in held:
            problems.append(VerifyProblem("added", None, None, None, f"roles: {what} was granted outside casesim "
                                                                     "(the audit log records no such grant)"))
        elif grant not in rows:
            problems.append(VerifyProblem("deleted", None, None, None, f"roles: {what} was removed outside casesim "
                                                                       "(the audit log records no revocation)"))
        elif rows[grant] != held[grant]:
            problems.append(VerifyProblem("edited", None, None, None, f"roles: the grant of {what} was edited"))
    return problems


# --- the walk over a store's rows, for every backend -----------------------------------------
#
# The SQL below is plain enough for SQLite and PostgreSQL alike (``?`` placeholders; a backend's
# ``Rows`` turns them into its own). Each backend only runs it inside its read snapshot and says
# where its few differences are (:class:`StoreLayout`).


class Rows(Protocol):
    """Run one read-only query (``?`` placeholders) in the caller's snapshot; its rows, in order."""

    def __call__(self, sql: str, params: Sequence[Any] = (), /) -> Iterable[Sequence[Any]]: ...


@dataclass(frozen=True, slots=True)
class StoreLayout:
    """Where a backend keeps what the walk reads beyond the tables both share."""

    pseudonym_sql: str
    """A query for the one row (key, value) of the store's pseudonym key."""
    late_columns: str = "cohort, imported, assignment, section, term, path"
    """The attempt columns added by later migrations (an old SQLite file read by its re-chain
    migration gives NULLs for those it lacks yet)."""
    has_audit: bool = True
    """Whether the store has the audit, roles and assignments tables yet."""


class HeadMatch(NamedTuple):
    """Where a head given back (``records verify --against``) sits in a trainee's chain today."""

    trainee_id: str
    link: int
    """The head is the trainee's head after this many links."""
    links: int
    """How many links the trainee has now (``links - link`` were added since the head was printed)."""
    attempts: int
    """How many of the trainee's attempts had started by then."""


_LINK_ROWS = ("SELECT l.trainee_id, l.pos, l.attempt_n, l.seq, l.profile, a.id, "
              "CASE WHEN l.seq = 0 THEN a.hash WHEN l.seq < 0 THEN a.seal ELSE e.hash END "
              "FROM links l LEFT JOIN attempts a ON a.n = l.attempt_n "
              "LEFT JOIN events e ON l.seq > 0 AND e.attempt_n = l.attempt_n AND e.seq = l.seq")


def find_head(rows: Rows, target: str, key: bytes | None) -> HeadMatch | None:
    """The trainee and place where ``target`` is the head of a chain recomputed from the rows as
    they are now; None when it is nobody's head at any point (something before it changed)."""
    for tid, group in groupby(rows(_LINK_ROWS + " ORDER BY l.trainee_id, l.pos"), key=lambda r: str(r[0])):
        head, count, attempts = genesis(tid, key), 0, 0
        items = list(group)
        for _, _, n, seq, profile, _, ref in items:
            if n is None:
                try:
                    value: Any = json.loads(profile or "")
                except ValueError:
                    break
                kind: LinkKind = "profile"
            else:
                if ref is None:
                    break
                value = ref
                kind = "start" if seq == 0 else "seal" if seq < 0 else "event"
                attempts += seq == 0
            head, count = link_digest(head, kind, value, key), count + 1
            if head == target:
                return HeadMatch(tid, count, len(items), attempts)
    return None


def chain_attempts(rows: Rows, layout: StoreLayout, scope: str = "", params: Sequence[Any] = (),
                   problems: list[VerifyProblem] | None = None) -> dict[int, ChainAttempt]:
    """Every attempt's chain columns by internal number, in trainee and sequence order (``scope``:
    a WHERE clause over ``attempts``); a pass/fail value casesim never writes goes to ``problems``."""
    attempts: dict[int, ChainAttempt] = {}
    for r in rows("SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, "
                  "start_node, started_at, prev_hash, hash, event_count, head_hash, status, ended_at, passed, share, "
                  f"debrief, seal, signoff, verdict, decision_seconds, reading_seconds, too_fast, {layout.late_columns} "
                  f"FROM attempts{scope} ORDER BY trainee_id, trainee_seq", params):
        if r[17] not in (None, 0, 1) and problems is not None:
            problems.append(VerifyProblem("edited", r[2], r[1], None, f"attempt {r[1]}: its pass/fail value "
                                                                      f"{r[17]!r} was edited (casesim writes 0 or 1)"))
        attempts[int(r[0])] = ChainAttempt(
            id=r[1], trainee_id=r[2], trainee_seq=int(r[3]), scenario_id=r[4], scenario_version=r[5],
            content_hash=r[6], mode=r[7], seed=int(r[8]), start_node=r[9], started_at=r[10], prev_hash=r[11],
            hash=r[12], event_count=int(r[13]), head_hash=r[14], status=r[15], ended_at=r[16],
            passed=None if r[17] is None else bool(r[17]), share=r[18], debrief=r[19], seal=r[20], signoff=r[21],
            outcome=tuple(r[22:26]), cohort=r[26], imported=r[27], assignment=r[28], section=r[29], term=r[30],
            path=r[31])
    return attempts


def _walk_roster(rows: Rows, layout: StoreLayout, key: bytes | None) -> list[VerifyProblem]:
    """The roster: every trainee in the order added, over the store's id and pseudonym key."""
    meta = {str(k): str(v) for k, v in rows("SELECT key, value FROM meta WHERE key IN ('store_id', 'roster_head', "
                                            "'roster_count')")}
    meta.update({str(k): str(v) for k, v in rows(layout.pseudonym_sql)})
    head = roster_genesis(meta.get("store_id", ""), sha256_text(meta.get("pseudonym_key", "")), key)
    problems: list[VerifyProblem] = []
    expected = 1
    for pos, tid in rows("SELECT roster_pos, id FROM trainees ORDER BY roster_pos, id"):
        if pos != expected:
            problems.append(VerifyProblem("edited" if pos is None or pos < expected else "deleted", str(tid), None,
                                          None, f"trainee {tid}: their place in the roster of trainees is "
                                          f"{pos}, where {expected} was expected: a trainee was deleted whole, "
                                          "or added or renumbered outside casesim"))
            expected = (pos or expected) + 1
            continue
        head = roster_digest(head, str(tid), key)
        expected += 1
    if not problems and (head != meta.get("roster_head") or str(expected - 1) != meta.get("roster_count")):
        problems.append(VerifyProblem("edited", None, None, None,
                                      "the roster of trainees does not match: a trainee was deleted whole or added "
                                      "outside casesim, a trainee id was changed, or the store's pseudonym key (which "
                                      "names every trainee in xAPI exports) was changed"))
    return problems


def audit_entries(rows: Rows) -> list[ChainAudit]:
    """Every audit row in order as stored."""
    return [ChainAudit(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows(
        "SELECT seq, at, actor, action, trainees, cohort, attempts, purpose, detail, hash FROM audit ORDER BY seq")]


def _walk_program(rows: Rows, key: bytes | None) -> list[VerifyProblem]:
    """The audit chain against its head in ``meta`` ('' or no row: no entry yet), and the
    assignments and roles against the audit entries that made them."""
    meta = {str(k): str(v) for k, v in rows("SELECT key, value FROM meta WHERE key IN ('store_id', 'audit_count', "
                                            "'audit_head')")}
    raw_count = meta.get("audit_count")
    count = int(raw_count) if raw_count is not None and raw_count.isdigit() else None
    genesis_hash = audit_genesis(meta.get("store_id", ""), key)
    head = meta.get("audit_head") or (genesis_hash if count == 0 else None)
    entries = audit_entries(rows)
    problems = verify_audit(entries, genesis_hash, count, head, key)
    if raw_count is not None and count is None:
        problems.append(VerifyProblem("edited", None, None, None, "audit log: its entry count in the meta table was "
                                                                  f"edited ({raw_count!r})"))
    stored = [StoredAssignment(str(r[0]), {"id": r[0], "cohort": r[1], "scenario_id": r[2], "scenario_version": r[3],
                                           "content_hash": r[4], "mode": r[5], "opens_at": r[6], "closes_at": r[7],
                                           "attempt_limit": r[8], "counting": r[9], "created_by": r[10],
                                           "created_at": r[11]}, r[12], r[13])
              for r in rows("SELECT id, cohort, scenario_id, scenario_version, content_hash, mode, opens_at, "
                            "closes_at, attempt_limit, counting, created_by, created_at, removed_at, removed_by "
                            "FROM assignments ORDER BY id")]
    problems.extend(verify_assignments(stored, entries))
    problems.extend(verify_roles({(str(r[0]), str(r[1]), str(r[2])): (str(r[3]), str(r[4])) for r in rows(
        "SELECT actor, role, cohort, granted_by, granted_at FROM roles")}, entries))
    return problems


def _walk_links(rows: Rows, trainee_id: str | None, key: bytes | None, attempts: dict[int, ChainAttempt],
                explained: set[str | None]) -> list[VerifyProblem]:
    """The trainee chains over everything: each link joined to the row it names, in order
    (``explained``: trainees with problems found already, whose changed head says nothing new)."""
    scope, params = ("", ()) if trainee_id is None else (" WHERE t.id = ?", (trainee_id,))
    profiles = {r[0]: TraineeProfile(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows(
        "SELECT id, display_name, cohort, created_at, link_count, chain_head FROM trainees t" + scope, params)}
    counts = {int(n): int(c) for n, c in rows(
        "SELECT attempt_n, count(*) FROM events" + ("" if trainee_id is None else
                                                    " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)")
        + " GROUP BY attempt_n", params)}
    by_id = {a.id: n for n, a in attempts.items()}
    by_trainee: dict[str, list[ChainAttempt]] = {}
    for attempt in attempts.values():
        by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
    problems: list[VerifyProblem] = []
    seen: set[str] = set()
    lscope = "" if trainee_id is None else " WHERE l.trainee_id = ?"
    for tid, group in groupby(rows(f"{_LINK_ROWS}{lscope} ORDER BY l.trainee_id, l.pos", params),
                              key=lambda r: str(r[0])):
        seen.add(tid)
        links = [ChainLink(int(r[1]), (r[5] or f"#{r[2]}") if r[2] is not None else None,
                           None if r[3] is None else int(r[3]), r[4], r[6]) for r in group]
        mine = by_trainee.get(tid, [])
        problems.extend(verify_links(tid, profiles.get(tid), links, mine,
                                     {a.id: counts.get(by_id[a.id], 0) for a in mine}, key,
                                     head_explained=tid in explained))
    for tid in sorted(set(profiles) - seen):
        mine = by_trainee.get(tid, [])
        problems.extend(verify_links(tid, profiles[tid], [], mine, {a.id: counts.get(by_id[a.id], 0) for a in mine},
                                     key))
    return problems


def walk_store(rows: Rows, layout: StoreLayout, where: object, trainee_id: str | None = None, *,
               key: bytes | None = None) -> list[VerifyProblem]:
    """Every problem in a store's hash chains, attempt by attempt and event by event, read with
    ``rows`` (the caller holds one snapshot): the attempts and events, the trainee chains, and,
    for the whole store, the roster and the audit chain with the roles and assignments.

    With ``trainee_id``, only that trainee's chain, attempts and events are checked; rows that
    belong to nobody are then not looked for. Raises :class:`NotFoundError` when the trainee has
    neither a row nor attempts (``where`` names the store in that message)."""
    problems: list[VerifyProblem] = []
    scope, params = ("", ()) if trainee_id is None else (" WHERE trainee_id = ?", (trainee_id,))
    of_scope = "" if trainee_id is None else " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)"
    trainees = {r[0]: ChainTrainee(r[0], int(r[1]), r[2]) for r in rows(
        "SELECT id, attempt_count, head_hash FROM trainees" + scope.replace("trainee_id", "id"), params)}
    attempts = chain_attempts(rows, layout, scope, params, problems)
    if trainee_id is not None and not trainees and not attempts:
        raise NotFoundError(f"there is no trainee {trainee_id} in {where}", title="no such trainee")
    by_trainee: dict[str, list[ChainAttempt]] = {}
    for attempt in attempts.values():
        by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
    for tid in sorted(set(trainees) | set(by_trainee)):
        problems.extend(verify_trainee(trainees.get(tid), tid, by_trainee.get(tid, []), key))
    results: dict[int, DebriefResults] = {}
    for n, cid, *values in rows("SELECT attempt_n, criterion, framework, raw, worst, best, share "
                                f"FROM criterion_results{of_scope}", params):
        results.setdefault(int(n), DebriefResults()).criteria[cid] = tuple(values)
    for n, cid, *values in rows(f"SELECT attempt_n, competency, rating, share FROM competency_results{of_scope}",
                                params):
        results.setdefault(int(n), DebriefResults()).competencies[cid] = tuple(values)
    for n in sorted(set(results) - set(attempts)):
        problems.append(VerifyProblem("orphaned", None, None, None, f"result rows belong to no attempt "
                                                                    f"(internal number {n}): their attempt "
                                                                    "was deleted"))
    checked: set[int] = set()
    current: int | None = None
    batch: list[ChainEvent] = []

    def flush() -> None:
        if current is None:
            return
        attempt = attempts.get(current)
        if attempt is None:
            problems.append(VerifyProblem("orphaned", None, None, None,
                                          f"{len(batch)} event(s) belong to no attempt (internal number "
                                          f"{current}): their attempt was deleted"))
            return
        checked.add(current)
        problems.extend(verify_attempt(attempt, batch, results.get(current, DebriefResults()), key))

    for r in rows(f"SELECT attempt_n, seq, kind, at, node, choice, payload, hash FROM events{of_scope} "
                  "ORDER BY attempt_n, seq", params):
        n = int(r[0])
        if n != current:
            flush()
            current, batch = n, []
        batch.append(ChainEvent(int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]))
    flush()
    for n, attempt in attempts.items():
        if n not in checked:
            problems.extend(verify_attempt(attempt, [], results.get(n, DebriefResults()), key))
    if trainee_id is None:
        problems.extend(_walk_roster(rows, layout, key))
        if layout.has_audit:
            problems.extend(_walk_program(rows, key))
    explained = {p.trainee_id for p in problems}
    problems.extend(_walk_links(rows, trainee_id, key, attempts, explained))
    return problems
