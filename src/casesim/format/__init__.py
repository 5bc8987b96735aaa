"""The format layer: safe YAML reading with positions, diagnostics, the scenario and framework
models, the expression language and the JSON Schema. It knows nothing above it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
    from casesim.format.diagnostics import Diagnostic, Severity, format_diagnostics
    from casesim.format.reader import Limits, SourceDocument, read_yaml
    from casesim.format.scenario import Choice, Ending, Node, Scenario, Variable
    from casesim.format.validation import validate_model

# Imported when first used (casesim.lazy): importing one module of the package must not load them all.
__getattr__ = lazy_exports(__name__, {
    "Diagnostic": "casesim.format.diagnostics",
    "Severity": "casesim.format.diagnostics",
    "format_diagnostics": "casesim.format.diagnostics",
    "Limits": "casesim.format.reader",
    "SourceDocument": "casesim.format.reader",
    "read_yaml": "casesim.format.reader",
    "Choice": "casesim.format.scenario",
    "Ending": "casesim.format.scenario",
    "Node": "casesim.format.scenario",
    "Scenario": "casesim.format.scenario",
    "Variable": "casesim.format.scenario",
    "validate_model": "casesim.format.validation",
})

__all__ = [
    "Choice",
    "Diagnostic",
    "Ending",
    "Limits",
    "Node",
    "Scenario",
    "Severity",
    "SourceDocument",
    "Variable",
    "format_diagnostics",
    "read_yaml",
    "validate_model",
]
