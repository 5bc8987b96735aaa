"""``casesim class`` sub-commands for a program: assignments and roles (issue 14 items 3 and 5).

* ``class assign COHORT SCENARIO_ID``: assign a scenario, pinned to the file in the library now
  (its content hash), in a mode, with a window, an attempt limit and a counting rule. From then
  on, in that cohort, an assessment counts only under an assignment
  (:mod:`casesim.records.assignments`); the player tells a trainee before they start when theirs
  would count as practice.
* ``class assignments [COHORT]`` lists them; ``class unassign ID`` withdraws one (no new attempt is
  tied to it; attempts already started under it keep counting by its rule).
* ``class grant LOGIN --instructor COHORT | --administrator``, ``class revoke …``, ``class roles``:
  who may see what (:mod:`casesim.records.access`). The first role granted in a store must be an
  administrator's; from then on the store is *shared* and casesim enforces the roles.

Every change is an entry of the store's audit chain (``casesim records audit``), which verify
compares with the assignments and roles tables. The commands join ``class_group`` in
:mod:`casesim.cli.classroom`.
"""

from __future__ import annotations

import json

import rich_click as click

from casesim.cli.access import gate, login_name
from casesim.cli.options import (
    OutputFormat,
    choice,
    complete_cohorts,
    complete_scenarios,
    pass_settings,
    path_option,
    record_key,
)
from casesim.database_url import is_database_url
from casesim.errors import CaseSimError, NotFoundError
from casesim.format.mode import Mode
from casesim.format.text import json_inert, visible
from casesim.records import open_store
from casesim.records.access import Target
from casesim.records.api import AssignmentRow, CountingRule, NewAssignment, Role
from casesim.records.assignments import check_new, window_text
from casesim.records.labels import clean_label
from casesim.settings import Settings

__all__ = ["assign_command", "assignments_command", "grant_command", "revoke_command", "roles_command",
           "unassign_command"]


def _line(text: str) -> str:
    return visible(text, one_line=True)


def _bound(value: str | None, flag: str, *, end: bool) -> str | None:
    from casesim.records.export.selection import parse_bound

    if value is None:
        return None
    try:
        return parse_bound(value, end=end)
    except ValueError as exc:
        raise click.BadParameter(_line(str(exc)), param_hint=flag) from exc


def _describe(a: AssignmentRow) -> str:
    limit = f"{a.attempt_limit} attempt(s)" if a.attempt_limit is not None else "no attempt limit"
    state = f"  WITHDRAWN {a.removed_at[:16].replace('T', ' ')} by {a.removed_by}" if a.removed_at else ""
    return (f"{a.id}  {a.cohort}  {a.scenario_id} {a.scenario_version} (content {a.content_hash[:12]})  {a.mode}  "
            f"{window_text(a)}  {limit}  counts the {a.counting}  by {a.created_by}{state}")


@click.command("assign")
@click.argument("cohort", metavar="COHORT", shell_complete=complete_cohorts)
@click.argument("scenario_id", metavar="SCENARIO_ID", shell_complete=complete_scenarios)
@click.option("--mode", type=choice(Mode), default="assessment", show_default=True,
              help="the mode the attempts must be played in")
@click.option("--opens", default=None, metavar="DATE",
              help="when it opens (YYYY-MM-DD, UTC midnight; or an ISO-8601 time; default: now)")
@click.option("--closes", default=None, metavar="DATE",
              help="when it closes (YYYY-MM-DD: at the end of that day, UTC; or an ISO-8601 time; default: never)")
