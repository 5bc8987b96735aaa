"""The program's governance tables on SQLite: assignments, roles and the audit chain.

Plain functions over a connection the store has locked (inside its write transaction where they
write), like :mod:`casesim.records.sqlite.queries`. The decisions are made by the pure modules
(:mod:`casesim.records.ledger` links each audit entry, :mod:`casesim.records.assignments`
chooses an attempt's assignment); this module only reads and persists rows.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

from casesim.errors import NotFoundError, StoreError
from casesim.records import ledger
from casesim.records.api import (
    AssignmentCheck,
    AssignmentRow,
    AuditEntry,
    AuditRow,
    NewAssignment,
    Role,
    RoleGrant,
)
from casesim.records.assignments import check_new, choose
from casesim.records.chain import canonical_json
from casesim.records.rows import ASSIGNMENT_COLUMNS, assignment_row
from casesim.records.sqlite import queries

__all__ = ["add_assignment", "append_audit", "assignment_for", "assignments", "audit_log", "grant_role",
           "remove_assignment", "revoke_role", "roles"]

_ASSIGNMENT_COLUMNS = ASSIGNMENT_COLUMNS
_assignment = assignment_row


def append_audit(conn: sqlite3.Connection, store_id: str, entry: AuditEntry, *, at: str,
                 key: bytes | None) -> AuditRow:
    """Link ``entry`` into the audit chain and store it with the new head (in the caller's write)."""
    count, head = queries.audit_head(conn, store_id, key)
    row = ledger.audit(ledger.AuditHead(count, head), entry, at=at, key=key)
    conn.execute("INSERT INTO audit(seq, at, actor, action, trainees, cohort, attempts, purpose, detail, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (row.seq, row.at, row.actor, row.action, canonical_json(list(row.trainees)), row.cohort,
                  canonical_json(list(row.attempts)), row.purpose,
                  canonical_json(dict(row.detail)) if row.detail is not None else None, row.hash))
    conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [("audit_count", str(row.seq)), ("audit_head", row.hash)])
    return row


def audit_log(conn: sqlite3.Connection, *, trainee_id: str | None, since: str | None) -> list[AuditRow]:
    return [e.row() for e in queries.audit_entries(conn, trainee_id=trainee_id, since=since)]


def assignments(conn: sqlite3.Connection, cohort: str | None = None) -> list[AssignmentRow]:
    sql = f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments"
    params: tuple[Any, ...] = ()
    if cohort is not None:
        sql += " WHERE cohort = ?"
        params = (cohort,)
    return [_assignment(r) for r in conn.execute(sql + " ORDER BY created_at, id", params)]


def add_assignment(conn: sqlite3.Connection, store_id: str, new: NewAssignment, *, by: str, at: str,
                   key: bytes | None) -> AssignmentRow:
    try:
        check_new(new)
    except ValueError as exc:
        raise StoreError(f"the assignment was refused: {exc}", title="assignment refused") from exc
    row = AssignmentRow(cohort=new.cohort, scenario_id=new.scenario_id, scenario_version=new.scenario_version,
                        content_hash=new.content_hash, mode=new.mode, opens_at=new.opens_at, closes_at=new.closes_at,
                        attempt_limit=new.attempt_limit, counting=new.counting, id="a-" + uuid.uuid4().hex[:10],
                        created_by=by, created_at=at)
    conn.execute(f"INSERT INTO assignments({_ASSIGNMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                 (row.id, row.cohort, row.scenario_id, row.scenario_version, row.content_hash, row.mode, row.opens_at,
                  row.closes_at, row.attempt_limit, row.counting, row.created_by, row.created_at))
    append_audit(conn, store_id, AuditEntry(actor=by, action="assign", cohort=row.cohort,
                                            detail={"assignment": row.definition()}), at=at, key=key)
    return row


def remove_assignment(conn: sqlite3.Connection, store_id: str, assignment_id: str, *, by: str, at: str,
                      key: bytes | None, where: str) -> AssignmentRow:
    row = conn.execute(f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no assignment {assignment_id} in {where}", title="no such assignment",
                            hint="`casesim class assignments` lists them")
    current = _assignment(row)
    if current.removed_at is not None:
        raise StoreError(f"the assignment {assignment_id} was already withdrawn at {current.removed_at} by "
                         f"{current.removed_by}", title="already withdrawn")
    conn.execute("UPDATE assignments SET removed_at = ?, removed_by = ? WHERE id = ?", (at, by, assignment_id))
    append_audit(conn, store_id, AuditEntry(actor=by, action="unassign", cohort=current.cohort,
                                            detail={"assignment": {"id": assignment_id}}), at=at, key=key)
    return AssignmentRow(**{**{f: getattr(current, f) for f in current.__dataclass_fields__},
                            "removed_at": at, "removed_by": by})


