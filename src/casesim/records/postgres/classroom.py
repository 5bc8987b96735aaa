"""Class rosters, sign-in codes and the live class view's read, on PostgreSQL.

The same rows and rules as the SQLite store (:mod:`casesim.records.classroom` says what a code
is); what PostgreSQL changes:

* **Sign-in.** :meth:`PostgresClassroom.redeem_code` calls ``casesim.redeem_sign_in_code``, one
  ``UPDATE … WHERE code_digest = … AND code_used_at IS NULL RETURNING``: two browsers racing with
  one code queue on its row, and the second finds it used (READ COMMITTED re-checks the condition
  on the row the first committed), so a code signs in once. The function runs as the schema's
  owner, so the role a server connects as needs no right to read ``code_digest``
  (:mod:`.roles` leaves that column out of what a player may read), and it stamps the time of
  use from the server's clock, not from its caller.
* **Sign-out** (:meth:`PostgresClassroom.end_sessions`) is an ``UPDATE`` of the member's row,
  which only the instructor's role (the one ``casesim serve`` connects as) may run: a
  student-facing process connected as the player's role cannot sign anyone out.
* **The live class view** (:meth:`PostgresClassroom.cohort_activity`) is two queries in one
  ``REPEATABLE READ READ ONLY`` snapshot, as on SQLite: the cohort's trainees with their latest
  attempt (an index probe each on ``(trainee_id, trainee_seq)``), then those attempts' events
  without payloads. Change detection is ``LISTEN``/``NOTIFY`` (``PostgresStore.change_watch``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from itertools import groupby
from typing import TYPE_CHECKING, Any

from casesim.errors import NotFoundError
from casesim.records.api import ActivityEvent, AttemptRow, RosterMember, TraineeActivity, TraineeRow
from casesim.records.labels import clean_label
from casesim.records.postgres.connect import Conn

__all__ = ["PostgresClassroom"]

_MEMBER_COLUMNS = "cohort, trainee_id, display_name, role, code_issued_at, code_used_at, session_epoch"

# An attempt belongs to a cohort when it was stamped with it, or (recorded before stamping) when
# its trainee is in the cohort now: the rule of queries.filter_clause, for one trainee t.
_IN_COHORT = "{a}.trainee_id = t.id AND ({a}.cohort = %(cohort)s OR ({a}.cohort IS NULL AND t.cohort = %(cohort)s))"


def cohort_activity(conn: Conn, cohort: str, attempt_columns: str,
                    attempt_row: Callable[[Sequence[Any]], AttemptRow]) -> list[TraineeActivity]:
    """The cohort's trainees in id order with their latest attempt and its events: two queries,
    inside the caller's snapshot (as :func:`casesim.records.sqlite.live.cohort_activity`)."""
    columns = ", ".join(f"a.{c.strip()}" for c in attempt_columns.split(","))
    rows = conn.execute(
        "WITH members AS (SELECT t.id, t.display_name, t.cohort, t.created_at, t.attempt_count, "
        f"(SELECT count(*) FROM attempts c WHERE {_IN_COHORT.format(a='c')}) AS started, "
        f"(SELECT x.n FROM attempts x WHERE {_IN_COHORT.format(a='x')} "
        " ORDER BY x.started_at DESC, x.n DESC LIMIT 1) AS latest "
        "FROM trainees t WHERE t.cohort = %(cohort)s OR t.id IN (SELECT trainee_id FROM attempts "
        "WHERE cohort = %(cohort)s)) "
        f"SELECT m.id, m.display_name, m.cohort, m.created_at, m.attempt_count, m.started, m.latest, {columns} "
        "FROM members m LEFT JOIN attempts a ON a.n = m.latest ORDER BY m.id", {"cohort": cohort}).fetchall()
    latest = [int(r[6]) for r in rows if r[6] is not None]
    events: dict[int, tuple[ActivityEvent, ...]] = {}
    if latest:
        found = conn.execute("SELECT attempt_n, seq, kind, at, node, choice FROM events "
                             "WHERE attempt_n = ANY(%s) ORDER BY attempt_n, seq", (latest,)).fetchall()
        for n, group in groupby(found, key=lambda r: int(r[0])):
            events[n] = tuple(ActivityEvent(int(r[1]), r[2], r[3], r[4], r[5]) for r in group)
    return [TraineeActivity(trainee=TraineeRow(r[0], r[1], r[2], r[3], int(r[4])),
                            attempt=attempt_row(r[7:]) if r[6] is not None else None,
                            attempts=int(r[5]), events=events.get(int(r[6]), ()) if r[6] is not None else ())
            for r in rows]


