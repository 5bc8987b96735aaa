"""Reading a JSON Lines archive back: verify its chains, then merge it (``records import``).

An archive written by ``casesim export jsonl`` carries each attempt's chain as stored (its
hash, the hash before it, every event hash, the seal, the exact debrief and sign-off text). Before
anything is merged, every attempt is checked here with casesim's own digests: the attempt hash
over its header, each event over the one before, the seal over the outcome and the debrief, and,
between attempts of one trainee that are both in the archive, that each links to the one before.
One failure refuses the whole archive (nothing is merged). An attempt missing between two that
are there is counted (``gaps``) but cannot be told from a filtered export: the archive does not
prove it is complete.

What a verified archive proves depends on its key:

* hashes that verify with **this store's record key** (HMAC) were written by a casesim that held
  the key: the attempts are *trusted* and keep their mode (an assessment stays evidence);
* hashes that verify **without a key** (plain SHA-256) show the archive is intact as written, but
  anyone can compute them: its attempts are merged as *practice only* (never counted as evidence),
  with their original mode kept in the import note;
* hashes made with **another key** cannot be checked here, and the archive is refused.

Merged attempts keep their ids (an attempt already in the store is skipped, so importing twice
merges nothing), times, events and outcome, and are linked into this store's chains with this
store's hashes; their header records ``imported`` (source store, original hash, trusted, original
mode, time of import), which the chain covers and reports show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casesim.format.scenario import Mode
from casesim.format.signoff import SignOff
from casesim.records.api import EVENT_KINDS, ImportedAttempt
from casesim.records.chain import (
    attempt_digest,
    attempt_header,
    event_digest,
    genesis,
    seal_digest,
    sha256_text,
)
from casesim.scoring.debrief import Debrief

__all__ = ["ArchiveAttempt", "ArchiveCheck", "check_archive", "to_import"]


@dataclass(frozen=True, slots=True)
class ArchiveAttempt:
    """One verified archive line."""

    line: int
    record: Mapping[str, Any]
    trusted: bool
    """Its hashes verify with this store's record key."""


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    attempts: tuple[ArchiveAttempt, ...]
    problems: tuple[str, ...]
    gaps: int = 0
    """Attempts of the archive's trainees missing between the ones it holds: expected in a
    filtered export (``--since``), but an attempt removed from a full archive looks the same."""


class _Bad(Exception):
    pass


