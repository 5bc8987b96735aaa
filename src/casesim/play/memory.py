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

Start-up is the same story told earlier: importing casesim and Textual, parsing the styles and
building the library screen make a few hundred thousand objects that live as long as the app,
and the collector walked them over and over while they were made (a dozen young passes and a
full one, 50-70 ms of a 400 ms start, the full pass alone 30 ms between the first frame and the
list). The ``casesim`` command (:mod:`casesim.launch`) pauses automatic collection while it
starts (:func:`pause_collection`); once the library is listed and what it preloads is loaded,
:func:`resume_collection` freezes what was built and turns the collector back on. Start-up
makes almost no cyclic garbage (a few hundred objects), so nothing worth keeping out of reach
is held.
"""

from __future__ import annotations

import gc

__all__ = ["collection_paused", "hold_long_lived", "holders", "pause_collection", "release_long_lived",
           "resume_collection"]

_holders = 0
_paused = False


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


def pause_collection() -> None:
    """Turn automatic collection off for start-up (a no-op if it is already off: someone else
    turned it off, and :func:`resume_collection` will leave it so)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection(*, freeze: bool = True) -> None:
    """Start-up is over: freeze what it built (``freeze``: it lives as long as the app; a command
    that is not the app passes ``False``) and turn collection back on. Only undoes
    :func:`pause_collection`, once; safe to call from any thread and more than once."""
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.freeze()
    gc.enable()


def collection_paused() -> bool:
    """Whether start-up's pause is still on (for tests)."""
    return _paused
