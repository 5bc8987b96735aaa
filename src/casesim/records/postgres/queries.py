"""Report queries and verification loading over a PostgreSQL connection.

The same queries as :mod:`casesim.records.sqlite.queries`, in PostgreSQL's dialect: each function
takes a connection inside the store's ``REPEATABLE READ READ ONLY`` snapshot, and loads rows into the
plain types of :mod:`casesim.records.verify`, which does the checking for both backends.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from typing import Any, NamedTuple

from casesim.errors import NotFoundError
from casesim.format.scenario import Mode
from casesim.records.api import (
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    DecisionPath,
    VerifyProblem,
    effective_steps,
)
from casesim.records.postgres.connect import Conn
from casesim.records.verify import (
    ChainAttempt,
    ChainEvent,
    ChainLink,
    ChainTrainee,
    DebriefResults,
    TraineeProfile,
    verify_attempt,
    verify_links,
    verify_trainee,
)

__all__ = ["HeadMatch", "competency_points", "criterion_rows", "decision_counts", "filter_clause", "find_head",
           "trainee_chains", "verify"]


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
        clauses.append("a.trainee_id = %s")
        params.append(trainee_id)
    if cohort is not None:  # the cohort stamped on the attempt; before stamping, the trainee's
        # Two indexed lookups (stamped attempts by cohort; unstamped ones through their trainee's
        # cohort), so one cohort's report reads that cohort only, never every attempt.
        clauses.append("a.n IN (SELECT n FROM attempts WHERE cohort = %s UNION ALL SELECT u.n FROM trainees ut "
                       "JOIN attempts u ON u.trainee_id = ut.id WHERE ut.cohort = %s AND u.cohort IS NULL)")
        params.extend((cohort, cohort))
    if scenario_id is not None:
        clauses.append("a.scenario_id = %s")
        params.append(scenario_id)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def decision_counts(conn: Conn, *, cohort: str | None = None, trainee_id: str | None = None,
                    scenario_id: str | None = None,
                    mode: Mode | None = None) -> list[DecisionCount]:
    """Decisions on each selected attempt's effective path, counted per trainee (in one snapshot)."""
    # Attempts without an undo are counted in SQL from the covering index (their effective
    # path is every step); the few with one are replayed through effective_steps, so undone
    # choices never count.
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = %s"
        params = (*params, mode)
    selected = ("SELECT a.n, a.id, a.scenario_id, a.trainee_id FROM trainees t "
                f"JOIN attempts a ON a.trainee_id = t.id {where}")
    path_kinds = "e.kind IN ('choice', 'timer-expired', 'undo')"
    undone = (f"WITH sel AS MATERIALIZED ({selected}), undone AS (SELECT DISTINCT e.attempt_n AS n FROM sel "
              "JOIN events e ON e.attempt_n = sel.n WHERE e.kind = 'undo') ")
    counts: dict[tuple[str, str | None, str, str], int] = {}
    for scenario, node, choice, trainee, count in conn.execute(
            undone + "SELECT sel.scenario_id, e.node, e.choice, sel.trainee_id, count(*) FROM sel "
            f"JOIN events e ON e.attempt_n = sel.n WHERE sel.n NOT IN (SELECT n FROM undone) AND {path_kinds} "
            "AND e.kind <> 'undo' GROUP BY sel.scenario_id, e.node, e.choice, sel.trainee_id", params):
        counts[(scenario, node, choice, trainee)] = int(count)
    replay = conn.execute(undone + "SELECT sel.id, sel.scenario_id, sel.trainee_id, e.kind, e.node, e.choice "
                          f"FROM sel JOIN events e ON e.attempt_n = sel.n WHERE sel.n IN (SELECT n FROM undone) "
                          f"AND {path_kinds} ORDER BY sel.n, e.seq", params).fetchall()
    for (_, scenario, trainee), rows in groupby(replay, key=lambda r: (r[0], r[1], r[2])):
        for step in effective_steps(_PathRow(kind, node, choice) for *_, kind, node, choice in rows):
            if step.choice is not None:
                key = (scenario, step.node, step.choice, trainee)
                counts[key] = counts.get(key, 0) + 1
    return [DecisionCount(*key, count) for key, count in counts.items()]