def _get(mapping: Any, key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if not isinstance(mapping, Mapping) or (key not in mapping and not optional):
        raise _Bad(f"{where}: {key!r} is missing")
    value = mapping.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Bad(f"{where}: {key!r} has the wrong type")
    return value


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _check_one(record: Any, where: str, key: bytes | None) -> tuple[str, bytes | None]:
    """The attempt hash of a verified record and the key it verified with (None: no key)."""
    attempt = _get(record, "attempt", dict, where)
    chain = _get(record, "chain", dict, where)
    events = _get(record, "events", list, where)
    attempt_id = _get(attempt, "id", str, where)
    where = f"{where} (attempt {attempt_id})"
    try:
        header = attempt_header(
            id=attempt_id, trainee_id=_get(attempt, "trainee_id", str, where),
            trainee_seq=_get(chain, "trainee_seq", int, where), scenario_id=_get(attempt, "scenario_id", str, where),
            scenario_version=_get(attempt, "scenario_version", str, where),
            content_hash=_get(attempt, "content_hash", str, where), mode=_get(attempt, "mode", str, where),
            seed=_get(attempt, "seed", int, where), start_node=_get(attempt, "start_node", str, where),
            started_at=_get(attempt, "started_at", str, where),
            signoff=_loads(_get(chain, "signoff_text", str, where, optional=True)),
            cohort=_get(chain, "cohort", str, where, optional=True),
            imported=_loads(_get(chain, "imported_text", str, where, optional=True)),
            assignment=_get(chain, "assignment", str, where, optional=True),
            section=_get(chain, "section", str, where, optional=True),
            term=_get(chain, "term", str, where, optional=True))
    except ValueError as exc:
        raise _Bad(f"{where}: a stored JSON text cannot be read ({exc})") from exc
    prev, digest = _get(chain, "prev_hash", str, where), _get(chain, "hash", str, where)
    candidates = ([key] if key is not None else []) + [None]
    used = next((k for k in candidates if attempt_digest(prev, header, k) == digest), "none")
    if used == "none":
        if chain.get("chain_mode") == "hmac-sha256" and key is None:
            raise _Bad(f"{where}: the archive comes from a keyed store and no record key was given, so its "
                       "hashes cannot be checked")
        raise _Bad(f"{where}: the attempt hash does not match its header (edited, or signed with a key this "
                   "store does not hold)")
    k = used if isinstance(used, bytes) else None
    head, count = digest, 0
    for index, event in enumerate(events, 1):
        seq = _get(event, "seq", int, where)
        kind = _get(event, "kind", str, where)
        if seq != index or kind not in EVENT_KINDS:
            raise _Bad(f"{where}: event {seq} is out of order or of an unknown kind")
        head = event_digest(head, attempt_id, seq, kind, _get(event, "at", str, where),
                            _get(event, "payload", dict, where), k)
        if head != event.get("hash"):
            raise _Bad(f"{where}: event {seq} was edited, inserted or removed (its hash does not match)")
        count = seq
    if count != _get(chain, "event_count", int, where) or head != chain.get("head_hash"):
        raise _Bad(f"{where}: events were cut from the end (the attempt's head does not match)")
    status = _get(attempt, "status", str, where)
    if status != "in-progress":
        debrief_text = _get(chain, "debrief_text", str, where, optional=True)
        passed = attempt.get("passed")
        expected = seal_digest(head, status=status, ended_at=attempt.get("ended_at"),
                               passed=None if passed is None else bool(passed), share=attempt.get("share"),
                               event_count=count,
                               debrief_sha256=sha256_text(debrief_text) if debrief_text is not None else None, key=k)
        if chain.get("seal") != expected:
            raise _Bad(f"{where}: the outcome (status, end time, pass/fail, score or debrief) was edited after it "
                       "was sealed")
    return digest, k


def check_archive(lines: Iterable[str], key: bytes | None) -> ArchiveCheck:
    """Parse and verify every line of an archive (``key``: this store's record key, if keyed)."""
    verified: list[ArchiveAttempt] = []
    problems: list[str] = []
    seen: set[str] = set()
    by_trainee: dict[tuple[str, str], dict[int, tuple[str, str, bytes | None]]] = {}
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(text)
            digest, used = _check_one(record, where, key)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg})")
            continue
        except _Bad as exc:
            problems.append(str(exc))
            continue
        attempt, chain = record["attempt"], record["chain"]
        if attempt["id"] in seen:
            problems.append(f"{where}: attempt {attempt['id']} appears twice in the archive")
            continue
        seen.add(attempt["id"])
        group = by_trainee.setdefault((str(chain.get("store_id")), attempt["trainee_id"]), {})
        group[chain["trainee_seq"]] = (chain["prev_hash"], digest, used)
        verified.append(ArchiveAttempt(number, record, used is not None and used == key))
    gaps = 0
    for (_, trainee), chain_of in by_trainee.items():
        gaps += max(chain_of) - min(chain_of) + 1 - len(chain_of)
        for seq, (prev, _, used) in sorted(chain_of.items()):
            before = chain_of.get(seq - 1)
            if seq == 1 and prev != genesis(trainee, used):
                problems.append(f"trainee {trainee}: their first attempt does not start their chain")
            elif before is not None and prev != before[1]:
                problems.append(f"trainee {trainee}: attempt {seq} does not follow attempt {seq - 1} (one was "
                                "edited, or an attempt between them was removed)")
    return ArchiveCheck(tuple(verified), tuple(problems), gaps)


def to_import(item: ArchiveAttempt, *, imported_at: str) -> ImportedAttempt:
    """What the store merges for a verified line: practice only unless trusted."""
    record = item.record
    attempt, chain, trainee = record["attempt"], record["chain"], record.get("trainee") or {}
    signoff_text = chain.get("signoff_text")
    signoff = SignOff.from_dict(json.loads(signoff_text)) if signoff_text else None
    debrief_text = chain.get("debrief_text")
    mode: Mode = "assessment" if item.trusted and attempt["mode"] == "assessment" else "practice"
    events: Sequence[Mapping[str, Any]] = record["events"]
    return ImportedAttempt(
        attempt_id=attempt["id"], trainee_id=attempt["trainee_id"],
        display_name=str(trainee.get("display_name") or attempt["trainee_id"]),
        trainee_cohort=trainee.get("cohort") if isinstance(trainee.get("cohort"), str) else None,
        scenario_id=attempt["scenario_id"], scenario_version=attempt["scenario_version"],
        content_hash=attempt["content_hash"], mode=mode, seed=attempt["seed"], start_node=attempt["start_node"],
        started_at=attempt["started_at"], signoff=signoff, cohort=chain.get("cohort"),
        section=chain.get("section"), term=chain.get("term"),
        imported={"from_store": str(chain.get("store_id")), "original_hash": chain["hash"],
                  "trusted": item.trusted, "original_mode": attempt["mode"], "imported_at": imported_at},
        events=tuple((e["kind"], e["at"], e["payload"]) for e in events),
        status=attempt["status"], ended_at=attempt.get("ended_at"),
        debrief=Debrief.model_validate_json(debrief_text) if debrief_text else None)
