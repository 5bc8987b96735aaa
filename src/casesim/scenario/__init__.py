"""The scenario format: models, the safe loader, semantic checks, lint and the JSON Schema."""

from __future__ import annotations

from casesim.scenario.loader import (
    LoadedScenario,
    find_scenario_files,
    load_scenario,
    load_scenario_bytes,
    require_scenario,
)
from casesim.scenario.model import Choice, Ending, Node, Scenario, Variable

__all__ = [
    "Choice",
    "Ending",
    "LoadedScenario",
    "Node",
    "Scenario",
    "Variable",
    "find_scenario_files",
    "load_scenario",
    "load_scenario_bytes",
    "require_scenario",
]
