"""The session engine: pure semantics, and the ``transitions`` Machine that drives live sessions."""

from __future__ import annotations

from casesim.engine.semantics import (
    Program,
    State,
    Step,
    apply,
    client_line,
    compile_program,
    initial_state,
    is_final,
    open_choices,
    timeout_id,
    unmet_requirements,
    variables,
)

__all__ = [
    "Program",
    "State",
    "Step",
    "apply",
    "client_line",
    "compile_program",
    "initial_state",
    "is_final",
    "open_choices",
    "timeout_id",
    "unmet_requirements",
    "variables",
]
