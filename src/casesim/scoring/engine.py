"""The scoring engine: turns a finished path through a scenario into a :class:`Debrief`.

Pure functions, no UI. The inputs are the compiled scenario, its analysis (for the best and
worst achievable points and the expert path), the framework catalog, and the ids of the steps
the trainee took, in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

from casesim.format.framework import MI_CODES, CompetencyMap
from casesim.format.mode import Mode
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import (
    Citation,
    CompetencyResult,
    CriterionResult,
    CriticalResult,
    Debrief,
    Decision,
    FrameworkResult,
    MiMetric,
    MiResult,
    PathStep,
    ProtocolResult,
    percent,
)
from casesim.scoring.pace import pace
from casesim.scoring.protocols import ProtocolFacts
from casesim.semantics.explore import Analysis
from casesim.semantics.program import (
    Program,
    Replay,
    State,
    Step,
    apply,
    is_final,
    replay,
    unmet_requirements,
)
from casesim.semantics.render import Shown, ending_line, step_line

__all__ = ["AFFIRMS_CODED", "expert_points", "meets_share", "score_path", "score_replay", "mi_result", "protocol_result",
           "rating_for_share", "share_of_expert"]


def _share(raw: float, worst: float, best: float) -> float | None:
    if best == worst:
        return None
    return max(0.0, min(1.0, (raw - worst) / (best - worst)))


def expert_points(analysis: Analysis) -> int:
    """The points a pass is measured against: the expert path's (best clean) total, or the best
    total of any path when no clean path exists, or 0 when no ending can be reached (or that
    best is unbounded, which the lint reports as a scoring-cycle error)."""
    expert = analysis.expert_total
    if expert is not None:
        return expert
    best = analysis.total.best if analysis.total is not None else None
    return best if best is not None else 0


def share_of_expert(total_raw: int, total_best: int) -> float:
    """The share of the expert path's points the pass rule compares with ``min_share``: the
    ratio clamped to 0..1, or all-or-nothing when the expert path earns no positive points."""
    if total_best > 0:
        return max(0.0, min(1.0, total_raw / total_best))
    return 1.0 if total_raw >= total_best else 0.0


def meets_share(total_raw: int, total_best: int, min_share: float) -> bool:
    """Whether ``total_raw`` points clear the pass rule's share (the one test the pass rule and
    the answer-cue audit both use)."""
    return share_of_expert(total_raw, total_best) + 1e-9 >= min_share


def _cite(catalog: Catalog, ids: Sequence[str]) -> tuple[Citation, ...]:
    return tuple(Citation(id=i, title=catalog.criteria[i].title, source=catalog.criteria[i].source)
                 for i in ids if i in catalog.criteria)


def score_path(program: Program, analysis: Analysis, catalog: Catalog, step_ids: Sequence[str], *,
               mode: Mode = "assessment", start: str | None = None,
               decision_seconds: float | None = None, initial: State | None = None) -> Debrief:
    """Score the path ``step_ids`` (which may stop before an ending, e.g. when a trainee leaves),
    from the scenario's start, the node ``start`` or the state ``initial`` (an embedded test's
    ``given:``).

    ``decision_seconds`` (the time the decision screens were on show, from the record) adds the
    implausible-speed check to an assessment attempt (:mod:`casesim.scoring.pace`)."""
    return score_replay(program, analysis, catalog, replay(program, step_ids, start=start, initial=initial), mode=mode,
                        decision_seconds=decision_seconds)


def score_replay(program: Program, analysis: Analysis, catalog: Catalog, path: Replay, *,
                 mode: Mode = "assessment", decision_seconds: float | None = None) -> Debrief:
    """Score a path given as the states its steps were taken in, as :func:`score_path` does.

    For a run whose states are not those a replay from a node would give: the author's
    workbench, where the author edited variables or history between two steps. Each step is
    judged in the state it was really taken in, and the requirements at the state reached.
    """
    scenario = program.scenario
    pairs, final = path.taken, path.final
    steps = [step for _, step in pairs]
    reached = is_final(program, final)

    raw: dict[str, int] = {c: 0 for c in program.criteria}
    for step in steps:
        for criterion, points in step.scores:
            raw[criterion] = raw.get(criterion, 0) + points
    on_expert: dict[str, int] | None = None
    if analysis.expert_path:
        on_expert = dict.fromkeys(program.criteria, 0)
        for sid in analysis.expert_path:
            for criterion, points in program.steps[sid].scores:
                on_expert[criterion] = on_expert.get(criterion, 0) + points
    criteria_results = []
    for cid in program.criteria:
        ext = analysis.extremes.get(cid)
        # An unbounded side (a scoring loop, an error the lint reports) has no number to
        # normalise against: the path itself stands in for it, so its share stays within 0..1.
        worst = ext.worst if ext and ext.worst is not None else (raw[cid] if ext else 0)
        best = ext.best if ext and ext.best is not None else (raw[cid] if ext else 0)
        crit = catalog.criteria.get(cid)
        criteria_results.append(CriterionResult(
            id=cid, title=crit.title if crit else cid, framework=catalog.framework_of.get(cid, "?"),
            source=crit.source if crit else "", raw=raw[cid], worst=worst, best=best,
            share=_share(raw[cid], worst, best), expert=on_expert.get(cid) if on_expert is not None else None))
    frameworks = _frameworks(catalog, criteria_results)

    total_raw = sum(raw.values())
    total = analysis.total
    total_worst = total.worst if total and total.worst is not None else (total_raw if total else 0)
    total_best = expert_points(analysis)

    critical = _critical(program, catalog, pairs, final, reached)
    mi = mi_result(catalog, steps, target=scenario.mi_target)
    protocols = tuple(r for r in (protocol_result(catalog, use.protocol, _facts(program, use.protocol, final, steps),
                                                  steps)
                                  for use in scenario.protocols) if r is not None)
    critical_criteria = {c.id for item in critical for c in item.cites}
    critical_criteria.update(c for _, step in pairs if step.critical is not None for c, _ in step.scores)
    competencies = _competencies(catalog, scenario.competencies, criteria_results, critical_criteria)

    rule = scenario.pass_rule
    reasons: list[str] = []
    passed = True
    if not reached:
        passed = False
        reasons.append("The attempt stopped before an ending.")
    if rule.no_critical and critical:
        passed = False
        labels = {"never-event": "Critical action", "missed-requirement": "Missed requirement",
                  "timer-expired": "Critical delay"}
        for c in critical:
            cited = ", ".join(x.id for x in c.cites)
            named = f" ({c.never_event_title})" if c.never_event_title else ""
            reasons.append(f"{labels[c.kind]}{named}: {c.reason}" + (f" ({cited})" if cited else ""))
    share_value = share_of_expert(total_raw, total_best)
    if not meets_share(total_raw, total_best, rule.min_share):
        passed = False
        reasons.append(f"Earned {percent(share_value)} of the expert path's points; {percent(rule.min_share)} is "
                       "needed to pass.")
    if passed:
        reasons.append(f"Reached an ending with {percent(share_value)} of the expert path's points and no critical "
                       "action.")

    ending = scenario.endings.get(final.node) if reached else None
    return Debrief(
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        scenario_title=scenario.title,
        mode=mode,
        ending=final.node if reached else None,
        ending_title=ending.title if ending else None,
        outcome=ending.outcome if ending else None,
        ending_summary=_text(ending_line(program, final, "summary")) if ending else None,
        passed=passed,
        reasons=tuple(reasons),
        score=share_value,
        pass_share=rule.min_share,
        total_raw=total_raw,
        total_best=total_best,
        total_worst=total_worst,
        criteria=tuple(criteria_results),
        frameworks=frameworks,
        critical=critical,
        mi=mi,
        protocols=protocols,
        competencies=competencies,
        decisions=_decisions(program, analysis, catalog, pairs, final),
        expert_path=_expert(program, analysis),
        pace=(pace(program, [state for state, _ in pairs], decision_seconds)
              if decision_seconds is not None and mode == "assessment" else None),
    )


def _frameworks(catalog: Catalog, results: Sequence[CriterionResult]) -> tuple[FrameworkResult, ...]:
    grouped: dict[str, list[CriterionResult]] = {}
    for r in results:
        grouped.setdefault(r.framework, []).append(r)
    out = []
    for fid, items in grouped.items():
        fw = catalog.frameworks.get(fid)
        raw = sum(i.raw for i in items)
        worst = sum(i.worst for i in items)
        best = sum(i.best for i in items)
        experts = [i.expert for i in items]
        expert = None if any(e is None for e in experts) else sum(e for e in experts if e is not None)
        out.append(FrameworkResult(id=fid, title=fw.title if fw else fid, raw=raw, worst=worst, best=best,
                                   share=_share(raw, worst, best), criteria=tuple(i.id for i in items),
                                   expert=expert))
    return tuple(out)


def _critical(program: Program, catalog: Catalog, pairs: Sequence[tuple[State, Step]], final: State,
              reached: bool) -> tuple[CriticalResult, ...]:
    out = []
    for state, step in pairs:
        if step.critical is not None:
            out.append(CriticalResult(kind="timer-expired" if step.is_timeout else "never-event", id=step.id,
                                      reason=step.critical.reason, cites=_cite(catalog, step.critical.cites),
                                      node=state.node, **_class_of(catalog, step.never_event)))
    if reached:
        requirements: dict[str, tuple[str, Sequence[str], str | None]] = {
            r.id: (r.reason, r.cites, r.never_event) for r in program.scenario.requirements}
        requirements.update({rid: (r.reason, list(r.cites), None) for rid, r in program.protocol_requirements.items()})
        for rid in unmet_requirements(program, final):
            reason, cites, never_event = requirements[rid]
            out.append(CriticalResult(kind="missed-requirement", id=rid, reason=reason,
                                      cites=_cite(catalog, cites), node=None, **_class_of(catalog, never_event)))
    return tuple(out)


def _class_of(catalog: Catalog, class_id: str | None) -> dict[str, str | None]:
    """The never-event class fields of a :class:`CriticalResult` (empty for an unknown class,
    which validate has already reported)."""
    cls = catalog.never_events.get(class_id) if class_id else None
    return {"never_event": cls.id, "never_event_title": cls.title} if cls else {}


_MI_TITLES = {
    "MITI421-RQ": "Reflection-to-question ratio",
    "MITI421-PCTCR": "Complex reflections",
    "MITI421-MIA": "MI-adherent behaviours",
    "MITI421-MINA": "MI-non-adherent behaviours",
}


AFFIRMS_CODED = 3
"""The most Affirms (AF) counted in one attempt: MITI 4.2.1's three-strikes rule says that after
the first 2–3 credible repetitions, Affirms are typically not coded (Moyers, Manuel & Ernst,
2014, parsing and decision rules). casesim cannot tell whether a later Affirm repeats an earlier
one, so it takes the upper end of the manual's range and counts the first three."""


