"""The scenario library as the TUI sees it: every file found, loaded (or not), grouped by kind."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from casesim.authoring.analysis_summary import with_summary
from casesim.authoring.pipeline import (
    Playable,
    SourceReport,
    duplicate_scenario_ids,
    find_scenario_files,
    library_root_for,
    load_scenario,
    with_analysis,
)
from casesim.authoring.scenario_cache import load_parsed
from casesim.collector import paused
from casesim.errors import CaseSimError, NotFoundError
from casesim.format.diagnostics import format_diagnostics
from casesim.format.kinds import kind_rank
from casesim.format.text import visible
from casesim.scoring.catalog import Catalog

if TYPE_CHECKING:
    from casesim.authoring.report_view import ReportView

__all__ = ["Library", "load_library", "load_report_views", "load_scenarios_by_id", "matches", "resolve_scenario"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Library:
    """Loaded scenario files: the playable ones and those with errors."""

    entries: tuple[SourceReport, ...]

    @property
    def playable(self) -> tuple[Playable, ...]:
        return tuple(e.playable for e in self.entries if e.playable is not None)

    @property
    def broken(self) -> tuple[SourceReport, ...]:
        return tuple(e for e in self.entries if e.playable is None)

    def by_id(self, scenario_id: str) -> Playable | None:
        for entry in self.playable:
            if entry.scenario.id == scenario_id:
                return entry
        return None

    def grouped(self, query: str = "") -> list[tuple[str, list[Playable]]]:
        """Playable scenarios matching ``query``, grouped by kind in the order of the bundled
        kinds.yaml (kinds a program added come after, by id)."""
        groups: dict[str, list[Playable]] = {}
        for entry in self.playable:
            if matches(entry, query):
                groups.setdefault(entry.scenario.kind, []).append(entry)
        out = []
        for kind in sorted(groups, key=kind_rank):
            items = sorted(groups[kind], key=lambda e: e.scenario.title.casefold())
            out.append((kind, items))
        return out


def matches(entry: Playable, query: str) -> bool:
    """Whether every word of ``query`` occurs in the scenario's title, summary, kind, notes..."""
    words = query.casefold().split()
    if not words:
        return True
    s = entry.scenario
    haystack = " ".join([
        s.id, s.title, s.kind, s.summary, s.client.name,
        *s.objectives, *s.competencies, *s.content_notes,
    ]).casefold()
    return all(w in haystack for w in words)


def resolve_scenario(ref: str, library_paths: Sequence[Path], catalog: Catalog | None) -> Playable:
    """A playable scenario by file path, or by id from the library; raises :class:`CaseSimError` for people.

    The path analysis is left out: the app runs it in the background while the trainee plays.
    """
    candidate = Path(ref).expanduser()
    loaded: SourceReport | None = None
    if candidate.is_file():
        loaded = load_scenario(candidate, catalog, analyse_paths=False)
    else:
        for file in _unique(find_scenario_files([p for p in library_paths if p.exists()])):
            found = load_scenario(file, catalog, analyse_paths=False,
                                  library_root=library_root_for(file, library_paths))
            if found.model is not None and found.model.id == ref:
                loaded = found
                break
        if loaded is None:
            raise NotFoundError(f"there is no scenario file or library scenario called {ref!r}",
                                title="no such scenario",
                                hint="run `casesim` to browse the library, or give a path to a .yaml file")
    if loaded.playable is None:
        shown = visible(loaded.path, one_line=True)
        raise CaseSimError(format_diagnostics(loaded.errors), title=f"{shown} has errors",
                           hint=f"see `casesim validate {shown}`, or fix it in `casesim author {shown}`")
    return loaded.playable


def load_scenarios_by_id(paths: Sequence[Path], catalog: Catalog | None, *, only: Collection[str] | None = None,
                         analyse: bool = True, summary: bool = False) -> Mapping[str, Playable]:
    """The scenarios under ``paths`` that load without errors, by id (files with errors are skipped).

    Reports and exports read records against these. ``only`` limits the result to these ids;
    ``analyse=False`` leaves out the path analysis (titles and feedback only, no expert path),
    which is much faster for large scenarios. ``summary=True`` (with ``analyse``) gives each
    scenario its cached analysis summary instead (:mod:`casesim.authoring.analysis_summary`: the
    expert path and score ranges, without rebuilding the analysis or linting it), which is all
    reports and exports read. Each file is read once.
    """
    if only is not None and not only:
        return {}
    out: dict[str, Playable] = {}
    if analyse and summary:
        return _summarised(paths, catalog, only)
    for entry in load_library(paths, catalog).playable:
        if entry.scenario.id in out or (only is not None and entry.scenario.id not in only):
            continue
        try:
            out[entry.scenario.id] = (entry if not analyse else with_summary(entry) if summary
                                      else with_analysis(entry, catalog))
        except Exception:  # a bug in one scenario's analysis must not stop a report on the others
            _log.exception("analysing %s failed; it is left out", entry.path)
    return out


