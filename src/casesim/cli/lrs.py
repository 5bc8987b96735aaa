"""``casesim lrs``: the store's outbox of xAPI statements and its forwarding to an LRS.

``lrs enable`` turns the outbox on (the base IRI and home page are kept in the store, so every
process writing to it builds the same statements), ``lrs sync`` posts what is pending, ``lrs
status`` counts it, ``lrs prune`` deletes what the LRS accepted before a date, ``lrs disable``
turns it off. The LRS endpoint and credentials come from flags
or ``CASESIM_LRS_ENDPOINT``, ``CASESIM_LRS_USER`` and ``CASESIM_LRS_PASSWORD`` (or
``--password-file``); they are never stored and never printed.

Exit codes: 0 done, 1 the sync stopped with statements still pending or refused, 2 usage errors,
an unreachable LRS (after the retries) or refused credentials.
"""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from casesim.cli.options import cache_options, pass_settings, path_option, record_key
from casesim.errors import CaseSimError
from casesim.format.text import visible
from casesim.records import open_store
from casesim.records.api import OutboxSettings, RecordStore
from casesim.settings import Settings

__all__ = ["COMMANDS"]


@click.group("lrs")
def lrs_group() -> None:
    """Forward xAPI statements to a Learning Record Store (LRS) through the store's outbox."""


def _iri(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from casesim.records.export.xapi import check_iri

    if value is None:
        return None
    try:
        return check_iri(value, f"--{param.name.replace('_', '-') if param.name else 'url'}")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@lrs_group.command("enable")
@click.option("--base-iri", required=True, metavar="URL", callback=_iri,
              help="your program's URL, the root of activity ids (as `casesim export xapi --base-iri`)")
@click.option("--home-page", default=None, metavar="URL", callback=_iri,
              help="the actor account's homePage (default: --base-iri)")
@click.option("--backfill/--no-backfill", default=True, show_default=True,
              help="also queue the statements of attempts recorded before (built as `casesim export xapi` "
                   "builds them, against the scenario files under --scenarios)")
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@pass_settings
def enable_command(settings: Settings, base_iri: str, home_page: str | None, backfill: bool) -> int:
    """Turn the outbox on: from now on every attempt's statements are queued as it is played."""
    from casesim.records.pseudonym_keys import uses_program_key

    wanted = OutboxSettings(base_iri, home_page or base_iri)
    with open_store(settings.db, key=record_key()) as store:
        current = store.outbox_settings()
        if current is not None and current != wanted:
            raise CaseSimError(f"the outbox is on already with base IRI {current.base_iri} and home page "
                               f"{current.home_page}", title="lrs: outbox on already",
                               hint="statement ids and actors depend on both, so an LRS would get every attempt "
                                    "again under new ids; run `casesim lrs disable` first if you mean it")
        if uses_program_key(store.pseudonym_key):
            raise CaseSimError("this store names trainees in xAPI with a program key kept outside it "
                               "(CASESIM_PSEUDONYM_KEY); live statements are built by every process that records "
                               "an attempt, players' included, which do not hold that key",
                               title="lrs: program pseudonym key",
                               hint="export with `casesim records export xapi` instead, or give the store its own "
                                    "key with `casesim records pseudonym-key --import FILE` first")
        store.configure_outbox(wanted)
        added = _backfill(settings, store) if backfill else 0
        counts = store.outbox_counts()
    click.echo(f"outbox on for {visible(str(settings.db), one_line=True)}: base IRI {base_iri}, home page "
               f"{home_page or base_iri}; {added} earlier statement(s) queued, {counts.pending} pending")
    return 0


def _backfill(settings: Settings, store: RecordStore) -> int:
    """Queue the statements of every attempt already in the store (ids already queued are kept)."""
    from casesim.cli.records import _catalog
    from casesim.play.library import load_scenario_versions
    from casesim.records.damage import readable_debrief
    from casesim.records.outbox import LiveStatements

    outbox = store.outbox_settings()
    assert outbox is not None
    attempts = store.attempts()
    library = load_scenario_versions([settings.scenarios_dir], _catalog(settings), {a.content_hash for a in attempts})
    by_hash = {p.content_hash: p for p in library}
    live = LiveStatements(outbox, store.pseudonym_key, lookup=by_hash.get)
    added = 0
    for attempt in attempts:
        readable, debrief = readable_debrief(store, attempt, None)
        if not readable:
            continue
        cohort_attempt = attempt
        if attempt.cohort is None:
            trainee = store.trainee(attempt.trainee_id)
            if trainee is not None and trainee.cohort is not None:
                from dataclasses import replace

                cohort_attempt = replace(attempt, cohort=trainee.cohort)  # as the export groups it
        added += store.outbox_add(live.whole(cohort_attempt, store.events(attempt.id), debrief))
    return added


def remember_versions(settings: Settings, store: RecordStore, hashes: set[str]) -> None:
    """When the store's outbox is on, register the scenario files under ``--scenarios`` with these
    content hashes, so attempts written by this command (``records import``) queue statements
    with their options, points and correct responses (F10), as the export would build them."""
    if not hashes or store.outbox_settings() is None:
        return
    from casesim.cli.records import _catalog
    from casesim.play.library import load_scenario_versions
    from casesim.records.outbox import remember_scenario

    for playable in load_scenario_versions([settings.scenarios_dir], _catalog(settings), hashes):
        remember_scenario(playable)


@lrs_group.command("disable")
@path_option("db")
@pass_settings
def disable_command(settings: Settings) -> int:
    """Turn the outbox off (what is queued stays, and `lrs sync` still posts it)."""
    with open_store(settings.db, key=record_key()) as store:
        store.configure_outbox(None)
        pending = store.outbox_counts().pending
    click.echo(f"outbox off; {pending} statement(s) still pending")
    return 0


@lrs_group.command("status")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="the state folder of a `casesim serve` that forwards (default: serve/ in the data folder)")
@path_option("db")
@pass_settings
def status_command(settings: Settings, state_dir: Path | None) -> int:
    """How many statements are waiting, failed (tried, not accepted yet) and sent, and what the
    forwarder of `casesim serve --lrs-endpoint` last did."""
    import time

    from casesim.cli.serve_lrs import describe_status, read_status

    with open_store(settings.db, readonly=True, key=record_key()) as store:
        on = store.outbox_settings()
        counts = store.outbox_counts()
        failed = [r for r in store.outbox_pending(1000) if r.attempts > 0][:5]
    click.echo(f"outbox: {'on, base IRI ' + on.base_iri if on else 'off'}")
    click.echo(f"pending: {counts.pending} ({counts.waiting} waiting, {counts.failed} failed)")
    click.echo(f"sent: {counts.sent}")
    for row in failed:
        click.echo(f"  failed {row.id} ({row.attempts}x): {visible(row.last_error or '', one_line=True)}")
    folder = (state_dir or settings.data_dir / "serve").expanduser()
    served = read_status(folder)
    if served is not None:
        pid = served.get("pid")
        if served.get("running") and isinstance(pid, int) and not _alive(pid):
            served["running"] = False  # the server died without saying so
        written = served.get("written_at")
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(written)) if isinstance(written, (int, float)) else "?"
        click.echo(f"casesim serve's forwarder (as of {when}, process {pid}):")
        for line in describe_status(served, now=time.time()):
            click.echo(f"  {visible(line, one_line=True)}")
    elif state_dir is not None:
        click.echo(f"no forwarder state in {visible(str(folder), one_line=True)} (no `casesim serve --lrs-endpoint` "
                   "has run with this state folder)")
    return 0


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