def mi_result(catalog: Catalog, steps: Sequence[Step], *, target: str | None = None) -> MiResult:
    """MITI 4.2.1 counts over the trainee's utterances, and the summary scores with their fair and
    good labels when the scenario declares a change goal (``target``).

    Each choice is one volley: at most one reflection code (complex wins over simple) and one
    question code per volley, as the manual's parsing rules say. Affirms past
    :data:`AFFIRMS_CODED` are not counted (three strikes). Without a target the manual does not
    apply (it requires a designated change goal before coding), so no summary score is computed
    and the counts are all the debrief shows.
    """
    counts: dict[str, int] = dict.fromkeys(MI_CODES, 0)
    affirms_not_coded = 0
    for step in steps:
        codes = set(step.mi)
        if "CR" in codes:
            codes.discard("SR")
        if "AF" in codes and counts["AF"] >= AFFIRMS_CODED:
            codes.discard("AF")
            affirms_not_coded += 1
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    if target is None:
        return MiResult(counts=counts, metrics=(), target=None, affirms_not_coded=affirms_not_coded)
    reflections = counts["SR"] + counts["CR"]
    values: dict[str, float | None] = {
        "MITI421-RQ": reflections / counts["Q"] if counts["Q"] else None,
        "MITI421-PCTCR": counts["CR"] / reflections if reflections else None,
        "MITI421-MIA": float(counts["AF"] + counts["SEEK"] + counts["EMPH"]),
        "MITI421-MINA": float(counts["CONF"] + counts["PERSUADE"]),
    }
    thresholds = {s.criterion: (s.fair, s.good) for fw in catalog.frameworks.values() for s in fw.summary_scores}
    metrics = []
    for cid, value in values.items():
        fair, good = thresholds.get(cid, (None, None))
        metrics.append(MiMetric(id=cid, title=_MI_TITLES[cid], value=value, fair=fair, good=good,
                                label=mi_label(value, fair, good)))
    return MiResult(counts=counts, metrics=tuple(metrics), target=target, affirms_not_coded=affirms_not_coded)


