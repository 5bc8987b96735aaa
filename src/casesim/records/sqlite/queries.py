"""Report queries and verification loading over an open SQLite connection.

Each function takes a connection the store has already locked (and, where it says so, put in a
read snapshot), so these are plain functions over SQL; the store decides the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from casesim.errors import NotFoundError, StoreCorruptError
from casesim.format.mode import Mode
from casesim.records.api import (
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    DecisionPath,
    VerifyProblem,
    effective_steps,
)
from casesim.records.verify import (
    ChainAttempt,
    ChainAudit,
    ChainEvent,
    ChainLink,
    ChainTrainee,
    DebriefResults,
    StoredAssignment,
    TraineeProfile,
    verify_assignments,
    verify_attempt,
    verify_audit,
    verify_links,
    verify_roles,
    verify_trainee,
)

__all__ = ["HeadMatch", "competency_points", "criterion_rows", "decision_counts", "filter_clause", "find_head",
           "trainee_chains", "verify"]


class _PathRow(NamedTuple):
    kind: str
    node: str | None
    choice: str | None


def _late_columns(conn: sqlite3.Connection) -> str:
    """The attempt columns added by later migrations (the cohort, the import note, the assignment, the section
    and term), or NULLs while an older migration (the schema 4 re-chain) verifies the store
    before they exist."""
    have = {str(r[1]) for r in conn.execute("PRAGMA table_info(attempts)")}
    late = ("cohort", "imported", "assignment", "section", "term")
    return ", ".join(c if c in have else f"NULL AS {c}" for c in late)


def filter_clause(trainee_id: str | None, cohort: str | None,
                  scenario_id: str | None = None) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause over ``trainees t`` joined with ``attempts a``, and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if trainee_id is not None:
        clauses.append("a.trainee_id = ?")
        params.append(trainee_id)
    if cohort is not None:  # the cohort stamped on the attempt; before stamping, the trainee's
        # Two indexed lookups (stamped attempts by cohort; unstamped ones through their trainee's
        # cohort), so one cohort's report reads that cohort only, never every attempt.
        clauses.append("a.n IN (SELECT n FROM attempts WHERE cohort = ? UNION ALL SELECT u.n FROM trainees ut "
                       "JOIN attempts u ON u.trainee_id = ut.id WHERE ut.cohort = ? AND u.cohort IS NULL)")
        params.extend((cohort, cohort))
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


def decision_paths(conn: sqlite3.Connection, *, cohort: str | None = None, trainee_id: str | None = None,
                   scenario_id: str | None = None, mode: Mode | None = None) -> list[DecisionPath]:
    """Distinct effective paths per trainee with their number of attempts, from the covering path
    index: the selected attempts are found first (indexed by cohort or trainee), then only their
    path events are read (no payload), and equal paths are counted once."""
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = ?"
        params = (*params, mode)
    # One row per distinct (trainee, file, start, path): SQLite writes each attempt's path events
    # as one JSON array and counts equal arrays, so Python parses each distinct path once instead
    # of receiving every event (the all-cohorts report was 6x a bare scan of the events). Each
    # step carries its seq, so the order is checked, never assumed from the aggregate.
    rows = conn.execute(
        "WITH sel AS MATERIALIZED (SELECT a.n, a.trainee_id, a.scenario_id, a.content_hash, a.start_node FROM "
        f"trainees t JOIN attempts a ON a.trainee_id = t.id {where}), "
        # CROSS JOIN: the selected attempts drive the lookups, so one cohort never reads the others' events.
        "paths AS (SELECT sel.n, sel.trainee_id, sel.scenario_id, sel.content_hash, sel.start_node, "
        "json_group_array(json_array(e.seq, e.kind, e.node, e.choice)) AS steps "
        "FROM sel CROSS JOIN events e ON e.attempt_n = sel.n WHERE e.kind IN ('choice', 'timer-expired', 'undo') "
        "GROUP BY sel.n) "
        "SELECT trainee_id, scenario_id, content_hash, start_node, steps, count(*) FROM paths "
        "GROUP BY trainee_id, scenario_id, content_hash, start_node, steps", params)
    counted: Counter[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]] = Counter()
    for trainee, scenario, content, start, text, count in rows:
        items = json.loads(text)
        if any(a[0] > b[0] for a, b in zip(items, items[1:], strict=False)):
            items.sort(key=lambda item: item[0])
        events = [_PathRow(kind, node, choice) for _, kind, node, choice in items]
        if any(e.kind == "undo" for e in events):  # attempts with an undo: the one undo rule
            events = effective_steps(events)
        steps = [e for e in events if e.choice is not None]
        counted[(trainee, scenario, content, start, tuple(str(e.choice) for e in steps),
                 tuple(e.node or "?" for e in steps))] += int(count)
    return [DecisionPath(*key, attempts=count) for key, count in counted.items()]


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


def trainee_chains(conn: sqlite3.Connection) -> list[tuple[str, int, int, str]]:
    """Each trainee's (id, attempts, links, chain head), in id order: what the store head covers."""
    return [(str(r[0]), int(r[1]), int(r[2]), str(r[3] or "")) for r in conn.execute(
        "SELECT id, attempt_count, link_count, chain_head FROM trainees ORDER BY id")]


