"""What a scenario means: the compiled program, the pure step (``open_choices``, ``apply``), the
order choices are shown in, the history projection, and the exhaustive exploration of every reachable state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casesim.lazy import lazy_exports

if TYPE_CHECKING:
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

# Imported when first used (casesim.lazy): importing one module of the package must not load them all.
__getattr__ = lazy_exports(__name__, {
    "Analysis": "casesim.semantics.explore",
    "Extremes": "casesim.semantics.explore",
    "analyse": "casesim.semantics.explore",
    "is_shuffled": "casesim.semantics.order",
    "shown_choices": "casesim.semantics.order",
    "shuffled": "casesim.semantics.order",
    "Program": "casesim.semantics.program",
    "Replay": "casesim.semantics.program",
    "State": "casesim.semantics.program",
    "Step": "casesim.semantics.program",
    "apply": "casesim.semantics.program",
    "client_line": "casesim.semantics.program",
    "compile_program": "casesim.semantics.program",
    "initial_state": "casesim.semantics.program",
    "is_final": "casesim.semantics.program",
    "open_choices": "casesim.semantics.program",
    "project": "casesim.semantics.program",
    "replay": "casesim.semantics.program",
    "timeout_id": "casesim.semantics.program",
    "unmet_requirements": "casesim.semantics.program",
    "variables": "casesim.semantics.program",
})

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
