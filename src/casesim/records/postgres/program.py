"""The program's governance tables on PostgreSQL: roles, the audit log, assignments, cohort
details (section, term) and importing another store's pseudonym key.

The same rows as :mod:`casesim.records.sqlite.program` and the same decisions (the pure modules
decide: :mod:`casesim.records.ledger` links each audit entry, :mod:`casesim.records.assignments`
chooses an attempt's assignment, :mod:`casesim.records.verify` checks), so a store copied from
SQLite verifies unchanged and both backends compute the same store head.

Locking, in the order every write takes its locks (so writers never deadlock):

* the audit chain's head lives in ``meta`` (``audit_count``, ``audit_head``), as in the file. An
  append locks the ``audit_count`` row (``SELECT … FOR UPDATE``) before it reads the head, so two
  processes recording disclosures at once queue there and the chain never forks. A write that
  appends an entry (grant, revoke, assign, unassign) takes no other lock;
* an attempt's assignment is chosen in the write that starts it, under its trainee's row lock
  (:meth:`PostgresStore.start_attempt <casesim.records.postgres.PostgresStore.start_attempt>`),
  so two attempts started at once for one trainee count against the attempt limit one after the
  other;
* changing the pseudonym key locks the roster row, every trainee's row (in id order) and then the
  audit head: nothing else moves the store head while it is re-sealed.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from casesim.errors import NotFoundError, StoreCorruptError, StoreError
from casesim.format.mode import Mode
from casesim.records import ledger
from casesim.records.api import (
    AssignmentCheck,
    AssignmentRow,
    AuditEntry,
    AuditRow,
    CohortDetails,
    NewAssignment,
    Role,
    RoleGrant,
)
from casesim.records.assignments import check_new, choose
from casesim.records.chain import (
    audit_genesis,
    canonical_json,
    roster_digest,
    roster_genesis,
    sha256_text,
    store_digest,
    store_with_audit,
)
from casesim.records.labels import clean_label
from casesim.records.postgres.schema import PRIVATE
from casesim.records.rows import ASSIGNMENT_COLUMNS, assignment_row
from casesim.records.verify import ChainAudit

if TYPE_CHECKING:
    from casesim.records.chain import LinkKind
    from casesim.records.postgres.connect import Conn

__all__ = ["PSEUDONYM_NOTE", "ProgramOnPostgres", "assignment_for", "audit_entries", "cohort_stamp", "store_head"]

PSEUDONYM_NOTE = "pseudonym_key"
"""The key of the note linked into every trainee's chain when the pseudonym key changes (as in
:mod:`casesim.records.sqlite.pseudonym`)."""

_ASSIGNMENT_COLUMNS = ASSIGNMENT_COLUMNS
_assignment = assignment_row


# --- the audit chain ---------------------------------------------------------------------


def audit_head(conn: Conn, store_id: str, key: bytes | None, *, lock: bool = False) -> ledger.AuditHead:
    """The audit chain's (entries, head) as ``meta`` keeps them (an empty log: 0 and its genesis);
    ``lock``: take the row locks every append queues on.

    Both rows exist in every store from its creation (``audit_head`` is '' while the log is
    empty), so an append only UPDATEs ``meta``, which the instructor's database role may."""
    rows = conn.execute("SELECT key, value FROM meta WHERE key IN ('audit_count', 'audit_head') ORDER BY key"
                        + (" FOR UPDATE" if lock else "")).fetchall()
    meta = {str(k): str(v) for k, v in rows}
    count = meta.get("audit_count", "0")
    if not count.isdigit() or (int(count) > 0 and not meta.get("audit_head")) or (lock and len(meta) < 2):
        raise StoreCorruptError("the head of the audit log in the meta table is missing or edited, so no entry "
                                "can be linked to it", title="records: damaged database",
                                hint="run `casesim records verify`")
    return ledger.AuditHead(int(count), meta["audit_head"] if int(count) else audit_genesis(store_id, key))