class HeadMatch(NamedTuple):
    """Where a head given back (``records verify --against``) sits in a trainee's chain today."""

    trainee_id: str
    link: int
    """The head is the trainee's head after this many links."""
    links: int
    """How many links the trainee has now (``links - link`` were added since the head was printed)."""
    attempts: int
    """How many of the trainee's attempts had started by then."""


def find_head(conn: sqlite3.Connection, target: str, key: bytes | None) -> HeadMatch | None:
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


def _verify_roster(conn: sqlite3.Connection, key: bytes | None) -> list[VerifyProblem]:
    """The roster: every trainee in the order added, over the store's id and pseudonym key."""
    from casesim.records.chain import roster_digest, roster_genesis, sha256_text

    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('store_id', 'pseudonym_key', 'roster_head', "
                             "'roster_count')").fetchall())
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


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def audit_head(conn: sqlite3.Connection, store_id: str, key: bytes | None) -> tuple[int, str]:
    """The audit chain's (entries, head) as ``meta`` keeps them (an empty log: 0 and its genesis)."""
    from casesim.records.chain import audit_genesis

    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('audit_count', 'audit_head')").fetchall())
    count = str(meta.get("audit_count", "0"))
    if not count.isdigit() or (int(count) > 0 and "audit_head" not in meta):
        raise StoreCorruptError("the head of the audit log in the meta table is missing or edited",
                                title="records: damaged file", hint="run `casesim records verify`")
    return int(count), str(meta["audit_head"]) if int(count) else audit_genesis(store_id, key)


