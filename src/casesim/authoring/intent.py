"""Where what the author marked (`expert: true`) and what the points say disagree.

The expert route follows the choices an author marked as expert. The scoring, though, still
measures a trainee against the best total any clean path earns, so when a marked choice earns
less than another open choice, a trainee who does exactly what the author meant scores below
100%. The author needs to hear that at the marked choice, with the numbers, to fix the points
or the marks.
"""

from __future__ import annotations

from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.reader import SourceDocument
from casesim.format.scenario import Scenario
from casesim.semantics.explore import Analysis

__all__ = ["lint_expert_marks"]

_NEG = float("-inf")


def lint_expert_marks(scenario: Scenario, doc: SourceDocument, analysis: Analysis) -> list[Diagnostic]:
    """A warning at each marked choice on the expert route that earns less than another open choice."""
    if not analysis.complete or not analysis.clean_path_exists or analysis.expert_path == analysis.best_path:
        return []
    out: list[Diagnostic] = []
    best_to_go = analysis.best_to_go
    sid = 0
    for step_id in analysis.expert_path:
        edge = next(((step, target) for step, target in analysis.edges[sid] if step.id == step_id), None)
        if edge is None:
            break
        step, target = edge
        mine = step.weight + best_to_go[target]
        if step.expert and mine < best_to_go[sid]:
            better = max(((other.weight + best_to_go[t], other) for other, t in analysis.edges[sid]
                          if other.critical is None and not other.is_timeout and best_to_go[t] != _NEG),
                         key=lambda item: item[0], default=None)
            node = scenario.nodes[step.node]
            index = next(i for i, c in enumerate(node.choices) if c.id == step.id)
            pos = doc.position(("nodes", step.node, "choices", index, "expert"), key=True)
            rival = f"`{better[1].id}` leads to {int(better[0])}" if better is not None else "another route leads to more"
            out.append(Diagnostic(
                doc.path, pos.line, pos.col, Severity.WARNING, "expert-mark-not-best",
                f"you marked `{step.id}` as expert, but from here it leads to at most {int(mine)} points, while "
                f"{rival}; the debrief counts the best-scoring route as 100%, so a trainee who follows your "
                f"expert route scores below it: give `{step.id}` more points, or mark the other choice instead"))
        sid = target
    return out
