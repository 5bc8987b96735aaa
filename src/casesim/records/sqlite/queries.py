"""Report queries and verification loading over an open SQLite connection.

Each function takes a connection the store has already locked (and, where it says so, put in a
read snapshot), so these are plain functions over SQL; the store decides the transaction.
"""

from __future__ import annotations

import sqlite3
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from casesim.errors import NotFoundError
from casesim.format.scenario import Mode
from casesim.records.api import (
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    VerifyProblem,
    effective_steps,
)
from casesim.records.verify import (
    ChainAttempt,
    ChainEvent,
    ChainTrainee,
    DebriefResults,
    verify_attempt,
    verify_trainee,
)

__all__ = ["competency_points", "criterion_rows", "decision_counts", "filter_clause", "verify"]


class _PathRow(NamedTuple):
    kind: str
    node: str | None
    choice: str | None


def filter_clause(trainee_id: str | None, cohort: str | None,
                  scenario_id: str | None = None) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause over ``trainees t`` joined with ``attempts a``, and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if trainee_id is not None:
        clauses.append("a.trainee_id = ?")
        params.append(trainee_id)
    if cohort is not None:
        clauses.append("t.cohort = ?")
        params.append(cohort)
    if scenario_id is not None:
        clauses.append("a.scenario_id = ?")
        params.append(scenario_id)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def decision_counts(conn: sqlite3.Connection, *, cohort: str | None = None, trainee_id: str | None = None,
                    scenario_id: str | None = None,
                    mode: Mode | None = None) -> list[DecisionCount]:
    """Decisions on each selected attempt's effective path, counted per trainee (in one snapshot)."""
    # Attempts without an undo are counted in SQL from the covering index (their effective
    # path is every step); the few with one are replayed through effective_steps, so undone
    # choices never count.
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = ?"
        params = (*params, mode)
    selected = ("SELECT a.n, a.id, a.scenario_id, a.trainee_id FROM trainees t "
                f"JOIN attempts a ON a.trainee_id = t.id {where}")
    path_kinds = "e.kind IN ('choice', 'timer-expired', 'undo')"
    counts: dict[tuple[str, str | None, str, str], int] = {}
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _selected (n INTEGER PRIMARY KEY, id TEXT, scenario_id TEXT, "
                  "trainee_id TEXT, undone INTEGER NOT NULL DEFAULT 0)")
    conn.execute("DELETE FROM _selected")
    conn.execute(f"INSERT INTO _selected(n, id, scenario_id, trainee_id) {selected}", params)
    conn.execute("UPDATE _selected SET undone = 1 WHERE n IN (SELECT e.attempt_n FROM _selected s "
                 f"JOIN events e ON e.attempt_n = s.n WHERE {path_kinds} AND e.kind = 'undo')")
    for scenario, node, choice, trainee, count in conn.execute(
            "SELECT s.scenario_id, e.node, e.choice, s.trainee_id, count(*) FROM _selected s "
            f"JOIN events e ON e.attempt_n = s.n WHERE s.undone = 0 AND {path_kinds} AND e.kind <> 'undo' "
            "GROUP BY s.scenario_id, e.node, e.choice, s.trainee_id"):
        counts[(scenario, node, choice, trainee)] = int(count)
    replay = conn.execute("SELECT s.id, s.scenario_id, s.trainee_id, e.kind, e.node, e.choice FROM _selected s "
                          f"JOIN events e ON e.attempt_n = s.n WHERE s.undone = 1 AND {path_kinds} "
                          "ORDER BY s.n, e.seq").fetchall()
    conn.execute("DELETE FROM _selected")
    for (_, scenario, trainee), rows in groupby(replay, key=lambda r: (r[0], r[1], r[2])):
        for step in effective_steps(_PathRow(kind, node, choice) for *_, kind, node, choice in rows):
            if step.choice is not None:
                key = (scenario, step.node, step.choice, trainee)
                counts[key] = counts.get(key, 0) + 1
    return [DecisionCount(*key, count) for key, count in counts.items()]


def competency_points(conn: sqlite3.Connection, *, trainee_id: str | None = None,
                      cohort: str | None = None) -> list[CompetencyPoint]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share, "
           "a.signoff IS NOT NULL "
           "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} ORDER BY a.ended_at, a.n, r.competency")
    return [CompetencyPoint(trainee_id=r[0], attempt_id=r[1], scenario_id=r[2], mode=r[3], ended_at=r[4], competency=r[5],
                            rating=r[6], share=r[7], signed_off=bool(r[8])) for r in conn.execute(sql, params).fetchall()]