def decision_paths(conn: Conn, *, cohort: str | None = None, trainee_id: str | None = None,
                   scenario_id: str | None = None, mode: Mode | None = None) -> list[DecisionPath]:
    """Distinct effective paths per trainee with their number of attempts, from the covering path
    index: the selected attempts are found first (indexed by cohort or trainee), then only their
    path events are read (no payload), and equal paths are counted once."""
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = %s"
        params = (*params, mode)
    rows = conn.execute(
        "WITH sel AS MATERIALIZED (SELECT a.n, a.trainee_id, a.scenario_id, a.content_hash, a.start_node FROM "
        f"trainees t JOIN attempts a ON a.trainee_id = t.id {where}) "
        "SELECT sel.n, sel.trainee_id, sel.scenario_id, sel.content_hash, sel.start_node, e.kind, e.node, e.choice "
        "FROM sel JOIN events e ON e.attempt_n = sel.n WHERE e.kind IN ('choice', 'timer-expired', 'undo') "
        "ORDER BY e.attempt_n, e.seq", params)
    counted: Counter[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]] = Counter()
    for (_, trainee, scenario, content, start), group in groupby(rows, key=lambda r: r[:5]):
        events = [_PathRow(kind, node, choice) for *_, kind, node, choice in group]
        if any(e.kind == "undo" for e in events):  # the few attempts with an undo: the one undo rule
            events = effective_steps(events)
        steps = [e for e in events if e.choice is not None]
        counted[(trainee, scenario, content, start, tuple(str(e.choice) for e in steps),
                 tuple(e.node or "?" for e in steps))] += 1
    return [DecisionPath(*key, attempts=count) for key, count in counted.items()]


def competency_points(conn: Conn, *, trainee_id: str | None = None,
                      cohort: str | None = None) -> list[CompetencyPoint]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share, "
           "a.signoff IS NOT NULL "
           "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} ORDER BY a.ended_at, a.n, r.competency")
    return [CompetencyPoint(trainee_id=r[0], attempt_id=r[1], scenario_id=r[2], mode=r[3], ended_at=r[4], competency=r[5],
                            rating=r[6], share=r[7], signed_off=bool(r[8])) for r in conn.execute(sql, params).fetchall()]


def criterion_rows(conn: Conn, *, trainee_id: str | None = None,
                   cohort: str | None = None) -> list[CriterionRow]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.criterion, r.framework, r.raw, "
           "r.worst, r.best, r.share FROM trainees t JOIN attempts a ON a.trainee_id = t.id "
           f"JOIN criterion_results r ON r.attempt_n = a.n {where} ORDER BY a.ended_at, a.n, r.criterion")
    return [CriterionRow(*row) for row in conn.execute(sql, params).fetchall()]


def trainee_chains(conn: Conn) -> list[tuple[str, int, int, str]]:
    """Each trainee's (id, attempts, links, chain head), in id order: what the store head covers."""
    return [(str(r[0]), int(r[1]), int(r[2]), str(r[3] or "")) for r in conn.execute(
        "SELECT id, attempt_count, link_count, chain_head FROM trainees ORDER BY id").fetchall()]


class HeadMatch(NamedTuple):
    """Where a head given back (``records verify --against``) sits in a trainee's chain today."""

    trainee_id: str
    link: int
    """The head is the trainee's head after this many links."""
    links: int
    """How many links the trainee has now (``links - link`` were added since the head was printed)."""
    attempts: int
    """How many of the trainee's attempts had started by then."""


