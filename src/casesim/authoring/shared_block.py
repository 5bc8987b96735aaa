"""Checking a shared block (a file under ``scenarios/shared/``) on its own.

A block is checked fully, with the analysis and embedded tests, as part of each scenario that
includes it. Named on its own (``casesim validate scenarios/shared/cssrs-screen.yaml``), it is
checked as far as it can be without a scenario: it is included into a stand-in scenario whose
every parameter leads to a stand-in ending, validated and checked, and only what is found in
the block itself is reported, so a trainer writing a block sees its mistakes before any
scenario uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casesim.authoring.checks import check_scenario
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.include import expand_reuse
from casesim.format.reader import Limits, SourceDocument
from casesim.format.scenario import Scenario
from casesim.format.validation import validate_model
from casesim.scoring.catalog import Catalog

__all__ = ["check_shared_block"]

_STAND_IN_END = "stand-in-ending"


def check_shared_block(doc: SourceDocument, catalog: Catalog | None, library_root: Path | None,
                       limits: Limits | None) -> list[Diagnostic]:
    """What is wrong in the block ``doc``, and a note that says how it was checked."""
    block = Path(doc.path)
    parameters = doc.data.get("parameters")
    names = list(parameters) if isinstance(parameters, dict) else []
    nodes = doc.data.get("nodes")
    first = next(iter(nodes), "") if isinstance(nodes, dict) else ""
    stand_in_path = str(block.with_name(f"{block.stem}.stand-in{block.suffix}"))
    stand_in: dict[str, Any] = {
        "format": 1, "id": "stand-in", "version": "0.0.0", "title": "stand-in", "kind": "other",
        "summary": "stand-in", "estimated_minutes": 1, "objectives": ["stand-in"], "reviewed": {"status": "draft"},
        "client": {"name": "stand-in", "age": 30, "pronouns": "they/them", "background": "stand-in"},
        "start": first,
        "include": [{"file": block.name, "prefix": "", "with": {name: _STAND_IN_END for name in names}}],
        "endings": {_STAND_IN_END: {"outcome": "success", "title": "stand-in", "summary": "stand-in"}},
    }
    expansion = expand_reuse(SourceDocument(stand_in_path, stand_in), root=library_root or block.parent,
                             limits=limits, standalone=True)
    found = list(expansion.diagnostics)
    if expansion.ok:
        scenario, problems = validate_model(Scenario, expansion.document)
        found.extend(problems)
        if scenario is not None:
            found.extend(check_scenario(scenario, expansion.document, catalog))
    suffix = f" (included from {stand_in_path}:1:1)"
    out = [Diagnostic(d.path, d.line, d.col, d.severity, d.code, d.message.removesuffix(suffix))
           for d in found if d.path != stand_in_path]
    out.append(Diagnostic(doc.path, 1, 1, Severity.NOTE, "shared-block",
                          "this is a shared block, not a scenario: it was checked on its own, with "
                          f"{'its parameters leading to a stand-in ending' if names else 'no parameters'}; "
                          "each scenario that brings it in with `include:` checks it fully, with its analysis "
                          "and tests"))
    return out
