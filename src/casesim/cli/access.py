"""Roles and the record of disclosures for the CLI's report, export and records commands.

Who is acting: the OS login (``getpass.getuser()``), which is what a shared store's roles name
(``casesim class grant LOGIN --instructor COHORT``). ``--as NAME`` acts as someone else and is
honoured only for an administrator of a shared store (so a program's operator can run a report
for an instructor), and is recorded in the audit entry as ``NAME (as by LOGIN)``.

When the store is *shared* (:func:`casesim.records.access.is_shared`: PostgreSQL always, a file
once any role is granted) every command that reads records checks :func:`~casesim.records.access.authorize` first
and is refused (exit 2) with the reason; a disclosure that cannot be written to the audit log is
refused too (FERPA's record of disclosures must be complete). In a personal store (no roles) the
file's owner may do everything, and a disclosure that cannot be logged (a read-only copy, a keyed
store without its key) only prints a note. Honestly: a SQLite file's owner can always read it
with other tools; these checks bind casesim, and ``casesim serve``, where students never hold it.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import rich_click as click

from casesim.cli.options import record_key
from casesim.errors import CaseSimError
from casesim.format.text import visible
from casesim.records import open_store
from casesim.records.access import Action, Target, actor_from, authorize, is_shared
from casesim.records.api import AttemptRow, AuditAction, AuditEntry, RecordStore
from casesim.settings import Settings

__all__ = ["Gate", "access_options", "gate", "login_name", "target_of"]

FC = TypeVar("FC", bound=Callable[..., Any])

MAX_LISTED_ATTEMPTS = 1000
"""An entry names at most this many attempt ids; beyond, it keeps their number (``attempt_count``
in its detail) beside the trainees and cohort, so an export of a whole store stays one small row."""


class AccessDenied(CaseSimError):
    """The store's roles do not allow this actor this action on these records."""


def login_name() -> str:
    """The OS login casesim acts as (what a shared store's roles name)."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown"


def access_options(f: FC) -> FC:
    """``--purpose`` (recorded in the audit log) and ``--as`` (administrators of a shared store only)."""
    f = click.option("--as", "as_actor", default=None, metavar="NAME",
                     help="act as NAME (only an administrator of a shared store may; recorded in the audit log)")(f)
    return click.option("--purpose", default=None, metavar="TEXT",
                        help="why these records are viewed or exported, kept in the audit log (the record of "
                             "disclosures)")(f)


def target_of(store: RecordStore, trainee: str | None, cohort: str | None) -> Target:
    """Whose records ``--trainee``/``--cohort`` name (none: every trainee's)."""
    if trainee is not None:
        row = store.trainee(trainee)
        cohorts = {a.cohort for a in store.attempts(trainee_id=trainee) if a.cohort is not None}
        if row is not None and row.cohort is not None:
            cohorts.add(row.cohort)
        return Target(trainees={trainee: frozenset(cohorts)})
    if cohort is not None:
        return Target(cohort=cohort)
    return Target(everyone=True)


@dataclass(frozen=True, slots=True)
class Gate:
    """The outcome of :func:`gate`: who acts, whether the store is shared, and why they may."""

    settings: Settings
    actor: str
    """As the audit log records it (``NAME (as by LOGIN)`` with ``--as``)."""
    name: str
    """Whose identity the roles were checked for (the login, or ``--as``)."""
    shared: bool
    purpose: str | None
    key: bytes | None = None

    def own(self, trainee: str | None) -> bool:
        """Whether ``trainee`` is the actor themself (a student's own records are not a disclosure)."""
        return trainee is not None and trainee == self.name

    def record(self, action: AuditAction, *, command: str, trainees: Iterable[str] = (), cohort: str | None = None,
               attempts: Sequence[AttemptRow] | Iterable[str] = (), everyone: bool = False,
               required: bool = True) -> None:
        """Write the disclosure to the audit log (exactly one entry), or refuse (shared) / note (personal).

        ``required=False``: only note a failure even in a shared store (verify must still report
        what it found in a file too damaged to take the entry)."""
        ids = [a.id if isinstance(a, AttemptRow) else a for a in attempts]
        detail: dict[str, Any] = {"command": command}
        if everyone:
            detail["everyone"] = True
        if len(ids) > MAX_LISTED_ATTEMPTS:  # whose records (trainees, cohort) is kept; the ids would swell the log
            detail["attempt_count"] = len(ids)
            ids = []
        entry = AuditEntry(actor=self.actor, action=action, trainees=tuple(trainees), cohort=cohort,
                           attempts=tuple(ids), purpose=self.purpose, detail=detail)
        try:
            with open_store(self.settings.db, key=self.key if self.key is not None else record_key()) as store:
                store.record_audit(entry)
        except CaseSimError as exc:
            if self.shared and required:
                raise CaseSimError(f"this disclosure could not be written to the audit log ({exc.message}), so "
                                   "nothing was shown or written", title="audit log unavailable",
                                   hint=exc.hint or "a shared store records every disclosure; fix the cause and "
                                                    "run the command again") from exc
            click.echo(f"casesim: note: not recorded in the audit log: {visible(exc.message, one_line=True)}",
                       err=True)


def gate(settings: Settings, store: RecordStore, action: Action, target: Target, *, as_actor: str | None,
         purpose: str | None, key: bytes | None = None) -> Gate:
    """Check the actor may do ``action`` to ``target`` in ``store`` (when it is shared)."""
    login = login_name()
    grants = list(store.roles())
    shared = is_shared(store.location, grants)
    actor = login
    if as_actor is not None:
        if not shared or not actor_from(login, grants).administrator:
            raise AccessDenied(f"--as is for an administrator of a shared store; {login} is not one here",
                               title="--as refused",
                               hint="leave out --as: you act as your own login"
                                    + ("" if shared else " (a store without roles is its file owner's)"))
        actor = as_actor
    first_grant = action == "grant" and not grants and as_actor is None
    if shared and not first_grant:  # the first grant (an administrator's, the store insists) bootstraps the roles
        decision = authorize(actor_from(actor, grants), action, target)
        if not decision:
            raise AccessDenied(f"{decision.reason}", title="not allowed",
                               hint="ask the program's casesim administrator (`casesim class roles` lists them)"
                                    if grants else "this store has no roles yet: its first administrator is granted "
                                                   "with `casesim class grant LOGIN --administrator`, as a database "
                                                   "user that may write its roles (docs/records.md)")
    recorded = actor if as_actor is None else f"{actor} (as by {login})"
    return Gate(settings, recorded, actor, shared, purpose, key)
