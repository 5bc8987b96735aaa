"""Report queries and verification loading over a PostgreSQL connection.

The same queries as :mod:`casesim.records.sqlite.queries`, in PostgreSQL's dialect: each function
takes a connection inside the store's ``REPEATABLE READ READ ONLY`` snapshot. Verifying is one
walk for both backends (:func:`casesim.records.verify.walk_store`): this module only gives it
the connection and says where this backend keeps its pseudonym key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any, NamedTuple

from casesim.format.scenario import Mode
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
from casesim.records.postgres.connect import Conn
from casesim.records.postgres.schema import PRIVATE
from casesim.records.verify import (
    ChainAttempt,
    HeadMatch,
    Rows,
    StoreLayout,
    walk_store,
)
from casesim.records.verify import chain_attempts as verify_chain_attempts
from casesim.records.verify import find_head as verify_find_head

__all__ = ["HeadMatch", "chain_attempts", "competency_points", "criterion_rows", "decision_counts", "filter_clause",
           "find_head", "trainee_chains", "verify"]


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
    path_kinds = f"e.kind IN {PATH_KINDS_SQL}"
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
    """Distinct effective paths per trainee with their number of attempts, as the SQLite store
    reads them: in one statement, the stored paths grouped in SQL and the other attempts' path
    events; the attempts whose stored copy does not read as a path from their events, after."""
    where, params = filter_clause(trainee_id, cohort, scenario_id)
    if mode is not None:
        where = (where + " AND " if where else "WHERE ") + "a.mode = %s"
        params = (*params, mode)
    counted: Counter[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]] = Counter()
    and_ = " AND " if where else "WHERE "
    unreadable = _count_paths(conn, f"{where}{and_}", params, counted, stored=True)
    if unreadable:
        _count_paths(conn, f"{where}{and_}a.path = ANY(%s) AND ", (*params, unreadable), counted, stored=False)
    return [DecisionPath(*key, attempts=count) for key, count in counted.items()]


def _count_paths(conn: Conn, where: str, params: tuple[Any, ...],
                 counted: Counter[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]], *,
                 stored: bool) -> list[str]:
    """Count the selected attempts' paths (``where`` ends in AND): with ``stored``, the stored
    ones grouped in SQL (first, as attempt 0) and the others' from their events; without, every
    selected attempt's from its events. Returns the stored texts that are not paths."""
    grouped = ("SELECT 0 AS n, -1 AS seq, trainee_id, scenario_id, content_hash, start_node, path, NULL, "
               "count(*)::text FROM sel WHERE path IS NOT NULL GROUP BY trainee_id, scenario_id, content_hash, "
               "start_node, path UNION ALL ") if stored else ""
    sql = ("WITH sel AS MATERIALIZED (SELECT a.n, a.trainee_id, a.scenario_id, a.content_hash, a.start_node, "
           f"a.path FROM trainees t JOIN attempts a ON a.trainee_id = t.id {where}TRUE) {grouped}"
           "SELECT sel.n, e.seq, sel.trainee_id, sel.scenario_id, sel.content_hash, sel.start_node, e.kind, e.node, "
           f"e.choice FROM sel JOIN events e ON e.attempt_n = sel.n WHERE {'sel.path IS NULL AND ' if stored else ''}"
           f"e.kind IN {PATH_KINDS_SQL} ORDER BY 1, 2")
    unreadable: list[str] = []
    for n, group in groupby(conn.execute(sql, params), key=lambda r: r[0]):
        if n == 0:  # the stored paths and how many of each trainee's attempts took each
            for *_, trainee, scenario, content, start, text, _node, count in group:
                parsed = path_steps(text)
                if parsed is None:
                    unreadable.append(text)
                else:
                    counted[(trainee, scenario, content, start, *parsed)] += int(count)
            continue
        rows = list(group)
        trainee, scenario, content, start = rows[0][2:6]
        events = [_PathRow(kind, node, choice) for *_, kind, node, choice in rows]
        if any(e.kind == "undo" for e in events):  # the few attempts with an undo: the one undo rule
            events = effective_steps(events)
        steps = [e for e in events if e.choice is not None]
        counted[(trainee, scenario, content, start, tuple(str(e.choice) for e in steps),
                 tuple(e.node or "?" for e in steps))] += 1
    return unreadable


