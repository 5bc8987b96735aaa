"""The answer-cue audit: can a trainee pass an assessment without judging the options?

A pass must mean the trainee chose well, not that they spotted a pattern in how the options are
written. From the exhaustive analysis this module computes, for one scenario:

* **the random chooser**: the exact probability (a fraction) that a trainee who picks uniformly
  at random among the open choices at every decision passes, under the scoring engine's pass
  rule (:func:`casesim.scoring.engine.meets_share`: a share of the expert path's points, and no
  critical action or missed requirement when the rule says so);
* **naive strategies**: where always taking the longest option, the shortest, the one with the
  most empathy words (:data:`EMPATHY_WORDS`) or the one shown first (pressing 1) leads, and
  whether that passes. The position an option is listed in carries information only on a node
  with ``order: fixed``: on a shuffled node (the default) the option shown first is drawn from
  the attempt's seed, so a trainee pressing 1 there picks at random. "Pressing 1" is therefore
  exact only where every node is fixed; otherwise its pass probability is computed like the
  random chooser's, with the first listed option at fixed nodes and a uniform pick at shuffled
  ones, and it fails the audit above the same limit;
* **cues per decision** on the expert path: is the expert's option the longest, the shortest,
  the first listed on a fixed-order node, the one with the most empathy words, the only one shaped as a question or a
  reflection; and the count across the scenario.

Timers. A timer running out is not something a trainee chooses: both the random chooser and the
strategies answer before the clock ends (they never wait). A timeout is taken only at a node
where no choice is open, because it is then the only way on.

How the probability is computed. The pass rule depends on the whole path's points, so the value
of a state is not one number: for each state the audit computes the distribution of the points
still to be earned on the way to an ending that can pass (no critical step, every requirement
met), weighted by the random chooser's probability. Points are whole numbers, so a distribution
is a short list, kept exactly as integer numerators over one common denominator. States are
handled successors first (the analysis' strongly connected components in reverse topological
order). A component with a loop earns no points inside it (a scoring loop is an error the lint
reports, and the audit is then not computed), so its states' distributions solve one linear
system, done exactly with fractions. The start state's distribution, summed over the totals that
meet the pass rule, is the pass probability.

Most states share their whole future with many others: they differ only in a variable that
changes a client line, or in history nothing reads any more. So the audit first merges them
(:func:`_merge_states`): outside loops, two states are one when they are both endings that can
(or cannot) pass, or when they offer the same steps leading to states already merged into one.
Every strategy here picks from a state's steps alone, so merged states have the same
distribution, and the figures are exactly those of the unmerged graph, computed once per class
instead of once per state (the bundled scenarios have a few hundred to a few thousand classes
for up to 250,000 states).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from casesim.format.scenario import Scenario
from casesim.scoring.engine import expert_points, meets_share, share_of_expert
from casesim.semantics.explore import Analysis
from casesim.semantics.order import is_shuffled
from casesim.semantics.program import (
    Program,
    State,
    Step,
    apply,
    initial_state,
    is_final,
    project,
    replay,
    unmet_requirements,
)

__all__ = [
    "Audit",
    "DecisionCues",
    "EMPATHY_WORDS",
    "RANDOM_PASS_LIMIT",
    "REFLECTION_OPENINGS",
    "STRATEGIES",
    "StrategyOutcome",
    "audit_scenario",
    "audit_summary",
    "audit_text",
    "empathy_words",
    "is_question_or_reflection",
]

RANDOM_PASS_LIMIT = Fraction(1, 20)
"""The most a random chooser may pass an assessment (5 %) before the audit objects."""

EMPATHY_WORDS = frozenset({
    "feel", "feeling", "feelings", "felt", "hear", "hearing", "sounds", "understand",
    "understandable", "sense", "hard", "difficult", "imagine", "sorry", "worried", "scary",
    "frustrating", "overwhelming", "together", "care",
})
"""Words a test-wise trainee takes as the sign of the "empathic" option. Small on purpose: it is
the surface a naive strategy sees, not a measure of empathy."""

REFLECTION_OPENINGS = (
    "it sounds", "sounds like", "you feel", "you're feeling", "you are feeling", "it seems",
    "you seem", "you're saying", "you are saying", "what i'm hearing", "i hear", "so you",
    "part of you", "you've been", "you have been", "it's been", "you're worried", "you're not sure",
)
"""How a reflection usually opens; with a question mark anywhere, what makes an option look
like the MI-consistent one."""

_WORD = re.compile(r"[a-z']+")


def empathy_words(text: str) -> int:
    """How many words of ``text`` are in :data:`EMPATHY_WORDS`."""
    return sum(1 for word in _WORD.findall(text.lower()) if word in EMPATHY_WORDS)


def is_question_or_reflection(text: str) -> bool:
    """Whether ``text`` reads as a question (a question mark) or opens like a reflection."""
    plain = text.strip().lstrip("\"'“‘(").lower()
    return "?" in text or plain.startswith(REFLECTION_OPENINGS)


def _say(step: Step) -> str:
    return step.say or ""


_Pick = Callable[[Sequence[Step]], Step]


def _longest(options: Sequence[Step]) -> Step:
    return max(options, key=lambda s: len(_say(s)))


def _shortest(options: Sequence[Step]) -> Step:
    return min(options, key=lambda s: len(_say(s)))


def _warmest(options: Sequence[Step]) -> Step:
    return max(options, key=lambda s: empathy_words(_say(s)))


def _first(options: Sequence[Step]) -> Step:
    return options[0]


STRATEGIES: dict[str, tuple[str, _Pick]] = {
    "longest": ("the longest option", _longest),
    "shortest": ("the shortest option", _shortest),
    "empathy-words": ("the option with the most empathy words", _warmest),
    "first-listed": ("the option shown first (pressing 1)", _first),
}
"""The naive strategies by name: a description and how each picks among the open options in file
order. Ties go to the option listed first (``max``/``min`` keep the first of equals). On shuffled
nodes ``first-listed`` is not a deterministic pick (see :func:`audit_scenario`)."""


@dataclass(frozen=True, slots=True)
class StrategyOutcome:
    """Where one naive strategy leads."""

    name: str
    description: str
    path: tuple[str, ...]
    """The choice ids it takes, in order."""
    ending: str | None
    """The ending reached, or None when it loops forever or gets stuck."""
    points: int
    share: float
    """Its share of the expert path's points, as the pass rule measures it."""
    critical: tuple[str, ...]
    """Critical choices taken and requirements missed."""
    passed: bool
    pass_probability: Fraction | None = None
    """Set when the strategy meets shuffled nodes (pressing 1 there picks at random): the exact
    probability that it passes. ``passed`` is then this above :data:`RANDOM_PASS_LIMIT`, and
    ``path``/``ending`` are the walk through the file order, one of the paths it can take."""

