"""``records cohort`` (a cohort's section and term) and ``records pseudonym-key`` (one pseudonym
key shared by a program's stores), added to the ``records`` group of :mod:`casesim.cli.records`.

Kept apart from that module so the commands a program runs once a term stay small to read and
merge; both go through :class:`~casesim.records.api.RecordStore` only.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import rich_click as click

from casesim.cli.access import gate
from casesim.cli.options import (
    complete_cohorts,
    pass_settings,
    path_option,
    pseudonym_env,
    record_key,
)
from casesim.cli.records import _line, _reader, records_group
from casesim.records import open_store
from casesim.records.access import Target
from casesim.settings import Settings

__all__ = ["COMMANDS"]

COMMANDS: list[click.Command] = []
"""Nothing at the top level: the commands below join the ``records`` group."""


@records_group.command("cohort")
@click.argument("cohort", metavar="COHORT", shell_complete=complete_cohorts)
@click.option("--section", default=None, metavar="TEXT", help='the section, e.g. "02" (default: keep)')
@click.option("--term", default=None, metavar="TEXT", help='the term, e.g. "Fall 2026" (default: keep)')
@click.option("--clear", is_flag=True, help="remove the section and term")
@click.option("--by", "set_by", default=None, metavar="NAME",
              help="who sets them, kept with the setting (default: your login name)")
@path_option("db")
@pass_settings
def cohort_command(settings: Settings, cohort: str, section: str | None, term: str | None, clear: bool,
                   set_by: str | None) -> int:
    """Show or set a cohort's section and term.

    Each attempt a trainee starts stamps their cohort's section and term into its hashed header,
    so reports, CSV and the PDF show the section and term it was played in: moving a student to
    another cohort, or changing a term here later, never rewrites a past attempt.
    """
    from casesim.records.labels import clean_label

    cohort = clean_label(cohort, "cohort", where="as COHORT")
    if clear and (section is not None or term is not None):
        raise click.UsageError("give --clear, or --section/--term, not both")
    if not clear and section is None and term is None:
        with _reader(settings) as reader:
            rows = reader.cohort_details(cohort)
        click.echo(_line(_describe(cohort, rows[0] if rows else None)))
        return 0
    section = clean_label(section, "section", where="with --section") if section is not None else None
    term = clean_label(term, "term", where="with --term") if term is not None else None
    with open_store(settings.db, key=record_key()) as store:
        # In a shared store: the cohort's instructor or an administrator.
        gate(settings, store, "manage", Target(cohort=cohort), as_actor=None, purpose=None)
        current = store.cohort_details(cohort)
        if not clear and current:
            section = section if section is not None else current[0].section
            term = term if term is not None else current[0].term
        store.set_cohort_details(cohort, section=None if clear else section, term=None if clear else term,
                                 set_by=set_by or getpass.getuser() or "instructor")
        rows = store.cohort_details(cohort)
    click.echo(_line(_describe(cohort, rows[0] if rows else None)))
    return 0


def _describe(cohort: str, row: Any) -> str:
    if row is None:
        return f"{cohort}: no section or term set"
    return (f"{cohort}: section {row.section or '-'}, term {row.term or '-'} "
            f"(set by {row.set_by} at {row.set_at}); new attempts stamp these")



_KEY_FORMAT = "casesim-pseudonym-key"


@records_group.command("pseudonym-key")
@click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="write this store's pseudonym key to FILE (readable by you only)")
@click.option("--import", "import_from", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="use the pseudonym key in FILE (exported from another store) from now on")
@click.option("--use-program-key", "use_program_key", is_flag=True,
              help="name trainees with the program key in CASESIM_PSEUDONYM_KEY from now on (the store keeps "
                   "only a marker of it, never the key)")
@click.option("--force", is_flag=True, help="with --export: replace FILE if it exists")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="the record key of a keyed store (default: CASESIM_RECORD_KEY)")
@path_option("db")
@pass_settings
def pseudonym_key_command(settings: Settings, export_to: Path | None, import_from: Path | None, force: bool,
                          key_file: Path | None, use_program_key: bool) -> int:
    """Share one pseudonym key between a program's stores.

    xAPI exports name each trainee by a keyed hash of their id (never the id itself). Each store
    makes its own random key, so two campuses' stores name one student two ways. Export the key
    of one store and import it into the others: their exports then name a trainee alike. The
    change is recorded in every trainee's chain (with the store head before it) and only made on
    a store that verifies; statements exported before it keep the old names. Keep the file as
    safe as the records: with it and a list of ids, anyone can tell whose statements are whose.

    Or keep one program key outside every store: set CASESIM_PSEUDONYM_KEY (the key, or @FILE)
    and run --use-program-key on each store once; exports then need the variable, and refuse
    with a wrong key instead of naming trainees differently.
    """
    import json

    from casesim.errors import CaseSimError
    from casesim.records.chain import sha256_text
    from casesim.records.files import write_bytes_atomic
    from casesim.records.keys import format_head
    from casesim.records.pseudonym_keys import uses_program_key

    if (export_to is not None) + (import_from is not None) + use_program_key != 1:
        raise click.UsageError("give one of --export FILE, --import FILE or --use-program-key")
    if use_program_key:
        return _use_program_key(settings, key_file)
    if export_to is not None:
        with _reader(settings) as reader:
            # The key unmasks every trainee's xAPI statements: an administrator's, in a shared store.
            gate(settings, reader, "backup", Target(everyone=True), as_actor=None, purpose=None)
            key, store_id = reader.pseudonym_key, getattr(reader, "store_id", "")
        if uses_program_key(key):
            raise CaseSimError("this store keeps no pseudonym key to export: it names trainees with the program key "
                               "in CASESIM_PSEUDONYM_KEY", title="no key to export",
                               hint="give the program's other stores that key with --use-program-key")
        data = {"format": _KEY_FORMAT, "version": 1, "key": key, "from_store": store_id}
        write_bytes_atomic(export_to, (json.dumps(data, indent=2) + "\n").encode(), what="the key file", force=force)
        click.echo(_line(f"wrote the pseudonym key of {settings.db} to {export_to} (key SHA-256 "
                         f"{sha256_text(key)[:16]}…); import it into the program's other stores"))
        return 0
    assert import_from is not None
    try:
        data = json.loads(import_from.read_bytes())
    except OSError as exc:
        raise CaseSimError(f"cannot read {import_from}: {exc.strerror or exc}", title="cannot read the key file") from exc
    except ValueError as exc:
        raise CaseSimError(f"{import_from} is not a pseudonym key file (not JSON: {exc})",
                           title="not a pseudonym key file",
                           hint="make one with `casesim records pseudonym-key --export FILE`") from exc
    if not (isinstance(data, dict) and data.get("format") == _KEY_FORMAT and data.get("version") == 1
            and isinstance(data.get("key"), str)):
        raise CaseSimError(f"{import_from} is not a pseudonym key file of this casesim",
                           title="not a pseudonym key file",
                           hint="make one with `casesim records pseudonym-key --export FILE`")
    with open_store(settings.db, key=record_key(key_file)) as store:
        gate(settings, store, "backup", Target(everyone=True), as_actor=None, purpose=None)
        before, after = store.set_pseudonym_key(data["key"])
    click.echo(_line(f"{settings.db} now uses the pseudonym key from {import_from} (key SHA-256 "
                     f"{sha256_text(data['key'])[:16]}…); the change is recorded in every trainee's chain"))
    click.echo(f"store head before: {format_head(before)}")
    click.echo(f"store head now:    {format_head(after)}")
    return 0


def _use_program_key(settings: Settings, key_file: Path | None) -> int:
    """Switch the store to the program key in ``CASESIM_PSEUDONYM_KEY`` (its marker stored, the
    change recorded in every trainee's chain like an import)."""
    from casesim.errors import CaseSimError
    from casesim.records.keys import format_head
    from casesim.records.pseudonym_keys import PseudonymKey, load_program_key, program_marker

    env = pseudonym_env()
    if env is None:
        raise CaseSimError("--use-program-key needs the program key in CASESIM_PSEUDONYM_KEY (the key, or @FILE)",
                           title="pseudonym key needed",
                           hint='make one with: python3 -c "import secrets; print(secrets.token_hex(32))" > '
                                "pseudonym.key, then CASESIM_PSEUDONYM_KEY=@pseudonym.key")
    key = load_program_key(env)
    with open_store(settings.db, key=record_key(key_file)) as store:
        if store.outbox_settings() is not None:
            raise CaseSimError("this store's outbox is on: live statements are built by every process that records "
                               "an attempt, and those do not hold a program key", title="pseudonym key refused",
                               hint="turn the outbox off first (`casesim lrs disable`)")
        before, after = store.set_pseudonym_key(program_marker(key))
    click.echo(_line(f"{settings.db} now names trainees with {PseudonymKey(key, True).describe()}; it keeps only a "
                     "marker of the key, and the change is recorded in every trainee's chain"))
    click.echo(f"store head before: {format_head(before)}")
    click.echo(f"store head now:    {format_head(after)}")
    return 0
