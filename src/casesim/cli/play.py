"""Trainee commands: the library (``casesim`` alone), ``play``, ``author`` and ``resume``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from casesim import paths
from casesim.authoring.pipeline import Playable
from casesim.cli.authoring import catalog_from_args
from casesim.errors import CaseSimError
from casesim.play.library import resolve_scenario as find_scenario
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog

if TYPE_CHECKING:
    from casesim.tui import StartRequest

__all__ = ["register", "run_library", "cmd_play", "cmd_author", "cmd_resume", "resolve_scenario"]

TRAINEE_FILE = "trainee.json"


def _seed(text: str) -> int:
    """An attempt seed from the command line: a whole number that every record format keeps exact."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"{value} is out of range; use 0 to {2**31 - 1}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("play", help="play one scenario (by id or file path) in the terminal UI",
                       description="Open the before-you-start screen of one scenario, then play it.")
    p.add_argument("scenario", metavar="ID|PATH", help="a scenario id from the library, or a .yaml file")
    p.add_argument("--mode", choices=("practice", "assessment"), default=None,
                   help="practice (feedback, hints, undo) or assessment (scored; timers enforced)")
    p.add_argument("--trainee", default=None, metavar="NAME", help="your name or student id (remembered)")
    p.add_argument("--seed", type=_seed, default=None, metavar="N",
                   help="the attempt's seed, which orders the choices (default: a fresh one; it is recorded "
                        "with the attempt either way)")
    _add_db(p)
    add_common(p)
    p.set_defaults(handler=cmd_play)

    p = sub.add_parser("author", help="play a scenario file while you edit it (reloads on save)",
                       description="Author mode: play the file, see diagnostics as you save, jump to any "
                                   "node, watch the variables. Nothing is recorded.")
    p.add_argument("path", type=Path, metavar="PATH", help="the scenario file")
    p.add_argument("--no-watch", action="store_true", help="do not reload when the file changes (ctrl+r reloads)")
    add_common(p)
    p.set_defaults(handler=cmd_author)

    p = sub.add_parser("resume", help="carry on an attempt that was interrupted",
                       description="Resume an in-progress attempt (the latest of the remembered trainee "
                                   "when no ATTEMPT id is given).")
    p.add_argument("attempt", nargs="?", default=None, metavar="ATTEMPT", help="the attempt id")
    p.add_argument("--trainee", default=None, metavar="NAME", help="whose latest attempt to resume")
    _add_db(p)
    add_common(p)
    p.set_defaults(handler=cmd_resume)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, metavar="PATH",
                   help="the records database (default: CASESIM_DB, else casesim.db in your data folder)")


# --- shared set-up ------------------------------------------------------------------------------

def _trainee_file() -> Path:
    return paths.data_dir() / TRAINEE_FILE


def _library_paths() -> list[Path]:
    return [paths.scenarios_dir()]


def resolve_scenario(ref: str, catalog: Catalog) -> Playable:
    """A scenario by file path, or by id from the library (see :func:`casesim.play.library.resolve_scenario`)."""
    return find_scenario(ref, _library_paths(), catalog)


def _run(start: StartRequest, *, store: RecordStore | None, catalog: Catalog,
         trainee_name: str | None = None, watch: bool | None = None) -> int:
    from casesim.play.trainee import TraineeSettings, load_trainee
    from casesim.tui import make_app

    trainee_file = _trainee_file()
    trainee = load_trainee(trainee_file)
    if trainee_name:
        trainee = TraineeSettings(name=trainee_name.strip(), mode=trainee.mode)
    app = make_app(catalog=catalog, library_paths=_library_paths(), store=store, trainee=trainee,
                   trainee_file=trainee_file, watch_files=watch, start=start)
    try:
        app.run()
    finally:
        if store is not None:
            store.close()
    return app.return_code or 0


# --- commands ------------------------------------------------------------------------------------

def run_library(args: argparse.Namespace) -> int:
    """``casesim`` with no command: the library of bundled scenarios."""
    from casesim.tui import OpenLibrary

    catalog = catalog_from_args(args)
    store = open_store(getattr(args, "db", None))
    return _run(OpenLibrary(), store=store, catalog=catalog, trainee_name=getattr(args, "trainee", None))


def cmd_play(args: argparse.Namespace) -> int:
    from casesim.tui import OpenScenario

    catalog = catalog_from_args(args)
    loaded = resolve_scenario(args.scenario, catalog)
    store = open_store(args.db)
    return _run(OpenScenario(loaded, mode=args.mode, seed=args.seed), store=store, catalog=catalog,
                trainee_name=args.trainee)


def cmd_author(args: argparse.Namespace) -> int:
    from casesim.tui import OpenAuthor

    path: Path = args.path
    if not path.is_file():
        print(f"casesim: {path}: no such file", file=sys.stderr)
        return 2
    catalog = catalog_from_args(args)
    return _run(OpenAuthor(path), store=None, catalog=catalog, watch=not args.no_watch)


def cmd_resume(args: argparse.Namespace) -> int:
    from casesim.play.trainee import load_trainee, trainee_id_for
    from casesim.tui import ResumeAttempt

    catalog = catalog_from_args(args)
    store = open_store(args.db)
    try:
        if args.attempt is not None:
            row = store.attempt(args.attempt)
        else:
            who = trainee_id_for(args.trainee or load_trainee(_trainee_file()).name)
            rows = list(store.in_progress(who or None))
            if not rows:
                raise CaseSimError(f"no attempt is in progress{' for ' + who if who else ''}",
                                   title="nothing to resume", hint="run `casesim` to start a scenario")
            row = rows[-1]
        if row.status != "in-progress":
            raise CaseSimError(f"attempt {row.id} is {row.status}; only an attempt in progress can be resumed",
                               title="cannot resume")
        loaded = resolve_scenario(row.scenario_id, catalog)
    except CaseSimError:
        store.close()
        raise
    return _run(ResumeAttempt(loaded, row.id), store=store, catalog=catalog,
                trainee_name=args.trainee or row.trainee_id)
