"""What the analysis proves about text variants: a reachable state where no variant shows, and
a variant that never shows.

Cheap because the analysis already holds every reachable (projected) state and every step out
of it: each field is evaluated in the states where it is read (a node's texts on arrival, a
step's reply and feedback just after it, an ending's in the final state), and the projection
keeps whatever history a variant's ``when`` or a placeholder asks about
(:func:`casesim.semantics.render.compile_texts` tells the program).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.lines import FieldLines, scenario_lines
from casesim.format.reader import SourceDocument
from casesim.format.scenario import Scenario
from casesim.semantics.explore import Analysis
from casesim.semantics.program import State, variables
from casesim.semantics.render import compiled_text, step_line_id

__all__ = ["lint_variants"]


def _read_in(analysis: Analysis, wanted: Collection[str]) -> Iterator[tuple[str, State]]:
    """(field id, state it is read in) for every reachable state and step, for the field ids in
    ``wanted`` only: the ids each node and step reads are worked out once, not per state (a
    large analysis has millions of state-step pairs, and most fields have no variants)."""
    program = analysis.program
    by_node: dict[str, tuple[str, ...]] = {}
    by_step: dict[str, tuple[str, ...]] = {}
    for sid, state in enumerate(analysis.states):
        node_fields = by_node.get(state.node)
        if node_fields is None:
            ids = ((f"ending.{state.node}.summary", f"ending.{state.node}.client")
                   if state.node in program.scenario.endings
                   else tuple(f"node.{state.node}.{field}" for field in ("narration", "client", "hint")))
            node_fields = by_node[state.node] = tuple(fid for fid in ids if fid in wanted)
        for fid in node_fields:
            yield fid, state
        if state.node in program.scenario.endings:
            continue
        for step, target in analysis.edges[sid]:
            step_fields = by_step.get(step.id)
            if step_fields is None:
                ids = tuple(step_line_id(step, field)
                            for field in (("narration", "feedback") if step.is_timeout else ("reply", "feedback")))
                step_fields = by_step[step.id] = tuple(fid for fid in ids if fid in wanted)
            if step_fields:
                after = analysis.states[target]
                for fid in step_fields:
                    yield fid, after


def _describe(analysis: Analysis, state: State) -> str:
    values = variables(analysis.program, state)
    shown = [f"{name}={str(v).lower() if isinstance(v, bool) else v}" for name, v in values.items()]
    return ", ".join(shown) if shown else "the start values"


def lint_variants(scenario: Scenario, doc: SourceDocument, analysis: Analysis) -> list[Diagnostic]:
    """Findings about fields with `when` variants, from the complete analysis (none otherwise):
    a state that shows nothing is a warning (the trainee misses a line); a variant never shown
    is a note (dead text to tidy up, not a problem for the trainee)."""
    if not analysis.complete:
        return []
    fields: dict[str, FieldLines] = {f.id: f for f in scenario_lines(scenario)
                                     if f.kind != "plain" and any(v.when is not None for v in f.variants)}
    if not fields:
        return []
    texts = {fid: compiled_text(analysis.program, fid) for fid in fields}
    shown: dict[str, set[int]] = {fid: set() for fid in fields}
    gap: dict[str, State] = {}
    for fid, state in _read_in(analysis, fields):
        text = texts[fid]
        if text is None:
            continue
        index = text.variant_holds(state)
        if index is None:
            gap.setdefault(fid, state)
        else:
            shown[fid].add(index)
    out = []

    def report(path: tuple[str | int, ...], message: str, code: str, severity: Severity = Severity.WARNING) -> None:
        pos = doc.position(path)
        out.append(Diagnostic(doc.path, pos.line, pos.col, severity, code, message))

    for fid, lines in fields.items():
        if fid in gap:
            report(lines.path, f"when {_describe(analysis, gap[fid])}, which can happen, no variant of this text holds, "
                               "so nothing is shown; end the list with a variant without `when` (the fallback)",
                   "variant-gap")
        if not shown[fid] and fid not in gap:
            continue  # never read: the unreachable node or choice is reported on its own
        for i, variant in enumerate(lines.variants):
            if i not in shown[fid] and variant.when is not None:
                report(variant.when_path, f"this variant is never shown: in every reachable state where this text is "
                                          f"read, an earlier variant holds or {variant.when!r} is false",
                       "variant-never-shown", Severity.NOTE)
    return out
