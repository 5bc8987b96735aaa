"""Checks that need the exhaustive analysis: loose ends, dead ends, loops, and the scoring model."""

from __future__ import annotations

import typing
from collections import deque
from collections.abc import Sequence

from casesim.authoring.audit import Audit
from casesim.authoring.expert_lint import lint_expert_path
from casesim.authoring.guard_reasons import closed_reason, never_true_reason
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.framework import Protocol
from casesim.format.reader import ReusedPosition, SourceDocument
from casesim.format.scenario import Scenario
from casesim.scoring.catalog import Catalog
from casesim.scoring.engine import mi_result
from casesim.scoring.protocols import required_steps, triage_level
from casesim.semantics.explore import REFUSE_ESTIMATE, Analysis
from casesim.semantics.program import Program, State, Step, replay, variables

__all__ = ["lint_analysis", "lint_answer_cues", "required_protocol_steps"]

class _Report(typing.Protocol):
    """Records one finding at a path of the scenario file."""

    def __call__(self, path: tuple[str | int, ...], severity: Severity, code: str, message: str, *,
                 key: bool = False) -> None: ...


def _describe(program: Program, state: State) -> str:
    shown = [f"{name}={str(v).lower() if isinstance(v, bool) else v}" for name, v in variables(program, state).items()]
    return ", ".join(shown) if shown else "the start values"


def _too_large(analysis: Analysis) -> str:
    """Why the analysis stopped, with the estimate and what to change."""
    estimate = analysis.estimate
    fix = ("narrow the number variables' ranges (min..max), use fewer number variables, or fewer flags and "
           "visited()/chose() conditions")
    if analysis.stopped == "estimate" and estimate is not None:
        return (f"too large to check: this scenario could reach about {estimate.numeric:,} distinct states "
                f"({estimate.describe(analysis.program)}), more than the {REFUSE_ESTIMATE:,} casesim will explore; "
                f"nothing was checked for dead ends, loops or scores: {fix}")
    why = {"seconds": "the time", "memory": "the memory"}.get(analysis.stopped or "", "the state")
    bound = f" of up to {estimate.total:,} possible" if estimate is not None else ""
    return (f"too large to check: casesim explored {analysis.state_count:,} distinct states{bound} and "
            f"stopped at {why} limit, so reachability, dead ends and loops were not checked: {fix}")


def required_protocol_steps(protocol: Protocol, answers: dict[str, bool]) -> tuple[list[str], str | None]:
    """The steps the skip logic requires for these answers, in order, and the triage level called for."""
    level = triage_level(protocol, answers)
    return required_steps(protocol, answers), (level.level if level else None)


def _from_other_file(doc: SourceDocument, path: tuple[str | int, ...]) -> bool:
    """Whether ``path`` is text brought in from another file with `include:`."""
    pos = doc.position(path)
    return isinstance(pos, ReusedPosition) and pos.file != doc.path


def shared_block_nodes(scenario: Scenario, doc: SourceDocument) -> frozenset[str]:
    """The nodes brought in from a shared block with `include:`. A block serves many clients:
    the nodes for answers this client never gives (items 3 to 5 of the C-SSRS after a no to
    item 2) are unreachable here by design, so they are not reported, nor counted by checks
    that every node of a scenario is reached."""
    return frozenset(node_id for node_id in scenario.nodes if _from_other_file(doc, ("nodes", node_id)))