@dataclass(frozen=True, slots=True)
class DecisionCues:
    """One decision on the expert path (two or more open options) and what singles out the best."""

    node: str
    best: str
    """The expert path's choice here."""
    options: int
    longest: bool
    """The best option is strictly longer (in characters) than every other."""
    shortest: bool
    first: bool
    """The best option is listed first on a node with ``order: fixed`` (elsewhere position is drawn
    per attempt and singles out nothing)."""
    most_empathy_words: bool
    """The best option has strictly more empathy words than every other."""
    only_question_or_reflection: bool
    """The best option is the only one shaped as a question or a reflection."""
    picked_by: frozenset[str] = frozenset()
    """The naive strategies (keys of :data:`STRATEGIES`) that pick the best option here."""


CUES: dict[str, str] = {
    "longest": "the longest",
    "shortest": "the shortest",
    "first": "listed first on a fixed-order node",
    "most_empathy_words": "the one with the most empathy words",
    "only_question_or_reflection": "the only question or reflection",
}
"""Each per-decision cue and how a sentence names it."""


@dataclass(frozen=True)
class Audit:
    """The answer-cue audit of one scenario."""

    scenario: str
    random_pass: Fraction | None
    """Probability that a random chooser passes; None when it cannot be computed (the analysis
    was incomplete, or points can be earned on a loop)."""
    expert_points: int
    min_share: float
    strategies: tuple[StrategyOutcome, ...]
    decisions: tuple[DecisionCues, ...]
    """Cues at each decision of the expert path with at least two open options."""

    def cue_count(self, cue: str) -> int:
        """At how many of :attr:`decisions` the cue ``cue`` (a key of :data:`CUES`) singles out the best."""
        return sum(1 for d in self.decisions if getattr(d, cue))

    @property
    def random_fails(self) -> bool:
        return self.random_pass is not None and self.random_pass > RANDOM_PASS_LIMIT

    @property
    def passed(self) -> bool | None:
        """Whether the scenario survives the audit: no naive strategy passes, and a random
        chooser passes at most :data:`RANDOM_PASS_LIMIT` of the time. None when the random
        chooser could not be computed and no strategy passes (then nothing is proven)."""
        if any(s.passed for s in self.strategies) or self.random_fails:
            return False
        return None if self.random_pass is None else True

    @property
    def verdict(self) -> str:
        return {True: "passed", False: "failed", None: "undecided"}[self.passed]

    def findings(self) -> list[str]:
        """What fails the audit, each in plain words with what to change."""
        out: list[str] = []
        n = len(self.decisions)
        change = {
            "longest": ("longest", "vary option length so length is not a cue"),
            "shortest": ("shortest", "vary option length so length is not a cue"),
            "empathy-words": ("most_empathy_words", "let weaker options use warm words too, and vary where the best option is listed (ties go to the first)"),
            "first-listed": ("first", "vary where the best option is listed, so position is not a cue"),
        }
        for s in self.strategies:
            if not s.passed:
                continue
            cue, advice = change[s.name]
            picks = sum(1 for d in self.decisions if s.name in d.picked_by)
            if s.pass_probability is not None:
                out.append(f"always choosing {s.description} passes {_percent(s.pass_probability)} of the time (the "
                           f"order is drawn per attempt on shuffled nodes; at most {_percent(RANDOM_PASS_LIMIT)} is "
                           f"allowed); the best option is {CUES[cue]} at {self.cue_count(cue)} of {n} decisions of "
                           "the expert path; vary where the best option is listed on fixed-order nodes, and make "
                           "weak options cost points")
                continue
            out.append(f"always choosing {s.description} passes ({s.share:.0%} of the expert path's points, ending "
                       f"{s.ending!r}); it picks the best option at {picks} of {n} decisions of the expert path, "
                       f"where the best option is {CUES[cue]} at {self.cue_count(cue)}; {advice}")
        if self.random_fails and self.random_pass is not None:
            out.append(f"a trainee choosing at random passes {_percent(self.random_pass)} of the time (at most "
                       f"{_percent(RANDOM_PASS_LIMIT)} is allowed); make more weak options cost points or lead to "
                       "a poor ending, or raise pass_rule.min_share")
        return out

    def to_json(self) -> dict[str, Any]:
        rp = self.random_pass
        return {
            "random_pass": float(rp) if rp is not None else None,
            "random_pass_exact": f"{rp.numerator}/{rp.denominator}" if rp is not None else None,
            "random_pass_limit": float(RANDOM_PASS_LIMIT),
            "strategies": [{"name": s.name, "description": s.description, "ending": s.ending,
                            "points": s.points, "share": round(s.share, 4), "critical": list(s.critical),
                            "passed": s.passed, "path": list(s.path),
                            "pass_probability": None if s.pass_probability is None else float(s.pass_probability)}
                           for s in self.strategies],
            "decisions": len(self.decisions),
            "cues": {cue: self.cue_count(cue) for cue in CUES},
            "strategy_picks_best": {name: sum(1 for d in self.decisions if name in d.picked_by) for name in STRATEGIES},
            "per_decision": [{"node": d.node, "best": d.best, "options": d.options,
                              **{cue: getattr(d, cue) for cue in CUES},
                              "picked_by": sorted(d.picked_by)} for d in self.decisions],
            "passed": self.passed,
            "findings": self.findings(),
        }


