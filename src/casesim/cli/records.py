"""Program commands: ``records`` (list, verify, trainee, trainees, audit), ``report`` (trainee, cohort), ``export``.

Each command that shows or writes out someone's records is checked against the store's roles when
the store is shared, and writes one entry to its audit log (:mod:`casesim.cli.access`).

Every command reads the database of the ``--db`` setting (``CASESIM_DB``, the config file, else
``casesim.db`` in the data folder). Reports and exports open it read-only and never create it.
Exit codes: 0 success, 1 ``records verify`` found problems, 2 usage or I/O errors.

Everything printed comes from a store that may hold hostile text (written before ids, names and
cohorts were checked, or edited by hand): text goes through :func:`visible`, JSON through
:func:`json_inert`, CSV to standard output through :func:`_csv_inert`, so no escape sequence reaches
the terminal. Files written with ``-o`` keep the data exactly.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast, get_args

import rich_click as click

from casesim.cli.access import access_options, gate, target_of
from casesim.cli.audit_log import audit_command
from casesim.cli.options import (
    LazyChoice,
    OutputFormat,
    PageFormat,
    XapiFormat,
    cache_options,
    choice,
    complete_cohorts,
    complete_scenarios,
    complete_trainees,
    pass_settings,
    path_option,
    pseudonym_env,
    record_key,
)
from casesim.collector import paused
from casesim.errors import CaseSimError
from casesim.format.mode import Mode
from casesim.format.text import json_inert, visible
from casesim.records import open_store
from casesim.records.api import AttemptRow, AttemptStatus, RecordStore, public_status
from casesim.settings import Settings

if TYPE_CHECKING:
    from casesim.records.export.csv import CsvKind
    from casesim.scoring.catalog import Catalog

__all__ = ["COMMANDS"]

FC = TypeVar("FC", bound=Callable[..., Any])


# --- helpers ------------------------------------------------------------------------------------


def _reader(settings: Settings) -> RecordStore:
    return open_store(settings.db, readonly=True, key=record_key())


def _catalog(settings: Settings) -> Catalog | None:
    from casesim.cli.library import load_catalog_for

    try:
        return load_catalog_for(settings)
    except CaseSimError as exc:
        click.echo(f"casesim: note: {visible(exc.message)}; titles and feedback will be missing", err=True)
        return None


def _library(settings: Settings, catalog: Catalog | None, store: RecordStore, *, analyse: bool,
             trainee_id: str | None = None, cohort: str | None = None) -> Any:
    """The scenario files the selected attempts were played on; with ``analyse``, each with its
    cached analysis summary (the expert path: all reports and exports read of the analysis)."""
    from casesim.play.library import load_scenarios_by_id

    wanted = {a.scenario_id for a in store.attempts(trainee_id=trainee_id, cohort=cohort)}
    return load_scenarios_by_id([settings.scenarios_dir], catalog, only=wanted, analyse=analyse, summary=True)


def _report_views(settings: Settings, catalog: Catalog | None, attempts: Sequence[AttemptRow]) -> Any:
    """What the cohort report reads of the scenarios of ``attempts`` (their report views: from
    the cache when warm, so no scenario is validated or compiled)."""
    from casesim.play.library import load_report_views

    return load_report_views([settings.scenarios_dir], catalog, only={a.scenario_id for a in attempts})


def _selection(f: FC) -> FC:
    """``--trainee ID`` or ``--cohort NAME`` (not both): whose attempts a command reads."""
    f = click.option("--cohort", default=None, metavar="NAME", shell_complete=complete_cohorts,
                     help="only this cohort's attempts")(f)
    return click.option("--trainee", default=None, metavar="ID", shell_complete=complete_trainees,
                        help="only this trainee's attempts")(f)


def _one_selection(trainee: str | None, cohort: str | None) -> None:
    if trainee is not None and cohort is not None:
        raise click.UsageError("give --trainee or --cohort, not both")


def _filters(f: FC) -> FC:
    """``--mode``, ``--since`` and ``--until``: the attempts an export covers, besides whose."""
    f = click.option("--until", default=None, metavar="DATE",
                     help="only attempts started on or before DATE (YYYY-MM-DD, UTC; or an ISO-8601 time, exclusive)")(f)
    f = click.option("--since", default=None, metavar="DATE",
                     help="only attempts started on or after DATE (YYYY-MM-DD, UTC; or an ISO-8601 time)")(f)
    return click.option("--mode", type=choice(Mode), default=None, help="only attempts in this mode")(f)


def _selection_of(trainee: str | None, cohort: str | None, mode: Mode | None, since: str | None,
                  until: str | None) -> Any:
    """The export's :class:`~casesim.records.export.selection.Selection`, or a usage error."""
    from casesim.records.export.selection import Selection, parse_bound

    _one_selection(trainee, cohort)
    bounds: list[str | None] = []
    for flag, value, end in (("--since", since, False), ("--until", until, True)):
        try:
            bounds.append(None if value is None else parse_bound(value, end=end))
        except ValueError as exc:
            raise click.BadParameter(visible(str(exc), one_line=True), param_hint=flag) from exc
    if bounds[0] is not None and bounds[1] is not None and bounds[0] >= bounds[1]:
        raise click.BadParameter("--since must come before --until", param_hint="--since")
    return Selection(trainee, cohort, mode, bounds[0], bounds[1])


def _output(f: FC) -> FC:
    return click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        metavar="FILE",
                        help="write to FILE (created readable by you only) instead of standard output")(f)


def _format(f: FC) -> FC:
    return click.option("--format", "output_format", type=choice(OutputFormat), default="text",
                        show_default=True)(f)