class PostgresClassroom:
    """The roster, sign-in and live-view methods of :class:`~casesim.records.postgres.PostgresStore`
    (a mixin: it uses the store's transactions and clock)."""

    if TYPE_CHECKING:  # provided by PostgresStore
        @property
        def location(self) -> str: ...
        def _write(self, action: str) -> AbstractContextManager[Conn]: ...
        def _read(self, action: str, *, snapshot: bool = False) -> AbstractContextManager[Conn]: ...
        def _now(self, conn: Conn) -> str: ...
        def upsert_trainee(self, trainee_id: str, display_name: str, cohort: str | None = None) -> None: ...
        @staticmethod
        def _attempt_row(row: Sequence[Any]) -> AttemptRow: ...
        _ATTEMPT_COLUMNS: str

    # --- rosters --------------------------------------------------------------------------

    def create_roster(self, cohort: str, *, created_by: str) -> bool:
        cohort = clean_label(cohort, "cohort")
        created_by = clean_label(created_by, "display name")
        with self._write("creating the class roster") as conn:
            row = conn.execute("INSERT INTO class_rosters(cohort, created_at, created_by) VALUES (%s, %s, %s) "
                               "ON CONFLICT (cohort) DO NOTHING RETURNING 1",
                               (cohort, self._now(conn), created_by)).fetchone()
        return row is not None

    def rosters(self) -> Sequence[str]:
        with self._read("listing the class rosters") as conn:
            return [str(r[0]) for r in conn.execute("SELECT cohort FROM class_rosters ORDER BY cohort").fetchall()]

    def _require_roster(self, conn: Conn, cohort: str) -> None:
        if conn.execute("SELECT 1 FROM class_rosters WHERE cohort = %s", (cohort,)).fetchone() is None:
            raise NotFoundError(f"there is no class roster {cohort!r} in {self.location}", title="no such class",
                                hint="create it first with `casesim class create COHORT`; `casesim class list` "
                                     "shows the classes")

    def add_roster_member(self, cohort: str, trainee_id: str, display_name: str, role: str,
                          code_digest: str) -> None:
        cohort = clean_label(cohort, "cohort")
        trainee_id = clean_label(trainee_id, "trainee id")
        display_name = clean_label(display_name or trainee_id, "display name")
        if role not in ("student", "instructor"):
            raise ValueError(f"unknown roster role {role!r}")
        with self._write("adding to the class roster") as conn:
            self._require_roster(conn, cohort)
            now = self._now(conn)
            # The values again rather than excluded.*: reading excluded.code_digest would need the
            # right to read that column, which no casesim role has (roles.py).
            conn.execute("INSERT INTO class_members(cohort, trainee_id, display_name, role, code_digest, "
                         "code_issued_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (cohort, trainee_id) DO UPDATE "
                         "SET display_name = %s, role = %s, code_digest = %s, code_issued_at = %s, "
                         "code_used_at = NULL, session_epoch = class_members.session_epoch + 1",
                         (cohort, trainee_id, display_name, role, code_digest, now,
                          display_name, role, code_digest, now))
        if role == "student":  # the trainee row (its own transaction: it extends the chain)
            self.upsert_trainee(trainee_id, display_name, cohort)

    def _members(self, where: str, params: tuple[Any, ...], action: str) -> list[RosterMember]:
        with self._read(action) as conn:
            rows = conn.execute(f"SELECT {_MEMBER_COLUMNS} FROM class_members WHERE {where} "
                                "ORDER BY cohort, trainee_id", params).fetchall()
        return [RosterMember(*r) for r in rows]

    def roster_members(self, cohort: str) -> Sequence[RosterMember]:
        with self._read("reading the class roster") as conn:
            self._require_roster(conn, cohort)
        return self._members("cohort = %s", (cohort,), "reading the class roster")

    def memberships(self, trainee_id: str) -> Sequence[RosterMember]:
        return self._members("trainee_id = %s", (trainee_id,), "reading the class rosters")

    # --- sign-in codes and sessions ---------------------------------------------------------

    def reissue_code(self, cohort: str, trainee_id: str, code_digest: str) -> None:
        with self._write("issuing a new sign-in code") as conn:
            self._require_roster(conn, cohort)
            row = conn.execute("UPDATE class_members SET code_digest = %s, code_issued_at = %s, code_used_at = NULL, "
                               "session_epoch = session_epoch + 1 WHERE cohort = %s AND trainee_id = %s RETURNING 1",
                               (code_digest, self._now(conn), cohort, trainee_id)).fetchone()
            if row is None:
                raise NotFoundError(f"{trainee_id!r} is not on the class roster {cohort!r}", title="not on the roster",
                                    hint=f"`casesim class roster {cohort}` lists who is; add them with "
                                         "`casesim class add-students`")

    def redeem_code(self, code_digest: str) -> RosterMember | None:
        with self._write("signing in") as conn:
            # The server stamps the time (code_used_at): the caller gives the code only.
            row = conn.execute(f"SELECT {_MEMBER_COLUMNS} FROM redeem_sign_in_code(%s)", (code_digest,)).fetchone()
        return RosterMember(*row) if row is not None else None

    def end_sessions(self, cohort: str, trainee_id: str) -> None:
        # A plain UPDATE, so the database decides who may: the instructor's role (casesim serve)
        # is granted it, the player's is not (a student-facing process signs no one out).
        with self._write("signing out") as conn:
            conn.execute("UPDATE class_members SET session_epoch = session_epoch + 1 WHERE cohort = %s AND trainee_id = %s",
                         (cohort, trainee_id))

    # --- the live class view --------------------------------------------------------------

    def cohort_activity(self, cohort: str) -> Sequence[TraineeActivity]:
        with self._read("reading the class", snapshot=True) as conn:
            return cohort_activity(conn, cohort, self._ATTEMPT_COLUMNS, self._attempt_row)
