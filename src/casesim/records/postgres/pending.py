"""What the PostgreSQL store does not do yet: assignments, roles, the audit log (issue 14 items
3 and 5), cohort details and setting the pseudonym key (issue 13), built on the SQLite store
while this backend was being written. (Rosters, sign-in codes, the live view's read and the xAPI
outbox are in :mod:`.classroom` and :mod:`.outbox`.)

Nothing here pretends. A write that would need those tables raises a :class:`StoreError` that
says so and what to do (keep that feature on an SQLite store for now); a read answers what is
true of a store in which such a write can never have happened: no assignments, no roles, an
empty audit log. The store head is then the store head without an audit
chain, which is exactly what SQLite computes for a store with no audit entry, so
``records verify --against`` and ``migrate-store`` agree across the backends.

When these features come to PostgreSQL, each gets a :class:`~.schema.Migration` and its methods
move into :mod:`.store`; this module then shrinks to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from casesim.errors import StoreError
from casesim.format.scenario import Mode
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

__all__ = ["NotYetOnPostgres"]


def _refuse(what: str, location: str) -> StoreError:
    return StoreError(f"{what} is not available on a PostgreSQL store in this casesim yet ({location})",
                      title="records: not on PostgreSQL yet",
                      hint="use an SQLite store for this for now; docs/records.md (PostgreSQL) lists what is not "
                           "there yet")


class NotYetOnPostgres:
    """The program features of :class:`~casesim.records.api.RecordStore` not yet on PostgreSQL."""

    @property
    def location(self) -> str:
        raise NotImplementedError  # pragma: no cover - PostgresStore defines it

    def add_assignment(self, assignment: NewAssignment, *, by: str) -> AssignmentRow:
        raise _refuse("assigning scenarios", self.location)

    def remove_assignment(self, assignment_id: str, *, by: str) -> AssignmentRow:
        raise _refuse("assigning scenarios", self.location)

    def assignments(self, cohort: str | None = None) -> Sequence[AssignmentRow]:
        return []  # none can have been made

    def assignment_for(self, trainee_id: str, scenario_id: str, content_hash: str, mode: Mode) -> AssignmentCheck:
        return AssignmentCheck(None, None)  # no assignment exists, so the attempt is tied to none

    def grant_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> RoleGrant:
        raise _refuse("granting roles", self.location)

    def revoke_role(self, actor: str, role: Role, cohort: str | None, *, by: str) -> bool:
        raise _refuse("revoking roles", self.location)

    def roles(self) -> Sequence[RoleGrant]:
        return []

    def record_audit(self, entry: AuditEntry) -> AuditRow:
        raise _refuse("the audit log", self.location)

    def audit_log(self, *, trainee_id: str | None = None, since: str | None = None) -> Sequence[AuditRow]:
        return []

    # --- cohort details, the pseudonym key ---------------------------------------------------

    def set_pseudonym_key(self, key: str) -> tuple[str, str]:
        raise _refuse("setting the pseudonym key", self.location)

    def set_cohort_details(self, cohort: str, *, section: str | None, term: str | None, set_by: str) -> None:
        raise _refuse("a cohort's section and term", self.location)

    def cohort_details(self, cohort: str | None = None) -> Sequence[CohortDetails]:
        return []  # none can have been set
