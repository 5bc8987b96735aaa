"""Report queries and verification loading over an open SQLite connection.

Each function takes a connection the store has already locked (and, where it says so, put in a
read snapshot), so these are plain functions over SQL; the store decides the transaction.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from casesim.errors import StoreCorruptError
from casesim.format.mode import Mode
from casesim.records.api import (
    CompetencyGroup,
    CompetencyPoint,
    CriterionRow,
    DecisionCount,
    DecisionPath,
    VerifyProblem,
    effective_steps,
)
from casesim.records.paths import PATH_KINDS_SQL, path_steps
from casesim.records.verify import (
    ChainAttempt,
    ChainAudit,
    HeadMatch,
    Rows,
    StoreLayout,
    walk_store,
)
from casesim.records.verify import chain_attempts as verify_chain_attempts
from casesim.records.verify import find_head as verify_find_head

__all__ = ["HeadMatch", "competency_points", "criterion_rows", "decision_counts", "filter_clause", "find_head",
           "trainee_chains", "verify"]


class _PathRow(NamedTuple):
    kind: str
    node: str | None
    choice: str | None


def _late_columns(conn: sqlite3.Connection) -> str:
    """The attempt columns added by later migrations (the cohort, the import note, the assignment, the section
    and term, the stored path), or NULLs while an older migration (the schema 4 re-chain) verifies the store
    before they exist."""
    have = {str(r[1]) for r in conn.execute("PRAGMA table_info(attempts)")}
    late = ("cohort", "imported", "assignment", "section", "term", "path")
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
    path_kinds = f"e.kind IN {PATH_KINDS_SQL}"
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


_PathCounter = Counter[tuple[tuple[str, str, str, str], tuple[str, ...], tuple[str, ...]]]


def decision_paths(conn: sqlite3.Connection, *, cohort: str | None = None, trainee_id: str | None = None,
                   scenario_id: str | None = None, mode: Mode | None = None) -> list[DecisionPath]:
    """Distinct effective paths per trainee with their number of attempts, in one statement: each
    selected attempt with its stored path (:mod:`casesim.records.paths`, written at the seal; each
    distinct one parsed once), and the path events of those without one (in progress). A stored
    copy that does not read as a path is not trusted: those attempts' events are read in a second
    statement."""
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = ?"
        params = (*params, mode)
    counted: _PathCounter = Counter()
    and_ = " AND " if where else "WHERE "
    unreadable = _count_paths(conn, where, f"{where}{and_}a.path IS NULL", params, counted)
    if unreadable:
        marks = ", ".join("?" * len(unreadable))
        again = f"{where}{and_}a.path IN ({marks})"
        _count_paths(conn, again, again, (*params, *unreadable), counted, stored=False)
    return [DecisionPath(*who, steps, nodes, attempts=count) for (who, steps, nodes), count in counted.items()]


def _count_paths(conn: sqlite3.Connection, where: str, unstored: str, params: tuple[Any, ...],
                 counted: _PathCounter, *, stored: bool = True) -> list[str]:
    """Count the paths of the attempts ``where`` selects: the stored ones (with ``stored``) as
    they are, the others' from the path events of the attempts ``unstored`` selects (the same
    parameters). Returns the stored texts that are not paths."""
    # Each selected attempt as a header row (seq -1: trainee, scenario, file, start node, stored
    # path), then the path events of those without one, merged in (attempt, seq) order from the
    # indexed reads; folded into paths here with the one undo rule of effective_steps (an undo
    # takes back the latest step in effect).
    path = "a.path" if stored else "NULL"
    rows = conn.execute(
        f"SELECT a.n, -1, a.trainee_id, a.scenario_id, a.content_hash, a.start_node, {path} "
        f"FROM trainees t JOIN attempts a ON a.trainee_id = t.id {where} "
        "UNION ALL SELECT a.n, e.seq, e.kind, coalesce(nullif(e.node, ''), '?'), e.choice, NULL, NULL "
        f"FROM trainees t JOIN attempts a ON a.trainee_id = t.id CROSS JOIN events e ON e.attempt_n = a.n {unstored} "
        f"AND e.kind IN {PATH_KINDS_SQL} ORDER BY 1, 2", (*params, *params))
    # (the node is "?" when the event did not say; a step that names no choice is left out)
    unreadable: list[str] = []
    attempt: tuple[str, str, str, str] | None = None
    steps: list[str | None] = []
    nodes: list[str] = []
    events = False  # an attempt without a path event has no path (it is not counted)
    for _, seq, kind, node, choice, start, text in rows:
        if seq < 0:
            if attempt is not None and events:
                counted[_path_key(attempt, steps, nodes)] += 1
            attempt, steps, nodes, events = (kind, node, choice, start), [], [], False
            if text is not None:  # stored: no events follow
                parsed = path_steps(text)
                if parsed is None:
                    unreadable.append(text)
                else:
                    counted[(attempt, *parsed)] += 1
                attempt = None
            continue
        events = True
        if kind != "undo":
            steps.append(choice)
            nodes.append(node)
        elif steps:
            steps.pop()
            nodes.pop()
    if attempt is not None and events:
        counted[_path_key(attempt, steps, nodes)] += 1
    return unreadable


def _path_key(attempt: tuple[str, str, str, str], steps: list[str | None], nodes: list[str],
              ) -> tuple[tuple[str, str, str, str], tuple[str, ...], tuple[str, ...]]:
    """An attempt's path as counted: the steps in effect that name a choice, with their nodes."""
    if None in steps:
        kept = [i for i, step in enumerate(steps) if step is not None]
        return attempt, tuple(str(steps[i]) for i in kept), tuple(nodes[i] for i in kept)
    return attempt, tuple(map(str, steps)), tuple(nodes)


