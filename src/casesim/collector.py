"""Pausing CPython's cyclic garbage collector while casesim builds many small acyclic objects.

Reference counting frees everything casesim's hot paths make (analyses, cached entries, report
rows: tuples, dicts and strings that never refer back to themselves), so the cyclic collector
finds nothing there. It still runs every few hundred allocations, and a pass walks every object
that survived the last one. Repeated full passes made a path analysis
(:mod:`casesim.semantics.explore`) grow faster than its state count and reading a cached
analysis back (:mod:`casesim.authoring.analysis_cache`) twice as slow; in a warm cohort report
(:func:`casesim.play.library.load_report_views`, then
:func:`casesim.records.reports.cohort_report`) they took 9 of about 60 ms, 3 with the pause (issue
13, ``benchmarks/bench_report_cache.py``).

:func:`paused` turns automatic collection off for a block and back on after it, unless it was
off already (blocks nest, and :mod:`casesim.play.memory`'s start-up pause is left alone). The
switch is process-wide: while one thread is inside a block, another thread's cycles wait for the
next pass after it. Nothing is lost: what was allocated meanwhile is counted, and collected as
usual once collection is on again.

This is the module the lowest layer reads (:mod:`casesim.semantics`), so it imports nothing of
casesim's.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """Automatic cyclic collection off inside the block (see the module docstring)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
