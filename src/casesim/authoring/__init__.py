"""The trainer's toolchain: the load pipeline (read, validate, check, compile, analyse, lint),
semantic checks, lint, salvage of half-broken files, the starter, embedded tests, graphs and the
library document."""

from __future__ import annotations

from casesim.authoring.pipeline import (
    AnalysedScenario,
    Playable,
    SourceReport,
    find_scenario_files,
    load_scenario,
    load_scenario_bytes,
    require_scenario,
)

__all__ = ["AnalysedScenario", "Playable", "SourceReport", "find_scenario_files", "load_scenario", "load_scenario_bytes", "require_scenario"]