@click.option("--attempts", "attempt_limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="attempts each trainee may start under it (left ones do not count; default: no limit)")
@click.option("--count", "counting", type=click.Choice(["first", "best", "latest"]), default="best",
              show_default=True, help="which finished attempt counts: the first, the best score, or the latest")
@click.option("--as", "as_actor", default=None, metavar="NAME",
              help="assign as NAME (only an administrator of a shared store may)")
@path_option("db")
@path_option("scenarios_dir")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def assign_command(settings: Settings, cohort: str, scenario_id: str, mode: Mode, opens: str | None,
                   closes: str | None, attempt_limit: int | None, counting: CountingRule,
                   as_actor: str | None) -> int:
    """Assign SCENARIO_ID to COHORT, pinned to the scenario file as it is now.

    In a cohort with assignments an assessment counts only under one: an attempt started outside
    the window, on a changed file or beyond the limit counts as practice, and the reports say why.
    """
    from casesim.cli.records import _catalog
    from casesim.play.library import load_scenarios_by_id

    cohort = clean_label(cohort, "cohort", where="as COHORT")
    loaded = load_scenarios_by_id([settings.scenarios_dir], _catalog(settings), only={scenario_id},
                                  analyse=False).get(scenario_id)
    if loaded is None:
        raise NotFoundError(f"there is no scenario {scenario_id!r} that loads without errors in "
                            f"{settings.scenarios_dir}", title="no such scenario",
                            hint="`casesim list` shows the library; `casesim validate FILE` says what is wrong")
    new = NewAssignment(cohort=cohort, scenario_id=scenario_id, scenario_version=loaded.scenario.version,
                        content_hash=loaded.content_hash, mode=mode, opens_at=_bound(opens, "--opens", end=False),
                        closes_at=_bound(closes, "--closes", end=True), attempt_limit=attempt_limit, counting=counting)
    try:
        check_new(new)
    except ValueError as exc:
        raise click.UsageError(_line(str(exc))) from exc
    with open_store(settings.db, readonly=True, key=record_key()) as reader:
        access = gate(settings, reader, "assign", Target(cohort=cohort), as_actor=as_actor, purpose=None)
    with open_store(settings.db, key=record_key()) as store:
        row = store.add_assignment(new, by=access.actor)
    click.echo(_line(_describe(row)))
    from casesim.authoring.signoff import playable_signoff

    if mode == "assessment" and playable_signoff(loaded) is None:
        click.echo(f"casesim: note: {_line(scenario_id)} has no valid clinical sign-off: assessments under this "
                   "assignment are trials, scored but never counted as evidence", err=True)
    return 0


@click.command("assignments")
@click.argument("cohort", metavar="[COHORT]", required=False, shell_complete=complete_cohorts)
@click.option("--format", "output_format", type=choice(OutputFormat), default="text", show_default=True)
@path_option("db")
@pass_settings
def assignments_command(settings: Settings, cohort: str | None, output_format: OutputFormat) -> int:
    """List assignments (withdrawn ones too), or one cohort's."""
    with open_store(settings.db, readonly=True, key=record_key()) as store:
        gate(settings, store, "roster", Target(cohort=cohort, everyone=cohort is None), as_actor=None, purpose=None)
        rows = list(store.assignments(cohort))
    if output_format == "json":
        print(json_inert(json.dumps([{**r.definition(), "removed_at": r.removed_at, "removed_by": r.removed_by}
                                     for r in rows], indent=2, ensure_ascii=False)))
        return 0
    for row in rows:
        click.echo(_line(_describe(row)))
    if not rows:
        click.echo("no assignments" + (f" for cohort {_line(cohort)}" if cohort else ""))
    return 0


@click.command("unassign")
@click.argument("assignment_id", metavar="ID")
@click.option("--as", "as_actor", default=None, metavar="NAME",
              help="withdraw as NAME (only an administrator of a shared store may)")
@path_option("db")
@pass_settings
def unassign_command(settings: Settings, assignment_id: str, as_actor: str | None) -> int:
    """Withdraw an assignment: no new attempt is tied to it; attempts already started under it keep
    counting by its rule (nothing recorded changes)."""
    with open_store(settings.db, readonly=True, key=record_key()) as reader:
        known = {a.id: a for a in reader.assignments()}
        if assignment_id not in known:
            raise NotFoundError(f"there is no assignment {assignment_id!r} in {reader.location}",
                                title="no such assignment", hint="`casesim class assignments` lists them")
        access = gate(settings, reader, "assign", Target(cohort=known[assignment_id].cohort), as_actor=as_actor,
                      purpose=None)
    with open_store(settings.db, key=record_key()) as store:
        row = store.remove_assignment(assignment_id, by=access.actor)
    click.echo(_line(_describe(row)))
    return 0


def _role(instructor: str | None, administrator: bool) -> tuple[Role, str | None]:
    if (instructor is None) == (not administrator):
        raise click.UsageError("give --instructor COHORT or --administrator (one of them)")
    if administrator:
        return "administrator", None
    assert instructor is not None
    return "instructor", clean_label(instructor, "cohort", where="with --instructor")


def _role_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--administrator", is_flag=True, help="everything: every record, backups, roles")(f)
    return click.option("--instructor", default=None, metavar="COHORT", shell_complete=complete_cohorts,
                        help="the instructor of COHORT: its roster, live view, reports and exports")(f)


@click.command("grant")
@click.argument("actor", metavar="LOGIN")
@_role_options
@path_option("db")
@pass_settings
def grant_command(settings: Settings, actor: str, instructor: str | None, administrator: bool) -> int:
    """Grant LOGIN a role (an OS login for the CLI; a roster or SSO identity for `casesim serve`).

    The first role in a store must be an administrator's: from then on an SQLite store is shared
    (a PostgreSQL store always is), and casesim checks every report, export and listing against
    the roles. On PostgreSQL only the database's owner may write the roles.
    """
    role, cohort = _role(instructor, administrator)
    actor = clean_label(actor, "actor", where="as LOGIN")
    with open_store(settings.db, key=record_key()) as store:
        access = gate(settings, store, "grant", Target(everyone=True), as_actor=None, purpose=None)
        grant = store.grant_role(actor, role, cohort, by=access.actor)
        # A file becomes shared with its first role; a PostgreSQL store always was (is_shared).
        shared_now = len(store.roles()) == 1 and not is_database_url(store.location)
    click.echo(_line(f"{grant.actor}: {grant.role}" + (f" of {grant.cohort}" if grant.cohort else "")
                     + f", granted by {grant.granted_by}"))
    if shared_now:
        click.echo(f"this store now has roles: casesim enforces them from now on (you are {login_name()})", err=True)
    return 0


@click.command("revoke")
@click.argument("actor", metavar="LOGIN")
@_role_options
@path_option("db")
@pass_settings
def revoke_command(settings: Settings, actor: str, instructor: str | None, administrator: bool) -> int:
    """Take a role away from LOGIN (the last administrator stays while other roles remain)."""
    role, cohort = _role(instructor, administrator)
    with open_store(settings.db, key=record_key()) as store:
        access = gate(settings, store, "grant", Target(everyone=True), as_actor=None, purpose=None)
        removed = store.revoke_role(actor, role, cohort, by=access.actor)
    if not removed:
        raise CaseSimError(f"{_line(actor)} is not {role}" + (f" of {_line(cohort)}" if cohort else ""),
                           title="nothing to revoke", hint="`casesim class roles` lists the roles")
    click.echo(_line(f"{actor}: no longer {role}" + (f" of {cohort}" if cohort else "")))
    return 0


@click.command("roles")
@path_option("db")
@pass_settings
def roles_command(settings: Settings) -> int:
    """List who holds which role (none: a personal store, its file's owner may do everything)."""
    with open_store(settings.db, readonly=True, key=record_key()) as store:
        grants = list(store.roles())
    for g in grants:
        click.echo(_line(f"{g.actor:<20} {g.role:<14} {g.cohort or '-':<20} granted by {g.granted_by} at "
                         f"{g.granted_at[:16].replace('T', ' ')}"))
    if not grants:
        click.echo("no roles: a personal store (its file's owner may do everything); "
                   "`casesim class grant LOGIN --administrator` makes it shared")
    return 0