def _percent(p: Fraction) -> str:
    value = float(p) * 100
    if value == 0 or value >= 1:
        return f"{value:.1f}%".replace(".0%", "%")
    return f"{value:.2g}%"


def audit_summary(audit: Audit) -> str:
    """The audit in one paragraph (the library page's line for a scenario)."""
    rp = "not computed" if audit.random_pass is None else _percent(audit.random_pass)
    strategies = "; ".join(
        f"{s.description}: {'passes' if s.passed else 'fails'} "
        + (f"({_percent(s.pass_probability)} of the time, random on shuffled nodes)" if s.pass_probability is not None
           else f"({s.ending or 'no ending'}, {s.share:.0%}"
           + (", with a critical action or missed requirement)" if s.critical else ")"))
        for s in audit.strategies)
    n = len(audit.decisions)
    cues = ", ".join(f"{CUES[c]} at {audit.cue_count(c)}" for c in CUES)
    return (f"{audit.verdict.capitalize()}. A trainee choosing at random passes {rp} of the time. Always choosing {strategies}. "
            f"At the {n} decisions of the expert path, the best option is {cues}.")


def audit_text(audit: Audit, *, per_decision: bool = False) -> list[str]:
    """The audit as ``casesim analyse`` prints it."""
    lines = [f"  answer-cue audit: {audit.verdict.upper() if audit.passed is False else audit.verdict} "
             f"(a random chooser may pass at most {_percent(RANDOM_PASS_LIMIT)}; no naive strategy may pass)"]
    if audit.random_pass is None:
        lines.append("    random chooser: not computed (the analysis is incomplete, or points can be earned on a loop)")
    else:
        lines.append(f"    random chooser passes: {_percent(audit.random_pass)}")
    for s in audit.strategies:
        where = f"ending {s.ending}" if s.ending else "never reaches an ending"
        critical = f", critical: {', '.join(s.critical)}" if s.critical else ""
        picks = sum(1 for d in audit.decisions if s.name in d.picked_by)
        if s.pass_probability is not None:
            lines.append(f"    always {s.description}: passes {_percent(s.pass_probability)} of the time (the order "
                         f"is drawn per attempt on shuffled nodes) -> {'PASSES' if s.passed else 'fails'}")
            continue
        lines.append(f"    always {s.description}: {where}, {s.share:.0%} of the expert path's points{critical}"
                     f" -> {'PASSES' if s.passed else 'fails'} (picks the best option at {picks} of "
                     f"{len(audit.decisions)} expert decisions)")
    n = len(audit.decisions)
    lines.append(f"    the best option at the {n} decisions of the expert path is:")
    lines += [f"      {CUES[c]} at {audit.cue_count(c)} of {n}" for c in CUES]
    lines += [f"    ! {finding}" for finding in audit.findings()]
    if per_decision:
        lines.append("    per decision (node: best choice of N options; what singles it out):")
        for d in audit.decisions:
            marks = ", ".join(CUES[c] for c in CUES if getattr(d, c)) or "nothing on the surface"
            lines.append(f"      {d.node}: {d.best} of {d.options}; {marks}")
    return lines