def criterion_rows(conn: sqlite3.Connection, *, trainee_id: str | None = None,
                   cohort: str | None = None) -> list[CriterionRow]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.criterion, r.framework, r.raw, "
           "r.worst, r.best, r.share FROM trainees t JOIN attempts a ON a.trainee_id = t.id "
           f"JOIN criterion_results r ON r.attempt_n = a.n {where} ORDER BY a.ended_at, a.n, r.criterion")
    return [CriterionRow(*row) for row in conn.execute(sql, params).fetchall()]


def verify(conn: sqlite3.Connection, path: Path, trainee_id: str | None = None) -> list[VerifyProblem]:
    """Every problem in the file and its hash chains, attempt by attempt and event by event.

    Loads the rows into the plain types of :mod:`casesim.records.verify`, which does the checking
    (the store runs this inside one read snapshot, so no writer moves the chain underneath).

    With ``trainee_id``, only that trainee's chain, attempts and events are checked (and the
    file itself, whose damage can hide anyone's rows); rows that belong to nobody are then
    not looked for. Raises :class:`NotFoundError` when the trainee has neither a row nor
    attempts.
    """
    problems: list[VerifyProblem] = []
    scope, params = ("", ()) if trainee_id is None else (" WHERE trainee_id = ?", (trainee_id,))
    of_scope = "" if trainee_id is None else " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)"
    check = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    if check != ["ok"]:
        problems.extend(VerifyProblem("damaged", None, None, None, f"the SQLite file is damaged: {line}")
                        for line in check[:20])
    trainees = {r[0]: ChainTrainee(r[0], int(r[1]), r[2]) for r in conn.execute(
        "SELECT id, attempt_count, head_hash FROM trainees" + scope.replace("trainee_id", "id"), params)}
    attempts: dict[int, ChainAttempt] = {}
    for r in conn.execute(
            "SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, "
            "start_node, started_at, prev_hash, hash, event_count, head_hash, status, ended_at, passed, share, "
            "debrief, seal, signoff, verdict, decision_seconds, reading_seconds, too_fast "
            f"FROM attempts{scope} ORDER BY trainee_id, trainee_seq", params):
        if r[17] not in (None, 0, 1):
            problems.append(VerifyProblem("edited", r[2], r[1], None, f"attempt {r[1]}: its pass/fail value "
                                                                      f"{r[17]!r} was edited (casesim writes 0 or 1)"))
        attempts[int(r[0])] = ChainAttempt(
            id=r[1], trainee_id=r[2], trainee_seq=int(r[3]), scenario_id=r[4], scenario_version=r[5],
            content_hash=r[6], mode=r[7], seed=int(r[8]), start_node=r[9], started_at=r[10], prev_hash=r[11],
            hash=r[12], event_count=int(r[13]), head_hash=r[14], status=r[15], ended_at=r[16],
            passed=None if r[17] is None else bool(r[17]), share=r[18], debrief=r[19], seal=r[20], signoff=r[21],
            outcome=tuple(r[22:26]))
    if trainee_id is not None and not trainees and not attempts:
        raise NotFoundError(f"there is no trainee {trainee_id} in {path}", title="no such trainee")
    by_trainee: dict[str, list[ChainAttempt]] = {}
    for attempt in attempts.values():
        by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
    for tid in sorted(set(trainees) | set(by_trainee)):
        problems.extend(verify_trainee(trainees.get(tid), tid, by_trainee.get(tid, [])))
    results: dict[int, DebriefResults] = {}
    for n, cid, *values in conn.execute("SELECT attempt_n, criterion, framework, raw, worst, best, share "
                                        f"FROM criterion_results{of_scope}", params):
        results.setdefault(int(n), DebriefResults()).criteria[cid] = tuple(values)
    for n, cid, *values in conn.execute("SELECT attempt_n, competency, rating, share "
                                        f"FROM competency_results{of_scope}", params):
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
        problems.extend(verify_attempt(attempt, batch, results.get(current, DebriefResults())))

    for r in conn.execute("SELECT attempt_n, seq, kind, at, node, choice, payload, hash "
                          f"FROM events{of_scope} ORDER BY attempt_n, seq", params):
        n = int(r[0])
        if n != current:
            flush()
            current, batch = n, []
        batch.append(ChainEvent(int(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]))
    flush()
    for n, attempt in attempts.items():
        if n not in checked:
            problems.extend(verify_attempt(attempt, [], results.get(n, DebriefResults())))
    return problems