def competency_points(conn: sqlite3.Connection, *, trainee_id: str | None = None,
                      cohort: str | None = None) -> list[CompetencyPoint]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share, "
           "a.signoff IS NOT NULL "
           "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} ORDER BY a.ended_at, a.n, r.competency")
    # positional, in the order of the fields (keywords made building these a quarter slower)
    return [CompetencyPoint(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
            for r in conn.execute(sql, params).fetchall()]


def competency_groups(conn: sqlite3.Connection, *, cohort: str | None = None) -> list[CompetencyGroup]:
    """The ratings added up per (trainee, competency, scenario, mode, sign-off) in SQL: a roster of
    a cohort of a hundred read 30,000 rating rows into Python for a few hundred cells."""
    where, params = filter_clause(None, cohort)
    # The latest rating is the bare column of the row that max() picks (SQLite takes a bare
    # column from that row when the query has one max()): the last rated attempt by end, then
    # by n, as competency_points orders them (no end sorts first, as NULL does there).
    sql = ("SELECT a.trainee_id, r.competency, a.scenario_id, a.mode, a.signoff IS NOT NULL, count(r.rating), "
           "r.rating, max(CASE WHEN r.rating IS NOT NULL THEN coalesce(a.ended_at, '') || ' ' || printf('%020d', a.n) "
           "END) FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} GROUP BY a.trainee_id, r.competency, a.scenario_id, a.mode, a.signoff IS NOT NULL")
    return [CompetencyGroup(r[0], r[1], r[2], r[3], bool(r[4]), int(r[5]), r[6] if r[5] else None)
            for r in conn.execute(sql, params).fetchall()]


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
        problems.extend(walk_store(_rows(conn), _layout(conn), path, trainee_id, key=key))
    except sqlite3.DatabaseError as exc:
        problems.append(VerifyProblem("damaged", None, None, None,
                                      f"the hash chains could not be read past the damage ({exc}): what lies "
                                      "behind it is unknown; restore a backup, or keep this file for recovery"))
    return problems


def _rows(conn: sqlite3.Connection) -> Rows:
    def run(sql: str, params: Sequence[Any] = ()) -> Iterable[Sequence[Any]]:
        return conn.execute(sql, tuple(params))

    return run


def _layout(conn: sqlite3.Connection) -> StoreLayout:
    """The file's pseudonym key is in ``meta``; an old file (its re-chain migration) may lack the
    later attempt columns and the audit tables."""
    return StoreLayout(pseudonym_sql="SELECT key, value FROM meta WHERE key = 'pseudonym_key'",
                       late_columns=_late_columns(conn), has_audit=_has_table(conn, "audit"))


def find_head(conn: sqlite3.Connection, target: str, key: bytes | None) -> HeadMatch | None:
    """Where ``target`` is the head of a trainee's chain recomputed from the rows as they are now
    (:func:`casesim.records.verify.find_head`)."""
    return verify_find_head(_rows(conn), target, key)


def chain_attempts(conn: sqlite3.Connection, scope: str = "", params: tuple[Any, ...] = (),
                   problems: list[VerifyProblem] | None = None) -> dict[int, ChainAttempt]:
    """Every attempt's chain columns by internal number (:func:`casesim.records.verify.chain_attempts`)."""
    return verify_chain_attempts(_rows(conn), _layout(conn), scope, params, problems)
