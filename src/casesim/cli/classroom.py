"""``casesim class``: a class's roster and its one-time sign-in codes, for ``casesim serve``.

An instructor (or the program's administrator) runs these on the server, against the store
``casesim serve`` uses (``--db``). Codes are printed once, as ``id,name,code`` CSV to hand out
(or written to a 0600 file with ``--codes-file``); the store keeps only their digests
(:mod:`casesim.records.classroom`), so a lost code is replaced (``class reissue``), never shown
again. Other helpers' sub-commands (``class watch``, ``class assign``) join :data:`class_group`.
"""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from casesim.cli.options import pass_settings, path_option, record_key
from casesim.errors import CaseSimError
from casesim.format.text import visible
from casesim.records import open_store
from casesim.records.classroom import code_digest, code_slips, new_code, read_roster_csv
from casesim.records.files import atomic_output
from casesim.records.labels import clean_label
from casesim.settings import Settings

__all__ = ["COMMANDS", "class_group"]


@click.group("class")
def class_group() -> None:
    """Class rosters and sign-in codes for `casesim serve`.

    A roster's students sign in to `casesim serve` with a one-time code (or through the
    program's single sign-on); instructors see their classes' attempts.
    """


def _hand_out(rows: list[tuple[str, str, str]], codes_file: Path | None) -> None:
    """Print the codes (once: the store cannot show them again) or write them 0600 to a file."""
    text = code_slips(rows)
    if codes_file is None:
        click.echo(visible(text.rstrip("\n")))
        click.echo(f"{len(rows)} sign-in code(s) above: hand each to its student now; they are not kept and "
                   "cannot be shown again (`casesim class reissue` replaces a lost one)", err=True)
        return
    with atomic_output(codes_file, what="the sign-in codes") as handle:
        handle.write(text)
    click.echo(f"{len(rows)} sign-in code(s) written to {visible(str(codes_file), one_line=True)} "
               "(readable by you only); hand them out, then delete the file", err=True)


_codes_file_option = click.option(
    "--codes-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
    help="write the codes as id,name,code CSV to FILE (created readable by you only) instead of printing them")


@class_group.command("create")
@click.argument("cohort", metavar="COHORT")
@click.option("--by", "created_by", default=None, metavar="NAME", help="who creates it (default: your login name)")
@path_option("db")
@pass_settings
def create_command(settings: Settings, cohort: str, created_by: str | None) -> int:
    """Create the class roster COHORT (e.g. "MSW Fall 2026")."""
    import getpass

    cohort = clean_label(cohort, "cohort", where="as COHORT")
    with open_store(settings.db, key=record_key()) as store:
        created = store.create_roster(cohort, created_by=created_by or getpass.getuser() or "instructor")
    if created:
        click.echo(f"class {visible(cohort, one_line=True)} created; add students with "
                   f"`casesim class add-students {visible(cohort, one_line=True)!r} FILE.csv`")
    else:
        click.echo(f"class {visible(cohort, one_line=True)} exists already; nothing changed")
    return 0


@class_group.command("add-students")
@click.argument("cohort", metavar="COHORT")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_codes_file_option
@path_option("db")
@pass_settings
def add_students_command(settings: Settings, cohort: str, csv_file: Path, codes_file: Path | None) -> int:
    """Put the students of FILE.csv (columns id, name) on COHORT's roster, each with a new sign-in code.

    A student already on the roster gets a new code (the old one stops working) and their name is
    updated. The whole file is checked first: a bad row changes nothing.
    """
    cohort = clean_label(cohort, "cohort", where="as COHORT")
    try:
        text = csv_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseSimError(f"{csv_file} could not be read: {exc}", title="cannot read the roster",
                           hint="save it as UTF-8 CSV with the columns id,name") from exc
    entries = read_roster_csv(text, source=str(csv_file))
    rows: list[tuple[str, str, str]] = []
    with open_store(settings.db, key=record_key()) as store:
        if cohort not in store.rosters():
            raise CaseSimError(f"there is no class {cohort!r}", title="no such class",
                               hint=f"create it first: `casesim class create {cohort!r}`")
        for entry in entries:
            code = new_code()
            store.add_roster_member(cohort, entry.trainee_id, entry.name, "student", code_digest(code))
            rows.append((entry.trainee_id, entry.name, code))
    _hand_out(rows, codes_file)
    return 0