def audit_entries(conn: sqlite3.Connection, *, trainee_id: str | None = None, since: str | None = None,
                  limit_seq: int | None = None) -> list[ChainAudit]:
    """Audit rows in order as stored (``trainee_id``: only entries naming them)."""
    if not _has_table(conn, "audit"):
        return []
    clauses: list[str] = []
    params: list[Any] = []
    if trainee_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(trainees) THEN trainees ELSE '[]' END) "
                       "WHERE value = ?)")
        params.append(trainee_id)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since)
    if limit_seq is not None:
        clauses.append("seq <= ?")
        params.append(limit_seq)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return [ChainAudit(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in conn.execute(
        f"SELECT seq, at, actor, action, trainees, cohort, attempts, purpose, detail, hash FROM audit{where} "
        "ORDER BY seq", params)]


def store_head(conn: sqlite3.Connection, store_id: str, key: bytes | None,
               audit: tuple[int, str] | None = None) -> str:
    """The store head over every trainee's chain and the audit chain (``audit``: at another
    point of it than its head now)."""
    from casesim.records.chain import sha256_text, store_digest

    rows = trainee_chains(conn)
    pseudonym = conn.execute("SELECT value FROM meta WHERE key = 'pseudonym_key'").fetchone()
    if audit is None:
        audit = audit_head(conn, store_id, key) if _has_table(conn, "audit") else None
    return store_digest(store_id, sha256_text(str(pseudonym[0]) if pseudonym else ""),
                        [(tid, links, head) for tid, _, links, head in rows], key, audit=audit)


def heads_since(conn: sqlite3.Connection, store_id: str, key: bytes | None, target: str) -> int | None:
    """How many audit entries were added since ``target`` was the store head, nothing else having
    changed (None: it never was, with today's trainee chains)."""
    from casesim.records.chain import store_with_audit

    count, _ = audit_head(conn, store_id, key)
    base = store_head(conn, store_id, key, audit=(0, ""))  # over the trainees only: computed once
    if base == target:
        return count
    for entry in reversed(audit_entries(conn)):
        if store_with_audit(base, (entry.seq, entry.hash), key) == target:
            return count - entry.seq
    return None


def _verify_roles(conn: sqlite3.Connection, entries: list[ChainAudit]) -> list[VerifyProblem]:
    """The roles table must be what the audit log's grants and revocations leave."""
    return verify_roles({(str(r[0]), str(r[1]), str(r[2])): (str(r[3]), str(r[4])) for r in conn.execute(
        "SELECT actor, role, cohort, granted_by, granted_at FROM roles")}, entries)


def _verify_audit(conn: sqlite3.Connection, key: bytes | None) -> list[VerifyProblem]:
    """The audit chain, and the assignments and roles against it."""
    from casesim.records.chain import audit_genesis

    if not _has_table(conn, "audit"):
        return []
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('store_id', 'audit_count', "
                             "'audit_head')").fetchall())
    store_id = str(meta.get("store_id", ""))
    raw_count = meta.get("audit_count")
    count = int(raw_count) if isinstance(raw_count, str) and raw_count.isdigit() else None
    genesis_hash = audit_genesis(store_id, key)
    head = meta.get("audit_head", genesis_hash if count == 0 else None)
    entries = audit_entries(conn)
    problems = verify_audit(entries, genesis_hash, count, None if head is None else str(head), key)
    if raw_count is not None and count is None:
        problems.append(VerifyProblem("edited", None, None, None, "audit log: its entry count in the meta table was "
                                                                  f"edited ({raw_count!r})"))
    stored = [StoredAssignment(str(r[0]), {"id": r[0], "cohort": r[1], "scenario_id": r[2], "scenario_version": r[3],
                                           "content_hash": r[4], "mode": r[5], "opens_at": r[6], "closes_at": r[7],
                                           "attempt_limit": r[8], "counting": r[9], "created_by": r[10],
                                           "created_at": r[11]}, r[12], r[13])
              for r in conn.execute("SELECT id, cohort, scenario_id, scenario_version, content_hash, mode, opens_at, "
                                    "closes_at, attempt_limit, counting, created_by, created_at, removed_at, removed_by "
                                    "FROM assignments ORDER BY id")]
    problems.extend(verify_assignments(stored, entries))
    problems.extend(_verify_roles(conn, entries))
    return problems