def append_audit(conn: Conn, store_id: str, entry: AuditEntry, *, head: ledger.AuditHead, at: str,
                 key: bytes | None) -> AuditRow:
    """Link ``entry`` into the audit chain after ``head`` and store it with the new head, in the
    caller's write, which read ``head`` with ``audit_head(lock=True)`` and then ``at`` (so time
    order is the chain's order, as for the trainee chains)."""
    row = ledger.audit(head, entry, at=at, key=key)
    conn.execute("INSERT INTO audit(seq, at, actor, action, trainees, cohort, attempts, purpose, detail, hash) "
                 "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                 (row.seq, row.at, row.actor, row.action, canonical_json(list(row.trainees)), row.cohort,
                  canonical_json(list(row.attempts)), row.purpose,
                  canonical_json(dict(row.detail)) if row.detail is not None else None, row.hash))
    conn.execute("UPDATE meta SET value = CASE key WHEN 'audit_count' THEN %s ELSE %s END "
                 "WHERE key IN ('audit_count', 'audit_head')", (str(row.seq), row.hash))
    return row


def audit_entries(conn: Conn, *, trainee_id: str | None = None, since: str | None = None) -> list[ChainAudit]:
    """Audit rows in order as stored (``trainee_id``: only entries naming them). The lists are
    canonical JSON text (the hash is over it, and PostgreSQL 15 has no safe "is this JSON" test
    to cast with), so the server pre-filters on the id as canonical JSON writes it and the id is
    then matched exactly in Python; a list edited into something unreadable names nobody, as in
    the file."""
    clauses: list[str] = []
    params: list[Any] = []
    if trainee_id is not None:
        clauses.append("strpos(trainees, %s) > 0")
        params.append(json.dumps(trainee_id, ensure_ascii=False))
    if since is not None:
        clauses.append("at >= %s")
        params.append(since)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    entries = [ChainAudit(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in conn.execute(
        f"SELECT seq, at, actor, action, trainees, cohort, attempts, purpose, detail, hash FROM audit{where} "
        "ORDER BY seq", params).fetchall()]
    if trainee_id is None:
        return entries
    return [e for e in entries if trainee_id in _json_list(e.trainees)]


def _json_list(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return (text,)
    return tuple(str(v) for v in value) if isinstance(value, list) else (text,)


def store_head(conn: Conn, store_id: str, key: bytes | None, audit: tuple[int, str] | None = None) -> str:
    """The store head over every trainee's chain and the audit chain (``audit``: at another point
    of it than its head now), exactly as :func:`casesim.records.sqlite.queries.store_head`."""
    rows = conn.execute("SELECT id, link_count, chain_head FROM trainees ORDER BY id").fetchall()
    pseudonym = conn.execute(f"SELECT value FROM {PRIVATE}.secrets WHERE key = 'pseudonym_key'").fetchone()
    if audit is None:
        head = audit_head(conn, store_id, key)
        audit = (head.count, head.head)
    return store_digest(store_id, sha256_text(str(pseudonym[0]) if pseudonym else ""),
                        [(str(tid), int(links), str(chain or "")) for tid, links, chain in rows], key, audit=audit)


def heads_since(conn: Conn, store_id: str, key: bytes | None, target: str) -> int | None:
    """How many audit entries were added since ``target`` was the store head, nothing else having
    changed (None: it never was, with today's trainee chains)."""
    count = audit_head(conn, store_id, key).count
    base = store_head(conn, store_id, key, audit=(0, ""))  # over the trainees only: computed once
    if base == target:
        return count
    for entry in reversed(audit_entries(conn)):
        if store_with_audit(base, (entry.seq, entry.hash), key) == target:
            return count - entry.seq
    return None


# --- assignments and cohort stamps (read inside the write that starts an attempt) ---------


def _used(conn: Conn, trainee_id: str) -> dict[str, int]:
    """Attempts the trainee started under each assignment (left ones do not use up a try)."""
    return {str(a): int(n) for a, n in conn.execute(
        "SELECT assignment, count(*) FROM attempts WHERE trainee_id = %s AND assignment IS NOT NULL "
        "AND status NOT IN ('left', 'abandoned') GROUP BY assignment", (trainee_id,)).fetchall()}


def assignment_for(conn: Conn, trainee_id: str, cohort: str | None, scenario_id: str, content_hash: str, mode: str,
                   *, at: str) -> AssignmentCheck:
    """The assignment an attempt started at ``at`` by ``trainee_id`` (in ``cohort`` now) is tied to."""
    if cohort is None:  # no cohort is governed by assignments: the plain evidence rules apply
        return AssignmentCheck(None, None)
    rows = [_assignment(r) for r in conn.execute(
        f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE cohort = %s AND scenario_id = %s",
        (cohort, scenario_id)).fetchall()]
    if not rows and conn.execute("SELECT 1 FROM assignments WHERE cohort = %s LIMIT 1", (cohort,)).fetchone() is None:
        return AssignmentCheck(None, None)  # an ungoverned cohort: the plain evidence rules apply
    return choose(rows, cohort=cohort, scenario_id=scenario_id, content_hash=content_hash, mode=mode, at=at,
                  used=_used(conn, trainee_id))


def cohort_stamp(conn: Conn, cohort: str | None) -> tuple[str | None, str | None]:
    """The section and term a new attempt in ``cohort`` is stamped with (None where not set)."""
    if cohort is None:
        return None, None
    row = conn.execute("SELECT section, term FROM cohort_details WHERE cohort = %s", (cohort,)).fetchone()
    return (row[0], row[1]) if row is not None else (None, None)


# --- the store's methods -----------------------------------------------------------------


class ProgramOnPostgres:
    """Roles, audit log, assignments, cohort details and the pseudonym key of
    :class:`~casesim.records.postgres.PostgresStore` (a mixin: it uses the store's transactions)."""

    if TYPE_CHECKING:
        store_id: str
        _key: bytes | None

        @property
        def location(self) -> str: ...

        def _write(self, action: str) -> AbstractContextManager[Conn]: ...

        def _read(self, action: str, *, snapshot: bool = False) -> AbstractContextManager[Conn]: ...

        def _now(self, conn: Conn) -> str: ...

        def _need_key(self, action: str) -> None: ...

        def _link(self, conn: Conn, trainee_id: str,
                  items: Sequence[tuple[tuple[int | None, int | None], LinkKind, Any]],
                  chain: tuple[Any, Any] | None = None) -> None: ...

    # --- the audit log ----------------------------------------------------------------------

    def record_audit(self, entry: AuditEntry) -> AuditRow:
        """Append an entry to the audit chain (durable when this returns)."""
        self._need_key("record the disclosure in its audit log")
        entry = dataclasses.replace(entry, actor=clean_label(entry.actor, "actor"))
        with self._write("recording the disclosure") as conn:
            head = audit_head(conn, self.store_id, self._key, lock=True)
            return append_audit(conn, self.store_id, entry, head=head, at=self._now(conn), key=self._key)

    def audit_log(self, *, trainee_id: str | None = None, since: str | None = None) -> Sequence[AuditRow]:
        with self._read("reading the audit log", snapshot=True) as conn:
            return [e.row() for e in audit_entries(conn, trainee_id=trainee_id, since=since)]

    # --- roles --------------------------------------------------------------------------------

    def roles(self) -> Sequence[RoleGrant]:
        with self._read("reading the roles") as conn:
            rows = conn.execute("SELECT actor, role, cohort, granted_by, granted_at FROM roles "
                                "ORDER BY actor, role, cohort").fetchall()
        return [RoleGrant(str(r[0]), r[1], str(r[2]) or None, str(r[3]), str(r[4])) for r in rows]

    def grant_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> RoleGrant:
        actor, by = clean_label(actor, "actor"), clean_label(by, "actor")
        cohort = clean_label(cohort, "cohort") if cohort is not None else None
        if role not in ("instructor", "administrator"):
            raise StoreError(f"there is no role {role!r}: use instructor or administrator", title="grant refused")
        if (role == "instructor") != (cohort is not None):
            raise StoreError("an instructor is granted one cohort; an administrator none", title="grant refused")
        with self._write("granting the role") as conn:
            head = audit_head(conn, self.store_id, self._key, lock=True)  # grants queue here: one first administrator
            if conn.execute("SELECT 1 FROM roles LIMIT 1").fetchone() is None and role != "administrator":
                raise StoreError("the first role granted in a store must be an administrator's (who can then grant "
                                 "the others), so the store is never left with roles nobody can manage",
                                 title="grant refused", hint="casesim class grant YOUR-LOGIN --administrator")
            if conn.execute("SELECT 1 FROM roles WHERE actor = %s AND role = %s AND cohort = %s",
                            (actor, role, cohort or "")).fetchone() is not None:
                raise StoreError(f"{actor} is already {role}" + (f" of {cohort}" if cohort else ""),
                                 title="already granted")
            at = self._now(conn)
            conn.execute("INSERT INTO roles(actor, role, cohort, granted_by, granted_at) VALUES (%s, %s, %s, %s, %s)",
                         (actor, role, cohort or "", by, at))
            append_audit(conn, self.store_id, AuditEntry(actor=by, action="grant", cohort=cohort,
                                                         detail={"role": {"actor": actor, "role": role,
                                                                          "cohort": cohort}}),
                         head=head, at=at, key=self._key)
        return RoleGrant(actor, role, cohort, by, at)

    def revoke_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> bool:
        by = clean_label(by, "actor")
        with self._write("revoking the role") as conn:
            head = audit_head(conn, self.store_id, self._key, lock=True)  # grants and revocations one at a time
            if conn.execute("SELECT 1 FROM roles WHERE actor = %s AND role = %s AND cohort = %s",
                            (actor, role, cohort or "")).fetchone() is None:
                return False
            counts = conn.execute("SELECT count(*) FILTER (WHERE role = 'administrator'), count(*) "
                                  "FROM roles").fetchone()
            assert counts is not None
            if role == "administrator" and int(counts[0]) == 1 and int(counts[1]) > 1:
                raise StoreError(f"{actor} is the last administrator, and other roles remain: nobody could manage "
                                 "them", title="revoke refused", hint="grant another administrator first")
            conn.execute("DELETE FROM roles WHERE actor = %s AND role = %s AND cohort = %s",
                         (actor, role, cohort or ""))
            append_audit(conn, self.store_id, AuditEntry(actor=by, action="revoke", cohort=cohort,
                                                         detail={"role": {"actor": actor, "role": role,
                                                                          "cohort": cohort}}),
                         head=head, at=self._now(conn), key=self._key)
        return True

    # --- assignments ---------------------------------------------------------------------------

    def assignments(self, cohort: str | None = None) -> Sequence[AssignmentRow]:
        sql = f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments"
        params: tuple[Any, ...] = ()
        if cohort is not None:
            sql, params = sql + " WHERE cohort = %s", (cohort,)
        with self._read("reading the assignments") as conn:
            return [_assignment(r) for r in conn.execute(sql + " ORDER BY created_at, id", params).fetchall()]

    def add_assignment(self, assignment: NewAssignment, *, by: str) -> AssignmentRow:
        by = clean_label(by, "actor")
        new = dataclasses.replace(assignment, cohort=clean_label(assignment.cohort, "cohort"))
        try:
            check_new(new)
        except ValueError as exc:
            raise StoreError(f"the assignment was refused: {exc}", title="assignment refused") from exc
        with self._write("saving the assignment") as conn:
            head = audit_head(conn, self.store_id, self._key, lock=True)
            at = self._now(conn)
            row = AssignmentRow(cohort=new.cohort, scenario_id=new.scenario_id, scenario_version=new.scenario_version,
                                content_hash=new.content_hash, mode=new.mode, opens_at=new.opens_at,
                                closes_at=new.closes_at, attempt_limit=new.attempt_limit, counting=new.counting,
                                id="a-" + uuid.uuid4().hex[:10], created_by=by, created_at=at)
            conn.execute(f"INSERT INTO assignments({_ASSIGNMENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                         "%s, %s, %s, NULL, NULL)",
                         (row.id, row.cohort, row.scenario_id, row.scenario_version, row.content_hash, row.mode,
                          row.opens_at, row.closes_at, row.attempt_limit, row.counting, row.created_by,
                          row.created_at))
            append_audit(conn, self.store_id, AuditEntry(actor=by, action="assign", cohort=row.cohort,
                                                         detail={"assignment": row.definition()}),
                         head=head, at=at, key=self._key)
        return row

    def remove_assignment(self, assignment_id: str, *, by: str) -> AssignmentRow:
        by = clean_label(by, "actor")
        with self._write("withdrawing the assignment") as conn:
            head = audit_head(conn, self.store_id, self._key, lock=True)
            row = conn.execute(f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = %s FOR UPDATE",
                               (assignment_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"there is no assignment {assignment_id} in {self.location}",
                                    title="no such assignment", hint="`casesim class assignments` lists them")
            current = _assignment(row)
            if current.removed_at is not None:
                raise StoreError(f"the assignment {assignment_id} was already withdrawn at {current.removed_at} by "
                                 f"{current.removed_by}", title="already withdrawn")
            at = self._now(conn)
            conn.execute("UPDATE assignments SET removed_at = %s, removed_by = %s WHERE id = %s",
                         (at, by, assignment_id))
            append_audit(conn, self.store_id, AuditEntry(actor=by, action="unassign", cohort=current.cohort,
                                                         detail={"assignment": {"id": assignment_id}}),
                         head=head, at=at, key=self._key)
        return dataclasses.replace(current, removed_at=at, removed_by=by)

    def assignment_for(self, trainee_id: str, scenario_id: str, content_hash: str, mode: Mode) -> AssignmentCheck:
        """What an attempt started now would be tied to (the player tells the trainee before it
        starts; the write that starts it decides again under the trainee's lock)."""
        with self._read("reading the assignments", snapshot=True) as conn:
            row = conn.execute("SELECT cohort FROM trainees WHERE id = %s", (trainee_id,)).fetchone()
            return assignment_for(conn, trainee_id, row[0] if row is not None else None, scenario_id, content_hash,
                                  mode, at=self._now(conn))

    # --- cohort details --------------------------------------------------------------------------

    def set_cohort_details(self, cohort: str, *, section: str | None, term: str | None, set_by: str) -> None:
        """Set (or, with both None, remove) a cohort's section and term, each checked like a cohort name."""
        cohort = clean_label(cohort, "cohort")
        section = clean_label(section, "section") if section is not None else None
        term = clean_label(term, "term") if term is not None else None
        set_by = clean_label(set_by, "display name")
        with self._write("saving the cohort's section and term") as conn:
            if section is None and term is None:
                conn.execute("DELETE FROM cohort_details WHERE cohort = %s", (cohort,))
                return
            conn.execute("INSERT INTO cohort_details(cohort, section, term, set_by, set_at) "
                         "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (cohort) DO UPDATE SET section = excluded.section, "
                         "term = excluded.term, set_by = excluded.set_by, set_at = excluded.set_at",
                         (cohort, section, term, set_by, self._now(conn)))

    def cohort_details(self, cohort: str | None = None) -> Sequence[CohortDetails]:
        sql = "SELECT cohort, section, term, set_by, set_at FROM cohort_details"
        params: tuple[str, ...] = ()
        if cohort is not None:
            sql, params = sql + " WHERE cohort = %s", (cohort,)
        with self._read("reading cohorts") as conn:
            return [CohortDetails(*r) for r in conn.execute(sql + " ORDER BY cohort", params).fetchall()]

    # --- the pseudonym key -------------------------------------------------------------------------

    def set_pseudonym_key(self, key: str) -> tuple[str, str]:
        """Store another store's pseudonym key as this one's, as :mod:`casesim.records.sqlite.pseudonym`
        does for a file: only on a store that verifies; one note linked into every trainee's chain;
        the roster recomputed from the new key; verified again before it commits. Returns the store
        head before and after. The key goes to ``casesim_private`` (a role not granted that schema
        cannot do this, nor read the key)."""
        from casesim.records.postgres import queries

        self._need_key("change its pseudonym key")
        if len(key) < 32 or not key.isascii() or not key.isprintable():
            raise StoreError("a pseudonym key is at least 32 printable ASCII characters (casesim makes 64 hex "
                             "digits)", title="pseudonym key refused",
                             hint="export it with `casesim records pseudonym-key --export FILE` from the other store")
        with self._write("changing the pseudonym key") as conn:
            self._lock_everything(conn)
            problems = queries.verify(conn, self.location, None, key=self._key)
            if problems:
                raise StoreCorruptError(f"the store does not verify ({len(problems)} problem(s); the first: "
                                        f"{problems[0].message}); changing its pseudonym key would re-seal that, so "
                                        "it was not changed", title="pseudonym key refused",
                                        hint="run `casesim records verify` and restore a backup first")
            row = conn.execute(f"SELECT value FROM {PRIVATE}.secrets WHERE key = 'pseudonym_key' FOR UPDATE").fetchone()
            old = str(row[0]) if row is not None else ""
            if old == key:
                raise StoreError("this store already uses that pseudonym key; nothing was changed",
                                 title="pseudonym key unchanged")
            now = self._now(conn)
            before = store_head(conn, self.store_id, self._key)
            note = {PSEUDONYM_NOTE: {"at": now, "from_sha256": sha256_text(old), "to_sha256": sha256_text(key),
                                     "old_store_head": before}}
            for (tid,) in conn.execute("SELECT id FROM trainees ORDER BY id").fetchall():
                self._link(conn, str(tid), [((None, None), "profile", note)])
            roster = roster_genesis(self.store_id, sha256_text(key), self._key)
            for (tid,) in conn.execute("SELECT id FROM trainees ORDER BY roster_pos, id").fetchall():
                roster = roster_digest(roster, str(tid), self._key)
            conn.execute(f"INSERT INTO {PRIVATE}.secrets(key, value) VALUES ('pseudonym_key', %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key,))
            changed = conn.execute("SELECT value FROM meta WHERE key = 'pseudonym_changed_count'").fetchone()
            count = int(changed[0]) + 1 if changed is not None and str(changed[0]).isdigit() else 1
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET "
                                "value = excluded.value",
                                [("roster_head", roster), ("pseudonym_changed_at", now),
                                 ("pseudonym_changed_count", str(count))])
            after_problems = queries.verify(conn, self.location, None, key=self._key)
            if after_problems:  # pragma: no cover - a bug here must never commit
                raise StoreError(f"changing the pseudonym key failed its own check ({after_problems[0].message}); "
                                 "nothing was changed", title="pseudonym key failed")
            after = store_head(conn, self.store_id, self._key)
        return before, after

    def _lock_everything(self, conn: Conn) -> None:
        """The roster row, every trainee's row (id order) and the audit head, in the order every
        write takes them, so no writer moves the store head while the key changes."""
        conn.execute("SELECT key FROM meta WHERE key IN ('roster_head', 'roster_count') ORDER BY key FOR UPDATE")
        conn.execute("SELECT id FROM trainees ORDER BY id FOR UPDATE")
        audit_head(conn, self.store_id, self._key, lock=True)
