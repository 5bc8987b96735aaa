"""The ``casesim`` command.

Exit codes: 0 success; 1 the checked files have problems (or tests failed); 2 usage or I/O
errors. User mistakes are printed as messages on stderr, never as tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from casesim import __version__
from casesim.errors import CaseSimError

__all__ = ["main", "build_parser"]

Handler = Callable[[argparse.Namespace], int]

# Each module has register(subparsers, add_common); see casesim/commands/authoring.py.
_COMMAND_MODULES = ("authoring", "play", "records")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scoring", type=Path, default=None, metavar="DIR",
                        help="the framework catalog folder (default: the bundled scoring/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casesim",
        description="Practise case-management conversations, write scenarios, and keep the record.",
    )
    parser.add_argument("--version", action="version", version=f"casesim {__version__}")
    parser.add_argument("--db", default=None, metavar="PATH",
                        help="the records database for the library (default: CASESIM_DB, else casesim.db "
                             "in your data folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"casesim.cli.{name}")
        module.register(sub, _add_common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if getattr(args, "command", None) is None and hasattr(args, "default_handler"):
            handler = args.default_handler
        else:
            default = _default_handler()
            if default is None:
                parser.print_help()
                return 2
            handler = default
    try:
        return handler(args)
    except CaseSimError as exc:
        print(f"casesim: {exc.title}\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _default_handler() -> Handler | None:
    """``casesim`` with no command opens the library."""
    module = importlib.import_module("casesim.cli.play")
    handler: Handler = module.run_library
    return handler