def audit_scenario(scenario: Scenario, analysis: Analysis) -> Audit:
    """The answer-cue audit of ``scenario`` from its exhaustive ``analysis``."""
    best = expert_points(analysis)
    random_pass = None
    computable = analysis.complete and not analysis.scoring_cycles and bool(analysis.states)
    graph = _merge_states(analysis, scenario.pass_rule.no_critical) if computable else None
    if graph is not None:
        random_pass = _random_pass(graph, best, scenario.pass_rule.min_share)
    strategies = tuple(_follow(analysis, name, best) for name in STRATEGIES)
    if any(is_shuffled(analysis.program, node) for node in scenario.nodes):
        # Pressing 1 on a shuffled node picks whatever the seed put first: a uniform pick.
        first = next(s for s in strategies if s.name == "first-listed")
        probability = (_random_pass(graph, best, scenario.pass_rule.min_share, moves=_pressing_first)
                       if graph is not None else None)
        passed = probability is not None and probability > RANDOM_PASS_LIMIT
        strategies = tuple(dataclasses.replace(s, passed=passed, pass_probability=probability) if s is first else s
                           for s in strategies)
    return Audit(scenario.id, random_pass, best, scenario.pass_rule.min_share, strategies, _cues(analysis))


def _moves(out: Sequence[tuple[Step, int]], program: Program | None = None) -> list[tuple[Step, int]]:
    """What a trainee who never waits can do at a state whose steps are ``out``: the open
    choices, or the timeout when no choice is open."""
    choices = [(step, target) for step, target in out if not step.is_timeout]
    return choices or list(out)


