"""Keeping the garbage collector's full passes off the keypress (issue 15, item 7).

While an attempt is played, what was built before it (the scenario, its compiled program and
analysis, the catalog, Textual's screens, widgets and styles: over a hundred thousand objects)
lives until the attempt ends. CPython's full collection walks every one of them, and it runs
whenever the objects that survived into the oldest generation have grown by a quarter: under
``benchmarks/bench_tui_keypress.py`` a full pass landing on a choice added 250-640 ms to it on a
loaded machine, the slowest keypresses of the run. :func:`gc.freeze` moves everything alive
into a permanent generation the collector never visits, so a pass walks only what was made
since; :func:`gc.unfreeze` hands it all back when the last holder lets go, so nothing frozen is
kept after the attempt (not even garbage that was waiting for a pass: it is collected then).
"""

from __future__ import annotations

import gc

__all__ = ["hold_long_lived", "holders", "release_long_lived"]

_holders = 0


def hold_long_lived() -> None:
    """Freeze every object alive now (call it once what lives as long as the holder is built)."""
    global _holders
    _holders += 1
    gc.freeze()


def release_long_lived() -> None:
    """One holder is done; when none is left, the frozen objects go back to the collector."""
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0:
        gc.unfreeze()


def holders() -> int:
    """How many holders there are (for tests)."""
    return _holders
