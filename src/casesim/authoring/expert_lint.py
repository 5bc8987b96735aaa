"""Warnings about the computed expert path that a trainer cannot see by reading the file.

The expert path is the best clean path by points, and the debrief shows it to every trainee as
what an expert would have done. When points make it let a timer run out, or take a choice that
costs points because it opens up more later, the debrief teaches hesitation or a poor choice
as expert practice. Each warning sits at the timer or the choice, with the points that explain
it and what to change.
"""

from __future__ import annotations

from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.reader import SourceDocument
from casesim.format.scenario import Scenario
from casesim.semantics.explore import Analysis

__all__ = ["lint_expert_path"]

_NEG = float("-inf")


def lint_expert_path(scenario: Scenario, doc: SourceDocument, analysis: Analysis) -> list[Diagnostic]:
    """An ``expert-path-timeout`` warning for each timer the expert path lets run out, and an
    ``expert-path-negative`` warning for each choice on it whose points add up below zero."""
    out: list[Diagnostic] = []

    def report(path: tuple[str | int, ...], code: str, message: str, *, key: bool = False) -> None:
        pos = doc.position(path, key=key)
        out.append(Diagnostic(doc.path, pos.line, pos.col, Severity.WARNING, code, message))

    sid = 0
    seen: set[str] = set()
    for step_id in analysis.expert_path:
        edge = next(((step, target) for step, target in analysis.edges[sid] if step.id == step_id), None)
        if edge is None:  # the expert path is built from these edges; stop rather than guess
            break
        step, target = edge
        if step.id not in seen:
            seen.add(step.id)
            waited = step.weight + analysis.best_to_go[target]
            if step.is_timeout:
                alternatives = [(s.weight + analysis.best_to_go[t], s.id) for s, t in analysis.edges[sid]
                                if not s.is_timeout and s.critical is None and analysis.best_to_go[t] != _NEG]
                if alternatives:
                    value, best = max(alternatives, key=lambda item: item[0])
                    why = (f"waiting leads to {int(waited)} points by the end, more than any choice there "
                           f"(at best {int(value)}, with {best!r})")
                else:
                    why = "no choice there leads to an ending without a critical action or a missed requirement"
                report(("nodes", step.node, "timer", "expire"), "expert-path-timeout",
                       f"the expert path lets the timer of node {step.node!r} run out: {why}, so the debrief would "
                       "show hesitating as what an expert does; give the choice an expert makes there the points, "
                       "or let waiting cost points", key=True)
            elif step.weight < 0:
                i = next(k for k, c in enumerate(scenario.nodes[step.node].choices) if c.id == step.id)
                points = ", ".join(f"{c} {p:+d}" for c, p in step.scores if p)
                report(("nodes", step.node, "choices", i, "scores"), "expert-path-negative",
                       f"the expert path takes choice {step.id!r}, which scores {step.weight} ({points}), because "
                       f"the points it leads to make up for it ({int(waited)} by the end), so the debrief would show "
                       "a poor choice as what an expert does; let the good choices at "
                       f"{step.node!r} lead to those points too, or score this choice 0 or above if it is good practice")
        sid = target
    return out
