"""The format layer: safe YAML reading with positions, diagnostics, the scenario and framework
models, the expression language and the JSON Schema. It knows nothing above it."""

from __future__ import annotations

from casesim.format.diagnostics import Diagnostic, Severity, format_diagnostics
from casesim.format.reader import Limits, SourceDocument, read_yaml
from casesim.format.scenario import Choice, Ending, Node, Scenario, Variable
from casesim.format.validation import validate_model

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
