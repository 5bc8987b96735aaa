"""The ``casesim`` console command's entry point: start-up with the garbage collector paused.

The command's real work is :func:`casesim.cli.main.main`; this module imports nothing heavy of
its own, so the collector is paused (:func:`casesim.play.memory.pause_collection`) before the
CLI, Textual and the library are imported and built. Whatever the command, collection is back
on when it returns: the library turns it back on once it is listed (freezing what start-up
built), any other command as soon as click has chosen it, and this function on the way out.
"""

from __future__ import annotations

from collections.abc import Sequence

from casesim.play.memory import pause_collection, resume_collection

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``casesim`` as the console command does and return the exit code."""
    pause_collection()
    try:
        from casesim.cli.main import main as run

        return run(argv)
    finally:
        resume_collection(freeze=False)