def _pressing_first(out: Sequence[tuple[Step, int]], program: Program | None = None) -> list[tuple[Step, int]]:
    """What a trainee who always presses 1 does at a state whose steps are ``out``: the first
    listed choice on a fixed-order node; on a shuffled node any open choice, equally likely (the
    one the seed shows first). A node revisited in one attempt shows the same order again;
    treating each visit as a fresh draw is the approximation this makes."""
    moves = _moves(out)
    if moves and not moves[0][0].is_timeout and program is not None and not is_shuffled(program, moves[0][0].node):
        return moves[:1]
    return moves


def _follow(analysis: Analysis, name: str, best: int) -> StrategyOutcome:
    """Where a trainee who always picks by ``name`` ends up.

    The walk carries the session's real state and stops when its projection repeats (a
    deterministic walk that revisits a state loops forever). It must not stop on a repeated
    analysis state: with the live-variable merge, states that differ only in a dead variable
    (a meter nothing reads any more) share an index, so a walk around a loop that raises that
    meter would stop sooner, and report a shorter path and fewer points, than without it.
    """
    description, pick = STRATEGIES[name]
    program = analysis.program
    rule = program.scenario.pass_rule
    state: State = initial_state(program)
    seen = {project(program, state)}
    path: list[str] = []
    critical: list[str] = []
    points = 0
    ending: str | None = None
    while True:
        if is_final(program, state):
            ending = state.node
            # The analysis' states keep only a verdict for the protocol duties; the full state
            # of the path names which were missed.
            critical.extend(unmet_requirements(program, replay(program, path).final))
            break
        sid = analysis.state_id(state)
        if sid is None:  # the analysis stopped at its budget before reaching this state
            break
        moves = _moves(analysis.edges[sid])
        if not moves:
            break
        chosen = pick([step for step, _ in moves])
        path.append(chosen.id)
        points += chosen.weight
        if chosen.critical is not None:
            critical.append(chosen.id)
        state = apply(program, state, chosen)
        key = project(program, state)
        if key in seen:
            break
        seen.add(key)
    passed = (ending is not None and not (rule.no_critical and critical)
              and meets_share(points, best, rule.min_share))
    return StrategyOutcome(name, description, tuple(path), ending, points, share_of_expert(points, best),
                           tuple(critical), passed)


def _cues(analysis: Analysis) -> tuple[DecisionCues, ...]:
    out: list[DecisionCues] = []
    sid = 0
    for step_id in analysis.expert_path:
        moves = analysis.edges[sid]
        # A neutral choice (unscored on purpose) is no rival whose wording could give the answer away.
        options = [step for step, _ in moves if not step.is_timeout and not step.neutral]
        chosen = next((step, t) for step, t in moves if step.id == step_id)
        step, target = chosen
        if not step.is_timeout and not step.neutral and len(options) >= 2:
            others = [o for o in options if o is not step]
            length = len(_say(step))
            warm = empathy_words(_say(step))
            shaped = is_question_or_reflection(_say(step))
            out.append(DecisionCues(
                node=step.node, best=step.id, options=len(options),
                longest=all(length > len(_say(o)) for o in others),
                shortest=all(length < len(_say(o)) for o in others),
                first=options[0] is step and not is_shuffled(analysis.program, step.node),
                most_empathy_words=all(warm > empathy_words(_say(o)) for o in others),
                only_question_or_reflection=shaped and not any(is_question_or_reflection(_say(o)) for o in others),
                picked_by=frozenset(name for name, (_, pick) in STRATEGIES.items() if pick(options) is step
                                    and (name != "first-listed" or not is_shuffled(analysis.program, step.node))),
            ))
        sid = target
    return tuple(out)


# --- the random chooser ------------------------------------------------------------------