def _iri_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--base-iri``/``--home-page``: an absolute http(s) URL, else a usage error (exit 2)."""
    from casesim.records.export.xapi import check_iri

    if value is None:
        return None
    try:
        return check_iri(value, f"--{(param.name or '').replace('_', '-')}")
    except ValueError as exc:
        raise click.BadParameter(visible(f"{value!r}: {exc}", one_line=True)) from exc


def _line(text: str) -> str:
    """One line of output built from store values, with control characters (and newlines) made visible."""
    return visible(text, one_line=True)


def _csv_inert(text: str) -> str:
    """CSV text for a terminal: the row terminator (CRLF) kept, every other control character
    (a newline inside a quoted field too) made visible, so a value cannot forge a row."""
    return "\r\n".join(visible(part, one_line=True) for part in text.split("\r\n"))


class _InertStdout:
    """Standard output for an export, with control characters made inert on the way (``inert``)."""

    def __init__(self, inert: Callable[[str], str]) -> None:
        self._inert = inert

    def write(self, text: str) -> int:
        sys.stdout.write(self._inert(text))
        return len(text)

    def flush(self) -> None:
        sys.stdout.flush()


@contextlib.contextmanager
def _out(target: Path | None, inert: Callable[[str], str], *, bom: bool = False) -> Iterator[TextIO]:
    """Standard output (through ``inert``), or ``target`` holding the data exactly: written 0600
    through a temporary file renamed into place when the export is complete, never through a
    symbolic link (:mod:`casesim.records.files`). ``bom``: start with a UTF-8 byte-order mark."""
    from casesim.records.files import atomic_output

    if target is None:
        if bom:
            sys.stdout.write("\ufeff")
        yield cast(TextIO, _InertStdout(inert))
        return
    with atomic_output(target, bom=bom, what="the export") as handle:
        yield handle


def _notes(notes: list[str]) -> None:
    """Say what an export or report left out (damaged debriefs), on standard error."""
    for note in notes:
        click.echo(f"casesim: note: {_line(note)}", err=True)


def _print_json(data: Any) -> None:
    print(json_inert(json.dumps(data, indent=2, ensure_ascii=False, default=str)))


# --- records ------------------------------------------------------------------------------------


@click.group("records")
def records_group() -> None:
    """List, verify and manage the practicum records.

    The record of every attempt: list it, check that nothing was edited, set a trainee's name
    and cohort.
    """


@records_group.command("list")
@_selection
@click.option("--status", type=choice(AttemptStatus), default=None, help="only attempts with this status")
@_format
@access_options
@path_option("db")
@pass_settings
def list_command(settings: Settings, trainee: str | None, cohort: str | None, status: AttemptStatus | None,
                 output_format: OutputFormat, purpose: str | None, as_actor: str | None) -> int:
    """List attempts (newest last).

    Listing anyone's attempts but your own is recorded in the audit log (`records audit`)."""
    from casesim.records.render import attempt_score
    from casesim.scoring.debrief import pace_text

    _one_selection(trainee, cohort)
    with _reader(settings) as store:
        access = gate(settings, store, "read", target_of(store, trainee, cohort), as_actor=as_actor, purpose=purpose)
        wanted = {status} if status not in ("left", "abandoned") else {"left", "abandoned"}  # the same thing
        rows = [a for a in store.attempts(trainee_id=trainee, cohort=cohort) if status is None or a.status in wanted]
        if not rows:
            store.check_empty("attempts")  # damage must not read as an empty record (while the store is open)
        if not access.own(trainee):
            access.record("list", command="records list", trainees={a.trainee_id for a in rows} | set(
                [trainee] if trainee else []), cohort=cohort, attempts=rows, everyone=trainee is None and cohort is None)
    if output_format == "json":
        _print_json([{"id": a.id, "trainee_id": a.trainee_id, "scenario_id": a.scenario_id,
                      "scenario_version": a.scenario_version, "mode": a.mode, "status": public_status(a.status),
                      "started_at": a.started_at, "ended_at": a.ended_at, "passed": a.passed, "share": a.share,
                      "verdict": a.verdict, "imported": None if a.imported is None else dict(a.imported),
                      "pace": None if a.pace is None else {"decision_seconds": a.pace.decision_seconds,
                                                           "reading_seconds": a.pace.reading_seconds,
                                                           "too_fast": a.pace.too_fast}}
                     for a in rows])
        return 0
    if not rows:
        click.echo("no attempts recorded" + (" for this selection" if trainee or cohort or status else ""))
        return 0
    for a in rows:
        flag = f"  [{pace_text(a.pace)}]" if a.pace is not None and a.pace.too_fast else ""
        if a.imported is not None:
            flag += "  [imported" + ("" if a.imported.get("trusted") else ", practice only") + "]"
        click.echo(_line(f"{a.started_at[:16].replace('T', ' ')}  {a.id}  {a.trainee_id:<14} {a.scenario_id:<28} "
                         f"{a.mode:<10} {attempt_score(a)}{flag}"))
    click.echo(f"{len(rows)} attempt(s)", err=True)
    return 0


def _key_file(f: FC) -> FC:
    return click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
                        help="the record key of a keyed store (default: the CASESIM_RECORD_KEY environment "
                             "variable, the key itself or @FILE)")(f)


def _keyed_reader(settings: Settings, key_file: Path | None) -> RecordStore:
    return open_store(settings.db, readonly=True, key=record_key(key_file))


@records_group.command("verify")
@click.option("--against", default=None, metavar="HEAD",
              help="a head printed earlier (on a signed PDF, or by verify): say whether the record up to it is "
                   "unchanged (spaces and line breaks in HEAD do not matter)")
