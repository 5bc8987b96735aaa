"""``casesim migrate``: upgrade format-1 scenario files to format 2 in place."""

from __future__ import annotations

from pathlib import Path

import rich_click as click

from casesim.errors import CaseSimError
from casesim.format.diagnostics import format_diagnostics
from casesim.format.text import visible

__all__ = ["COMMANDS"]


@click.command("migrate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path),
                metavar="FILE|DIR...")
@click.option("--check", is_flag=True, help="change nothing; exit 1 when a file needs migrating")
def migrate_command(paths: tuple[Path, ...], check: bool) -> int:
    """Rewrite format-1 scenario files as format 2, keeping comments and layout.

    Changes `format: 1` to `format: 2` and moves the old `protocols: answers:` table onto the
    choices that ask each step, when that can be done exactly (otherwise it says so and leaves
    the table). Files already in format 2, and YAML files that are not scenarios, are left
    alone, so running it twice changes nothing. Exit 0 done (or, with --check, nothing to do),
    1 a file needs migrating (--check) or could not be read.
    """
    # Imported here: `casesim` alone must not load the scenario models to declare this command.
    from casesim.authoring.migrate import migrate_text
    from casesim.authoring.pipeline import find_scenario_files

    files = find_scenario_files(list(paths))
    if not files:
        raise CaseSimError("no .yaml files found in " + ", ".join(map(str, paths)),
                           title="nothing to migrate", hint="give scenario files, or folders that hold them")
    pending = failed = 0
    for file in files:
        name = visible(str(file))
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{name}: could not be read ({type(exc).__name__}); skipped", err=True)
            failed += 1
            continue
        result = migrate_text(text, str(file))
        if result.problems:
            click.echo(format_diagnostics(list(result.problems)), err=True)
            click.echo(f"{name}: not readable as YAML; fix the problems above, then migrate it", err=True)
            failed += 1
            continue
        if not result.changed:
            if result.note:
                click.echo(f"{name}: {result.note}", err=True)
            continue
        pending += 1
        if check:
            click.echo(f"{name}: needs migrating to format 2 (run `casesim migrate {name}`)")
            continue
        file.write_text(result.text, encoding="utf-8")
        moved = "; moved the protocol answer table onto the choices" if result.moved_answers else ""
        click.echo(f"{name}: migrated to format 2{moved}")
        if result.note:
            click.echo(f"{name}: {result.note}", err=True)
    if not check:
        click.echo(f"{pending} file(s) migrated, {len(files) - pending - failed} already current or not scenarios",
                   err=True)
    return 1 if failed or (check and pending) else 0


COMMANDS = [migrate_command]