def mi_label(value: float | None, fair: float | None, good: float | None) -> Literal["good", "fair", "below fair", "not enough data", "no threshold"]:
    """The manual's label for a summary score; thresholds are met at or above their value."""
    if value is None:
        return "not enough data"
    if fair is None and good is None:
        return "no threshold"
    if good is not None and value >= good - 1e-12:
        return "good"
    if fair is not None and value >= fair - 1e-12:
        return "fair"
    return "below fair"


def _facts(program: Program, protocol_id: str, final: State, steps: Sequence[Step]) -> ProtocolFacts | None:
    """What the path did with the protocol: from the state's hidden slots when the compiled
    program tracks it (the facts its duty requirements were judged on), else from the path's
    steps alone (a protocol without skip logic or levels hears no answers)."""
    for track in program.tracks:
        if track.id == protocol_id:
            return track.facts(final.vars)
    return None


def protocol_result(catalog: Catalog, protocol_id: str, facts: ProtocolFacts | Mapping[str, bool] | None,
                    steps: Sequence[Step]) -> ProtocolResult | None:
    """Steps done, in order, against what the skip logic makes due for the answers heard;
    triage taken against the level those answers call for.

    ``facts`` are the path's answers heard, steps asked and triage taken, as the compiled
    program tracked them; or only the answers heard, the steps asked and the triage taken then
    being read from ``steps``; or None (no answer heard). The share counts each due
    step done in order, and the triage only when it matches a level that is known: over-triage,
    under-triage and any response to an unfinished screen with no yes heard earn no credit.
    """
    protocol = catalog.protocols.get(protocol_id)
    if protocol is None:
        return None
    step_ids = {s.step for s in protocol.steps}
    level_ids = {lv.level for lv in protocol.levels}
    done: list[str] = []
    action: str | None = None
    for step in steps:
        for s in step.protocol_steps:
            if s in step_ids:
                done.append(s)
            elif s in level_ids:
                action = s
    if not isinstance(facts, ProtocolFacts):
        facts = ProtocolFacts(protocol, dict(facts or {}), frozenset(done), action)
    required = facts.due
    level = facts.level
    if protocol.ordered:
        matched = _longest_in_order(required, done)
    else:
        matched = list(dict.fromkeys(s for s in done if s in required))
    done_set = set(done)
    missing = tuple(s for s in required if s not in done_set)
    out_of_order = tuple(s for s in required if s in done_set and s not in matched)
    unnecessary = tuple(dict.fromkeys(s for s in done if s not in required))
    matches = facts.action_matches
    items = len(required) + (1 if protocol.levels else 0)
    credit = len(matched) + (1 if matches else 0)
    fw = catalog.frameworks.get(protocol_id)
    return ProtocolResult(
        id=protocol_id,
        title=fw.title if fw else protocol_id,
        required=tuple(required),
        done=tuple(done),
        missing=missing,
        out_of_order=out_of_order,
        unnecessary=unnecessary,
        answers=tuple((s.step, facts.answers[s.step]) for s in protocol.steps if s.step in facts.answers),
        begun=facts.begun,
        complete=facts.complete,
        level_called_for=level.level if level else None,
        level_certain=facts.level_certain if protocol.levels else True,
        level_action=level.action if level else (protocol.none_action if facts.complete else None),
        action_taken=facts.action,
        action_matches=matches,
        under_triage=facts.under_triage,
        share=credit / items if items else 1.0,
    )


