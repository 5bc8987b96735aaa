"""A scenario's analysis summary: the few figures reports and exports read, cached on their own.

Records reports and exports (``records report cohort``, the decisions CSV, xAPI) need only the
expert path of each scenario a cohort played (to mark the expert's option and count departures
from it). Reading the full analysis from :mod:`casesim.authoring.analysis_cache` meant rebuilding
hundreds of thousands of states per scenario, and :func:`~casesim.authoring.pipeline.with_analysis`
also ran the lint over it, whose findings a report never shows: a warm ``records report cohort``
took seconds per scenario against milliseconds of SQL (issue 13, item 9).

So next to each cached analysis sits a small summary file (the expert path, the expert's total,
the score ranges per criterion and overall, whether the analysis is complete), keyed like the
analysis it came from and written with the same safety (JSON only, a checksummed header, every
step id checked against the scenario, atomic writes, 0600). A missing or damaged summary is
rebuilt from the analysis (itself read from the cache or computed) and written again; with no
cache configured the summary is computed from the analysis each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from casesim.authoring import analysis_cache, cache_entries
from casesim.authoring.pipeline import Playable
from casesim.semantics.explore import Analysis, Extremes, analyse
from casesim.semantics.program import Program

__all__ = ["AnalysisSummary", "SummarisedScenario", "cached_summary", "summarise", "with_summary"]

SUMMARY_FORMAT = 1
"""The version of the summary layout; part of its key."""



@dataclass(frozen=True)
class AnalysisSummary:
    """What reports and exports read of a scenario's analysis (see the module docstring)."""

    expert_path: tuple[str, ...]
    """The analysis's expert path (step ids), as :attr:`Analysis.expert_path`."""
    expert_total: int | None
    """The expert path's points, as :attr:`Analysis.expert_total`."""
    total: Extremes | None
    """Worst and best total over complete paths, as :attr:`Analysis.total`."""
    extremes: Mapping[str, Extremes]
    """Worst and best points per criterion, as :attr:`Analysis.extremes`."""
    complete: bool
    stopped: str | None


@dataclass(frozen=True)
class SummarisedScenario(Playable):
    """A playable scenario with its analysis summary: what a report or export needs, loaded
    without the full analysis or the lint (whose findings are ``validate``'s business)."""

    summary: AnalysisSummary


def summarise(analysis: Analysis) -> AnalysisSummary:
    """The summary of ``analysis``."""
    return AnalysisSummary(tuple(analysis.expert_path), analysis.expert_total, analysis.total,
                           MappingProxyType(dict(analysis.extremes)), analysis.complete, analysis.stopped)


def with_summary(playable: Playable) -> SummarisedScenario:
    """``playable`` with its analysis summary (:func:`cached_summary`); its warnings unchanged."""
    if isinstance(playable, SummarisedScenario):
        return playable
    return SummarisedScenario(playable.path, playable.scenario, playable.program, playable.document,
                              playable.content_hash, playable.warnings,
                              cached_summary(playable.program, playable.content_hash))


def cached_summary(program: Program, content_hash: str, *,
                   compute: Callable[[Program], Analysis] = analyse) -> AnalysisSummary:
    """The summary of ``program``'s analysis: from the cache when a valid one is there, else
    from the analysis (:func:`~casesim.authoring.analysis_cache.cached_analyse`, which ``compute``
    only when that is not cached either), written to the cache for next time."""
    folder = analysis_cache.cache_folder()
    if folder is None or not content_hash:
        return summarise(compute(program))
    key = hashlib.sha256(f"summary\0{SUMMARY_FORMAT}\0{analysis_cache.cache_key(program, content_hash)}"
                         .encode()).hexdigest()
    file = cache_entries.entry_file(folder, "summary", key)
    found = cache_entries.read_entry(file, key, lambda data: _decode(data, program, key), "summary")
    if found is not None:
        return found
    analysis = analysis_cache.cached_analyse(program, content_hash, compute=compute)
    summary = summarise(analysis)
    if analysis.stopped in analysis_cache._CACHEABLE_STOPS:
        cache_entries.write_entry(file, _encode(summary, program, key), key)
    return summary


def _encode(summary: AnalysisSummary, program: Program, key: str) -> dict[str, Any]:
    def pair(extremes: Extremes | None) -> list[int | None] | None:
        return None if extremes is None else [extremes.worst, extremes.best]

    return {"scenario": program.scenario.id, "key": key, "expert_path": list(summary.expert_path),
            "expert_total": summary.expert_total, "total": pair(summary.total),
            "extremes": {cid: pair(ext) for cid, ext in summary.extremes.items()},
            "complete": summary.complete, "stopped": summary.stopped}


def _decode(data: object, program: Program, key: str) -> AnalysisSummary:
    """The summary :func:`_encode` wrote for ``program``; ValueError or TypeError on anything else."""
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("written for another scenario or version")
    path = data["expert_path"]
    if not isinstance(path, list) or not all(isinstance(s, str) and s in program.steps for s in path):
        raise ValueError("the expert path names a step the scenario does not have")
    extremes = data["extremes"]
    if not isinstance(extremes, dict):
        raise TypeError("the score ranges are not a mapping")
    complete, stopped = data["complete"], data["stopped"]
    if not isinstance(complete, bool) or not (stopped is None or isinstance(stopped, str)):
        raise TypeError("the completeness flags are of the wrong type")
    return AnalysisSummary(tuple(path), _optional_int(data["expert_total"]),
                           None if data["total"] is None else _extremes(data["total"]),
                           MappingProxyType({_text(cid): _extremes(ext) for cid, ext in extremes.items()}),
                           complete, stopped)


def _extremes(value: object) -> Extremes:
    if not isinstance(value, list) or len(value) != 2:
        raise TypeError("a score range is not a pair")
    return Extremes(_optional_int(value[0]), _optional_int(value[1]))


def _optional_int(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected a whole number, found {type(value).__name__}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value