def _verify_links(conn: sqlite3.Connection, trainee_id: str | None, key: bytes | None,
                  attempts: dict[int, ChainAttempt], explained: set[str | None]) -> list[VerifyProblem]:
    """The trainee chains over everything: each link joined to the row it names, in order
    (``explained``: trainees with problems found already, whose changed head says nothing new)."""
    scope, params = ("", ()) if trainee_id is None else (" WHERE t.id = ?", (trainee_id,))
    profiles = {r[0]: TraineeProfile(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in conn.execute(
        "SELECT id, display_name, cohort, created_at, link_count, chain_head FROM trainees t" + scope, params)}
    lscope = "" if trainee_id is None else " WHERE l.trainee_id = ?"
    counts = {int(n): int(c) for n, c in conn.execute(
        "SELECT attempt_n, count(*) FROM events" + ("" if trainee_id is None else
                                                    " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)")
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


def verify(conn: sqlite3.Connection, path: Path | None, trainee_id: str | None = None, *,
           key: bytes | None = None) -> list[VerifyProblem]:
    """Every problem in the file and its hash chains, attempt by attempt and event by event.

    Loads the rows into the plain types of :mod:`casesim.records.verify`, which does the checking
    (the store runs this inside one read snapshot, so no writer moves the chain underneath).

    With ``trainee_id``, only that trainee's chain, attempts and events are checked (and the
    file itself, whose damage can hide anyone's rows); rows that belong to nobody are then
    not looked for. Raises :class:`NotFoundError` when the trainee has neither a row nor
    attempts. Damage to the file is reported (``damaged``), never raised: the chain is checked
    as far as SQLite can read it.
    """
    problems: list[VerifyProblem] = []
    try:
        check = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        check = [str(exc)]
    if check != ["ok"]:
        problems.extend(VerifyProblem("damaged", None, None, None, f"the SQLite file is damaged: {line}")
                        for line in check[:20])
    try:
        problems.extend(_verify_chains(conn, path, trainee_id, key))
    except sqlite3.DatabaseError as exc:
        problems.append(VerifyProblem("damaged", None, None, None,
                                      f"the hash chains could not be read past the damage ({exc}): what lies "
                                      "behind it is unknown; restore a backup, or keep this file for recovery"))
    return problems


def chain_attempts(conn: sqlite3.Connection, scope: str = "", params: tuple[Any, ...] = (),
                   problems: list[VerifyProblem] | None = None) -> dict[int, ChainAttempt]:
    """Every attempt's chain columns by internal number, in trainee and sequence order (``scope``:
    a WHERE clause over ``attempts``); a pass/fail value casesim never writes goes to ``problems``."""
    attempts: dict[int, ChainAttempt] = {}
    for r in conn.execute(
            "SELECT n, id, trainee_id, trainee_seq, scenario_id, scenario_version, content_hash, mode, seed, "
            "start_node, started_at, prev_hash, hash, event_count, head_hash, status, ended_at, passed, share, "
            f"debrief, seal, signoff, verdict, decision_seconds, reading_seconds, too_fast, {_late_columns(conn)} "
            f"FROM attempts{scope} ORDER BY trainee_id, trainee_seq", params):
        if r[17] not in (None, 0, 1) and problems is not None:
            problems.append(VerifyProblem("edited", r[2], r[1], None, f"attempt {r[1]}: its pass/fail value "
                                                                      f"{r[17]!r} was edited (casesim writes 0 or 1)"))
        attempts[int(r[0])] = ChainAttempt(
            id=r[1], trainee_id=r[2], trainee_seq=int(r[3]), scenario_id=r[4], scenario_version=r[5],
            content_hash=r[6], mode=r[7], seed=int(r[8]), start_node=r[9], started_at=r[10], prev_hash=r[11],
            hash=r[12], event_count=int(r[13]), head_hash=r[14], status=r[15], ended_at=r[16],
            passed=None if r[17] is None else bool(r[17]), share=r[18], debrief=r[19], seal=r[20], signoff=r[21],
            outcome=tuple(r[22:26]), cohort=r[26], imported=r[27], assignment=r[28], section=r[29], term=r[30])
    return attempts


def _verify_chains(conn: sqlite3.Connection, path: Path | None, trainee_id: str | None,
                   key: bytes | None) -> list[VerifyProblem]:
    problems: list[VerifyProblem] = []
    scope, params = ("", ()) if trainee_id is None else (" WHERE trainee_id = ?", (trainee_id,))
    of_scope = "" if trainee_id is None else " WHERE attempt_n IN (SELECT n FROM attempts WHERE trainee_id = ?)"
    trainees = {r[0]: ChainTrainee(r[0], int(r[1]), r[2]) for r in conn.execute(
        "SELECT id, attempt_count, head_hash FROM trainees" + scope.replace("trainee_id", "id"), params)}
    attempts = chain_attempts(conn, scope, params, problems)
    if trainee_id is not None and not trainees and not attempts:
        raise NotFoundError(f"there is no trainee {trainee_id} in {path}", title="no such trainee")
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
        problems.extend(_verify_roster(conn, key))
        problems.extend(_verify_audit(conn, key))
    explained = {p.trainee_id for p in problems}
    problems.extend(_verify_links(conn, trainee_id, key, attempts, explained))
    return problems