@dataclass(slots=True)
class _Dist:
    """Probability of reaching a passable ending with each number of points still to earn:
    ``nums[i] / den`` for ``low + i`` points. Empty ``nums``: no passable ending is reachable."""

    low: int
    nums: list[int]
    den: int


_NOTHING = _Dist(0, [], 1)
_Exits = tuple[list[tuple[Fraction, _Dist, int]], list[tuple[Fraction, int]], int]


def _mix(parts: Sequence[tuple[Fraction, _Dist, int]]) -> _Dist:
    """Sum of ``weight * dist`` shifted by ``points``, for each (weight, dist, points), exactly."""
    parts = [p for p in parts if p[1].nums and p[0]]
    if not parts:
        return _NOTHING
    if len(parts) == 1 and parts[0][0] == 1:  # one way on: share the list (never mutated once built)
        _, dist, points = parts[0]
        return _Dist(dist.low + points, dist.nums, dist.den)
    den = 1
    for weight, dist, _ in parts:
        den = math.lcm(den, weight.denominator * dist.den)
    low = min(dist.low + points for _, dist, points in parts)
    high = max(dist.low + points + len(dist.nums) for _, dist, points in parts)
    nums = [0] * (high - low)
    for weight, dist, points in parts:
        factor = weight.numerator * (den // (weight.denominator * dist.den))
        offset = dist.low + points - low
        end = offset + len(dist.nums)
        nums[offset:end] = [a + b * factor for a, b in zip(nums[offset:end], dist.nums, strict=True)]
    return _Dist(low, nums, den)


@dataclass(frozen=True, slots=True)
class _Graph:
    """The analysis' state graph with the states that share their whole future merged into
    classes (:func:`_merge_states`); the random chooser is computed over this."""

    program: Program
    edges: list[list[tuple[Step, int]]]
    """Per class: the steps out of it and the class each leads to."""
    passable: list[bool | None]
    """Per class: None when it is not an ending, else whether ending there can pass."""
    comp: list[int]
    comps: list[list[int]]
    """The components of the class graph, successors first (a loop of states stays a loop of
    classes of one state each)."""
    start: int
    """The class of the start state."""


def _merge_states(analysis: Analysis, no_critical: bool) -> _Graph:
    """Merge the states of ``analysis`` that share their whole future.

    Outside loops, states are visited successors first, and a state joins the class of an
    earlier one with the same key: for an ending, whether it can pass; otherwise its steps, in
    order, each with the class it leads to. States on a loop keep a class of their own each.
    """
    program = analysis.program
    comp, comps = analysis.components
    states = analysis.states
    endings = program.scenario.endings
    classes = [-1] * len(states)  # -1: not merged yet (outside loops, only the state itself)
    keys: dict[tuple[object, ...], int] = {}
    edges: list[list[tuple[Step, int]]] = []
    passable: list[bool | None] = []
    merged_comp: list[int] = []
    merged_comps: list[list[int]] = []
    for members in comps:
        sid = members[0]
        out = analysis.edges[sid]
        if len(members) == 1:
            key: tuple[object, ...]
            ending: bool | None = None
            if states[sid].node in endings:
                # At an ending, a clean path remains exactly when every requirement is met.
                ending = not no_critical or analysis.best_to_go[sid] != -math.inf
                key = (ending,)
            else:
                key = tuple(item for step, target in out for item in (step.id, classes[target]))
            if -1 not in key:  # else a step loops back to this state: a loop of one
                found = keys.get(key)
                if found is None:
                    found = keys[key] = len(edges)
                    edges.append([(step, classes[target]) for step, target in out])
                    passable.append(ending)
                    merged_comp.append(len(merged_comps))
                    merged_comps.append([found])
                classes[sid] = found
                continue
        first = len(edges)
        for i, member in enumerate(members):
            classes[member] = first + i
        for member in members:
            edges.append([(step, classes[target]) for step, target in analysis.edges[member]])
            passable.append(None)  # an ending has no steps, so it is never on a loop
            merged_comp.append(len(merged_comps))
        merged_comps.append(list(range(first, first + len(members))))
    return _Graph(program, edges, passable, merged_comp, merged_comps, classes[0])


def _random_pass(graph: _Graph, best: int, min_share: float,
                 moves: Callable[[Sequence[tuple[Step, int]], Program], list[tuple[Step, int]]] | None = None,
                 ) -> Fraction:
    """The exact probability of passing for a trainee who picks uniformly among ``moves`` at each
    state (by default every open choice: the random chooser)."""
    moves_at = moves or _moves
    program = graph.program
    no_critical = program.scenario.pass_rule.no_critical
    comp, comps = graph.comp, graph.comps
    dists: list[_Dist] = [_NOTHING] * len(graph.edges)

    def exits(sid: int) -> _Exits:
        """Moves out of ``sid``'s component (weight, distribution there, points), moves within
        it (weight, target), and how many moves there are. A critical move leads nowhere passable."""
        moves = moves_at(graph.edges[sid], program)
        weight = Fraction(1, len(moves)) if moves else Fraction(0)
        out: list[tuple[Fraction, _Dist, int]] = []
        inside: list[tuple[Fraction, int]] = []
        for step, target in moves:
            if no_critical and step.critical is not None:
                continue
            if comp[target] == comp[sid]:
                inside.append((weight, target))
            else:
                out.append((weight, dists[target], step.weight))
        return out, inside, len(moves)

    for members in comps:
        if len(members) == 1:
            sid = members[0]
            passable = graph.passable[sid]
            if passable is not None:
                dists[sid] = _Dist(0, [1], 1) if passable else _NOTHING
                continue
            out, inside, _ = exits(sid)
            if not inside:
                dists[sid] = _mix(out)
                continue
        _solve_component(members, exits, dists)
    start = dists[graph.start]
    total = sum((value for i, value in enumerate(start.nums) if meets_share(start.low + i, best, min_share)), 0)
    return Fraction(total, start.den)


def _solve_component(members: list[int], exits: Callable[[int], _Exits], dists: list[_Dist]) -> None:
    """Distributions for the states of a loop: x = Q x + b, solved exactly.

    Steps inside a component carry no points (scoring loops are excluded), so every member's
    distribution is a mix of the exits' distributions: x_s = sum_e A[s][e] exit_e with
    A = (I - Q)^-1 R. States that cannot leave the loop at all are 0 (they never end), which
    makes I - Q invertible on the rest.
    """
    moves = {sid: exits(sid) for sid in members}
    # A member leaks when some move leaves the loop (an exit, or a critical move that ends any
    # chance to pass) or when it has no move at all; members that cannot reach a leak stay in
    # the loop forever.
    leaves = {sid for sid, (_, inside, count) in moves.items() if len(inside) < count or count == 0}
    changed = True
    while changed:
        changed = False
        for sid, (_, inside, _count) in moves.items():
            if sid not in leaves and any(t in leaves for _, t in inside):
                leaves.add(sid)
                changed = True
    live = [sid for sid in members if sid in leaves]
    for sid in members:
        if sid not in leaves:
            dists[sid] = _NOTHING
    if not live:
        return
    pos = {sid: i for i, sid in enumerate(live)}
    size = len(live)
    exit_list: list[tuple[int, Fraction, _Dist, int]] = []
    matrix = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    for sid in live:
        out, inside, _ = moves[sid]
        for weight, target in inside:
            if target in pos:
                matrix[pos[sid]][pos[target]] -= weight
        exit_list.extend((pos[sid], w, d, p) for w, d, p in out)
    inverse = _invert(matrix)
    for sid in live:
        row = inverse[pos[sid]]
        dists[sid] = _mix([(row[src] * weight, dist, points) for src, weight, dist, points in exit_list])


def _invert(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """The inverse of a nonsingular square matrix, by Gauss-Jordan elimination over fractions."""
    n = len(matrix)
    work = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if work[r][col] != 0)
        work[col], work[pivot] = work[pivot], work[col]
        head = work[col][col]
        work[col] = [v / head for v in work[col]]
        for r in range(n):
            if r != col and work[r][col] != 0:
                factor = work[r][col]
                work[r] = [a - factor * b for a, b in zip(work[r], work[col], strict=True)]
    return [row[n:] for row in work]
