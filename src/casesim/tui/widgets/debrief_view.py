"""The debrief as readable, literal paragraphs: one builder per section, no widgets.

Everything the :class:`~casesim.scoring.debrief.Debrief` holds is shown: the outcome and why,
critical actions with their citations, each decision with its feedback and the better choice,
the expert path, per-framework and per-criterion points with sources, MI metrics against their
thresholds, protocol adherence and competency ratings. Marks are words or shapes (✓ ✗ ■ □),
never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content

from casesim.scoring import lessons
from casesim.scoring.debrief import (
    MI_COUNTS_CAVEAT,
    CompetencyResult,
    CriterionResult,
    Debrief,
    Decision,
    MiMetric,
    PathStep,
    ProtocolResult,
    mi_value_text,
    pace_text,
    percent,
    score_text,
)
from casesim.scoring.engine import AFFIRMS_CODED
from casesim.tui.text import literal
from casesim.tui.widgets.prose import Para, blank, para

__all__ = [
    "competencies_section",
    "lesson_section",
    "critical_section",
    "decision_paras",
    "expert_section",
    "frameworks_section",
    "mi_section",
    "outcome_section",
    "protocol_summary",
    "protocols_section",
    "share_bar",
    "triage_verdict",
]

_KIND = {"never-event": "Never-event", "missed-requirement": "Missed requirement", "timer-expired": "Time ran out"}


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _count(n: int, noun: str, *, signed: bool = False) -> str:
    """``1 point``, ``+1 point``, ``-3 points``: the number with its noun agreeing."""
    return f"{_signed(n) if signed else n} {noun}{'' if abs(n) == 1 else 's'}"


def _flat(text: str) -> Content:
    return literal(" ".join(text.split()))


def share_bar(share: float | None, width: int = 10) -> str:
    """``███████░░░``, or dots when there is no share (every path scores the same)."""
    if share is None:
        return "·" * width
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled)


def outcome_section(d: Debrief, *, timing: str | None = None) -> list[Para]:
    """The details of the result; ``timing`` names a timing accommodation the attempt was played
    with ("2× time, set by the instructor"), said as an accommodation, never as a penalty."""
    verdict = ("✓ PASSED", "bold") if d.passed else ("✗ NOT PASSED", "bold reverse")
    out = [para(verdict, (f"  {d.mode} attempt", "italic"))]
    if d.ending is not None:
        out.append(para(literal(d.ending_title or d.ending), f" ({d.outcome})", indent=2,
                        bullet=Content.styled("Ending: ", "bold")))
        if d.ending_summary:
            out.append(para(_flat(d.ending_summary), indent=2))
    else:
        out.append(para(("The attempt stopped before an ending.", "italic")))
    if not d.passed and d.outcome == "success" and d.critical:
        # The ending is the client's story; the verdict is the trainee's practice (UX review §2.5).
        out.append(para(("The conversation ended well, but the attempt is not passed: a critical action "
                         "fails an assessment even when it is repaired later.", "italic"), indent=2))
    out.append(para((score_text(d), "bold"), indent=2, bullet=Content.styled("Score: ", "bold")))
    out.append(para(f"{_count(d.total_raw, 'point')} of the expert path's {d.total_best}; "
                    f"{percent(d.pass_share)} of them needed to pass", indent=4))
    if d.pace is not None:
        out.append(para((pace_text(d.pace).capitalize(), "bold" if d.pace.too_fast else ""), indent=2,
                        bullet=Content.styled("Pace: ", "bold")))
        if d.pace.too_fast:
            out.append(para(("Decisions came faster than the text can be read; the record flags this attempt "
                             "for your instructor.", "italic"), indent=4))
    if timing:
        out.append(para(f"{timing}. It gives more time; it does not change the score.", indent=2,
                        bullet=Content.styled("Timing accommodation: ", "bold")))
    out.append(para(("Why:", "bold")))
    out += [para(_flat(reason), indent=4, bullet="  • ") for reason in d.reasons]
    return out


def lesson_section(d: Debrief, *, glossary_hint: bool = False) -> list[Para]:
    """The first screen (:func:`casesim.scoring.lessons.lesson`): passed or not and why, the
    decisions that mattered most with the better choice and its reason, the competencies touched;
    with ``glossary_hint``, a last line on how to open the glossary."""
    lesson = lessons.lesson(d)
    verdict = ("✓ PASSED", "bold") if d.passed else ("✗ NOT PASSED", "bold reverse")
    out = [para(verdict, "  ", (lesson.verdict, "bold"))]
    out += [para(_flat(reason), indent=2, bullet="• ") for reason in lesson.reasons]
    out.append(blank())
    if lesson.all_best:
        out.append(para(("You took the best choice open at every decision.", "bold")))
    else:
        out.append(para((f"The {len(lesson.decisions)} decision{'s' if len(lesson.decisions) != 1 else ''} "
                         "that mattered most:", "bold")))
        for x in lesson.decisions:
            said = "You let the time run out." if x.timed_out else None
            out.append(para((f"{x.index + 1}. ", "bold"), (said, "italic") if said else _flat(x.say),
                            (" · critical" if x.critical else "", "bold")))
            if x.critical:
                out.append(para(("Why it matters: ", "bold"), _flat(x.critical), indent=3))
            if x.better is not None:
                out.append(para(("Better: ", "bold"), _flat(x.better.say), indent=3))
                if x.better_feedback:
                    out.append(para(("Because: ", "bold"), _flat(x.better_feedback), indent=3))
    if lesson.competencies:
        out.append(blank())
        out.append(para(("Competencies touched: ", "bold"),
                        _flat("; ".join(f"{c.title} ({c.rating if c.rating is not None else '-'}/5)"
                                        for c in lesson.competencies))))
    if glossary_hint:
        # One line at 80 columns, so the score stays on the first screen; g lists the terms.
        out.append(para(("Glossary: click an underlined term, or press g · details below", "italic")))
    return out


def critical_section(d: Debrief) -> list[Para]:
    if not d.critical:
        return [para("✓ None: no never-event was taken and every must-do requirement was met.")]
    out: list[Para] = []
    for i, c in enumerate(d.critical):
        if i:
            out.append(blank())
        where = f" at {c.node}" if c.node else ""
        out.append(para(("✗ ", "bold"), (_KIND.get(c.kind, c.kind), "bold"), f"{where}: {c.id}"))
        if c.never_event_title:
            out.append(para(("Never-event: ", "bold"), literal(c.never_event_title), indent=2))
        out.append(para(_flat(c.reason), indent=2))
        for cite in c.cites:
            out.append(para(("Cites ", "bold"), (cite.id, "bold"), " ", literal(cite.title), indent=2))
            out.append(para(literal(" ".join(cite.source.split()), "italic"), indent=4))
    return out


def decision_paras(decision: Decision, *, replay_hint: bool = True) -> list[Para]:
    n = decision.index + 1
    mark = "✓ expert choice" if decision.on_expert_path else "✗ left the expert path"
    head: list[str | Content | tuple[str, str]] = [
        (f"{n}. At ", "bold"), (decision.node, "bold"), f" · {_count(decision.points, 'point', signed=True)} · ",
        (mark, "bold")]
    if decision.critical:
        head.append((" · CRITICAL", "bold"))
    out = [para(*head)]
    if decision.timed_out:
        out.append(para(("You let the time run out.", "italic"), indent=3))
    else:
        out.append(para(("You said: ", "bold"), _flat(decision.say), indent=3))
    if decision.feedback:
        out.append(para(("Feedback: ", "bold"), _flat(decision.feedback), indent=3))
    if decision.critical:
        out.append(para(("Critical: ", "bold"), _flat(decision.critical), indent=3))
    if decision.better is not None:
        out.append(para(("Better: ", "bold"), _flat(decision.better.say), f" ({decision.better.choice})", indent=3))
        if decision.better_feedback:
            out.append(para(("Why: ", "bold"), _flat(decision.better_feedback), indent=3))
    if replay_hint:
        out.append(para(("r or enter: replay from just before this decision (practice)", "italic"), indent=3))
    return out


def expert_section(expert: Sequence[PathStep], chosen: set[str], reached: set[str] | None = None) -> list[Para]:
    """The expert path, each step marked against the trainee's: chosen, chose otherwise at that
    moment, or never reached (``reached``: the nodes the trainee decided at; when not given, every
    step not chosen reads "you did not")."""
    if not expert:
        return [para("The analysis found no clean path through this scenario.")]
    out = [para(("The best clean path the analysis found:", "italic"))]
    for i, step in enumerate(expert, start=1):
        if step.choice in chosen:
            mark = "✓ you chose this"
        elif reached is None or step.node in reached:
            mark = "✗ you chose otherwise here"
        else:
            mark = "· your path did not reach this point"
        out.append(para((f"{i}. ", "bold"), (step.node, "bold"), f" ({mark})"))
        out.append(para(_flat(step.say), indent=3))
    return out


def _against_expert(raw: int, expert: int | None, best: int, worst: int) -> str:
    """A criterion's points beside the expert path's: the debrief's one yardstick, so a perfect
    run never reads as short of a "best" that only some other path reaches."""
    if expert is None:
        return f"{_count(raw, 'point')} (any path: {worst} to {best})"
    mark = "✓" if raw >= expert else "✗"
    return f"{mark} {_count(raw, 'point')}; the expert path earns {expert} (any path: {worst} to {best})"


def _criterion(c: CriterionResult) -> list[Para]:
    return [
        para((c.id, "bold"), " ", literal(c.title), indent=2),
        para(_against_expert(c.raw, c.expert, c.best, c.worst), indent=4),
        para(literal(" ".join(c.source.split()), "italic"), indent=4),
    ]


def frameworks_section(d: Debrief) -> list[Para]:
    by_id = {c.id: c for c in d.criteria}
    out: list[Para] = []
    for fw in d.frameworks:
        if out:
            out.append(blank())
        out.append(para(literal(fw.title, "bold underline")))
        out.append(para(_against_expert(fw.raw, fw.expert, fw.best, fw.worst), indent=2))
        for cid in fw.criteria:
            if cid in by_id:
                out += _criterion(by_id[cid])
    return out or [para("No criteria are scored in this scenario.")]


def _mi_value(m: MiMetric, value: float | None) -> str:
    return mi_value_text(m, value, missing="—")


def mi_section(d: Debrief) -> list[Para]:
    """The MITI summary scores against their thresholds when the scenario declares a change goal;
    otherwise only the code counts, labelled so that nobody reads them as a MITI rating."""
    mi = d.mi
    out: list[Para] = []
    if mi.rated:
        out.append(para(("MITI 4.2.1 summary scores over what you said", "italic"),
                        ("; change goal: ", "italic"), literal(mi.target or "")))
        for m in mi.metrics:
            out.append(para((m.title, "bold"), indent=2))
            if m.fair is None and m.good is None:
                out.append(para(f"{_mi_value(m, m.value):>5}  (the manual sets no threshold)", indent=4))
            else:
                thresholds = f"fair ≥ {_mi_value(m, m.fair)}, good ≥ {_mi_value(m, m.good)}"
                out.append(para(f"{_mi_value(m, m.value):>5}  ", (m.label, "bold"), f"  ({thresholds})", indent=4))
        out.append(para(("The manual's thresholds rest on expert opinion, and your lines were coded by the "
                         "scenario's author: weigh these scores with other evidence.", "italic"), indent=2))
    else:
        out.append(para(("MITI 4.2.1 codes of the lines you chose: ", "italic"), (MI_COUNTS_CAVEAT, "bold"),
                        (". This scenario names no change goal, and the MITI applies only to a conversation "
                         "about one, so no summary score is given.", "italic")))
    counts = [f"{code} {n}" for code, n in mi.counts.items() if n]
    zero = [code for code, n in mi.counts.items() if not n]
    line: list[str | Content | tuple[str, str]] = [("Behaviour counts: ", "bold"), ", ".join(counts) or "none coded"]
    if zero:
        line.append(f"; none of {', '.join(zero)}")
    out.append(para(*line, indent=2))
    if mi.affirms_not_coded:
        out.append(para(f"{mi.affirms_not_coded} more Affirm{'s' if mi.affirms_not_coded != 1 else ''} not counted: "
                        f"the manual's three-strikes rule stops coding Affirms after the first few "
                        f"(casesim counts {AFFIRMS_CODED}).", indent=2))
    return out


def _step(step: str, status: str, titles: Mapping[str, str]) -> Para:
    return para((step, "bold"), " ", literal(titles.get(step, "")), f": {status}", indent=4)


def protocols_section(d: Debrief, titles: Mapping[str, str]) -> list[Para]:
    if not d.protocols:
        return [para("No protocol is scored in this scenario.")]
    out: list[Para] = []
    for p in d.protocols:
        if out:
            out.append(blank())
        out.append(para(literal(p.title, "bold underline")))
        out.append(para(protocol_summary(p), indent=2))
        if p.answers or p.level_called_for is not None or p.action_matches is not None:
            heard = ", ".join(f"{step} {'yes' if yes else 'no'}" for step, yes in p.answers)
            out.append(para(("Answers you heard: ", "bold"), literal(heard or "none"), indent=2))
        out.append(para(("Steps due for the answers you heard:", "bold"), indent=2))
        out += _protocol_steps(p, titles)
        if p.unnecessary:
            out.append(para(("Done but not called for:", "bold"), indent=2))
            out += [_step(s, "✗ the skip logic says to skip it", titles) for s in p.unnecessary]
        out += _triage(p, titles)
    return out


def protocol_summary(p: ProtocolResult) -> str:
    """One line on how much of the protocol was done: never a share of "done" for a protocol
    none of whose steps was asked."""
    if not p.begun:
        return f"{share_bar(0.0)} not begun: none of its steps was asked"
    tail = "" if p.complete else f"; never asked: {', '.join(p.missing)}"
    return f"{share_bar(p.share)} {_pct(p.share):>4} of the protocol done, in order{tail}"


def _protocol_steps(p: ProtocolResult, titles: Mapping[str, str]) -> list[Para]:
    out = []
    for step in p.required:
        if step in p.missing:
            status = "✗ never asked"
        elif step in p.out_of_order:
            status = "✗ done, out of order"
        else:
            status = "✓ done, in order"
        out.append(_step(step, status, titles))
    return out or [para("none", indent=4)]


def triage_verdict(p: ProtocolResult) -> str:
    """How the triage taken compares with what the answers heard call for, in words."""
    if p.action_matches:
        return "✓ matches"
    if p.under_triage:
        return "✗ less than called for: a missed requirement" if p.action_taken else "✗ none taken: a missed requirement"
    if p.level_called_for is None and not p.complete:
        return "✗ not a match: the screen was not completed, so the level is not known"
    return "✗ more than called for: no credit" if p.action_taken else "✗ does not match"


def _triage(p: ProtocolResult, titles: Mapping[str, str]) -> list[Para]:
    if p.action_matches is None:
        return []
    called = p.level_called_for
    if called is not None:
        text = f"{called} {titles.get(called, '')}".strip()
        if not p.level_certain:
            text += f" (at least: {', '.join(p.missing)} never asked, so the level could be higher)"
    elif p.complete:
        text = "none (a negative screen: every item asked, every answer no)"
    elif not p.begun:
        text = "cannot be known: the screen was never begun"
    else:
        text = f"cannot be known: the screen was not completed ({', '.join(p.missing)} never asked)"
    out = [para(("Triage called for by what you heard: ", "bold"), literal(text), indent=2)]
    if p.level_action:
        out.append(para(_flat(p.level_action), indent=4))
    taken = p.action_taken
    out.append(para(("Action you took: ", "bold"),
                    literal(f"{taken} {titles.get(taken, '')}".strip() if taken else "none"),
                    (f"  {triage_verdict(p)}", "bold"), indent=2))
    return out


def _rating(c: CompetencyResult) -> list[Para]:
    if c.rating is None:
        return [para(("not rated: ", "bold"), literal(c.label), indent=4)]
    boxes = "■" * c.rating + "□" * (5 - c.rating)
    line: list[str | Content | tuple[str, str]] = [(f"{c.rating}/5 {boxes}", "bold"), " ", literal(c.label),
                                                   f" ({_pct(c.share)} of the possible)"]
    if c.capped:
        line.append((", capped by a critical action", "bold"))
    out = [para(*line, indent=4)]
    if c.evidence:
        out.append(para("Evidence: ", literal(", ".join(c.evidence), "italic"), indent=4))
    return out


def competencies_section(d: Debrief) -> list[Para]:
    if not d.competencies:
        return [para("This scenario claims no competencies.")]
    out = [para(("CSWE 2022 EPAS, rated 1–5 as in field evaluations (3 meets expectations):", "italic"))]
    for c in d.competencies:
        out.append(para((c.id, "bold"), " ", literal(c.title), indent=2))
        out += _rating(c)
    return out
