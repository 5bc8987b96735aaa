"""The library's scenarios by id, each analysed only when it is first asked for.

A live view (``casesim class watch``) needs the scenarios its class plays, not the whole library:
analysing every bundled scenario from a cold cache takes minutes, one scenario seconds. The
shelf reads the files once (titles and programs, no analysis) on first use, and gives each
scenario its cached analysis summary (:func:`~casesim.authoring.analysis_summary.with_summary`)
the first time it is looked up. A file added to the folder afterwards is not seen until the next
start. Safe to use from a worker thread (one lookup at a time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from casesim.authoring.analysis_summary import with_summary
from casesim.authoring.pipeline import Playable
from casesim.play.library import load_library
from casesim.scoring.catalog import Catalog

__all__ = ["ScenarioShelf"]

_log = logging.getLogger(__name__)


class ScenarioShelf(Mapping[str, Playable]):
    """A read-only mapping of scenario id -> the scenario with its analysis summary, built lazily.

    ``in`` and iteration read only the ids; looking a scenario up analyses it (once). A scenario
    whose analysis fails is logged and left out, as :func:`~casesim.play.library.load_scenarios_by_id`
    does.
    """

    def __init__(self, paths: Sequence[Path], catalog: Catalog | None) -> None:
        self._paths = tuple(paths)
        self._catalog = catalog
        self._lock = threading.Lock()
        self._files: dict[str, Playable] | None = None
        self._ready: dict[str, Playable | None] = {}

    def _index(self) -> dict[str, Playable]:
        if self._files is None:
            files: dict[str, Playable] = {}
            for entry in load_library(self._paths, self._catalog).playable:
                files.setdefault(entry.scenario.id, entry)  # the first file with an id wins, as in the library
            self._files = files
        return self._files

    def __getitem__(self, scenario_id: str) -> Playable:
        with self._lock:
            if scenario_id not in self._ready:
                entry = self._index().get(scenario_id)
                analysed: Playable | None = None
                if entry is not None:
                    try:
                        analysed = with_summary(entry)
                    except Exception:  # one scenario's failing analysis must not stop the view
                        _log.exception("analysing %s failed; it is left out", entry.path)
                self._ready[scenario_id] = analysed
            found = self._ready[scenario_id]
        if found is None:
            raise KeyError(scenario_id)
        return found

    def __contains__(self, scenario_id: object) -> bool:
        with self._lock:
            return isinstance(scenario_id, str) and scenario_id in self._index()

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(sorted(self._index()))

    def __len__(self) -> int:
        with self._lock:
            return len(self._index())
