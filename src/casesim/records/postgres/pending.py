"""What the PostgreSQL store does not do yet: the live class view's activity, the xAPI outbox
(issue 14 items 4 and 6) and rosters with sign-in codes, built on the SQLite store while this
backend was being written. (Roles, the audit log, assignments, cohort details and the pseudonym
key are in :mod:`.program`.)

Nothing here pretends. A write that would need those tables raises a :class:`StoreError` that
says so and what to do (keep that feature on an SQLite store for now); a read answers what is
true of a store in which such a write can never have happened: no rosters, no sign-in codes, an
outbox that is off.

When these features come to PostgreSQL, each gets a :class:`~.schema.Migration` and its methods
move into :mod:`.store`; this module then shrinks to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from casesim.errors import StoreError
from casesim.records.api import (
    OutboxCounts,
    OutboxRow,
    OutboxSettings,
    RosterMember,
    TraineeActivity,
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

    def cohort_activity(self, cohort: str) -> Sequence[TraineeActivity]:
        raise _refuse("the live class view", self.location)

    def configure_outbox(self, settings: OutboxSettings | None) -> None:
        if settings is not None:
            raise _refuse("forwarding to an LRS", self.location)

    def outbox_settings(self) -> OutboxSettings | None:
        return None  # off: it cannot be turned on here yet

    def outbox_add(self, statements: Sequence[tuple[str, str, str]]) -> int:
        raise _refuse("forwarding to an LRS", self.location)

    def outbox_pending(self, limit: int, *, after: int = 0) -> Sequence[OutboxRow]:
        return []

    def outbox_rows(self, *, after: int = 0, limit: int = 1000) -> Sequence[OutboxRow]:
        return []

    def outbox_mark_sent(self, ids: Sequence[str]) -> None:
        if ids:
            raise _refuse("forwarding to an LRS", self.location)

    def outbox_mark_failed(self, ids: Sequence[str], error: str) -> None:
        if ids:
            raise _refuse("forwarding to an LRS", self.location)

    def outbox_counts(self) -> OutboxCounts:
        return OutboxCounts(0, 0, 0)

    # --- rosters and sign-in codes ------------------------------------------------------------

    def create_roster(self, cohort: str, *, created_by: str) -> bool:
        raise _refuse("class rosters and sign-in codes", self.location)

    def rosters(self) -> Sequence[str]:
        return []

    def add_roster_member(self, cohort: str, trainee_id: str, display_name: str, role: str,
                          code_digest: str) -> None:
        raise _refuse("class rosters and sign-in codes", self.location)

    def roster_members(self, cohort: str) -> Sequence[RosterMember]:
        return []

    def memberships(self, trainee_id: str) -> Sequence[RosterMember]:
        return []

    def reissue_code(self, cohort: str, trainee_id: str, code_digest: str) -> None:
        raise _refuse("class rosters and sign-in codes", self.location)

    def redeem_code(self, code_digest: str) -> RosterMember | None:
        return None  # no code was ever issued here, so none signs anyone in

    def end_sessions(self, cohort: str, trainee_id: str) -> None:
        raise _refuse("class rosters and sign-in sessions", self.location)
