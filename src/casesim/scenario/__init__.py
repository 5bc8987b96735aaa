"""The scenario format: models, the safe loader, semantic checks, lint and the JSON Schema.

The loader is imported lazily (PEP 562): the engine imports the expression module from this
package, and the loader imports the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casesim.scenario.model import Choice, Ending, Node, Scenario, Variable

if TYPE_CHECKING:
    from casesim.scenario.loader import (
        LoadedScenario,
        find_scenario_files,
        load_scenario,
        load_scenario_bytes,
        require_scenario,
    )

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

_LAZY = {"LoadedScenario", "find_scenario_files", "load_scenario", "load_scenario_bytes", "require_scenario"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from casesim.scenario import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'casesim.scenario' has no attribute {name!r}")