@_key_file
@_format
@access_options
@path_option("db")
@pass_settings
def verify_command(settings: Settings, output_format: OutputFormat, against: str | None,
                   key_file: Path | None, purpose: str | None, as_actor: str | None) -> int:
    """Check the hash chains: say which attempt and event was altered.

    Checks every attempt, event, outcome and profile against the hash chains, prints the chain
    mode, the store head and each trainee's head. With --against HEAD, also says whether HEAD (a
    trainee's head from a signed PDF, or a store head) still matches the record as it was then.
    Exit 0 when the record is intact (and HEAD matches), 1 when something was edited, deleted,
    reordered or added, or HEAD matches nothing; 2 for a keyed store without its key.
    """
    from casesim.records.keys import format_head, parse_head
    from casesim.records.pseudonym_keys import in_use
    from casesim.records.render import verify_text

    target = None
    if against is not None:
        try:
            target = parse_head(against)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--against") from exc
    from casesim.errors import StoreCorruptError
    from casesim.records.access import Target

    with _keyed_reader(settings, key_file) as store:
        access = gate(settings, store, "read", Target(everyone=True), as_actor=as_actor, purpose=purpose,
                      key=record_key(key_file))
        problems = list(store.verify())
        if problems:  # the details name trainees, attempts and scenarios: a disclosure, logged
            access.record("verify", command="records verify", trainees={p.trainee_id for p in problems if p.trainee_id},
                          attempts={p.attempt_id for p in problems if p.attempt_id and not p.attempt_id.startswith("#")},
                          required=False)
        info = dict(store.chain_info())
        try:
            pseudonyms = in_use(store.pseudonym_key, pseudonym_env())
        except CaseSimError as exc:  # a login that may not read the store's secrets
            pseudonyms = f"not known ({exc.message})"
        verdict: str | None = None
        matched = True
        try:
            heads = dict(store.chain_heads())
            store_head: str | None = store.store_head()
        except StoreCorruptError:  # the damage is among the problems; heads read past it would mislead
            heads, store_head = {}, None
            if target is not None:
                matched = False
                verdict = "--against: the heads cannot be computed from a damaged file."
        if target is not None and store_head is not None:
            match = None if target == store_head else store.find_head(target)
            since = None if target == store_head or match is not None else store.store_heads_since(target)
            if target == store_head:
                verdict = (f"--against {format_head(target)}: it is the store head now: nothing in the store has "
                           "changed since it was printed.")
            elif since is not None:
                verdict = (f"--against {format_head(target)}: it was the store head {since} audit log entr"
                           f"{'y' if since == 1 else 'ies'} ago: since it was printed only disclosures and other "
                           "audit entries were recorded (`casesim records audit`); no trainee's record has changed.")
            elif match is not None:
                added = match.links - match.link
                verdict = (f"--against {format_head(target)}: it is trainee {match.trainee_id}'s head after "
                           f"{match.link} link(s) ({match.attempts} attempt(s) started by then): nothing recorded "
                           "for them up to then has changed"
                           + (f"; {added} link(s) were recorded since." if added else ", and nothing since."))
            else:
                matched = False
                verdict = (f"--against {format_head(target)}: it is neither the store head nor any trainee's head "
                           "at any point of their chain: something recorded before it was printed was changed or "
                           "deleted (or the head was copied wrong).")
    if output_format == "json":
        _print_json({"database": store.location, "intact": not problems, "chain_mode": info["chain_mode"],
                     "pseudonyms": pseudonyms,
                     "store_head": store_head,
                     "rechained": {k: v for k, v in info.items() if k.startswith("rechain")} or None,
                     "against": None if target is None else {"head": target, "matches": matched,
                                                             "message": verdict},
                     "problems": [{"kind": p.kind, "trainee_id": p.trainee_id, "attempt_id": p.attempt_id,
                                   "seq": p.seq, "message": p.message} for p in problems],
                     "heads": {t: {"attempts": n, "head": h} for t, (n, h) in heads.items()}})
    else:
        sys.stdout.write(verify_text(problems, heads, store.location, store_head=store_head, info=info,
                                     against=verdict))
        click.echo(f"xAPI pseudonyms: {pseudonyms}")
    return 1 if problems or not matched else 0


def _require(settings: Settings, action: Any, trainee: str | None = None) -> None:
    """In a shared store, refuse an action the login's roles do not allow (backup, restore, rekey and
    import: administrators; a trainee's name, cohort or accommodation: their instructor too). A
    store that cannot be opened (missing, damaged: what a restore repairs) is not checked."""
    from casesim.records.access import Target

    try:
        store = _reader(settings)
    except CaseSimError:
        return
    with store:
        target = target_of(store, trainee, None) if trainee is not None else Target(everyone=True)
        gate(settings, store, action, target, as_actor=None, purpose=None)


def _copy_summary(checked: Any) -> str:
    """What was checked in a backup or a restored store, in one line."""
    from casesim.records.keys import format_head

    counts = f"{checked.trainees} trainee(s), {checked.attempts} attempt(s), {checked.events} event(s)"
    if not checked.verified:
        return f"{counts}; file intact; chains not verified (keyed store, no record key given)"
    state = "chains verify" if not checked.problems else f"verify found {len(checked.problems)} problem(s)"
    return f"{counts}; file intact; {state}; store head {format_head(checked.store_head)}"


