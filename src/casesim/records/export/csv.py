"""CSV for spreadsheets: one table per attempt, per criterion result, per competency rating, or
per decision (what was offered, what was chosen, the expert's choice).

``evidence`` in the attempts table is ``assessment`` (counted), ``practice``, ``trial`` or
``uncounted`` (see :mod:`casesim.records.evidence`; in a cohort with assignments, as the reports
count under them: :mod:`casesim.records.assignments`), beside the sign-off the attempt was
recorded under.

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``) are prefixed
with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, TextIO

from casesim.authoring.pipeline import Playable
from casesim.records.api import RecordStore, effective_steps, public_status
from casesim.records.damage import readable_debrief
from casesim.records.decisions import Decision, Replayer
from casesim.records.evidence import evidence_kind
from casesim.records.export.selection import Selection, selected_attempts
from casesim.records.reports import duration_seconds, export_evidence

__all__ = ["ATTEMPT_FIELDS", "COMPETENCY_FIELDS", "CRITERION_FIELDS", "CSV_KINDS", "DECISION_FIELDS", "CsvKind",
           "attempt_rows", "decision_rows", "write_csv"]

CsvKind = Literal["attempts", "criteria", "competencies", "decisions"]
CSV_KINDS: tuple[CsvKind, ...] = ("attempts", "criteria", "competencies", "decisions")

ATTEMPT_FIELDS = ["attempt_id", "trainee_id", "display_name", "cohort", "scenario_id", "scenario_version",
                  "content_hash", "mode", "seed", "start_node", "started_at", "ended_at", "duration_seconds",
                  "status", "passed", "share", "ending", "outcome", "decisions", "critical_count", "critical_ids", "evidence", "signoff_by", "signoff_credential",
                  "signoff_on", "signoff_content_hash", "current_cohort", "imported_from", "imported_trusted",
                  "section", "term"]
CRITERION_FIELDS = ["attempt_id", "trainee_id", "scenario_id", "mode", "ended_at", "criterion", "framework", "raw",
                    "worst", "best", "share"]
DECISION_FIELDS = ["attempt_id", "trainee_id", "cohort", "scenario_id", "content_hash", "mode", "evidence", "status",
                   "decision", "seq", "at", "node", "choice", "timeout", "seconds", "expert_choice", "matches_expert",
                   "offered", "offered_count"]
"""One row per decision on an attempt's effective path (undone choices left out): where, what was
chosen, in how many seconds, the expert's choice there and the options open at that moment
(``offered`` empty when not known: a scenario file missing or of another version)."""
COMPETENCY_FIELDS = ["attempt_id", "trainee_id", "scenario_id", "mode", "ended_at", "competency", "rating", "share"]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def attempt_rows(store: RecordStore, *, trainee_id: str | None = None, cohort: str | None = None,
                 notes: list[str] | None = None, selection: Selection | None = None) -> Iterator[dict[str, Any]]:
    """One dict per attempt with the ``ATTEMPT_FIELDS`` (an attempt whose debrief is damaged is
    left out, with a note in ``notes``). ``cohort`` is the one stamped on the attempt when it began
    (before stamping, the trainee's), ``current_cohort`` the trainee's now; ``section`` and ``term``
    are the cohort's as stamped when the attempt began (empty when none was set then)."""
    attempts, trainees = selected_attempts(store, trainee_id, cohort, selection)
    kinds = export_evidence(store, attempts)  # assignments applied, as the reports count
    for a in attempts:
        trainee = trainees.get(a.trainee_id)
        readable, debrief = readable_debrief(store, a, notes) if a.status == "completed" else (True, None)
        if not readable:
            continue
        yield {
            "attempt_id": a.id, "trainee_id": a.trainee_id, "display_name": trainee.display_name if trainee else None,
            "cohort": a.cohort or (trainee.cohort if trainee else None), "scenario_id": a.scenario_id,
            "scenario_version": a.scenario_version, "content_hash": a.content_hash, "mode": a.mode, "seed": a.seed,
            "start_node": a.start_node, "started_at": a.started_at, "ended_at": a.ended_at,
            "duration_seconds": duration_seconds(a.started_at, a.ended_at),
            "status": public_status(a.status), "passed": a.passed,
            "share": a.share, "ending": debrief.ending if debrief else None,
            "outcome": debrief.outcome if debrief else None,
            "decisions": len(debrief.decisions) if debrief else None,
            "critical_count": len(debrief.critical) if debrief else None,
            "critical_ids": "; ".join(c.id for c in debrief.critical) if debrief else None,
            "evidence": kinds.get(a.id) or evidence_kind(a.mode, a.signoff is not None),
            "signoff_by": a.signoff.by if a.signoff else None,
            "signoff_credential": a.signoff.credential if a.signoff else None,
            "signoff_on": a.signoff.on if a.signoff else None,
            "signoff_content_hash": a.signoff.content_hash if a.signoff else None,
            "current_cohort": trainee.cohort if trainee else None,
            "imported_from": a.imported.get("from_store") if a.imported else None,
            "imported_trusted": bool(a.imported.get("trusted")) if a.imported else None,
            "section": a.section, "term": a.term,
        }


def decision_rows(store: RecordStore, selection: Selection,
                  library: Mapping[str, Playable] | None = None) -> Iterator[dict[str, Any]]:
    """One dict per decision with the ``DECISION_FIELDS``, attempt by attempt."""
    attempts, trainees = selected_attempts(store, selection.trainee_id, selection.cohort, selection)
    kinds = export_evidence(store, attempts)  # assignments applied, as the reports count
    replayers: dict[str, Replayer] = {}
    for a in attempts:
        loaded = (library or {}).get(a.scenario_id)
        if loaded is not None and a.scenario_id not in replayers:
            replayers[a.scenario_id] = Replayer(loaded)
        steps = effective_steps(store.events(a.id))
        ids = [str(e.payload.get("choice")) for e in steps]
        nodes = [str(e.payload.get("node") or "?") for e in steps]
        replayer = replayers.get(a.scenario_id)
        decisions = (replayer.decisions(a.content_hash, a.start_node, ids, nodes) if replayer is not None
                     else [Decision(node, sid, None, None, sid.startswith("timeout:")) for sid, node in zip(ids, nodes, strict=True)])
        trainee = trainees.get(a.trainee_id)
        for number, (event, decision) in enumerate(zip(steps, decisions, strict=True), 1):
            seconds = event.payload.get("seconds")
            yield {"attempt_id": a.id, "trainee_id": a.trainee_id,
                   "cohort": a.cohort or (trainee.cohort if trainee else None), "scenario_id": a.scenario_id,
                   "content_hash": a.content_hash, "mode": a.mode, "evidence": kinds.get(a.id) or evidence_kind(a.mode, a.signoff is not None),
                   "status": public_status(a.status), "decision": number, "seq": event.seq, "at": event.at,
                   "node": decision.node, "choice": decision.choice, "timeout": event.kind == "timer-expired",
                   "seconds": seconds if isinstance(seconds, int | float) else None,
                   "expert_choice": decision.expert,
                   "matches_expert": None if decision.expert is None else decision.choice == decision.expert,
                   "offered": None if decision.offered is None else ";".join(decision.offered),
                   "offered_count": None if decision.offered is None else len(decision.offered)}


def _rows(store: RecordStore, kind: CsvKind, selection: Selection, notes: list[str] | None,
          library: Mapping[str, Playable] | None) -> tuple[list[str], Iterable[dict[str, Any]]]:
    trainee_id, cohort = selection.trainee_id, selection.cohort
    if kind == "attempts":
        return ATTEMPT_FIELDS, attempt_rows(store, notes=notes, selection=selection)
    if kind == "decisions":
        return DECISION_FIELDS, decision_rows(store, selection, library)
    if selection.mode is not None or selection.since is not None or selection.until is not None:
        admitted = {a.id for a in selection.attempts(store)}
    else:
        admitted = None
    if kind == "criteria":
        return CRITERION_FIELDS, ({"attempt_id": r.attempt_id, "trainee_id": r.trainee_id,
                                   "scenario_id": r.scenario_id, "mode": r.mode, "ended_at": r.ended_at,
                                   "criterion": r.criterion, "framework": r.framework, "raw": r.raw,
                                   "worst": r.worst, "best": r.best, "share": r.share}
                                  for r in store.criterion_rows(trainee_id=trainee_id, cohort=cohort)
                                  if admitted is None or r.attempt_id in admitted)
    return COMPETENCY_FIELDS, ({"attempt_id": p.attempt_id, "trainee_id": p.trainee_id, "scenario_id": p.scenario_id,
                                "mode": p.mode, "ended_at": p.ended_at, "competency": p.competency,
                                "rating": p.rating, "share": p.share}
                               for p in store.competency_points(trainee_id=trainee_id, cohort=cohort)
                               if admitted is None or p.attempt_id in admitted)


def write_csv(store: RecordStore, out: TextIO, kind: CsvKind = "attempts", *, trainee_id: str | None = None,
              cohort: str | None = None, notes: list[str] | None = None, selection: Selection | None = None,
              library: Mapping[str, Playable] | None = None) -> int:
    """Write one CSV table (header first); returns the number of data rows (``notes``: attempts
    left out because their debrief is damaged; ``library``: the scenario files, by id, that the
    decisions table replays to say what was offered and what the expert chose)."""
    fields, rows = _rows(store, kind, selection or Selection(trainee_id, cohort), notes, library)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
        count += 1
    return count
