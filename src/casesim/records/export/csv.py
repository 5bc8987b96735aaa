"""CSV for spreadsheets: one table per attempt, per criterion result, or per competency rating.

``evidence`` in the attempts table is ``assessment`` (counted), ``practice`` or ``trial`` (see
:mod:`casesim.records.evidence`), beside the sign-off the attempt was recorded under.

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``) are prefixed
with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, Literal, TextIO

from casesim.records.api import RecordStore
from casesim.records.damage import readable_debrief
from casesim.records.evidence import evidence_kind
from casesim.records.export.selection import selected_attempts
from casesim.records.reports import duration_seconds

__all__ = ["ATTEMPT_FIELDS", "COMPETENCY_FIELDS", "CRITERION_FIELDS", "CSV_KINDS", "CsvKind", "attempt_rows",
           "write_csv"]

CsvKind = Literal["attempts", "criteria", "competencies"]
CSV_KINDS: tuple[CsvKind, ...] = ("attempts", "criteria", "competencies")

ATTEMPT_FIELDS = ["attempt_id", "trainee_id", "display_name", "cohort", "scenario_id", "scenario_version",
                  "content_hash", "mode", "seed", "start_node", "started_at", "ended_at", "duration_seconds",
                  "status", "passed", "share", "ending", "outcome", "decisions", "critical_count", "critical_ids", "evidence", "signoff_by", "signoff_credential",
                  "signoff_on", "signoff_content_hash"]
CRITERION_FIELDS = ["attempt_id", "trainee_id", "scenario_id", "mode", "ended_at", "criterion", "framework", "raw",
                    "worst", "best", "share"]
COMPETENCY_FIELDS = ["attempt_id", "trainee_id", "scenario_id", "mode", "ended_at", "competency", "rating", "share"]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def attempt_rows(store: RecordStore, *, trainee_id: str | None = None,
                 cohort: str | None = None, notes: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """One dict per attempt with the ``ATTEMPT_FIELDS`` (an attempt whose debrief is damaged is
    left out, with a note in ``notes``)."""
    attempts, trainees = selected_attempts(store, trainee_id, cohort)
    for a in attempts:
        trainee = trainees.get(a.trainee_id)
        readable, debrief = readable_debrief(store, a, notes) if a.status == "completed" else (True, None)
        if not readable:
            continue
        yield {
            "attempt_id": a.id, "trainee_id": a.trainee_id, "display_name": trainee.display_name if trainee else None,
            "cohort": trainee.cohort if trainee else None, "scenario_id": a.scenario_id,
            "scenario_version": a.scenario_version, "content_hash": a.content_hash, "mode": a.mode, "seed": a.seed,
            "start_node": a.start_node, "started_at": a.started_at, "ended_at": a.ended_at,
            "duration_seconds": duration_seconds(a.started_at, a.ended_at), "status": a.status, "passed": a.passed,
            "share": a.share, "ending": debrief.ending if debrief else None,
            "outcome": debrief.outcome if debrief else None,
            "decisions": len(debrief.decisions) if debrief else None,
            "critical_count": len(debrief.critical) if debrief else None,
            "critical_ids": "; ".join(c.id for c in debrief.critical) if debrief else None,
            "evidence": evidence_kind(a.mode, a.signoff is not None),
            "signoff_by": a.signoff.by if a.signoff else None,
            "signoff_credential": a.signoff.credential if a.signoff else None,
            "signoff_on": a.signoff.on if a.signoff else None,
            "signoff_content_hash": a.signoff.content_hash if a.signoff else None,
        }


def _rows(store: RecordStore, kind: CsvKind, trainee_id: str | None,
          cohort: str | None, notes: list[str] | None) -> tuple[list[str], Iterable[dict[str, Any]]]:
    if kind == "attempts":
        return ATTEMPT_FIELDS, attempt_rows(store, trainee_id=trainee_id, cohort=cohort, notes=notes)
    if kind == "criteria":
        return CRITERION_FIELDS, ({"attempt_id": r.attempt_id, "trainee_id": r.trainee_id,
                                   "scenario_id": r.scenario_id, "mode": r.mode, "ended_at": r.ended_at,
                                   "criterion": r.criterion, "framework": r.framework, "raw": r.raw,
                                   "worst": r.worst, "best": r.best, "share": r.share}
                                  for r in store.criterion_rows(trainee_id=trainee_id, cohort=cohort))
    return COMPETENCY_FIELDS, ({"attempt_id": p.attempt_id, "trainee_id": p.trainee_id, "scenario_id": p.scenario_id,
                                "mode": p.mode, "ended_at": p.ended_at, "competency": p.competency,
                                "rating": p.rating, "share": p.share}
                               for p in store.competency_points(trainee_id=trainee_id, cohort=cohort))


def write_csv(store: RecordStore, out: TextIO, kind: CsvKind = "attempts", *, trainee_id: str | None = None,
              cohort: str | None = None, notes: list[str] | None = None) -> int:
    """Write one CSV table (header first); returns the number of data rows (``notes``: attempts
    left out because their debrief is damaged)."""
    fields, rows = _rows(store, kind, trainee_id, cohort, notes)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
        count += 1
    return count
