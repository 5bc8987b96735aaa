"""`casesim` alone (the library) draws its first frame without the heavy parts of casesim.

Issue 15, item 7: the first frame waited for the scenario models, the semantics, the analysis and
lint, the records' exports and every screen. They are imported when first used; this keeps it so
(a module-level import added back anywhere on the way would undo it silently).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("casesim.format.scenario", "casesim.format.framework", "casesim.semantics.program",
         "casesim.scoring.engine", "casesim.scoring.catalog", "casesim.authoring.pipeline", "casesim.play.attempt",
         "casesim.records.export", "casesim.tui.screens.play", "casesim.tui.screens.author",
         "casesim.tui.screens.debrief", "transitions", "fpdf", "yaml",
         # the settings and the remembered trainee are dataclasses checked by hand: pydantic (a third
         # of a second to import and build models) waits for the first scenario or framework
         "pydantic", "pydantic_core", "casesim.format.validation",
         # the commands' modules are imported when a command is looked up (cli.main.COMMAND_MODULES)
         "casesim.cli.records", "casesim.cli.classroom", "casesim.cli.class_program", "casesim.cli.lrs",
         "casesim.cli.serve", "casesim.cli.migrate", "casesim.records.access",
         # the records' modules (sixty-odd dataclasses) load when the store opens, after the first frame
         "casesim.records.api", "casesim.records.sqlite", "casesim.records.ledger", "casesim.records.verify",
         "sqlite3",
         # rich-click draws help and usage errors; the library draws neither (cli.main.CaseSimGroup)
         "rich_click",
         # the listing, the standings and the languages are read once the first frame is out
         "casesim.play.library_index", "casesim.play.standing", "casesim.authoring.languages")

# What `casesim` runs before the app draws: the CLI, the settings, the app and its library
# screen (built, not run); the store is opened after the first frame.
CODE = f"""
import sys, tempfile
from pathlib import Path
from casesim.cli.main import cli
from casesim.cli.library import run_app
from casesim.settings import resolve_settings
from casesim.records import open_store
from casesim.tui import make_app, OpenLibrary
from casesim.tui.screens.library import LibraryScreen
from casesim.play.trainee import load_trainee
with tempfile.TemporaryDirectory() as tmp:
    settings = resolve_settings(data_dir=Path(tmp))
    # the records are opened by the library's worker, after the first frame (run_library)
    app = make_app(catalog=lambda: 1/0, library_paths=[settings.scenarios_dir],
                   store=lambda: open_store(settings.db), trainee=load_trainee(None), start=OpenLibrary())
    LibraryScreen([settings.scenarios_dir])
loaded = sorted(h for h in {HEAVY!r} if any(m == h or m.startswith(h + ".") for m in sys.modules))
print(",".join(loaded))
"""


def test_the_library_starts_without_the_heavy_modules() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", f"imported before the first frame: {result.stdout.strip()}"


def test_the_lazy_package_names_still_resolve() -> None:
    # The packages' re-exports load on first use (casesim.lazy) and are then plain attributes.
    import casesim.format
    import casesim.scoring
    import casesim.semantics
    from casesim.format.scenario import Scenario
    from casesim.scoring.catalog import Catalog

    assert casesim.format.Scenario is Scenario
    assert casesim.scoring.Catalog is Catalog
    assert callable(casesim.semantics.compile_program)
    try:
        casesim.format.NoSuchName  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown name must raise AttributeError")


def test_every_command_module_is_listed_and_its_commands_are_found() -> None:
    # The commands are added from COMMAND_MODULES when one is first looked up: a module left out
    # of the list would lose its commands without any error.
    import pkgutil

    import casesim.cli
    from casesim.cli.main import COMMAND_MODULES, cli

    with_commands = sorted(f"casesim.cli.{m.name}" for m in pkgutil.iter_modules(casesim.cli.__path__)
                           if "\nCOMMANDS" in (Path(casesim.cli.__path__[0]) / f"{m.name}.py").read_text(encoding="utf-8"))
    assert sorted(COMMAND_MODULES) == with_commands
    import click

    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    for wanted in ("play", "validate", "records", "class", "serve", "lrs", "migrate", "locale"):
        assert wanted in names and cli.get_command(ctx, wanted) is not None
