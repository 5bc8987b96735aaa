"""The hash chain that makes the record tamper-evident, and the timestamps it covers.

Backend-independent: SQLite and a later PostgreSQL store compute the same digests from the same
values, so a record moved between them verifies the same way.

Three links, all SHA-256 in lower-case hex:

* **attempt** — ``H(prev, header)``: ``prev`` is the trainee's previous attempt hash (or the
  trainee's genesis hash), ``header`` the attempt's fixed fields including its place in the
  trainee's sequence and, when the scenario had a valid clinical sign-off as the attempt began,
  that sign-off (reviewer, credential, date, content hash; the key is absent otherwise, so
  attempts recorded before sign-offs existed keep their hashes). Attempts therefore form one
  chain per trainee, and an attempt cannot be turned from a trial into evidence unnoticed.
* **event** — ``H(prev, row)``: ``prev`` is the previous event's hash (or the attempt hash for
  event 1); ``row`` is the event's attempt id, seq, kind, time and payload.
* **seal** — ``H(head, outcome)``: written when an attempt finishes; ``head`` is the last event's
  hash, ``outcome`` the status, end time, pass/share, event count and the debrief's SHA-256.
* **trainee link** — ``H(head, link)``: the trainee's chain over *everything* recorded about
  them, in the order it was written: each profile (name, cohort, creation time), each attempt
  hash, each event hash and each seal. Its head is what ``records verify`` and the PDF print,
  so no attempt, choice or outcome can change without changing it (:func:`link_digest`).
* **audit** — ``H(prev, entry)``: the store's own chain of disclosures and governance (who
  viewed or exported which records, role grants, assignments), from :func:`audit_genesis`
  (:func:`audit_digest`); FERPA's record of disclosures, tamper-evident like the rest.
* **store head** — ``H("casesim:store", {store, trainees})`` over every trainee's head in id
  order, then, once the audit log has entries, ``H(that, {audit: [entries, head]})``, so a
  deleted or forged trainee, or an edited or deleted audit entry, changes it too
  (:func:`store_digest`, :func:`store_with_audit`; a store's head before its first audit entry
  is what it always was).

``H(prev, value) = sha256(prev + "\\n" + canonical_json(value))``; in a *keyed* store it is
``HMAC-SHA256(key, prev + "\\n" + canonical_json(value))`` with a key kept outside the
database (:mod:`casesim.records.keys`), so nobody without the key can compute a hash that verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "LinkKind",
    "audit_digest",
    "audit_genesis",
    "WallClock",
    "attempt_digest",
    "attempt_header",
    "canonical_json",
    "event_digest",
    "genesis",
    "iso_utc",
    "link_digest",
    "roster_digest",
    "roster_genesis",
    "store_digest",
    "store_with_audit",
    "parse_iso",
    "seal_digest",
    "sha256_text",
    "utc_now",
]

WallClock = Callable[[], datetime]
"""Where record timestamps come from: the time of day, in UTC (tests pass a fixed one)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-11-22T10:00:00.000000Z``: fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso_utc` (accepts any ISO-8601 form Python reads)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, no NaN: one text for one value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(text: str, key: bytes | None) -> str:
    if key is None:
        return sha256_text(text)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _link(prev: str, value: Any, key: bytes | None = None) -> str:
    return _digest(prev + "\n" + canonical_json(value), key)


def genesis(trainee_id: str, key: bytes | None = None) -> str:
    """The hash a trainee's first attempt (and their first trainee link) links to."""
    return _digest("casesim:trainee:" + trainee_id, key)


def attempt_header(*, id: str, trainee_id: str, trainee_seq: int, scenario_id: str, scenario_version: str,
                   content_hash: str, mode: str, seed: int, start_node: str, started_at: str,
                   signoff: Any = None, cohort: str | None = None, imported: Any = None,
                   assignment: str | None = None, section: str | None = None,
                   term: str | None = None) -> dict[str, Any]:
    """The fixed fields of an attempt that its hash covers (``signoff``: the sign-off's fields,
    or None for a trial, which leaves the key out; ``cohort``: the trainee's cohort as the attempt
    began, left out when they had none, so attempts recorded before cohorts were stamped keep
    their hashes; ``imported``: where an imported attempt came from, left out otherwise;
    ``assignment``: the id of the assignment the attempt was started under, left out when none;
    ``section`` and ``term``: the cohort's section and term as the attempt began, each left out
    when it had none, so attempts recorded before they were stamped keep their hashes)."""
    header = {"id": id, "trainee_id": trainee_id, "trainee_seq": trainee_seq, "scenario_id": scenario_id,
              "scenario_version": scenario_version, "content_hash": content_hash, "mode": mode, "seed": seed,
              "start_node": start_node, "started_at": started_at}
    if signoff is not None:
        header["signoff"] = signoff
    if cohort is not None:
        header["cohort"] = cohort
    if imported is not None:
        header["imported"] = imported
    if assignment is not None:
        header["assignment"] = assignment
    if section is not None:
        header["section"] = section
    if term is not None:
        header["term"] = term
    return header


def attempt_digest(prev: str, header: Mapping[str, Any], key: bytes | None = None) -> str:
    return _link(prev, dict(header), key)


def event_digest(prev: str, attempt_id: str, seq: int, kind: str, at: str, payload: Any,
                 key: bytes | None = None) -> str:
    return _link(prev, {"attempt_id": attempt_id, "seq": seq, "kind": kind, "at": at, "payload": payload}, key)


def seal_digest(head: str, *, status: str, ended_at: str | None, passed: bool | None, share: float | None,
                event_count: int, debrief_sha256: str | None, key: bytes | None = None) -> str:
    return _link(head, {"status": status, "ended_at": ended_at, "passed": passed, "share": share,
                        "event_count": event_count, "debrief_sha256": debrief_sha256}, key)


LinkKind = Literal["profile", "start", "event", "seal"]


def link_digest(head: str, kind: LinkKind, value: Any, key: bytes | None = None) -> str:
    """The trainee's next head: ``value`` is the profile (a dict) or the attempt, event or seal hash."""
    return _link(head, {"link": kind, "value": value}, key)


def store_digest(store_id: str, pseudonym_key_sha256: str, heads: Sequence[tuple[str, int, str]],
                 key: bytes | None = None, audit: tuple[int, str] | None = None) -> str:
    """The store-wide head: the store's identity and every trainee's (id, links, head) in id order,
    and the audit chain's (entries, head) once it has any entry.

    The pseudonym key is covered by its SHA-256, so a changed key (which re-identifies every
    xAPI actor) changes the head without the head revealing the key."""
    base = _link("casesim:store", {"store_id": store_id, "pseudonym_key_sha256": pseudonym_key_sha256,
                                   "trainees": [list(h) for h in sorted(heads)]}, key)
    return base if audit is None or audit[0] == 0 else store_with_audit(base, audit, key)


def store_with_audit(base: str, audit: tuple[int, str], key: bytes | None = None) -> str:
    """The store head once the audit log has entries: the head over the trainees (``base``, what
    the store head was before the first entry) linked to the audit chain's (entries, head). Kept
    apart so a head printed before later audit entries is found by re-linking ``base`` only."""
    return _link(base, {"audit": [audit[0], audit[1]]}, key)


def audit_genesis(store_id: str, key: bytes | None = None) -> str:
    """Where the store's audit chain starts (its first entry links to this)."""
    return _digest("casesim:audit:" + store_id, key)


def audit_digest(prev: str, entry: Mapping[str, Any], key: bytes | None = None) -> str:
    """The audit chain after one more entry (its seq, time, actor, action, records, purpose, detail)."""
    return _link(prev, dict(entry), key)


def roster_genesis(store_id: str, pseudonym_key_sha256: str, key: bytes | None = None) -> str:
    """Where the roster of trainees starts: the store's identity and its pseudonym key (by hash)."""
    return _link("casesim:roster", {"store_id": store_id, "pseudonym_key_sha256": pseudonym_key_sha256}, key)


def roster_digest(head: str, trainee_id: str, key: bytes | None = None) -> str:
    """The roster after one more trainee: every trainee, in the order they were added, so a
    trainee deleted whole (row, attempts, events and chain) is missed by verify, not only by a head."""
    return _link(head, {"trainee": trainee_id}, key)
