"""Assignments: which attempts an instructor asked for, and which of them count.

Pure and backend-neutral. An instructor assigns a scenario to a cohort (``casesim class
assign``): the scenario's file is pinned by its content hash, with a mode, a window, an attempt
limit and a counting rule. When an attempt starts, the store ties it to the one assignment it
falls under (:func:`choose`, with the store's clock, inside its write) by stamping the
assignment's id into the attempt's hashed header; the player asks the same question first
(:meth:`~casesim.records.api.RecordStore.assignment_for`) to tell the trainee whether their
assessment will count.

Reports read the stamps back through :func:`standings`:

* A cohort with no assignment at all keeps the rules of :mod:`casesim.records.evidence` (an
  assessment the trainee chose counts), so a store that never used assignments reads as before.
* In a cohort with assignments (a *governed* cohort), an assessment counts only under an
  assignment: one started outside every open assignment, on another version of the file, after
  the window or beyond the attempt limit counts as **practice**, and the report says why.
* Under an assignment, its counting rule picks one finished attempt per trainee (first, best or
  latest); the trainee's other attempts under it are **uncounted** (shown, never counted).

Everything :func:`standings` checks is in the hashed header (cohort, scenario, content hash, mode,
start time, assignment id) or in the assignment, whose definition the audit chain records, so
what counts cannot be changed unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from casesim.records.api import (
    COUNTING_RULES,
    AssignmentCheck,
    AssignmentRow,
    AttemptRow,
    NewAssignment,
    left_without_penalty,
)
from casesim.records.chain import parse_iso
from casesim.records.evidence import EvidenceKind, evidence_kind

__all__ = ["Standing", "check_new", "choose", "is_open", "standings", "window_text"]


def _day(text: str | None) -> str:
    return "-" if text is None else text[:16].replace("T", " ") + " UTC"


def window_text(assignment: NewAssignment) -> str:
    """``2026-12-01 09:00 UTC to 2026-12-08 09:00 UTC`` (``-`` for an open end)."""
    if assignment.opens_at is None and assignment.closes_at is None:
        return "always open"
    return f"{_day(assignment.opens_at)} to {_day(assignment.closes_at)}"


def check_new(assignment: NewAssignment) -> None:
    """Refuse an assignment that could never be used (ValueError with what to change)."""
    if assignment.mode not in ("practice", "assessment"):
        raise ValueError(f"mode {assignment.mode!r}: use practice or assessment")
    if assignment.counting not in COUNTING_RULES:
        raise ValueError(f"counting rule {assignment.counting!r}: use {', '.join(COUNTING_RULES)}")
    if assignment.attempt_limit is not None and assignment.attempt_limit < 1:
        raise ValueError("the attempt limit must be at least 1 (leave it out for no limit)")
    if assignment.opens_at is not None and assignment.closes_at is not None and \
            parse_iso(assignment.opens_at) >= parse_iso(assignment.closes_at):
        raise ValueError("the window closes before it opens: --opens must come before --closes")
    if not assignment.content_hash:
        raise ValueError("an assignment pins the scenario's content hash; none was given")


def is_open(assignment: AssignmentRow, at: str) -> bool:
    """Whether an attempt started at ``at`` falls in the window (and before any withdrawal)."""
    moment = parse_iso(at)
    if assignment.opens_at is not None and moment < parse_iso(assignment.opens_at):
        return False
    if assignment.closes_at is not None and moment >= parse_iso(assignment.closes_at):
        return False
    return assignment.removed_at is None or moment < parse_iso(assignment.removed_at)


def choose(assignments: Iterable[AssignmentRow], *, cohort: str | None, scenario_id: str, content_hash: str,
           mode: str, at: str, used: Mapping[str, int]) -> AssignmentCheck:
    """The assignment an attempt started at ``at`` is tied to, or None with the reason in words.

    ``used``: attempts the trainee already started under each assignment (left ones excluded).
    When several fit, the one closing first wins (the most pressing), then the oldest."""
    mine = [a for a in assignments if a.cohort == cohort and a.scenario_id == scenario_id and a.mode == mode]
    if cohort is None:
        return AssignmentCheck(None, "you are in no cohort, so nothing is assigned to you")
    if not mine:
        return AssignmentCheck(None, f"{scenario_id} is not assigned to cohort {cohort} in {mode} mode")
    reasons: list[str] = []
    fitting: list[AssignmentRow] = []
    for a in mine:
        if not is_open(a, at):
            if a.removed_at is not None and parse_iso(at) >= parse_iso(a.removed_at):
                reasons.append(f"the assignment {a.id} was withdrawn at {_day(a.removed_at)}")
            elif a.opens_at is not None and parse_iso(at) < parse_iso(a.opens_at):
                reasons.append(f"the assignment {a.id} opens at {_day(a.opens_at)}")
            else:
                reasons.append(f"the assignment {a.id} closed at {_day(a.closes_at)}")
        elif a.content_hash != content_hash:
            reasons.append(f"the assignment {a.id} is of another version of the scenario (version "
                           f"{a.scenario_version}, content {a.content_hash[:12]}); this file has changed since")
        elif a.attempt_limit is not None and used.get(a.id, 0) >= a.attempt_limit:
            reasons.append(f"you have used all {a.attempt_limit} attempt(s) of the assignment {a.id}")
        else:
            fitting.append(a)
    if not fitting:
        return AssignmentCheck(None, "; ".join(reasons))
    best = min(fitting, key=lambda a: (a.closes_at is None, a.closes_at or "", a.created_at, a.id))
    return AssignmentCheck(best, None)


@dataclass(frozen=True, slots=True)
class Standing:
    """What one attempt is as evidence once assignments are applied, and why (for the report)."""

    kind: EvidenceKind
    reason: str | None = None
    """Why an assessment does not count, or which assignment it counts for; None when the plain
    evidence rules apply (an ungoverned cohort)."""
    assignment: str | None = None


def _score(attempt: AttemptRow) -> float:
    return attempt.share if attempt.share is not None else -1.0


def standings(attempts: Sequence[AttemptRow], assignments: Sequence[AssignmentRow],
              current_cohorts: Mapping[str, str | None]) -> dict[str, Standing]:
    """Each attempt's :class:`Standing`, by attempt id (``attempts`` of any trainees, in time order;
    ``current_cohorts``: trainee id -> their cohort now, for attempts recorded before cohorts were
    stamped)."""
    governed = {a.cohort for a in assignments}
    by_id = {a.id: a for a in assignments}
    out: dict[str, Standing] = {}
    used: dict[tuple[str, str], int] = {}
    candidates: dict[tuple[str, str], list[AttemptRow]] = {}
    for attempt in attempts:
        base = evidence_kind(attempt.mode, attempt.signoff is not None)
        cohort = attempt.cohort if attempt.cohort is not None else current_cohorts.get(attempt.trainee_id)
        stamped = by_id.get(attempt.assignment) if attempt.assignment is not None else None
        key = (attempt.trainee_id, attempt.assignment or "")
        if attempt.assignment is not None and not left_without_penalty(attempt.status):
            used[key] = used.get(key, 0) + 1
        if base == "practice":
            out[attempt.id] = Standing("practice", None, attempt.assignment)
            continue
        if cohort not in governed and attempt.assignment is None:
            out[attempt.id] = Standing(base)
            continue
        if attempt.assignment is None:
            prior = {aid: n for (tid, aid), n in used.items() if tid == attempt.trainee_id}
            check = choose(assignments, cohort=cohort, scenario_id=attempt.scenario_id,
                           content_hash=attempt.content_hash, mode=attempt.mode, at=attempt.started_at, used=prior)
            why = check.reason or "it was started outside the assignment"
            out[attempt.id] = Standing("practice", f"counts as practice: {why}")
            continue
        if stamped is None:
            out[attempt.id] = Standing("practice", f"counts as practice: its assignment {attempt.assignment} is no "
                                                   "longer in the record (run `casesim records verify`)",
                                       attempt.assignment)
            continue
        problem = None
        if stamped.cohort != cohort:
            problem = f"the assignment {stamped.id} is for cohort {stamped.cohort}, not {cohort}"
        elif (stamped.scenario_id, stamped.content_hash, stamped.mode) != \
                (attempt.scenario_id, attempt.content_hash, attempt.mode):
            problem = f"the assignment {stamped.id} is of another scenario, version or mode"
        elif not is_open(stamped, attempt.started_at):
            problem = f"it began outside the window of the assignment {stamped.id} ({window_text(stamped)})"
        elif stamped.attempt_limit is not None and used.get(key, 0) > stamped.attempt_limit:
            problem = f"it is beyond the attempt limit ({stamped.attempt_limit}) of the assignment {stamped.id}"
        if problem is not None:
            out[attempt.id] = Standing("practice", f"counts as practice: {problem}", stamped.id)
            continue
        if base == "trial":
            out[attempt.id] = Standing("trial", f"a trial under the assignment {stamped.id}: the scenario had "
                                                "no valid clinical sign-off", stamped.id)
            continue
        if attempt.status == "completed":
            candidates.setdefault(key, []).append(attempt)  # the counting rule decides below
            continue
        state = "still in progress" if attempt.status == "in-progress" else "left without penalty"
        out[attempt.id] = Standing("uncounted", f"not counted: {state} (the assignment {stamped.id} counts "
                                                "finished attempts only)", stamped.id)
    for (_, aid), finished in candidates.items():
        assignment = by_id[aid]
        if assignment.counting == "first":
            chosen = finished[0]
        elif assignment.counting == "latest":
            chosen = finished[-1]
        else:
            chosen = max(finished, key=lambda a: (_score(a), -finished.index(a)))
        rule = {"first": "the first finished attempt", "latest": "the latest finished attempt",
                "best": "the best-scored attempt"}[assignment.counting]
        for attempt in finished:
            if attempt is chosen:
                out[attempt.id] = Standing("assessment", f"counts for the assignment {aid} ({rule} of "
                                                         f"{len(finished)})", aid)
            else:
                out[attempt.id] = Standing("uncounted", f"not counted: the assignment {aid} counts {rule} "
                                                        f"(attempt {chosen.id[:8]})", aid)
    return out