def _store_file(settings: Settings, command: str) -> Path:
    """The SQLite file ``records backup``/``restore`` work on; a PostgreSQL store is refused with
    what to use instead."""
    if not isinstance(settings.db, Path):
        raise CaseSimError(f"`records {command}` copies an SQLite records file; the records are in the PostgreSQL "
                           f"database {settings.db}", title=f"records {command}: not a file",
                           hint="back PostgreSQL up with pg_dump or the server's own backups (docs/records.md)")
    return settings.db.expanduser()


@records_group.command("backup")
@click.argument("dest", metavar="DEST", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace DEST if it exists")
@_key_file
@path_option("db")
@pass_settings
def backup_command(settings: Settings, dest: Path, force: bool, key_file: Path | None) -> int:
    """Copy the records to DEST while casesim is in use, and check the copy.

    Uses SQLite's online backup API: the copy is the record as it was when the backup began,
    including what is still in the -wal file (copying the .db file alone can lose it). DEST is one
    self-contained file, readable by you only; it is checked (file integrity and `verify`) before
    it is put in place. An existing DEST is replaced only with --force; a symbolic link never.
    Exit 0 when the copy verifies, 1 when verify found problems in it (the copy is kept).
    """
    from casesim.records.sqlite.backup import backup_store

    _require(settings, "backup")
    checked = backup_store(_store_file(settings, "backup"), dest, force=force, key=record_key(key_file))
    click.echo(_line(f"backed up to {dest}: {_copy_summary(checked)}"))
    for problem in checked.problems[:5]:
        click.echo(_line(f"  problem: {problem.message}"), err=True)
    return 1 if checked.problems else 0


@records_group.command("restore")
@click.argument("src", metavar="SRC", type=click.Path(dir_okay=False, path_type=Path))
@_key_file
@path_option("db")
@pass_settings
def restore_command(settings: Settings, src: Path, key_file: Path | None) -> int:
    """Replace the records with the backup SRC, after checking it.

    SRC must be a casesim records file that is undamaged and verifies (a keyed one with its record
    key); otherwise nothing changes (exit 2). The store it replaces is kept beside it as
    NAME.before-restore-TIME (never deleted); casesim processes using the store wait for the
    restore and then see the restored record.
    """
    from casesim.records.sqlite.backup import restore_store

    _require(settings, "backup")
    result = restore_store(src, _store_file(settings, "restore"), key=record_key(key_file))
    for kept in result.side_copy:
        click.echo(_line(f"the replaced store was kept as {kept}"))
    click.echo(_line(f"restored {src} to {settings.db}: {_copy_summary(result.restored)}"))
    return 1 if result.restored.problems else 0


@records_group.command("import")
@click.argument("archive", metavar="ARCHIVE", type=click.Path(dir_okay=False, path_type=Path))
@_key_file
@path_option("db")
@path_option("scenarios_dir")
@pass_settings
def import_command(settings: Settings, archive: Path, key_file: Path | None) -> int:
    """Merge a JSON Lines archive (`casesim export jsonl`) into the records, after verifying it.

    Every attempt's chain in ARCHIVE is checked first (attempt, events, seal, and the links
    between a trainee's attempts); one that does not verify refuses the whole archive and nothing
    is merged (exit 2). Attempts already here (same id) are skipped. Merged attempts are marked as
    imported; they keep their mode only when the archive is signed with this store's record key
    (a keyed store sharing the key), otherwise they are practice only and never count as evidence.
    """
    from casesim.records.archive import check_archive, to_import
    from casesim.records.chain import iso_utc, utc_now

    if archive.is_symlink() or not archive.is_file():
        raise CaseSimError(f"{archive} is not a regular file", title="import refused",
                           hint="give the file written by `casesim export jsonl -o FILE`")
    try:
        lines = archive.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseSimError(f"cannot read {archive}: {exc}", title="import refused") from exc
    key = record_key(key_file)
    checked = check_archive(lines, key)
    if checked.problems:
        for problem in checked.problems[:10]:
            click.echo(_line(f"  {problem}"), err=True)
        raise CaseSimError(f"{archive} does not verify ({len(checked.problems)} problem(s)); nothing was merged",
                           title="import refused", hint="import the archive as it was exported, unedited")
    if not checked.attempts:
        raise CaseSimError(f"{archive} holds no attempts", title="import refused",
                           hint="give the file written by `casesim export jsonl -o FILE`")
    if checked.gaps:
        click.echo(f"casesim: note: {checked.gaps} attempt(s) of these trainees are not in the archive, between ones "
                   "that are (a filtered export, or removed); an archive does not prove it is complete", err=True)
    _require(settings, "backup")
    now = iso_utc(utc_now())
    merged = skipped = practice = 0
    with open_store(settings.db, key=key) as store:
        from casesim.cli.lrs import remember_versions

        remember_versions(settings, store, {str(i.record["attempt"].get("content_hash")) for i in checked.attempts})
        for item in checked.attempts:
            if store.import_attempt(to_import(item, imported_at=now)):
                merged += 1
                practice += (not item.trusted) and item.record["attempt"].get("mode") == "assessment"
            else:
                skipped += 1
    click.echo(_line(f"verified {len(checked.attempts)} attempt(s) in {archive}; merged {merged}, skipped "
                     f"{skipped} already here"))
    trusted = sum(i.trusted for i in checked.attempts)
    if trusted:
        click.echo(f"{trusted} signed with this store's record key: modes kept")
    if practice:
        click.echo(f"{practice} assessment attempt(s) merged as practice only: the archive is not signed with this "
                   "store's record key, so they cannot count as evidence")
    return 0


@records_group.command("migrate-store")
@click.argument("src", metavar="SRC", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("dest", metavar="DEST")
@_key_file
def migrate_store_command(src: Path, dest: str, key_file: Path | None) -> int:
    """Copy the SQLite records file SRC into the empty PostgreSQL database DEST, and verify the copy.

    DEST is a postgresql:// URL (a password in it is never printed; PGPASSWORD or ~/.pgpass keep
    it out of your shell history). Rows are copied as they are, so every hash, the store head and
    the xAPI pseudonyms stay the same; heads printed before the move still match. One transaction:
    all of it or nothing. Exit 0 when the copy verifies with SRC's store head, 1 when it does not.
    Then point CASESIM_DB (or --db) at DEST.
    """
    from casesim.database_url import DatabaseUrl, is_database_url
    from casesim.records.keys import format_head
    from casesim.records.postgres.migrate import migrate_store

    if not is_database_url(dest):
        raise CaseSimError(f"DEST must be a PostgreSQL URL, not {dest!r}", title="migrate-store refused",
                           hint="write it as postgresql://USER@HOST:PORT/DATABASE")
    url = DatabaseUrl(dest)
    result = migrate_store(src, url, key=record_key(key_file))
    copied = ", ".join(f"{n} {table}" for table, n in result.rows.items() if n)
    click.echo(_line(f"copied {src} to {url}: {copied or 'no rows'}"))
    click.echo(f"store head of {src.name}: {format_head(result.source_head)}")
    click.echo(f"store head of the copy:  {format_head(result.dest_head)}")
    for problem in result.problems[:10]:
        click.echo(_line(f"  problem: {problem.message}"), err=True)
    if result.source_problems:
        click.echo(f"casesim: note: {src} itself has {len(result.source_problems)} problem(s); they were copied as "
                   "they are", err=True)
    for difference in result.differences:
        click.echo(_line(f"  differs: {difference}"), err=True)
    if not result.faithful:
        click.echo("casesim: the copy does not verify as the file does; keep using the file", err=True)
        return 1
    click.echo(_line(f"verified: the copy has the file's store head and reads the same (roles, audit log, "
                     f"assignments, cohort details); set CASESIM_DB={url} (with its password) to use it"))
    return 0


@records_group.command("rekey")
@click.option("--new-key-file", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE",
              help="the new record key (at least 32 characters), kept outside the records folder")
@_key_file
@path_option("db")
@pass_settings
def rekey_command(settings: Settings, new_key_file: Path, key_file: Path | None) -> int:
    """Switch the records to keyed mode, or change their record key.

    The store must verify with its current key (--key-file or CASESIM_RECORD_KEY for a keyed one);
    every hash is then recomputed with the new key in one transaction, and each trainee's chain
    records the change (with the store head before it). Heads printed before the rekey no longer
    match the store: keep the old store head this prints, and a backup taken before. After it,
    set CASESIM_RECORD_KEY (or --key-file) to the new key.
    """
    from casesim.records.keys import format_head, load_key

    _require(settings, "backup")
    new_key = load_key(new_key_file)
    assert new_key is not None
    with open_store(settings.db, key=record_key(key_file)) as store:
        if not hasattr(store, "rekey"):
            raise CaseSimError(f"the records in {store.location} cannot be rekeyed in place (only an SQLite file "
                               "can)", title="rekey refused",
                               hint="rekey the SQLite store before `records migrate-store`, or start a new keyed "
                                    "PostgreSQL database")
        before, after = store.rekey(new_key)
    click.echo(_line(f"rekeyed {settings.db}: its chain is now keyed (HMAC-SHA256) with the key in {new_key_file}"))
    click.echo(f"store head before (old key): {format_head(before)}")
    click.echo(f"store head now (new key):    {format_head(after)}")
    click.echo("set CASESIM_RECORD_KEY=@FILE (or --key-file FILE) to the new key from now on", err=True)
    return 0


@records_group.command("trainee")
@click.argument("trainee_id", metavar="ID", shell_complete=complete_trainees)
@click.option("--name", default=None, help="the display name on reports (default: keep, or the id)")
@click.option("--cohort", default=None, metavar="NAME", shell_complete=complete_cohorts,
              help="the cohort (class) for cohort reports")
@path_option("db")
@pass_settings
def trainee_command(settings: Settings, trainee_id: str, name: str | None, cohort: str | None) -> int:
    """Add a trainee or set their display name and cohort.

    ID is what the trainee types when they play. An id, name or cohort is 1-120 printable
    characters (spaces are collapsed); one with control codes, line breaks or invisible characters
    is refused (exit 2).
    """
    from casesim.records.labels import clean_label

    trainee_id = clean_label(trainee_id, "trainee id", where="as ID")
    if name is not None:
        name = clean_label(name, "display name", where="with --name")
    if cohort is not None:
        cohort = clean_label(cohort, "cohort", where="with --cohort")
    _require(settings, "manage", trainee_id)
    with open_store(settings.db, key=record_key()) as store:
        current = store.trainee(trainee_id)
        display = name or (current.display_name if current else trainee_id)
        store.upsert_trainee(trainee_id, display, cohort)
        row = store.trainee(trainee_id)
    assert row is not None
    click.echo(_line(f"{row.id}: {row.display_name}, cohort {row.cohort or '-'}, {row.attempt_count} attempt(s)"))
    return 0


@records_group.command("accommodate")
@click.argument("trainee_id", metavar="ID", shell_complete=complete_trainees)
@click.option("--time", "time_text", required=True, metavar="2x|1.5x|none|off",
              help="more time on every timer: 1.5x, 2x, none (no time limit), or off (the standard time)")
@click.option("--by", "set_by", default=None, metavar="NAME",
              help="who sets it, kept with the setting (default: your login name)")
@path_option("db")
@pass_settings
def accommodate_command(settings: Settings, trainee_id: str, time_text: str, set_by: str | None) -> int:
    """Give a trainee more time on every timer, in practice and in assessments.

    Every timer already includes the time its words take to read; this multiplies it. The
    accommodation is recorded with each attempt and shown on reports as an accommodation; it never
    changes a score. A student can also ask for more time in practice themselves
    (`casesim play --more-time`).
    """
    import getpass

    from casesim.play.timing import allowance_label, parse_allowance
    from casesim.records.labels import clean_label

    trainee_id = clean_label(trainee_id, "trainee id", where="as ID")
    allowance = parse_allowance(time_text)
    _require(settings, "manage", trainee_id)
    who = set_by or getpass.getuser() or "instructor"
    with open_store(settings.db) as store:
        store.set_accommodation(trainee_id, None if allowance == "standard" else allowance, set_by=who)
        row = store.accommodation(trainee_id)
    if row is None:
        click.echo(_line(f"{trainee_id}: standard time (no accommodation)"))
    else:
        click.echo(_line(f"{row.trainee_id}: {allowance_label(allowance)} on every timer, "
                         f"set by {row.set_by} at {row.set_at}"))
    return 0


@records_group.command("trainees")
@click.option("--cohort", default=None, metavar="NAME", shell_complete=complete_cohorts,
              help="only this cohort's trainees")
@access_options
@path_option("db")
@pass_settings
def trainees_command(settings: Settings, cohort: str | None, purpose: str | None, as_actor: str | None) -> int:
    """List trainees with their cohort and number of attempts (recorded in the audit log)."""
    from casesim.records.access import Target

    with _reader(settings) as store:
        access = gate(settings, store, "roster", Target(cohort=cohort, everyone=cohort is None), as_actor=as_actor,
                      purpose=purpose)
        rows = store.trainees(cohort)
        if not rows:
            store.check_empty("trainees")  # damage must not read as an empty record
        access.record("roster", command="records trainees", trainees=[t.id for t in rows], cohort=cohort,
                      everyone=cohort is None)
    for t in rows:
        click.echo(_line(f"{t.id:<16} {t.display_name:<28} {t.cohort or '-':<16} {t.attempt_count:>4} attempt(s)"))
    if not rows:
        click.echo("no trainees recorded")
    return 0


# --- reports ------------------------------------------------------------------------------------


@click.group("report")
def report_group() -> None:
    """Reports by trainee or cohort, by competency, as text or JSON."""


@report_group.command("trainee")
@click.argument("trainee_id", metavar="ID", shell_complete=complete_trainees)
@_format
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@access_options
@pass_settings
@paused()  # a report is thousands of acyclic rows, made once (casesim.collector)
def report_trainee_command(settings: Settings, trainee_id: str, output_format: OutputFormat, purpose: str | None,
                           as_actor: str | None) -> int:
    """One trainee: attempts and competency ratings over time (recorded in the audit log)."""
    from casesim.records.render import report_json, trainee_text
    from casesim.records.reports import trainee_report

    catalog = _catalog(settings)
    with _reader(settings) as store:
        access = gate(settings, store, "read", target_of(store, trainee_id, None), as_actor=as_actor, purpose=purpose)
        library = _library(settings, catalog, store, analyse=False, trainee_id=trainee_id)
        report = trainee_report(store, trainee_id, catalog=catalog, library=library)
        if not access.own(trainee_id):
            access.record("report", command="report trainee", trainees=[trainee_id],
                          attempts=[s.attempt for s in report.attempts])
    if output_format == "json":
        _print_json(report_json(report))
    else:
        sys.stdout.write(trainee_text(report))
    _notes(list(report.notes))
    return 0


@report_group.command("cohort")
@click.argument("name", metavar="NAME", shell_complete=complete_cohorts)
@click.option("--scenario", default=None, metavar="ID", shell_complete=complete_scenarios,
              help="only this scenario's item analysis")
@click.option("--mode", type=choice(Mode), default=None, help="only attempts in this mode")
@_format
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@access_options
@pass_settings
@paused()  # a report is thousands of acyclic rows, made once (casesim.collector)
def report_cohort_command(settings: Settings, name: str, scenario: str | None, mode: Mode | None,
                          output_format: OutputFormat, purpose: str | None, as_actor: str | None) -> int:
    """A cohort: roster by competency, and what the class chose at each decision (recorded in the audit log)."""
    from casesim.records.access import Target
    from casesim.records.render import cohort_text, report_json
    from casesim.records.reports import cohort_report

    catalog = _catalog(settings)
    with _reader(settings) as store:
        access = gate(settings, store, "read", Target(cohort=name), as_actor=as_actor, purpose=purpose)
        cohorts = store.cohorts()
        if name not in cohorts:
            store.check_empty(f"cohort {name}")
            known = ", ".join(cohorts) or "none yet"
            raise CaseSimError(f"there is no cohort {name!r} in {store.location} (cohorts: {known})",
                               title="no such cohort", hint="set one with: casesim records trainee ID --cohort NAME")
        attempts = store.attempts(cohort=name)
        report = cohort_report(store, name, library=_report_views(settings, catalog, attempts), catalog=catalog,
                               scenario_id=scenario, mode=mode, attempts=attempts)
        access.record("report", command="report cohort", cohort=name, trainees=[r.trainee.id for r in report.roster],
                      attempts=[a for a in attempts if mode is None or a.mode == mode])
    if output_format == "json":
        _print_json(report_json(report))
    else:
        sys.stdout.write(cohort_text(report))
    return 0


# --- exports ------------------------------------------------------------------------------------


@click.group("export")
def export_group() -> None:
    """Export records as CSV, JSON Lines, xAPI statements or a PDF summary."""


def _bom(f: FC) -> FC:
    return click.option("--bom", is_flag=True,
                        help="start the file with a UTF-8 byte-order mark, so Excel reads accented and "
                             "non-Latin names right when the file is double-clicked")(f)


def _csv_kinds() -> tuple[str, ...]:
    from casesim.records.export.csv import CsvKind

    return get_args(CsvKind)


def _export_gate(settings: Settings, store: RecordStore, selection: Any, purpose: str | None,
                 as_actor: str | None, command: str) -> None:
    """Check the export is allowed and write its one audit entry (before anything is written out)."""
    access = gate(settings, store, "export", target_of(store, selection.trainee_id, selection.cohort),
                  as_actor=as_actor, purpose=purpose)
    if access.own(selection.trainee_id):
        return
    attempts = selection.attempts(store)
    access.record("export", command=command, trainees={a.trainee_id for a in attempts} | (
        {selection.trainee_id} if selection.trainee_id else set()), cohort=selection.cohort, attempts=attempts,
        everyone=selection.trainee_id is None and selection.cohort is None)


def _write_csv_table(settings: Settings, table: CsvKind, selection: Any, output: Path | None, bom: bool,
                     purpose: str | None = None, as_actor: str | None = None) -> int:
    from casesim.records.export.csv import write_csv

    notes: list[str] = []
    with _reader(settings) as store:
        _export_gate(settings, store, selection, purpose, as_actor, f"export csv --table {table}")
        library = None
        if table == "decisions":  # what was offered and the expert's choice come from the scenario files
            library = _library(settings, _catalog(settings), store, analyse=True, trainee_id=selection.trainee_id,
                               cohort=selection.cohort)
        with _out(output, _csv_inert, bom=bom) as out:
            count = write_csv(store, out, table, notes=notes, selection=selection, library=library)
    _notes(notes)
    click.echo(f"{count} row(s)" + (f" written to {_line(str(output))}" if output else ""), err=True)
    return 0


@export_group.command("csv")
@click.option("--table", type=LazyChoice(_csv_kinds), default="attempts", show_default=True,
              help="one row per attempt, per criterion, per competency or per decision")
@_selection
@_filters
@_bom
@_output
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@access_options
@pass_settings
def export_csv_command(settings: Settings, table: CsvKind, trainee: str | None, cohort: str | None,
                       mode: Mode | None, since: str | None, until: str | None, bom: bool,
                       output: Path | None, purpose: str | None, as_actor: str | None) -> int:
    """A CSV table: one row per attempt, per criterion, per competency or per decision."""
    return _write_csv_table(settings, table, _selection_of(trainee, cohort, mode, since, until), output, bom,
                            purpose, as_actor)


@export_group.command("decisions")
@_selection
@_filters
@_bom
@_output
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@access_options
@pass_settings
def export_decisions_command(settings: Settings, trainee: str | None, cohort: str | None, mode: Mode | None,
                             since: str | None, until: str | None, bom: bool, output: Path | None,
                             purpose: str | None, as_actor: str | None) -> int:
    """The decisions CSV: one row per decision, with what was offered and the expert's choice.

    The same as `export csv --table decisions`. Each decision on an attempt's effective path
    (undone choices left out): node, choice, seconds, the options open at that moment and whether
    it matches the expert's choice there (empty when the scenario file is missing or of another
    version).
    """
    return _write_csv_table(settings, "decisions", _selection_of(trainee, cohort, mode, since, until), output, bom,
                            purpose, as_actor)


@export_group.command("jsonl")
@_selection
@_filters
@_output
@access_options
@path_option("db")
@pass_settings
def export_jsonl_command(settings: Settings, trainee: str | None, cohort: str | None, mode: Mode | None,
                         since: str | None, until: str | None, output: Path | None, purpose: str | None,
                         as_actor: str | None) -> int:
    """JSON Lines: one attempt per line with its events and debrief."""
    from casesim.records.export.jsonl import write_jsonl

    selection = _selection_of(trainee, cohort, mode, since, until)
    notes: list[str] = []
    with _reader(settings) as store:
        _export_gate(settings, store, selection, purpose, as_actor, "export jsonl")
        with _out(output, json_inert) as out:
            count = write_jsonl(store, out, notes=notes, selection=selection)
    _notes(notes)
    click.echo(f"{count} attempt(s)" + (f" written to {_line(str(output))}" if output else ""), err=True)
    return 0


@export_group.command("xapi")
@_selection
@_filters
@_output
@click.option("--format", "output_format", type=choice(XapiFormat), default="jsonl", show_default=True,
              help="one statement per line, or one JSON array (to POST to an LRS)")
@click.option("--base-iri", default=None, metavar="URL", callback=_iri_option,
              help="your program's URL, the root of activity ids (default: https://casesim.invalid)")
@click.option("--home-page", default=None, metavar="URL", callback=_iri_option,
              help="the account homePage (default: --base-iri)")
@click.option("--versions", "version_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="a folder of older scenario files: each attempt is read against the version it was "
                   "played on, found by content hash here or under --scenarios (repeatable)")
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@access_options
@pass_settings
def export_xapi_command(settings: Settings, trainee: str | None, cohort: str | None, mode: Mode | None,
                        since: str | None, until: str | None, output: Path | None,
                        output_format: XapiFormat, base_iri: str | None, home_page: str | None,
                        version_dirs: tuple[Path, ...], purpose: str | None, as_actor: str | None) -> int:
    """xAPI 1.0.3 statements (lifecycle plus one per decision).

    Each attempt is read against the scenario version it was played on (by content hash, from
    --scenarios and --versions); attempts whose version is missing are exported without choices
    or scores, and a note on standard error names them.
    """
    from casesim.play.library import load_scenario_versions
    from casesim.records.export.xapi import DEFAULT_BASE, statements
    from casesim.records.pseudonym_keys import pseudonym_key

    selection = _selection_of(trainee, cohort, mode, since, until)
    catalog = _catalog(settings)
    count = 0
    with _reader(settings) as store:
        _export_gate(settings, store, selection, purpose, as_actor, "export xapi")
        hashes = {a.content_hash for a in store.attempts(trainee_id=trainee, cohort=cohort)}
        library = load_scenario_versions([settings.scenarios_dir, *version_dirs], catalog, hashes)
        base = base_iri or DEFAULT_BASE
        notes: list[str] = []
        key = pseudonym_key(store.pseudonym_key, pseudonym_env()).key
        items = statements(store, trainee_id=trainee, cohort=cohort, library=library, base_iri=base,
                           home_page=home_page or base, notes=notes, selection=selection, key=key)
        with _out(output, json_inert) as out:
            if output_format == "json":
                collected = list(items)
                count = len(collected)
                out.write(json.dumps(collected, indent=2, ensure_ascii=False) + "\n")
            else:
                for statement in items:
                    out.write(json.dumps(statement, ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
    _notes(notes)
    click.echo(f"{count} statement(s)" + (f" written to {_line(str(output))}" if output else ""), err=True)
    return 0


@export_group.command("pdf")
@click.argument("trainee", metavar="TRAINEE_ID", shell_complete=complete_trainees)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="the PDF file (default: practicum-<id slug>-<short hash>.pdf in the current folder)")
@click.option("--program", default=None, help="the program's name, printed at the top")
@click.option("--instructor", default=None, help="the field instructor's name, printed on the signature line")
@click.option("--liaison", default=None, help="the faculty field liaison's name, printed on their signature line")
@click.option("--term", default=None, help='the term and evaluation point, e.g. "Fall 2026, final"')
@click.option("--placement", default=None, help="the placement agency")
@click.option("--font", "fonts", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              envvar="CASESIM_PDF_FONT", show_envvar=True,
              metavar="FILE", help="a font for characters the bundled DejaVu Sans lacks, such as CJK names "
                                   "(else CASESIM_PDF_FONT, else a system Noto CJK; repeatable)")
@click.option("--page", type=choice(PageFormat), default="Letter", show_default=True)
@_key_file
@path_option("db")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@access_options
@pass_settings
def export_pdf_command(settings: Settings, trainee: str, output: Path | None, program: str | None,
                       instructor: str | None, liaison: str | None, term: str | None, placement: str | None,
                       fonts: tuple[Path, ...], page: PageFormat, key_file: Path | None, purpose: str | None,
                       as_actor: str | None) -> int:
    """A practicum summary of one trainee, to sign.

    It prints the student's head and the store head (check them later with `casesim records verify
    --against HEAD`), and tells the instructor not to sign when verify finds a problem, a debrief is
    damaged, or a keyed store's record key was not given.
    """
    from casesim.records.export.pdf import PdfOptions, default_pdf_name, render_pdf
    from casesim.records.keys import KeyNeededError
    from casesim.records.reports import trainee_report

    catalog = _catalog(settings)
    unverified: str | None = None
    store_head: str | None = None
    with _keyed_reader(settings, key_file) as store:
        access = gate(settings, store, "export", target_of(store, trainee, None), as_actor=as_actor, purpose=purpose,
                      key=record_key(key_file))
        library = _library(settings, catalog, store, analyse=False, trainee_id=trainee)
        report = trainee_report(store, trainee, catalog=catalog, library=library)
        if not access.own(trainee):  # logged first, so the store head printed on the PDF covers it
            access.record("pdf", command="export pdf", trainees=[trainee], attempts=[s.attempt for s in report.attempts])
        keyed = store.chain_info().get("chain_mode") == "hmac-sha256"
        try:
            problems = list(store.verify(trainee_id=trainee))
            store_head = store.store_head()
        except KeyNeededError:
            problems = []
            unverified = ("the record is keyed and its key was not given, so it was not verified "
                          "(export again with --key-file or CASESIM_RECORD_KEY)")
        head = store.chain_heads().get(trainee)
    target = output or Path(default_pdf_name(trainee))
    from casesim.records.files import OutputError, check_target, fsync_folder, reserve_beside

    check_target(target, what="the PDF")
    temp = reserve_beside(target)  # 0600 from the start, renamed into place once complete
    try:
        render_pdf(report, temp, catalog=catalog, problems=problems, chain_head=head,
                   options=PdfOptions(program=program, instructor=instructor, page_format=page, liaison=liaison,
                                      term=term, placement=placement, fonts=fonts),
                   store_head=store_head, keyed=keyed, unverified=unverified)
        check_target(target, what="the PDF")
        os.replace(temp, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}", title="cannot write") from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    _notes(list(report.notes))
    warn = len(problems) + len(report.notes)
    click.echo(f"wrote {_line(str(target))}" + (f" (WARNING: verify found {warn} problem(s))" if warn else "")
               + (" (WARNING: not verified: the record key was not given)" if unverified else ""),
               err=True)
    return 0


records_group.add_command(audit_command)

COMMANDS = [records_group, report_group, export_group]