def _used(conn: sqlite3.Connection, trainee_id: str) -> dict[str, int]:
    """Attempts the trainee started under each assignment (left ones do not use up a try)."""
    return {str(a): int(n) for a, n in conn.execute(
        "SELECT assignment, count(*) FROM attempts WHERE trainee_id = ? AND assignment IS NOT NULL "
        "AND status NOT IN ('left', 'abandoned') GROUP BY assignment", (trainee_id,))}


def assignment_for(conn: sqlite3.Connection, trainee_id: str, scenario_id: str, content_hash: str, mode: str,
                   *, at: str) -> AssignmentCheck:
    """The assignment an attempt started at ``at`` is tied to (the store calls this inside the
    write that starts it, and the player before, to tell the trainee)."""
    row = conn.execute("SELECT cohort FROM trainees WHERE id = ?", (trainee_id,)).fetchone()
    cohort = row[0] if row is not None else None
    if cohort is None:  # no cohort is governed by assignments: the plain evidence rules apply
        return AssignmentCheck(None, None)
    rows = [_assignment(r) for r in conn.execute(
        f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE cohort = ? AND scenario_id = ?", (cohort, scenario_id))]
    if not rows and not conn.execute("SELECT 1 FROM assignments WHERE cohort = ? LIMIT 1", (cohort,)).fetchone():
        return AssignmentCheck(None, None)  # an ungoverned cohort: the plain evidence rules apply
    return choose(rows, cohort=cohort, scenario_id=scenario_id, content_hash=content_hash, mode=mode, at=at,
                  used=_used(conn, trainee_id))


def roles(conn: sqlite3.Connection) -> list[RoleGrant]:
    return [RoleGrant(str(r[0]), r[1], str(r[2]) or None, str(r[3]), str(r[4])) for r in conn.execute(
        "SELECT actor, role, cohort, granted_by, granted_at FROM roles ORDER BY actor, role, cohort")]


def grant_role(conn: sqlite3.Connection, store_id: str, actor: str, role: Role, cohort: str | None, *, by: str,
               at: str, key: bytes | None) -> RoleGrant:
    if role not in ("instructor", "administrator"):
        raise StoreError(f"there is no role {role!r}: use instructor or administrator", title="grant refused")
    if (role == "instructor") != (cohort is not None):
        raise StoreError("an instructor is granted one cohort; an administrator none", title="grant refused")
    if conn.execute("SELECT 1 FROM roles LIMIT 1").fetchone() is None and role != "administrator":
        raise StoreError("the first role granted in a store must be an administrator's (who can then grant the "
                         "others), so the store is never left with roles nobody can manage", title="grant refused",
                         hint="casesim class grant YOUR-LOGIN --administrator")
    if conn.execute("SELECT 1 FROM roles WHERE actor = ? AND role = ? AND cohort = ?",
                    (actor, role, cohort or "")).fetchone() is not None:
        raise StoreError(f"{actor} is already {role}" + (f" of {cohort}" if cohort else ""), title="already granted")
    conn.execute("INSERT INTO roles(actor, role, cohort, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)",
                 (actor, role, cohort or "", by, at))
    append_audit(conn, store_id, AuditEntry(actor=by, action="grant", cohort=cohort,
                                            detail={"role": {"actor": actor, "role": role, "cohort": cohort}}),
                 at=at, key=key)
    return RoleGrant(actor, role, cohort, by, at)


def revoke_role(conn: sqlite3.Connection, store_id: str, actor: str, role: Role, cohort: str | None, *, by: str,
                at: str, key: bytes | None) -> bool:
    held = conn.execute("SELECT 1 FROM roles WHERE actor = ? AND role = ? AND cohort = ?",
                        (actor, role, cohort or "")).fetchone()
    if held is None:
        return False
    if role == "administrator" and conn.execute(
            "SELECT count(*) FROM roles WHERE role = 'administrator'").fetchone()[0] == 1 and \
            conn.execute("SELECT count(*) FROM roles").fetchone()[0] > 1:
        raise StoreError(f"{actor} is the last administrator, and other roles remain: nobody could manage them",
                         title="revoke refused", hint="grant another administrator first")
    conn.execute("DELETE FROM roles WHERE actor = ? AND role = ? AND cohort = ?", (actor, role, cohort or ""))
    append_audit(conn, store_id, AuditEntry(actor=by, action="revoke", cohort=cohort,
                                            detail={"role": {"actor": actor, "role": role, "cohort": cohort}}),
                 at=at, key=key)
    return True
