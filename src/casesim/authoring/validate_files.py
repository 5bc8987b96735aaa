"""``validate``'s work on each scenario file, and several files checked in parallel processes.

A cold ``casesim validate`` of a library spends nearly all its time in each scenario's
exhaustive analysis, its lint and the answer-cue audit, and those of two files are independent.
:func:`check_files` hands them to worker processes (at most one per CPU) and gives the results
back in the order of the files, so the output is the same as checking them one by one; the
findings that span files (two files with one scenario id) are computed afterwards from what each
worker reports. Each worker uses the same analysis cache folder as the caller; the cache's
atomic writes make that safe.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from casesim.authoring import analysis_cache
from casesim.authoring.locale_checks import check_locale, find_locales
from casesim.authoring.pipeline import analysis_findings, duplicate_id_error, load_scenario
from casesim.errors import CaseSimError
from casesim.format.diagnostics import Diagnostic
from casesim.scoring.catalog import Catalog

__all__ = ["FileCheck", "check_file", "check_files", "duplicate_ids"]


@dataclass(frozen=True)
class FileCheck:
    """What ``validate`` found in one scenario file: small and picklable (no compiled program),
    so a worker process can send it back."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    scenario_id: str | None = None
    """The file's scenario id when it validated, for :func:`duplicate_ids`."""
    id_line: int = 1
    id_col: int = 1


def check_file(file: Path, catalog: Catalog, library_root: Path | None) -> FileCheck:
    """Load ``file`` and add the analysis findings (lint, answer-cue audit; from the analysis
    cache when this file was checked before) and its locale files' problems."""
    report = load_scenario(file, catalog, library_root=library_root, analyse_paths=False)
    diagnostics = list(report.diagnostics)
    if report.playable is not None:
        diagnostics.extend(analysis_findings(report.playable, catalog))
    if report.model is None:
        return FileCheck(report.path, tuple(diagnostics))
    for lang, locale_file in find_locales(file, report.model.id):
        diagnostics.extend(check_locale(report.model, locale_file, lang).diagnostics)
    pos = report.document.position(("id",)) if report.document is not None else None
    return FileCheck(report.path, tuple(diagnostics), report.model.id, pos.line if pos else 1, pos.col if pos else 1)


_worker_catalog: Catalog | None = None


def _start_worker(catalog: Catalog, cache: Path | None) -> None:
    global _worker_catalog
    _worker_catalog = catalog
    analysis_cache.configure(cache)


def _check_in_worker(item: tuple[Path, Path | None]) -> FileCheck:
    assert _worker_catalog is not None, "the worker was started without its catalog"
    return check_file(item[0], _worker_catalog, item[1])


def check_files(items: Sequence[tuple[Path, Path | None]], catalog: Catalog, *, jobs: int | None = None) -> list[FileCheck]:
    """:func:`check_file` of each (file, library root) of ``items``, in their order.

    With more than one file and ``jobs`` above 1 (None: one per CPU), the files are checked in
    that many worker processes (never more than the CPUs or the files). A worker that dies (killed,
    out of memory) ends the run with a clear :class:`CaseSimError`, not a traceback.
    """
    workers = min(jobs if jobs is not None else os.cpu_count() or 1, os.cpu_count() or 1, len(items))
    if workers <= 1:
        return [check_file(file, catalog, root) for file, root in items]
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                 initargs=(catalog, analysis_cache.cache_folder())) as pool:
            return list(pool.map(_check_in_worker, items))
    except BrokenProcessPool as exc:
        raise CaseSimError(f"a process checking scenarios in parallel stopped unexpectedly ({exc})",
                           title="validate was interrupted",
                           hint="run again; if it happens again, check one file at a time with --jobs 1 "
                                "(a scenario may need more memory than the machine has)") from None


def duplicate_ids(checks: Sequence[FileCheck]) -> list[Diagnostic]:
    """An error at the ``id`` of every file that reuses the scenario id of an earlier file (as
    :func:`~casesim.authoring.pipeline.duplicate_scenario_ids`, from what the workers report)."""
    first: dict[str, FileCheck] = {}
    out: list[Diagnostic] = []
    for check in checks:
        if check.scenario_id is None:
            continue
        earlier = first.setdefault(check.scenario_id, check)
        if earlier is check:
            continue
        out.append(duplicate_id_error(check.path, check.id_line, check.id_col, earlier.path, check.scenario_id))
    return out