@class_group.command("add-instructor")
@click.argument("cohort", metavar="COHORT")
@click.argument("instructor_id", metavar="ID")
@click.option("--name", default=None, metavar="NAME", help="the instructor's name as shown (default: the id)")
@_codes_file_option
@path_option("db")
@pass_settings
def add_instructor_command(settings: Settings, cohort: str, instructor_id: str, name: str | None,
                           codes_file: Path | None) -> int:
    """Make ID an instructor of COHORT, with a sign-in code: they see its roster and attempts in `casesim serve`."""
    cohort = clean_label(cohort, "cohort", where="as COHORT")
    instructor_id = clean_label(instructor_id, "trainee id", where="as ID")
    display = clean_label(name, "display name", where="--name") if name else instructor_id
    code = new_code()
    with open_store(settings.db, key=record_key()) as store:
        store.add_roster_member(cohort, instructor_id, display, "instructor", code_digest(code))
    _hand_out([(instructor_id, display, code)], codes_file)
    return 0


@class_group.command("reissue")
@click.argument("cohort", metavar="COHORT")
@click.argument("member_ids", metavar="[ID]...", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="a new code for every member of the class")
@_codes_file_option
@path_option("db")
@pass_settings
def reissue_command(settings: Settings, cohort: str, member_ids: tuple[str, ...], everyone: bool,
                    codes_file: Path | None) -> int:
    """Give members of COHORT new sign-in codes: the old codes stop working and their sessions end.

    For a lost code, an expired session, or a new class day (codes are consumed at sign-in).
    """
    cohort = clean_label(cohort, "cohort", where="as COHORT")
    if not member_ids and not everyone:
        raise click.UsageError("name the members (their ids), or give --all")
    rows: list[tuple[str, str, str]] = []
    with open_store(settings.db, key=record_key()) as store:
        members = {m.trainee_id: m for m in store.roster_members(cohort)}
        wanted = list(members) if everyone else [clean_label(i, "trainee id", where="as ID") for i in member_ids]
        missing = [i for i in wanted if i not in members]
        if missing:
            raise CaseSimError(f"not on the roster of {cohort!r}: {', '.join(map(repr, missing))}",
                               title="not on the roster", hint=f"`casesim class roster {cohort!r}` lists who is")
        for member_id in wanted:
            code = new_code()
            store.reissue_code(cohort, member_id, code_digest(code))
            rows.append((member_id, members[member_id].display_name, code))
    _hand_out(rows, codes_file)
    return 0


@class_group.command("roster")
@click.argument("cohort", metavar="COHORT")
@path_option("db")
@pass_settings
def roster_command(settings: Settings, cohort: str) -> int:
    """List COHORT's members, their role and whether their code was used (codes are never shown)."""
    cohort = clean_label(cohort, "cohort", where="as COHORT")
    with open_store(settings.db, key=record_key()) as store:
        members = store.roster_members(cohort)
    for m in members:
        status = f"signed in {m.code_used_at}" if m.code_used_at else f"code issued {m.code_issued_at}, not used yet"
        click.echo(visible(f"{m.trainee_id:<16} {m.display_name:<28} {m.role:<10} {status}", one_line=True))
    if not members:
        click.echo("nobody on this roster yet")
    return 0


@class_group.command("list")
@path_option("db")
@pass_settings
def list_command(settings: Settings) -> int:
    """List the classes (rosters) in the store."""
    with open_store(settings.db, key=record_key()) as store:
        names = store.rosters()
    for name in names:
        click.echo(visible(name, one_line=True))
    if not names:
        click.echo("no classes yet: `casesim class create COHORT`")
    return 0


COMMANDS = [class_group]