def _summarised(paths: Sequence[Path], catalog: Catalog | None,
                only: Collection[str] | None) -> Mapping[str, Playable]:
    """:func:`load_scenarios_by_id` with summaries: each file from the parsed-scenario cache
    (:mod:`casesim.authoring.scenario_cache`; no YAML read when it is warm), only the wanted ones
    restored, and the first file with an id keeps it (as :func:`load_library` decides)."""
    existing = [p for p in paths if p.exists()]
    seen: set[str] = set()
    out: dict[str, Playable] = {}
    for file in _unique(find_scenario_files(existing)):
        report = load_parsed(file, catalog, library_root=library_root_for(file, existing), only=only)
        if report is None or report.model is None or report.model.id in seen:
            continue  # not wanted, not a scenario, or a later file reusing an id
        seen.add(report.model.id)
        if report.playable is None or (only is not None and report.model.id not in only):
            continue
        try:
            out[report.model.id] = with_summary(report.playable)
        except Exception:  # a bug in one scenario's analysis must not stop a report on the others
            _log.exception("analysing %s failed; it is left out", file)
    return out


@paused()  # reading the views builds thousands of acyclic tuples (casesim.collector)
def load_report_views(paths: Sequence[Path], catalog: Catalog | None, *,
                      only: Collection[str] | None = None) -> Mapping[str, ReportView]:
    """What records reports read of the scenarios under ``paths`` that load without errors, by id
    (:mod:`casesim.authoring.report_view`): from the cache when it is warm (no scenario is
    validated or compiled), else loaded with their analysis summaries as
    :func:`load_scenarios_by_id` loads them, and cached. ``only`` limits the result to these ids;
    the first file with an id keeps it."""
    from casesim.authoring.report_view import (
        ReportView,
        cached_report_view,
        write_report_view,
    )

    if only is not None and not only:
        return {}
    existing = [p for p in paths if p.exists()]
    real_roots = {folder: folder.resolve() for folder in existing if folder.is_dir()}
    seen: set[str] = set()
    out: dict[str, ReportView] = {}
    for file, real in _unique_resolved(find_scenario_files(existing)):
        root = library_root_for(file, existing, real=real, real_folders=real_roots)
        view = cached_report_view(file, catalog, library_root=root, only=only,
                                  resolved=(real, real_roots[root] if root is not None else None))
        if isinstance(view, ReportView):
            if view.scenario_id not in seen:
                seen.add(view.scenario_id)
                out[view.scenario_id] = view
            continue
        if view is not None:
            continue  # cached, and not wanted
        report = load_parsed(file, catalog, library_root=root, only=only)
        if report is None or report.model is None or report.model.id in seen:
            continue  # not wanted, not a scenario, or a later file reusing an id
        seen.add(report.model.id)
        if report.playable is None or (only is not None and report.model.id not in only):
            continue
        try:
            summarised = with_summary(report.playable)
        except Exception:  # a bug in one scenario's analysis must not stop a report on the others
            _log.exception("analysing %s failed; it is left out", file)
            continue
        out[report.model.id] = write_report_view(file, catalog, summarised, report.includes, library_root=root)
    return out


def load_scenario_versions(paths: Sequence[Path], catalog: Catalog | None, hashes: Collection[str], *,
                           analyse: bool = True) -> list[Playable]:
    """The scenario files under ``paths`` whose content hash is one of ``hashes``, each version once.

    Records name the exact version an attempt was played on by its content hash; exports read an
    attempt against that file, never against a newer file with the same id. Unlike
    :func:`load_library`, two files with the same id are both kept here (an archive of old
    versions beside the current one is the point), and files with errors are skipped.
    """
    wanted = set(hashes)
    found: dict[str, Playable] = {}
    existing = [p for p in paths if p.exists()]
    for file in _unique(find_scenario_files(existing)):
        if not wanted - set(found):
            break
        report = load_scenario(file, catalog, analyse_paths=False, library_root=library_root_for(file, existing))
        playable = report.playable
        if playable is None or playable.content_hash not in wanted or playable.content_hash in found:
            continue
        try:
            found[playable.content_hash] = with_analysis(playable, catalog) if analyse else playable
        except Exception:  # a bug in one scenario's analysis must not stop an export of the others
            _log.exception("analysing %s failed; it is left out", file)
    return list(found.values())


def load_library(paths: Sequence[Path], catalog: Catalog | None) -> Library:
    """Load every scenario file under ``paths`` (missing folders are skipped).

    The path analysis is left out (it can take seconds per scenario); see :mod:`casesim.play.analyses`.
    A file that reuses the id of an earlier one is listed with the problems, not played: records
    name scenarios by id, so the second file would be read as the first.
    """
    existing = [p for p in paths if p.exists()]
    reports = [load_scenario(f, catalog, analyse_paths=False, library_root=library_root_for(f, existing))
               for f in _unique(find_scenario_files(existing))]
    clashes = {d.path: d for d in duplicate_scenario_ids(reports)}
    return Library(tuple(
        replace(r, diagnostics=(*r.diagnostics, clashes[r.path]), playable=None) if r.path in clashes else r
        for r in reports))


def _unique(files: Iterable[Path]) -> list[Path]:
    return [file for file, _ in _unique_resolved(files)]


def _unique_resolved(files: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Each file once (by its resolved path), with its resolved path.

    A file that is not a link resolves to its folder's resolved path and its name: each folder is
    resolved once (a report resolves every file of the library, and resolving walks every part of
    the path), and each file costs one ``lstat``."""
    seen: set[Path] = set()
    folders: dict[Path, Path] = {}
    out = []
    for f in files:
        try:
            link = f.name in ("", ".", "..") or f.is_symlink()
        except OSError:
            link = True  # (resolving decides what it is)
        if link:
            real = f.resolve()
        else:
            folder = folders.get(f.parent)
            if folder is None:
                folder = folders[f.parent] = f.parent.resolve()
            real = folder / f.name
        if real not in seen:
            seen.add(real)
            out.append((f, real))
    return out
