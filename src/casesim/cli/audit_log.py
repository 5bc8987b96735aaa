"""``casesim records audit``: the record of disclosures (FERPA, 34 CFR 99.32), and who changed roles
and assignments.

Every report, export, PDF, listing of someone else's records and verify that names problems
writes one entry to the store's audit chain (:mod:`casesim.cli.access`). This lists them, oldest
first: a student sees the disclosures of their own records, an instructor those of their
cohorts' students, an administrator all. Every value is printed through :func:`visible`, so an
actor, purpose or id holding control characters shows them as escapes, never acts on the terminal.
"""

from __future__ import annotations

import json

import rich_click as click

from casesim.cli.access import access_options, gate, target_of
from casesim.cli.options import (
    OutputFormat,
    choice,
    complete_trainees,
    pass_settings,
    path_option,
    record_key,
)
from casesim.format.text import json_inert, visible
from casesim.records import open_store
from casesim.records.api import AuditRow
from casesim.settings import Settings

__all__ = ["audit_command", "audit_lines"]

_SHOWN = 6


def _names(values: tuple[str, ...], what: str) -> str:
    if not values:
        return ""
    shown = ", ".join(values[:_SHOWN]) + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")
    return f"{what} {shown}"


def audit_lines(rows: list[AuditRow]) -> list[str]:
    """Each entry on one line, every value made visible."""
    lines = []
    for row in rows:
        detail = dict(row.detail or {})
        parts = [f"#{row.seq}", row.at[:19].replace("T", " "), row.actor, row.action]
        if isinstance(detail.get("command"), str):
            parts.append(f"({detail['command']})")
        if detail.get("everyone"):
            parts.append("every trainee's records")
        if row.cohort:
            parts.append(f"cohort {row.cohort}")
        if row.trainees:
            parts.append(_names(row.trainees, "trainee(s)"))
        if row.attempts or isinstance(detail.get("attempt_count"), int):
            parts.append(f"{len(row.attempts) or detail.get('attempt_count')} attempt(s)")
        if isinstance(detail.get("assignment"), dict):
            a = detail["assignment"]
            parts.append(f"assignment {a.get('id')}" + (f" of {a.get('scenario_id')}" if a.get("scenario_id") else ""))
        if isinstance(detail.get("role"), dict):
            r = detail["role"]
            parts.append(f"{r.get('actor')} as {r.get('role')}" + (f" of {r.get('cohort')}" if r.get("cohort") else ""))
        parts.append(f"purpose: {row.purpose}" if row.purpose else "purpose: (not given)")
        lines.append(visible("  ".join(str(p) for p in parts), one_line=True))
    return lines


@click.command("audit")
@click.option("--trainee", default=None, metavar="ID", shell_complete=complete_trainees,
              help="only entries that name this trainee")
@click.option("--since", default=None, metavar="DATE",
              help="only entries from DATE on (YYYY-MM-DD, UTC; or an ISO-8601 time)")
@click.option("--format", "output_format", type=choice(OutputFormat), default="text", show_default=True)
@access_options
@path_option("db")
@pass_settings
def audit_command(settings: Settings, trainee: str | None, since: str | None, output_format: OutputFormat,
                  purpose: str | None, as_actor: str | None) -> int:
    """The audit log: who viewed or exported whose records, when and why, and who changed roles and
    assignments (oldest first).

    It is a hash chain covered by the store head, so `records verify` shows an edited or deleted
    entry. A student sees the entries naming them; an instructor, their cohorts' students.
    """
    from casesim.records.access import Target
    from casesim.records.export.selection import parse_bound

    bound = None
    if since is not None:
        try:
            bound = parse_bound(since)
        except ValueError as exc:
            raise click.BadParameter(visible(str(exc), one_line=True), param_hint="--since") from exc
    with open_store(settings.db, readonly=True, key=record_key()) as store:
        target = target_of(store, trainee, None) if trainee is not None else Target(everyone=True)
        gate(settings, store, "audit", target, as_actor=as_actor, purpose=purpose)
        rows = list(store.audit_log(trainee_id=trainee, since=bound))
        info = dict(store.chain_info())
    if output_format == "json":
        print(json_inert(json.dumps([{"seq": r.seq, "at": r.at, "actor": r.actor, "action": r.action,
                                      "trainees": list(r.trainees), "cohort": r.cohort, "attempts": list(r.attempts),
                                      "purpose": r.purpose, "detail": r.detail, "hash": r.hash} for r in rows],
                                    indent=2, ensure_ascii=False)))
        return 0
    for line in audit_lines(rows):
        click.echo(line)
    kept = info.get("audit_since")
    click.echo(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}"
               + (f"; the audit log has been kept since {kept[:19].replace('T', ' ')} UTC" if kept else ""), err=True)
    return 0
