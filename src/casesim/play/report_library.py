"""The scenarios reports and exports read records against (``Settings.scenarios_dir``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from casesim.authoring.pipeline import LoadedScenario, find_scenario_files, load_scenario
from casesim.scoring.catalog import Catalog

__all__ = ["load_library"]


def load_library(catalog: Catalog | None, directory: str | Path, *,
                 only: Collection[str] | None = None, analyse: bool = True) -> Mapping[str, LoadedScenario]:
    """Scenarios that load without errors, by id (files with errors are skipped).

    ``only`` limits the result to these scenario ids; ``analyse=False`` skips the path analysis
    (titles and feedback only, no expert path), which is much faster for large scenarios.
    """
    folder = Path(directory)
    if not folder.exists() or (only is not None and not only):
        return {}
    out: dict[str, LoadedScenario] = {}
    for file in find_scenario_files([folder]):
        loaded = load_scenario(file, catalog, analyse_paths=False)
        if not loaded.ok or loaded.scenario is None or loaded.scenario.id in out:
            continue
        if only is not None and loaded.scenario.id not in only:
            continue
        if analyse:
            loaded = load_scenario(file, catalog)
            if not loaded.ok:
                continue
        out[loaded.scenario.id] = loaded  # type: ignore[union-attr]
    return out