def competency_points(conn: Conn, *, trainee_id: str | None = None,
                      cohort: str | None = None) -> list[CompetencyPoint]:
    where, params = filter_clause(trainee_id, cohort)
    sql = ("SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share, "
           "a.signoff IS NOT NULL "
           "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} ORDER BY a.ended_at, a.n, r.competency")
    return [CompetencyPoint(trainee_id=r[0], attempt_id=r[1], scenario_id=r[2], mode=r[3], ended_at=r[4], competency=r[5],
                            rating=r[6], share=r[7], signed_off=bool(r[8])) for r in conn.execute(sql, params).fetchall()]


def competency_groups(conn: Conn, *, cohort: str | None = None) -> list[CompetencyGroup]:
    """The ratings added up per (trainee, competency, scenario, mode, sign-off) in SQL, as the
    SQLite store does: the latest is the last rated attempt by end, then by n."""
    where, params = filter_clause(None, cohort)
    sql = ("SELECT a.trainee_id, r.competency, a.scenario_id, a.mode, a.signoff IS NOT NULL, count(r.rating), "
           "(array_agg(r.rating ORDER BY coalesce(a.ended_at, '') DESC, a.n DESC) "
           "FILTER (WHERE r.rating IS NOT NULL))[1] "
           "FROM trainees t JOIN attempts a ON a.trainee_id = t.id JOIN competency_results r ON r.attempt_n = a.n "
           f"{where} GROUP BY a.trainee_id, r.competency, a.scenario_id, a.mode, a.signoff IS NOT NULL")
    return [CompetencyGroup(r[0], r[1], r[2], r[3], bool(r[4]), int(r[5]), r[6])
            for r in conn.execute(sql, params).fetchall()]


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


def _rows(conn: Conn) -> Rows:
    """The walk's queries (``?`` placeholders) on this connection (``%s``: psycopg's). The walk's
    SQL holds no other ``?`` or ``%``."""
    def run(sql: str, params: Sequence[Any] = ()) -> Iterable[Sequence[Any]]:
        return conn.execute(sql.replace("?", "%s"), tuple(params))

    return run


_LAYOUT = StoreLayout(pseudonym_sql=f"SELECT key, value FROM {PRIVATE}.secrets WHERE key = 'pseudonym_key'")
"""The pseudonym key lives in ``casesim_private``; every migration is applied before a read."""


def find_head(conn: Conn, target: str, key: bytes | None) -> HeadMatch | None:
    """Where ``target`` is the head of a trainee's chain recomputed from the rows as they are now
    (:func:`casesim.records.verify.find_head`)."""
    return verify_find_head(_rows(conn), target, key)


def chain_attempts(conn: Conn, scope: str = "", params: tuple[Any, ...] = (),
                   problems: list[VerifyProblem] | None = None) -> dict[int, ChainAttempt]:
    """Every attempt's chain columns by internal number (:func:`casesim.records.verify.chain_attempts`)."""
    return verify_chain_attempts(_rows(conn), _LAYOUT, scope, params, problems)


def verify(conn: Conn, where: str, trainee_id: str | None = None, *,
           key: bytes | None = None) -> list[VerifyProblem]:
    """Every problem in the store's hash chains, attempt by attempt and event by event (the store
    runs this inside one REPEATABLE READ READ ONLY snapshot, so no writer moves the chain
    underneath): :func:`casesim.records.verify.walk_store`, as for a file.

    With ``trainee_id``, only that trainee's chain, attempts and events are checked; rows that
    belong to nobody are then not looked for. Raises :class:`NotFoundError` when the trainee has
    neither a row nor attempts. (PostgreSQL reports damage to its own pages as errors on the read,
    so there is no ``damaged`` check here: a damaged page fails the read loudly.)
    """
    return walk_store(_rows(conn), _LAYOUT, where, trainee_id, key=key)