def lint_analysis(scenario: Scenario, doc: SourceDocument, analysis: Analysis, catalog: Catalog | None) -> list[Diagnostic]:
    """Warnings and errors the analysis proves, positioned in ``doc``."""
    out: list[Diagnostic] = []
    program = analysis.program

    def report(path: tuple[str | int, ...], severity: Severity, code: str, message: str, *, key: bool = False) -> None:
        out.append(doc.diagnostic(doc.position(path, key=key), severity, code, message))

    if not analysis.complete:
        # Past a budget, unexpanded states would look like dead ends and unreached content
        # would look unreachable: report only why the analysis stopped, not guesses.
        report((), Severity.ERROR, "state-space-too-large", _too_large(analysis))
        return out
    from_blocks = shared_block_nodes(scenario, doc)
    for node_id in scenario.nodes:
        if node_id not in analysis.reachable_nodes and node_id not in from_blocks:
            report(("nodes", node_id), Severity.WARNING, "unreachable-node",
                   f"node {node_id!r} can never be reached from {scenario.start!r}", key=True)
    for ending_id in scenario.endings:
        if ending_id not in analysis.reachable_endings:
            report(("endings", ending_id), Severity.WARNING, "unreachable-ending",
                   f"ending {ending_id!r} can never be reached", key=True)
    for node_id, node in scenario.nodes.items():
        if node_id not in analysis.reachable_nodes:
            continue
        for i, choice in enumerate(node.choices):
            if choice.id not in analysis.steps_taken:
                where: tuple[str | int, ...] = ("nodes", node_id, "choices", i, "when") if choice.when else ("nodes", node_id, "choices", i)
                if _from_other_file(doc, where):
                    # A shared block serves many scenarios: its branch for a client who answers
                    # otherwise (`when: "not cssrs_q2_yes"`) is never offered in this one, by design.
                    continue
                why = never_true_reason(analysis, choice.when, node_id) if choice.when else ""
                report(where, Severity.WARNING, "guard-never-true",
                       f"choice {choice.id!r} is never offered: its condition is false in every reachable state"
                       + (f": {why}" if why else "") + "; loosen the condition, or change what sets it")
    reported: set[str] = set()
    for sid in analysis.dead_ends:
        state = analysis.states[sid]
        if state.node in reported:
            continue
        reported.add(state.node)
        closed = [f"{c.id!r} needs `{c.when}`" + (f": {why}" if (why := closed_reason(analysis, c.when, state.node, state))
                                                   else "")
                  for c in scenario.nodes[state.node].choices if c.when]
        report(("nodes", state.node), Severity.ERROR, "dead-end",
               f"node {state.node!r} has no open choice when {_describe(program, state)}: the trainee would be stuck"
               + (f"; {'; '.join(closed)}" if closed else "")
               + "; add a choice without `when`, or loosen a condition", key=True)
    for sid in analysis.trapped:
        state = analysis.states[sid]
        if state.node in reported:
            continue
        reported.add(state.node)
        report(("nodes", state.node), Severity.ERROR, "no-exit",
               f"from node {state.node!r} (when {_describe(program, state)}) no ending can be reached: "
               "the conversation would loop forever", key=True)
    for step_id in analysis.scoring_cycles:
        where, message = _scoring_cycle(scenario, program.steps[step_id])
        report(where, Severity.ERROR, "scoring-cycle", message)
    _lint_scoring(scenario, analysis, catalog, report)
    out.extend(lint_expert_path(scenario, doc, analysis))
    return out


def _scoring_cycle(scenario: Scenario, step: Step) -> tuple[tuple[str | int, ...], str]:
    """Where a step that scores on a loop is, and what it does to the score range, in plain words.

    A loop that costs points is as wrong as one that earns them: the worst score has no limit,
    so ``analyse`` and the debrief would have nothing to measure a trainee's points against.
    """
    weight = step.weight
    if weight > 0:
        effect = "earns points and sits on a loop, so a trainee could earn them again and again and the best " \
                 "score has no limit"
    elif weight < 0:
        effect = "costs points and sits on a loop, so a trainee could lose them again and again and the worst " \
                 "score has no limit"
    else:
        effect = "scores points and sits on a loop, so its points could be counted again and again"
    if step.is_timeout:
        return (("nodes", step.node, "timer", "expire", "scores"),
                f"letting the timer of node {step.node!r} run out {effect}; let the expiry lead somewhere that cannot "
                f"come back to {step.node!r}, or take the points off the expiry and say it in the feedback")
    i = next(k for k, c in enumerate(scenario.nodes[step.node].choices) if c.id == step.id)
    return (("nodes", step.node, "choices", i, "scores"),
            f"choice {step.id!r} {effect}; offer it once with `when: not chose({step.id})`")


