"""Scenario analyses, computed off the UI thread, once per scenario content.

The exhaustive analysis (best and worst achievable points, the expert path, the better choice
at each decision) is what scoring needs, and only at the debrief. For a large scenario it takes
seconds, so the library loads files without it and the TUI asks for it when the trainee opens a
scenario; by the time they reach an ending it is ready. Threads are daemons: quitting casesim
never waits for an analysis nobody needs any more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

# The app makes its Analyses before its first frame; the analysis modules load with the first
# scenario opened (issue 15, item 7).
if TYPE_CHECKING:
    from casesim.authoring.pipeline import Playable
    from casesim.semantics.explore import Analysis
    from casesim.semantics.program import Program

__all__ = ["Analyses"]

_log = logging.getLogger(__name__)


class Analyses:
    """A cache of analyses by content hash, each computed once in a daemon thread."""

    def __init__(self, analyser: Callable[[Program], Analysis] | None = None) -> None:
        self._analyser = analyser
        """What computes an analysis; None: :func:`~casesim.semantics.explore.analyse`."""
        self._futures: dict[str, Future[Analysis]] = {}
        self._lock = threading.Lock()

    def request(self, loaded: Playable) -> Future[Analysis]:
        """The analysis of ``loaded`` (started now if it is not known yet)."""
        key = loaded.content_hash or str(id(loaded.program))
        with self._lock:
            future = self._futures.get(key)
            if future is not None:
                return future
            future = Future()
            self._futures[key] = future
        from casesim.authoring.pipeline import AnalysedScenario

        if isinstance(loaded, AnalysedScenario):
            future.set_result(loaded.analysis)
            return future
        program = loaded.program
        threading.Thread(target=self._run, args=(future, program, loaded.content_hash),
                         name=f"casesim-analysis-{key[:8]}", daemon=True).start()
        return future

    def _run(self, future: Future[Analysis], program: Program, content_hash: str) -> None:
        if not future.set_running_or_notify_cancel():  # pragma: no cover - nobody cancels
            return
        try:
            # The on-disk cache (when the CLI configured one) turns the next start of this
            # scenario into a file read.
            from casesim.authoring.analysis_cache import cached_analyse

            future.set_result(cached_analyse(program, content_hash, compute=self._analyser))
        except BaseException as exc:
            # The Future carries the exception to whoever waits for it, but a trainee may quit
            # before the debrief asks: the log keeps the traceback either way.
            _log.error("background analysis of scenario %s failed", program.scenario.id, exc_info=True)
            future.set_exception(exc)
