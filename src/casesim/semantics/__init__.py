"""What a scenario means: the compiled program, the pure step (``open_choices``, ``apply``), the
order choices are shown in, the history projection, and the exhaustive exploration of every reachable state."""

from __future__ import annotations

from casesim.semantics.explore import Analysis, Extremes, analyse
from casesim.semantics.order import is_shuffled, shown_choices, shuffled
from casesim.semantics.program import (
    Program,
    Replay,
    State,
    Step,
    apply,
    client_line,
    compile_program,
    initial_state,
    is_final,
    open_choices,
    project,
    replay,
    timeout_id,
    unmet_requirements,
    variables,
)

__all__ = [
    "Analysis",
    "Extremes",
    "Program",
    "State",
    "Step",
    "analyse",
    "apply",
    "client_line",
    "compile_program",
    "initial_state",
    "is_final",
    "is_shuffled",
    "open_choices",
    "Replay",
    "project",
    "replay",
    "shown_choices",
    "shuffled",
    "timeout_id",
    "unmet_requirements",
    "variables",
]