def _lint_scoring(scenario: Scenario, analysis: Analysis, catalog: Catalog | None, report: _Report) -> None:
    if not analysis.reachable_endings:
        return
    if not analysis.clean_path_exists:
        report(("pass_rule",) if "pass_rule" in _keys(scenario) else (), Severity.ERROR, "pass-impossible",
               "no path reaches an ending without a critical action or a missed requirement, so no attempt can pass")
    total, expert = analysis.total, analysis.expert_total
    if total is not None and expert is not None and total.best is not None and total.best > expert:
        report((), Severity.WARNING, "critical-on-best-path",
               f"the highest-scoring path ({total.best} points) takes a critical action or misses a requirement, "
               f"while the best clean path earns {expert}: points are rewarding a never-event")
    if total is not None and total.best is not None and total.best == total.worst:
        report((), Severity.WARNING, "no-score-spread",
               f"every path earns the same total ({total.best} points): the scenario cannot tell good practice from poor")
    if catalog is None:
        return
    scored: set[str] = set()
    for step_id in analysis.steps_taken:  # every step on some edge, once (not once per edge)
        scored.update(c for c, p in analysis.program.steps[step_id].scores if p)
    if catalog.competency_map is not None:
        for i, comp in enumerate(scenario.competencies):
            evidence = set(catalog.competency_map.competencies.get(comp, ()))
            if not evidence & scored:
                report(("competencies", i), Severity.WARNING, "competency-without-evidence",
                       f"{comp} is claimed, but no reachable choice scores a criterion that evidences it "
                       "(see scoring/competency-map.yaml)")
    _lint_mi_target(scenario, analysis, catalog, report)
    for i, use in enumerate(scenario.protocols):
        protocol = catalog.protocols.get(use.protocol)
        if protocol is None:
            continue
        required, level = required_protocol_steps(protocol, dict(use.answers))
        sequence = [*required, *( [level] if level else [])]
        if not _path_completes(analysis, sequence, ordered=protocol.ordered):
            report(("protocols", i), Severity.ERROR, "protocol-impossible",
                   f"no path carries out the {use.protocol} steps these answers require "
                   f"({', '.join(sequence)}){' in order' if protocol.ordered else ''}")


_MI_FIXES = {
    "MITI421-RQ": "make a reflection, not a question, the best option at more of the expert path's decisions",
    "MITI421-PCTCR": "make more of the expert path's reflections complex (adding meaning, not only repeating)",
}


def _lint_mi_target(scenario: Scenario, analysis: Analysis, catalog: Catalog, report: _Report) -> None:
    """An expert path below fair on a MITI summary score the scenario reports is an error: the
    debrief would tell the trainee who plays perfectly that their MI is below basic competence.
    Only a scenario with ``mi_target`` reports summary scores, so only it is checked."""
    if scenario.mi_target is None or not analysis.expert_path:
        return
    steps = [step for _, step in replay(analysis.program, analysis.expert_path).taken]
    result = mi_result(catalog, steps, target=scenario.mi_target)
    for metric in result.metrics:
        if metric.label != "below fair" or metric.value is None or metric.fair is None:
            continue
        value, fair = (f"{metric.value:.0%}", f"{metric.fair:.0%}") if metric.id == "MITI421-PCTCR" \
            else (f"{metric.value:.2f}", f"{metric.fair:.2f}")
        fix = _MI_FIXES.get(metric.id, f"change the expert path's MITI codes so {metric.id} reaches fair")
        report(("mi_target",), Severity.ERROR, "mi-expert-below-fair",
               f"the expert path's {metric.title.lower()} ({metric.id}) is {value}, below the MITI 4.2.1 "
               f"fair threshold of {fair}, so the debrief would tell a perfect run it is below basic competence: "
               f"{fix}, or remove `mi_target` if this conversation has no change goal the MITI can rate")


def _keys(scenario: Scenario) -> set[str]:
    return set(scenario.model_fields_set)


def _path_completes(analysis: Analysis, sequence: Sequence[str], *, ordered: bool) -> bool:
    """Whether some complete path carries out every step of ``sequence`` (in order if ``ordered``).

    A breadth-first search over (state, progress) pairs: progress is how many steps of the
    sequence are done (ordered), or the set of steps done as a bit mask (unordered).
    """
    if not sequence:
        return True
    goal = len(sequence) if ordered else (1 << len(sequence)) - 1
    bit = {step: 1 << i for i, step in enumerate(sequence)}
    start = (0, 0)
    seen = {start}
    queue = deque([start])
    while queue:
        sid, progress = queue.popleft()
        if progress == goal and analysis.can_finish[sid]:
            return True
        for step, target in analysis.edges[sid]:
            new = progress
            for s in step.protocol_steps:
                if ordered:
                    if new < goal and s == sequence[new]:
                        new += 1
                else:
                    new |= bit.get(s, 0)
            item = (target, new)
            if item not in seen:
                seen.add(item)
                queue.append(item)
    return False


def lint_answer_cues(scenario: Scenario, doc: SourceDocument, audit: Audit) -> list[Diagnostic]:
    """One ``answer-cue`` finding per way the audit is failed, at the scenario's ``id:`` line.

    Always a warning, so ``validate --strict`` (and ``make content``) fails a scenario that a
    test-wise trainee can pass, draft or not: an assessment result must mean the trainee chose
    well before anyone can sign the scenario off.
    """
    findings = audit.findings()
    if not findings:
        return []
    pos = doc.position(("id",))
    return [Diagnostic(doc.path, pos.line, pos.col, Severity.WARNING, "answer-cue",
                       f"a trainee can pass without judging the options: {finding}")
            for finding in findings]
