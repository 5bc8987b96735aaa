"""Reading YAML safely with source positions, and reporting problems as diagnostics."""

from __future__ import annotations

from casesim.source.diagnostics import Diagnostic, Severity, format_diagnostics
from casesim.source.reader import Limits, SourceDocument, read_yaml
from casesim.source.validation import validate_model

__all__ = [
    "Diagnostic",
    "Limits",
    "Severity",
    "SourceDocument",
    "format_diagnostics",
    "read_yaml",
    "validate_model",
]