def find_head(conn: Conn, target: str, key: bytes | None) -> HeadMatch | None:
    """The trainee and place where ``target`` is the head of a chain recomputed from the rows as
    they are now; None when it is nobody's head at any point (something before it changed)."""
    from casesim.records.chain import LinkKind, genesis, link_digest

    rows = conn.execute(
        "SELECT l.trainee_id, l.attempt_n, l.seq, l.profile, "
        "CASE WHEN l.seq = 0 THEN a.hash WHEN l.seq < 0 THEN a.seal ELSE e.hash END "
        "FROM links l LEFT JOIN attempts a ON a.n = l.attempt_n "
        "LEFT JOIN events e ON l.seq > 0 AND e.attempt_n = l.attempt_n AND e.seq = l.seq "
        "ORDER BY l.trainee_id, l.pos")
    for tid, group in groupby(rows, key=lambda r: str(r[0])):
        head, count, attempts = genesis(tid, key), 0, 0
        items = list(group)
        for _, n, seq, profile, ref in items:
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


def _verify_roster(conn: Conn, key: bytes | None) -> list[VerifyProblem]:
    """The roster: every trainee in the order added, over the store's id and pseudonym key."""
    from casesim.records.chain import roster_digest, roster_genesis, sha256_text

    meta: dict[str, str] = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('store_id', 'roster_head', 'roster_count') "
                             "UNION ALL SELECT key, value FROM casesim_private.secrets WHERE key = 'pseudonym_key'"
                             ).fetchall())
    head = roster_genesis(str(meta.get("store_id", "")), sha256_text(str(meta.get("pseudonym_key", ""))), key)
    problems: list[VerifyProblem] = []
    expected = 1
    for pos, tid in conn.execute("SELECT roster_pos, id FROM trainees ORDER BY roster_pos, id"):
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


