"""The scenario library as the TUI sees it: every file found, loaded (or not), grouped by kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from casesim.authoring.pipeline import LoadedScenario, find_scenario_files, load_scenario
from casesim.format.scenario import KINDS, Kind
from casesim.scoring.catalog import Catalog

__all__ = ["Library", "load_library", "matches"]

@dataclass(frozen=True)
class Library:
    """Loaded scenario files: the playable ones and those with errors."""

    entries: tuple[LoadedScenario, ...]

    @property
    def playable(self) -> tuple[LoadedScenario, ...]:
        return tuple(e for e in self.entries if e.ok)

    @property
    def broken(self) -> tuple[LoadedScenario, ...]:
        return tuple(e for e in self.entries if not e.ok)

    def by_id(self, scenario_id: str) -> LoadedScenario | None:
        for entry in self.playable:
            assert entry.scenario is not None
            if entry.scenario.id == scenario_id:
                return entry
        return None

    def grouped(self, query: str = "") -> list[tuple[Kind, list[LoadedScenario]]]:
        """Playable scenarios matching ``query``, grouped by kind in the format's order."""
        groups: dict[Kind, list[LoadedScenario]] = {}
        for entry in self.playable:
            assert entry.scenario is not None
            if matches(entry, query):
                groups.setdefault(entry.scenario.kind, []).append(entry)
        out = []
        for kind in sorted(groups, key=KINDS.index):
            items = sorted(groups[kind], key=lambda e: e.scenario.title.casefold() if e.scenario else "")
            out.append((kind, items))
        return out


def matches(entry: LoadedScenario, query: str) -> bool:
    """Whether every word of ``query`` occurs in the scenario's title, summary, kind, notes..."""
    words = query.casefold().split()
    if not words:
        return True
    s = entry.scenario
    if s is None:
        return False
    haystack = " ".join([
        s.id, s.title, s.kind, s.summary, s.client.name,
        *s.objectives, *s.competencies, *s.content_notes,
    ]).casefold()
    return all(w in haystack for w in words)


def load_library(paths: Sequence[Path], catalog: Catalog | None) -> Library:
    """Load every scenario file under ``paths`` (missing folders are skipped).

    The path analysis is left out (it can take seconds per scenario); see :mod:`casesim.play.analyses`.
    """
    existing = [p for p in paths if p.exists()]
    return Library(tuple(load_scenario(f, catalog, analyse_paths=False) for f in _unique(find_scenario_files(existing))))


def _unique(files: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
