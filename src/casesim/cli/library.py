"""The library (``casesim`` alone) and what every command that opens the TUI or the plain player
shares: the app's runner, the plain player on this terminal, the framework catalog's folders.

Plain click only: the library's first frame does not wait for rich-click (the help's panels and
colours, about a fifteenth of a Textual hello-world's start-up to import), which the other commands
and ``--help`` load (:mod:`casesim.cli.main`; issue 15, item 7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click import get_current_context

from casesim.cli.options import record_key, settings_for
from casesim.errors import CaseSimError
from casesim.records import open_store
from casesim.settings import Settings

if TYPE_CHECKING:
    from casesim.plain import PlainPlayer
    from casesim.play.timing import TimeAllowance
    from casesim.records.api import RecordStore
    from casesim.scoring.catalog import Catalog
    from casesim.tui import StartRequest
    from casesim.tui.app import CaseSimApp

__all__ = ["TRAINEE_FILE", "catalog_dirs", "load_catalog_for", "more_time_value", "plain_player", "run_app", "run_library"]

TRAINEE_FILE = "trainee.json"


def catalog_dirs(settings: Settings) -> list[Path]:
    """The framework folders of ``settings`` in load order: the base (``--scoring``, or the
    bundled one), then each program folder (``--catalog``); raises when one is missing."""
    directory = settings.frameworks_dir
    if not directory.is_dir():
        raise CaseSimError(f"the framework folder {directory} does not exist", title="no scoring catalog",
                           hint="pass --scoring DIR, or set CASESIM_SCORING")
    for extra in settings.catalog_dirs:
        if not extra.is_dir():
            raise CaseSimError(f"the program catalog folder {extra} does not exist", title="no such catalog",
                               hint="check --catalog, CASESIM_CATALOG or `catalogs:` in config.yaml")
    return [directory, *settings.catalog_dirs]


def load_catalog_for(settings: Settings) -> Catalog:
    """The framework catalog of ``settings``: the base folder merged with the program folders."""
    from casesim.scoring.catalog import load_catalogs

    return load_catalogs(catalog_dirs(settings))


def run_app(settings: Settings, start: StartRequest, *, store: RecordStore | Callable[[], RecordStore] | None,
            catalog: Catalog | Callable[[], Catalog], trainee_name: str | None = None, watch: bool | None = None,
            more_time: TimeAllowance | None = None) -> int:
    """Run the TUI at ``start`` until it quits (``store`` and ``catalog`` may be openers, called
    after the first frame); closes the store it was given or opened."""
    from casesim.play.trainee import load_trainee
    from casesim.tui import make_app

    trainee_file = settings.data_dir / TRAINEE_FILE
    trainee = load_trainee(trainee_file)
    if trainee_name:
        trainee = replace(trainee, name=trainee_name.strip())  # keep theme and tour
    app: CaseSimApp | None = None
    try:
        app = make_app(catalog=catalog, library_paths=[settings.scenarios_dir], store=store, trainee=trainee,
                       trainee_file=trainee_file, watch_files=watch, start=start, keymap=settings.keymap,
                       theme=settings.theme, choice_settle_seconds=settings.choice_settle_seconds,
                       more_time=more_time, catalog_dirs=catalog_dirs(settings),
                       library_cache=settings.cache_dir)
        app.run()
    finally:
        # given an opener, the app opened the store on first use (if it came to that)
        opened = (app.opened_store if app is not None else None) if callable(store) else store
        if opened is not None:
            opened.close()
    if app.startup_error is not None:  # found after the first frame (the catalog): said as before it
        raise app.startup_error
    if app.return_code:
        # casesim's app never exits with a code on purpose: Textual sets 1 on an unhandled error
        # (after printing it). Re-raise it for the CLI's crash report and exit code 3, since 1
        # means "problems found". Textual keeps the error only in a private attribute.
        error = getattr(app, "_exception", None)
        raise RuntimeError("the terminal UI stopped on an unexpected error") from error
    return 0


def plain_player(settings: Settings, *, store: RecordStore | None, catalog: Catalog,
                  debrief_html: Path | None = None, more_time: TimeAllowance | None = None) -> PlainPlayer:
    """The line-oriented player on this process's stdin and stdout (no Textual is imported)."""
    import sys

    from casesim.plain import PlainConsole, PlainPlayer
    from casesim.play.trainee import load_trainee

    # A stand-in like ␛ must never crash an ASCII-only terminal, nor a stray byte typed or piped in
    # crash the reader: it becomes U+FFFD and is answered like any unknown input.
    for stream, errors in ((sys.stdout, "backslashreplace"), (sys.stdin, "replace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=errors)
    trainee_file = settings.data_dir / TRAINEE_FILE
    return PlainPlayer(PlainConsole(), catalog=catalog, store=store, trainee=load_trainee(trainee_file),
                       trainee_file=trainee_file, settle_seconds=settings.choice_settle_seconds,
                       debrief_html_path=debrief_html, more_time=more_time)


def run_library(*, plain: bool = False, more_time: TimeAllowance | None = None) -> int:
    """``casesim`` with no command: the library of bundled scenarios (``plain``: as a numbered list);
    ``more_time``: the student's request for more time in practice (``casesim --more-time``)."""
    settings = settings_for(get_current_context())
    if plain:
        from casesim.play.library import load_library

        catalog = load_catalog_for(settings)
        store = open_store(settings.db, key=record_key())
        try:
            player = plain_player(settings, store=store, catalog=catalog, more_time=more_time)
            return player.library(load_library([settings.scenarios_dir], catalog))
        finally:
            store.close()
    from casesim.tui import OpenLibrary

    # The records open and the catalog loads after the first frame, while the library is listed
    # (issue 15, item 7); the catalog's folders are checked now, so a missing one is still said
    # before the screen opens, and a store that will not open stops the app with the same error.
    catalog_dirs(settings)
    key = record_key()  # read here: the click context is this thread's
    return run_app(settings, OpenLibrary(), store=lambda: open_store(settings.db, key=key),
                   catalog=lambda: load_catalog_for(settings), more_time=more_time)


def more_time_value(ctx: click.Context, param: click.Parameter, value: str | None) -> TimeAllowance | None:
    """``--more-time``'s value as an allowance (``2x``, ``1.5x``, ``none``, ``off``), or a usage error."""
    from casesim.play.timing import parse_allowance

    if value is None:
        return None
    try:
        return parse_allowance(value)
    except CaseSimError as exc:
        raise click.BadParameter(f"{exc.message}; {exc.hint}", ctx=ctx, param=param) from exc