def _verify_links(conn: Conn, trainee_id: str | None, key: bytes | None,
                  attempts: dict[int, ChainAttempt], explained: set[str | None]) -> list[VerifyProblem]:
    """The trainee chains over everything: each link joined to the row it names, in order
    (``explained``: trainees with problems found already, whose changed head says nothing new)."""
    scope, params = ("", ()) if trainee_id is None else (" WHERE t.id = %s", (trainee_id,))
    profiles = {r[0]: TraineeProfile(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in conn.execute(
        "SELECT id, display_name, cohort, created_at, link_count, chain_head FROM trainees t" + scope, params)}
    lscope = "" if trainee_id is None else " WHERE l.trainee_id = %s"
    counts = {int(n): int(c) for n, c in conn.execute(
        "SELECT attempt_n, count(*) FROM events" + ("" if trainee_id is None else
                                                    " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = %s)")
        + " GROUP BY attempt_n", params)}
    by_id = {a.id: n for n, a in attempts.items()}
    by_trainee: dict[str, list[ChainAttempt]] = {}
    for attempt in attempts.values():
        by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
    problems: list[VerifyProblem] = []
    seen: set[str] = set()
    rows = conn.execute(
        "SELECT l.trainee_id, l.pos, l.attempt_n, l.seq, l.profile, a.id, "
        "CASE WHEN l.seq = 0 THEN a.hash WHEN l.seq < 0 THEN a.seal ELSE e.hash END "
        "FROM links l LEFT JOIN attempts a ON a.n = l.attempt_n "
        "LEFT JOIN events e ON l.seq > 0 AND e.attempt_n = l.attempt_n AND e.seq = l.seq"
        f"{lscope} ORDER BY l.trainee_id, l.pos", params)
    for tid, group in groupby(rows, key=lambda r: str(r[0])):
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


def verify(conn: Conn, where: str, trainee_id: str | None = None, *,
           key: bytes | None = None) -> list[VerifyProblem]:
    """Every problem in the store's hash chains, attempt by attempt and event by event (the store
    runs this inside one REPEATABLE READ READ ONLY snapshot, so no writer moves the chain underneath).

    With ``trainee_id``, only that trainee's chain, attempts and events are checked; rows that
    belong to nobody are then not looked for. Raises :class:`NotFoundError` when the trainee has
    neither a row nor attempts. (PostgreSQL reports damage to its own pages as errors on the read,
    so there is no ``damaged`` check here: a damaged page fails the read loudly.)
    """
    return _verify_chains(conn, where, trainee_id, key)


def chain_attempts(conn: Conn, scope: str = "", params: tuple[Any, ...] = (),
                   problems: list[VerifyProblem] | None = None) -> dict[int, ChainAttempt]:
    """Every attempt's chain columns by internal number, in trainee and sequence order (``scope``:
    a WHERE clause over ``attempts``); a pass/fail value casesim never writes goes to ``problems``."""
    attempts: dict[int, ChainAttempt] = {}
    for r in conn.execute(
            "SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, "
            "start_node, started_at, prev_hash, hash, event_count, head_hash, status, ended_at, passed, share, "
            "debrief, seal, signoff, verdict, decision_seconds, reading_seconds, too_fast, cohort, imported, assignment, section, term "
            f"FROM attempts{scope} ORDER BY trainee_id, trainee_seq", params):
        if r[17] not in (None, 0, 1) and problems is not None:
            problems.append(VerifyProblem("edited", r[2], r[1], None, f"attempt {r[1]}: its pass/fail value "
                                                                      f"{r[17]!r} was edited (casesim writes 0 or 1)"))
        attempts[int(r[0])] = ChainAttempt(
            id=r[1], trainee_id=r[2], trainee_seq=int(r[3]), scenario_id=r[4], scenario_version=r[5],
            content_hash=r[6], mode=r[7], seed=int(r[8]), start_node=r[9], started_at=r[10], prev_hash=r[11],
            hash=r[12], event_count=int(r[13]), head_hash=r[14], status=r[15], ended_at=r[16],
            passed=None if r[17] is None else bool(r[17]), share=r[18], debrief=r[19], seal=r[20], signoff=r[21],
            outcome=tuple(r[22:26]), cohort=r[26], imported=r[27], assignment=r[28], section=r[29],
            term=r[30])
    return attempts


def _verify_chains(conn: Conn, where: str, trainee_id: str | None,
                   key: bytes | None) -> list[VerifyProblem]:
    problems: list[VerifyProblem] = []
    scope, params = ("", ()) if trainee_id is None else (" WHERE trainee_id = %s", (trainee_id,))
    of_scope = "" if trainee_id is None else " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = %s)"
    trainees = {r[0]: ChainTrainee(r[0], int(r[1]), r[2]) for r in conn.execute(
        "SELECT id, attempt_count, head_hash FROM trainees" + scope.replace("trainee_id", "id"), params)}
    attempts = chain_attempts(conn, scope, params, problems)
    if trainee_id is not None and not trainees and not attempts:
        raise NotFoundError(f"there is no trainee {trainee_id} in {where}", title="no such trainee")
    by_trainee: dict[str, list[ChainAttempt]] = {}
    for attempt in attempts.values():
        by_trainee.setdefault(attempt.trainee_id, []).append(attempt)
    for tid in sorted(set(trainees) | set(by_trainee)):
        problems.extend(verify_trainee(trainees.get(tid), tid, by_trainee.get(tid, []), key))
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
        problems.extend(verify_attempt(attempt, batch, results.get(current, DebriefResults()), key))

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
            problems.extend(verify_attempt(attempt, [], results.get(n, DebriefResults()), key))
    if trainee_id is None:
        from casesim.records.postgres.program import verify_program

        problems.extend(_verify_roster(conn, key))
        problems.extend(verify_program(conn, key))
    explained = {p.trainee_id for p in problems}
    problems.extend(_verify_links(conn, trainee_id, key, attempts, explained))
    return problems
