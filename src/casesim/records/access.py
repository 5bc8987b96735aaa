"""Who may see or change what: :func:`authorize`, one rule for the CLI and for ``casesim serve``.

Pure: the caller says who is acting (an :class:`Actor` with the roles the store grants them),
what they want to do and to whose records, and gets a :class:`Decision` with the reason in words.

Three roles:

* **student** (anyone without a role): their own records only (trainee id = their identity);
* **instructor** of a cohort: that cohort's roster, live view, reports and exports, assignments,
  and the audit log of their students;
* **administrator**: everything, including backups, restores, rekeying and granting roles.

The rule is enforced when a store is *shared* (:func:`is_shared`): a PostgreSQL store always, and
an SQLite file once any role has been granted in it. A SQLite store nobody granted a role in is a personal store, and
its file's owner may do everything (as before roles existed). Honestly: whoever can read a SQLite
file can read every record in it with any SQLite tool; these checks bind casesim's own commands
and ``casesim serve``, where students never hold the file. Put a shared SQLite store where only
the service account and the program's staff can read it (or use PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from casesim.database_url import is_database_url
from casesim.records.api import RoleGrant

__all__ = ["ACTIONS", "Action", "Actor", "Decision", "Target", "actor_from", "authorize", "is_shared"]

Action = Literal["read", "export", "roster", "watch", "assign", "audit", "backup", "grant", "manage"]
"""``read``: reports, lists, verify details; ``export``: CSV, JSON Lines, xAPI, PDF; ``roster``:
the cohort's trainees; ``watch``: the live view; ``assign``: make or withdraw an assignment;
``audit``: read the audit log; ``backup``: backup, restore, rekey; ``grant``: grant or revoke
roles; ``manage``: set a trainee's name, cohort or accommodation."""
ACTIONS: tuple[str, ...] = get_args(Action)

_INSTRUCTOR: frozenset[str] = frozenset({"read", "export", "roster", "watch", "assign", "audit", "manage"})
_STUDENT: frozenset[str] = frozenset({"read", "export", "audit"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: their identity (OS login, roster id or SSO user) and what the store grants them."""

    name: str
    administrator: bool = False
    cohorts: frozenset[str] = frozenset()
    """The cohorts they teach."""

    @property
    def role(self) -> str:
        if self.administrator:
            return "administrator"
        return "instructor" if self.cohorts else "student"


def actor_from(name: str, grants: Iterable[RoleGrant]) -> Actor:
    """The :class:`Actor` ``name`` is, given every role the store grants."""
    mine = [g for g in grants if g.actor == name]
    return Actor(name, any(g.role == "administrator" for g in mine),
                 frozenset(g.cohort for g in mine if g.role == "instructor" and g.cohort is not None))


@dataclass(frozen=True, slots=True)
class Target:
    """Whose records an action touches.

    ``everyone``: every trainee's (a listing or export with no selection). ``cohort``: one cohort as
    a whole. ``trainees``: trainee id -> every cohort they belong to (now, or stamped on one of
    their attempts), so an instructor may see a student who played in their cohort."""

    everyone: bool = False
    cohort: str | None = None
    trainees: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def is_shared(location: str, grants: Iterable[RoleGrant]) -> bool:
    """Whether roles are enforced for the store at ``location`` (its ``RecordStore.location``):
    always for a PostgreSQL store (a program's one store, reached from many machines), and for an
    SQLite file once any role is granted in it (before that it is its owner's personal store).

    A PostgreSQL store with no role granted yet lets nobody see anyone else's records until its
    first administrator is granted (`casesim class grant LOGIN --administrator`, which the
    database lets only a role that may write the roles table do: docs/records.md, PostgreSQL
    roles)."""
    return is_database_url(location) or any(True for _ in grants)


def authorize(actor: Actor, action: Action, target: Target) -> Decision:
    """May ``actor`` do ``action`` to ``target``? Always a :class:`Decision` with the reason."""
    if action not in ACTIONS:
        return Decision(False, f"{action!r} is not an action casesim knows")
    if actor.administrator:
        return Decision(True, f"{actor.name} is an administrator")
    if action in ("backup", "grant"):
        return Decision(False, f"only an administrator may {'grant roles' if action == 'grant' else 'do that'}; "
                               f"{actor.name} is {'an instructor' if actor.cohorts else 'a student'}")
    if target.everyone:
        return Decision(False, f"only an administrator may see every trainee's records; {actor.name} may see "
                               + (f"cohort(s) {', '.join(sorted(actor.cohorts))}" if actor.cohorts
                                  else "their own records")
                               + " (name a cohort or a trainee)")
    own = set(target.trainees) <= {actor.name} and target.cohort is None
    if own and action in _STUDENT and target.trainees:
        return Decision(True, f"{actor.name} may see their own records")
    if not actor.cohorts:
        return Decision(False, f"{actor.name} is a student and may see only their own records")
    if action not in _INSTRUCTOR:
        return Decision(False, f"an instructor may not {action}")
    if target.cohort is not None and target.cohort not in actor.cohorts:
        return Decision(False, f"{actor.name} does not teach cohort {target.cohort}")
    outside = sorted(tid for tid, cohorts in target.trainees.items()
                     if tid != actor.name and not (cohorts & actor.cohorts))
    if outside:
        return Decision(False, f"{actor.name} does not teach {', '.join(outside[:5])}"
                               + (f" and {len(outside) - 5} more" if len(outside) > 5 else "")
                               + f" (not in cohort(s) {', '.join(sorted(actor.cohorts))})")
    if target.cohort is None and not target.trainees:
        return Decision(False, "name a cohort or a trainee")
    return Decision(True, f"{actor.name} teaches cohort(s) {', '.join(sorted(actor.cohorts))}")