def _longest_in_order(required: Sequence[str], done: Sequence[str]) -> list[str]:
    """The required steps done in the right order: a longest common subsequence, so a trainee
    gets the most credit their sequence allows."""
    rows, cols = len(required), len(done)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if required[i] == done[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    out: list[str] = []
    i = j = 0
    while i < rows and j < cols:
        if required[i] == done[j]:
            out.append(required[i])
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def rating_for_share(cmap: CompetencyMap, share: float) -> int:
    """The 1–5 rating the map's bands give a share of the best achievable score."""
    for band in cmap.bands:
        if share + 1e-9 >= band.min_share:
            return band.rating
    return cmap.bands[-1].rating


def _competencies(catalog: Catalog, claimed: Sequence[str], results: Sequence[CriterionResult],
                  critical_criteria: set[str]) -> tuple[CompetencyResult, ...]:
    cmap = catalog.competency_map
    if cmap is None:
        return ()
    by_id = {r.id: r for r in results}
    labels = {s.rating: s.label for s in cmap.scale}
    out = []
    for comp in claimed:
        evidence = [cid for cid in cmap.competencies.get(comp, ()) if cid in by_id and by_id[cid].best != by_id[cid].worst]
        crit = catalog.criteria.get(comp)
        title = crit.title if crit else comp
        if not evidence:
            out.append(CompetencyResult(id=comp, title=title, rating=None, label="not evidenced in this attempt",
                                        share=None, capped=False, evidence=()))
            continue
        got = sum(by_id[c].raw - by_id[c].worst for c in evidence)
        span = sum(by_id[c].best - by_id[c].worst for c in evidence)
        share = max(0.0, min(1.0, got / span)) if span else 1.0
        rating = rating_for_share(cmap, share)
        capped = bool(critical_criteria & set(cmap.competencies.get(comp, ()))) and rating > cmap.critical_action_cap
        if capped:
            rating = cmap.critical_action_cap
        out.append(CompetencyResult(id=comp, title=title, rating=rating, label=labels.get(rating, ""),
                                    share=share, capped=capped, evidence=tuple(evidence)))
    return tuple(out)


def _say(step: Step) -> str:
    return step.say or "(the time ran out)"


def _text(shown: Shown | None) -> str | None:
    return shown.text if shown is not None else None


def _decisions(program: Program, analysis: Analysis, catalog: Catalog, pairs: Sequence[tuple[State, Step]],
               final: State) -> tuple[Decision, ...]:
    """Each decision with its feedback as it read just after the step (its variants and
    placeholders), and the better choice's feedback as it would have read after that choice."""
    out = []
    afters = [state for state, _ in pairs[1:]] + [final]
    for i, (state, step) in enumerate(pairs):
        ranked = analysis.better_choices(state)
        mine = analysis.value_after(state, step) if not step.is_timeout else float("-inf")
        best_step, best_value = ranked[0] if ranked else (None, float("-inf"))
        optimal = best_step is None or mine >= best_value
        better = None
        better_feedback = None
        gap = None
        if not optimal and best_step is not None and best_step.id != step.id:
            # The program's own step: the analysis may be of the same scenario in another language.
            best = program.steps.get(best_step.id, best_step)
            better = PathStep(choice=best.id, node=best.node, say=_say(best))
            better_feedback = _text(step_line(program, best, apply(program, state, best), "feedback"))
            if math.isfinite(best_value) and math.isfinite(mine):
                gap = round(best_value - mine, 3)
        out.append(Decision(
            index=i, node=state.node, choice=step.id, say=_say(step),
            feedback=_text(step_line(program, step, afters[i], "feedback")),
            points=sum(p for _, p in step.scores),
            critical=_critical_text(catalog, step),
            on_expert_path=optimal, better=better, better_feedback=better_feedback,
            timed_out=step.is_timeout, gap=gap))
    return tuple(out)


def _critical_text(catalog: Catalog, step: Step) -> str | None:
    """A critical decision's reason, after its never-event class title when it names one."""
    if step.critical is None:
        return None
    cls = catalog.never_events.get(step.never_event) if step.never_event else None
    return f"{cls.title}: {step.critical.reason}" if cls else step.critical.reason


def _expert(program: Program, analysis: Analysis) -> tuple[PathStep, ...]:
    out = []
    for sid in analysis.expert_path:
        step = program.steps[sid]
        out.append(PathStep(choice=sid, node=step.node, say=_say(step)))
    return tuple(out)
