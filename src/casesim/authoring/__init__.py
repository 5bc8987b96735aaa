"""The trainer's toolchain: the load pipeline (read, validate, check, compile, analyse, lint),
semantic checks, lint, salvage of half-broken files, the starter, embedded tests, graphs and the
library document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
    from casesim.authoring.pipeline import (
        AnalysedScenario,
        Playable,
        SourceReport,
        find_scenario_files,
        load_scenario,
        load_scenario_bytes,
        require_scenario,
    )

# Imported when first used (casesim.lazy): importing one module of the package must not load them all.
__getattr__ = lazy_exports(__name__, {
    "AnalysedScenario": "casesim.authoring.pipeline",
    "Playable": "casesim.authoring.pipeline",
    "SourceReport": "casesim.authoring.pipeline",
    "find_scenario_files": "casesim.authoring.pipeline",
    "load_scenario": "casesim.authoring.pipeline",
    "load_scenario_bytes": "casesim.authoring.pipeline",
    "require_scenario": "casesim.authoring.pipeline",
})

__all__ = ["AnalysedScenario", "Playable", "SourceReport", "find_scenario_files", "load_scenario", "load_scenario_bytes", "require_scenario"]
