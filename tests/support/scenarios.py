"""The bundled scenarios, compiled once per test process for tests that need no path analysis."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from casesim.authoring.pipeline import AnalysedScenario, load_scenario
from casesim.bundled import frameworks_dir, scenarios_dir
from casesim.format.scenario import Choice
from casesim.scoring.catalog import load_catalog
from casesim.semantics.program import Program


@cache
def bundled_programs() -> tuple[Program, ...]:
    """Every bundled scenario, compiled, in file-name order (each must load without errors)."""
    catalog = load_catalog(frameworks_dir())
    programs = []
    for path in sorted(scenarios_dir().glob("*.yaml")):
        report = load_scenario(path, catalog, analyse_paths=False)
        assert report.playable is not None, f"{path.name}: {report.errors}"
        programs.append(report.playable.program)
    return tuple(programs)


def choices_by_id(item: AnalysedScenario) -> dict[str, Choice]:
    """Every choice of a loaded scenario (shared blocks and choice sets expanded), by id."""
    assert item.scenario is not None
    return {c.id: c for node in item.scenario.nodes.values() for c in node.choices}


def written_choices(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every choice as written in a scenario file's raw YAML, with where it stands: a node's own
    choices, and each choice set's once (a node's `{use: SET}` is checked where the set is written)."""
    for node_id, node in doc["nodes"].items():
        choices = node.get("choices", [])
        for choice in choices if isinstance(choices, list) else []:
            if "use" not in choice:
                yield node_id, choice
    for name, choices in (doc.get("choice_sets") or {}).items():
        for choice in choices:
            yield f"choice_sets/{name}", choice
