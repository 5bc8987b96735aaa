"""JSON Lines for archives: one record per attempt with its trainee, every event, and the debrief.

Each record also carries the attempt's chain as stored (``chain``: the store's id and chain mode,
the attempt's place in its trainee's sequence, its hash and the hash before it, the seal, the exact
debrief and sign-off text the hashes cover) and each event its hash, so the archive can be
verified away from the store and merged into another one (``casesim records import``; see
:mod:`casesim.records.archive`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from casesim.records.api import RecordStore
from casesim.records.damage import readable_debrief
from casesim.records.evidence import evidence_kind
from casesim.records.export.selection import Selection, selected_attempts
from casesim.records.reports import export_evidence

__all__ = ["jsonl_records", "write_jsonl"]


def jsonl_records(store: RecordStore, *, trainee_id: str | None = None, cohort: str | None = None,
                  notes: list[str] | None = None, selection: Selection | None = None) -> Iterator[dict[str, Any]]:
    """One archive record per attempt: the attempt, its trainee, every event, and the debrief
    (an attempt whose debrief is damaged is left out, with a note in ``notes``)."""
    attempts, trainees = selected_attempts(store, trainee_id, cohort, selection)
    kinds = export_evidence(store, attempts)  # assignments applied, as the reports count
    for a in attempts:
        trainee = trainees.get(a.trainee_id)
        readable, debrief = readable_debrief(store, a, notes)
        if not readable:
            continue
        chain = store.chain_record(a.id)
        yield {
            "attempt": {"id": a.id, "trainee_id": a.trainee_id, "scenario_id": a.scenario_id,
                        "scenario_version": a.scenario_version, "content_hash": a.content_hash, "mode": a.mode,
                        "seed": a.seed, "start_node": a.start_node, "started_at": a.started_at,
                        "ended_at": a.ended_at, "status": a.status, "passed": a.passed, "share": a.share,
                        "signoff": a.signoff.as_dict() if a.signoff is not None else None,
                        "evidence": kinds.get(a.id) or evidence_kind(a.mode, a.signoff is not None)},
            "trainee": None if trainee is None else {"id": trainee.id, "display_name": trainee.display_name,
                                                     "cohort": trainee.cohort},
            "events": [{"seq": e.seq, "kind": e.kind, "at": e.at, "payload": dict(e.payload),
                        "hash": chain["event_hashes"].get(e.seq)} for e in store.events(a.id)],
            "chain": {k: v for k, v in chain.items() if k != "event_hashes"},
            "debrief": json.loads(debrief.model_dump_json()) if debrief is not None else None,
        }


def write_jsonl(store: RecordStore, out: TextIO, *, trainee_id: str | None = None,
                cohort: str | None = None, notes: list[str] | None = None, selection: Selection | None = None) -> int:
    count = 0
    for record in jsonl_records(store, trainee_id=trainee_id, cohort=cohort, notes=notes, selection=selection):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