@lrs_group.command("sync")
@click.option("--endpoint", envvar="CASESIM_LRS_ENDPOINT", show_envvar=True, required=True, metavar="URL",
              help="the LRS's xAPI endpoint, e.g. https://lrs.example.edu/xAPI")
@click.option("--user", envvar="CASESIM_LRS_USER", show_envvar=True, required=True, help="the LRS user (Basic auth)")
@click.option("--password-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              metavar="FILE", help="a file holding the LRS password (else CASESIM_LRS_PASSWORD)")
@click.option("--lrs-password", "env_password", envvar="CASESIM_LRS_PASSWORD", hidden=True, default=None,
              help="(from the environment only: CASESIM_LRS_PASSWORD)")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="statements per POST")
@click.option("--tries", type=click.IntRange(1, 20), default=6, show_default=True,
              help="posts of one batch before giving up on the LRS for now (with backoff in between)")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="seconds to wait for the LRS per request")
@path_option("db")
@pass_settings
def sync_command(settings: Settings, endpoint: str, user: str, password_file: Path | None, env_password: str | None,
                 batch_size: int, tries: int, timeout: float) -> int:
    """Post every pending statement to the LRS; a statement is marked sent once the LRS accepted it."""
    from casesim.cli.serve_lrs import lrs_password
    from casesim.records.lrs import Backoff, Forwarder, LrsConfig

    password = lrs_password(password_file, env_password, missing="no LRS password given", file_option="--password-file")
    config = LrsConfig(endpoint, user, password, timeout=timeout)
    with open_store(settings.db, key=record_key()) as store:
        report = Forwarder(store, config, batch_size=batch_size, backoff=Backoff(tries=tries)).sync()
        counts = store.outbox_counts()
    rate = report.sent / report.seconds if report.seconds > 0 else 0.0
    click.echo(f"sent {report.sent} statement(s) to {config.endpoint} in {report.seconds:.1f} s ({rate:.0f}/s, "
               f"{report.posts} post(s), {report.retries} retried); refused {report.rejected}; "
               f"pending {counts.pending}")
    for error in report.errors[:10]:
        click.echo(f"  refused {visible(error, one_line=True)}", err=True)
    if report.stopped:
        raise CaseSimError(report.stopped, title="lrs: unavailable",
                           hint="the pending statements stay queued; run `casesim lrs sync` again later")
    return 1 if report.rejected else 0


def _moment(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--sent-before``: a date (midnight UTC) or an ISO-8601 time, as the store's UTC text."""
    from datetime import UTC, datetime

    from casesim.records.chain import iso_utc

    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{visible(value, one_line=True)!r} is not a date: write it as YYYY-MM-DD "
                                 "(midnight UTC) or an ISO-8601 time such as 2026-12-01T08:00:00Z") from None
    return iso_utc(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


@lrs_group.command("prune")
@click.option("--sent-before", required=True, metavar="DATE", callback=_moment,
              help="delete the statements the LRS accepted before this date (YYYY-MM-DD, midnight UTC) or "
                   "ISO-8601 time")
@path_option("db")
@pass_settings
def prune_command(settings: Settings, sent_before: str) -> int:
    """Delete statements the LRS has accepted, so the outbox does not grow forever.

    Statements not yet accepted are never deleted. Nothing of the record is lost: the outbox is not
    evidence, and `casesim export xapi` rebuilds any statement from the chained record (`lrs enable
    --backfill` would queue the pruned ones again, and the LRS keeps one copy of each)."""
    with open_store(settings.db, key=record_key()) as store:
        deleted = store.outbox_prune(sent_before)
        counts = store.outbox_counts()
    click.echo(f"pruned {deleted} statement(s) sent before {sent_before}; {counts.sent} sent and "
               f"{counts.pending} pending kept")
    return 0


COMMANDS = [lrs_group]
