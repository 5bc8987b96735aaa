"""Exhaustive analysis of a scenario over every reachable (node, state) pair.

The analysis expands states with the same pure functions the engine uses
(:func:`casesim.semantics.program.open_choices` and :func:`~casesim.semantics.program.apply`), so
what it proves is true of every live session. To keep the space finite and small, a state is
*projected* before it is stored: only the visited nodes and made choices that some expression
asks about are kept, because nothing else can change what happens next. Two sessions with the
same projection behave identically from then on. And by default (``merge``) two projected
states that differ only in variables nothing from their node on reads are filed as one, under
their :func:`~casesim.semantics.program.merge_key`, keeping the first that was reached
(:mod:`casesim.semantics.liveness`): a working flag no later step reads no longer multiplies the
states to the end of the scenario.

From the state graph it derives: reachable nodes and endings; choices that are never open; dead
ends (a non-ending state where nothing is open); states from which no ending can be reached (a
cycle with no exit); the number of distinct complete paths (bounded); and, over every complete
path, the best and worst achievable points per criterion and in total, the expert path, and the
best total still achievable from any state (used by the debrief to name the better choice).

Exploring is bounded three ways, so a scenario that would explode cannot hold a process for
minutes or gigabytes (six 0..20 counters in a loop are 21^6, about 86 million, states):

* before exploring, :func:`estimate_states` multiplies the nodes and endings by every number variable's
  range; past ``REFUSE_ESTIMATE`` the space is refused at once, unexplored. Number variables
  that can go up and down fill their ranges, so this part of the estimate is rarely far off;
  flags and observed history also multiply the full upper bound, but are usually correlated
  with the path taken, so they are reported, not refused on;
* while exploring, a :class:`Budget` of states, wall-clock seconds and memory stops the search.

Either way the analysis is marked incomplete with the reason and the estimate, and the lint
reports ``state-space-too-large`` instead of guessing at reachability.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from operator import add

from casesim.collector import paused
from casesim.semantics.program import (
    Program,
    State,
    Step,
    apply,
    initial_state,
    is_final,
    merge_key,
    open_choices,
    project,
    timeout_step,
    unmet_requirements,
)

__all__ = ["Analysis", "Budget", "Extremes", "StateEstimate", "analyse", "estimate_states", "points_text",
           "DEFAULT_STATE_LIMIT", "PATH_COUNT_CAP", "REFUSE_ESTIMATE"]

DEFAULT_STATE_LIMIT = 2_000_000
REFUSE_ESTIMATE = 5_000_000
"""Nodes and endings × the product of the number variables' ranges above which exploring is
refused. The bundled scenarios reach at most about 30,000 on this measure; the six-counter loop,
86 million per node."""
_CHECK_EVERY = 4096
"""States explored between two looks at the clock and the memory."""
PATH_COUNT_CAP = 10**15
TOTAL = "total"
_NEG = float("-inf")
_POS = float("inf")

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extremes:
    """Worst and best achievable raw points for one criterion (or the total) over complete paths.

    None means unbounded: a step that costs (for ``worst``) or earns (for ``best``) points sits
    on a loop that a trainee can go round as often as they like and still finish, so no number
    is the worst (or best). The lint reports such a loop as ``scoring-cycle``; callers print
    "unbounded" rather than any finite figure, which would be wrong.
    """

    worst: int | None
    best: int | None


def points_text(value: int | None) -> str:
    """An extreme as a trainer reads it: the number of points, or "unbounded" (see :class:`Extremes`)."""
    return "unbounded" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Budget:
    """How much one exploration may spend before it stops and reports itself incomplete."""

    states: int | None = None
    """Most distinct states kept; None for ``DEFAULT_STATE_LIMIT``."""
    seconds: float = 60.0
    """Most wall-clock seconds spent exploring."""
    memory_bytes: int = 768 * 1024 * 1024
    """Most growth of the process's resident memory while exploring (where it can be read)."""


@dataclass(frozen=True, slots=True)
class StateEstimate:
    """An upper bound on the distinct states of a scenario, and the part of it that is refused on."""

    numeric: int
    """Nodes and endings × the product of every number variable's range size."""
    total: int
    """``numeric`` × 2 to the power of (flags + observed visited() nodes + observed chose() choices)."""

    def describe(self, program: Program) -> str:
        sizes = [hi - lo + 1 for bound in program.bounds if bound is not None for lo, hi in [bound]]
        shown = " × ".join(f"{size}" for size in sizes) if sizes else "1"
        places = len(program.scenario.nodes) + len(program.scenario.endings)
        return f"{places} nodes and endings × {shown} values of the number variables"


def estimate_states(program: Program) -> StateEstimate:
    """An upper bound on the states :func:`analyse` could reach, computed without exploring."""
    sizes = [hi - lo + 1 for bound in program.bounds if bound is not None for lo, hi in [bound]]
    places = len(program.scenario.nodes) + len(program.scenario.endings)
    numeric = places * math.prod(sizes)
    flags = sum(1 for bound in program.bounds if bound is None)
    observed = flags + len(program.relevant_nodes) + len(program.relevant_choices)
    return StateEstimate(numeric, numeric * 2 ** min(observed, 200))


@dataclass(frozen=True, eq=False)
class Analysis:
    """What is true of every possible session of one scenario, complete when :func:`analyse` returns."""

    program: Program
    states: list[State]
    """Every reachable projected state; index 0 is the start."""
    edges: list[list[tuple[Step, int]]]
    """Outgoing (step, target state index) per state, timeouts included."""
    index: dict[State, int]
    """The index of each state by its projection, or, when ``merged``, by its merge key."""
    complete: bool
    """False when the state limit was hit; then only ``states`` explored so far are described."""
    reachable_nodes: frozenset[str]
    reachable_endings: frozenset[str]
    steps_taken: frozenset[str]
    """Ids of choices (and timeouts) open in at least one reachable state."""
    dead_ends: tuple[int, ...]
    """States at a non-ending node where no choice is open and no timer runs."""
    trapped: tuple[int, ...]
    """States that are not dead ends but from which no ending can be reached."""
    can_finish: list[bool]
    """Per state, whether some ending can still be reached from it."""
    path_count: int
    """Distinct complete paths (capped at PATH_COUNT_CAP); -1 when a cycle makes it unbounded."""
    scoring_cycles: tuple[str, ...]
    """Ids of scoring choices that sit on a cycle (points could be farmed by repeating them)."""
    total: Extremes | None
    """Worst/best total points over complete paths (None when no ending can be reached)."""
    extremes: Mapping[str, Extremes]
    """Worst/best raw points per criterion of ``program.criteria``, and for ``total``, over
    complete paths: what scoring normalises against. Empty when no ending can be reached."""
    best_any_to_go: list[float]
    """Best total points still achievable from each state on any complete path."""
    best_to_go: list[float]
    """Best total points still achievable from each state on a clean path (no critical action,
    requirements met at the end); -inf where no clean path remains."""
    clean_path_exists: bool
    expert_path: tuple[str, ...]
    """Choice ids of the expert path: the choices the author marked `expert: true` where a node has
    some open (the best of them), elsewhere the best clean total, ties broken by author order."""
    components: tuple[list[int], list[list[int]]]
    """The strongly connected components of the state graph: the component of each state, and
    the members of each component, successors first (reverse topological order)."""
    estimate: StateEstimate | None = None
    """The upper bound computed before exploring."""
    best_path: tuple[str, ...] = ()
    """The best-scoring clean path, ignoring the author's `expert: true` marks: the same as
    ``expert_path`` unless the marks lead elsewhere (``validate`` then warns)."""
    stopped: str | None = None
    """Why the exploration stopped early (None when it is complete): ``estimate`` (refused
    unexplored), ``states``, ``seconds`` or ``memory`` (a :class:`Budget` ran out)."""
    merged: bool = False
    """States differing only in dead variables were merged: ``index`` is keyed by
    :func:`~casesim.semantics.program.merge_key`, and each of ``states`` is the first real
    state reached with its key (its dead variables hold that session's values)."""

    @property
    def expert_total(self) -> int | None:
        """The best total a clean path earns from the start (the expert path's points), or None
        when no clean path reaches an ending."""
        return int(self.best_to_go[0]) if self.clean_path_exists else None

    def state_id(self, state: State) -> int | None:
        """The index of the projection (the merge key, when merged) of a live session's
        ``state``, if it was reached."""
        key = project(self.program, state)
        return self.index.get(merge_key(self.program, key) if self.merged else key)

    @property
    def state_count(self) -> int:
        return len(self.states)

    def value_after(self, state: State, step: Step) -> float:
        """The best total reachable after taking ``step`` at ``state``, counting ``step``'s points.

        Uses clean paths where one remains from ``state``; once every remaining path is
        unclean (a critical action was already taken), uses the best of any path, so the
        debrief can still name a better choice for each later decision.
        """
        sid = self.state_id(state)
        if sid is None:
            return _NEG
        values = self.best_to_go if self.best_to_go[sid] != _NEG else self.best_any_to_go
        for candidate, target in self.edges[sid]:
            if candidate.id == step.id:
                if values is self.best_to_go and candidate.critical is not None:
                    return _NEG
                return candidate.weight + values[target]
        return _NEG

    def better_choices(self, state: State) -> list[tuple[Step, float]]:
        """Open (non-timeout) steps at ``state``, best first, valued by :meth:`value_after`."""
        sid = self.state_id(state)
        if sid is None:
            return []
        ranked = [(step, self.value_after(state, step)) for step, _ in self.edges[sid] if not step.is_timeout]
        ranked.sort(key=lambda item: -item[1])
        return ranked


def analyse(program: Program, *, state_limit: int | None = None, start: str | None = None,
            budget: Budget | None = None, initial: State | None = None, merge: bool = True) -> Analysis:
    """Explore every reachable state of ``program`` within ``budget`` (``state_limit``, when
    given, overrides its state count; by default ``DEFAULT_STATE_LIMIT``) and derive everything
    :class:`Analysis` holds. A scenario whose :func:`estimate_states` is past
    ``REFUSE_ESTIMATE`` is not explored at all.

    Exploring begins at the scenario's start, at the node ``start``, or in the state
    ``initial`` (what an embedded test sets up, or the state a test's path reached).

    ``merge`` files states that differ only in dead variables as one (see the module doc);
    every result is the same without it, only slower: the switch is there so the tests can
    prove that (``tests/semantics/test_live_merge.py``).

    The cyclic garbage collector is paused meanwhile: exploration allocates millions of small,
    acyclic objects, and repeated full collections over them made the time grow faster than
    the state count. The switch is process-wide, so while a background thread analyses, the
    UI thread's cycles are not collected either; they are once the analysis returns.
    """
    began = time.perf_counter()
    budget = budget or Budget()
    limit = state_limit if state_limit is not None else (
        budget.states if budget.states is not None else DEFAULT_STATE_LIMIT)
    stopped: str | None
    edges: Edges
    with paused():
        estimate = estimate_states(program)
        first = project(program, initial if initial is not None else initial_state(program, start))
        if estimate.numeric > REFUSE_ESTIMATE:
            states, edges, index, stopped = [first], [[]], {merge_key(program, first) if merge else first: 0}, "estimate"
        else:
            states, edges, index, stopped = _explore(program, first, state_limit=limit, budget=budget, merge=merge)
        result = _summarise(program, states, edges, index, stopped is None)
    result = replace(result, estimate=estimate, stopped=stopped, merged=merge)
    # The one figure that explains a slow library load or a late debrief: how big, how long.
    why = {None: "", "estimate": f" (refused: estimated {estimate.numeric:,} states)",
           "states": f" (stopped at the limit of {limit})"}.get(stopped, f" (stopped: {stopped} budget spent)")
    _log.info("analysed scenario %s: %d states%s in %.3f s", program.scenario.id, result.state_count,
              why, time.perf_counter() - began)
    return result


Edges = list[list[tuple[Step, int]]]


def _explore(program: Program, first: State, *, state_limit: int, budget: Budget,
             merge: bool) -> tuple[list[State], Edges, dict[State, int], str | None]:
    states: list[State] = [first]
    dead_vars = program.dead_vars if merge else {}
    index: dict[State, int] = {merge_key(program, first) if merge else first: 0}
    edges: Edges = []
    stopped: str | None = None
    queue = 0
    deadline = time.monotonic() + budget.seconds
    memory_at_start = _resident_bytes()
    while queue < len(states):
        if queue % _CHECK_EVERY == 0 and queue:
            if time.monotonic() > deadline:
                stopped = "seconds"
                break
            if memory_at_start is not None and (_resident_bytes() or 0) - memory_at_start > budget.memory_bytes:
                stopped = "memory"
                break
        state = states[queue]
        queue += 1
        out: list[tuple[Step, int]] = []
        edges.append(out)
        if is_final(program, state):
            continue
        steps: Iterable[Step] = open_choices(program, state)
        timeout = timeout_step(program, state)
        if timeout is not None:
            steps = (*steps, timeout)
        for step in steps:
            nxt = apply(program, state, step, observed_only=True)
            key = nxt
            dead = dead_vars.get(nxt.node)
            if dead:  # merge_key inlined: this loop runs once per edge of the state graph
                values = list(nxt.vars)
                for i in dead:
                    values[i] = None
                key = State(nxt.node, tuple(values), nxt.visited, nxt.chosen)
            target = index.get(key)
            if target is None:
                if len(states) >= state_limit:
                    stopped = stopped or "states"
                    continue
                target = len(states)
                index[key] = target
                states.append(nxt)
            out.append((step, target))
    while len(edges) < len(states):
        edges.append([])
    return states, edges, index, stopped


def _resident_bytes() -> int | None:
    """The process's resident memory now, where the OS tells it cheaply (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _summarise(program: Program, states: list[State], edges: Edges, index: dict[State, int],
               complete: bool) -> Analysis:
    n = len(states)
    finals = [is_final(program, s) for s in states]
    reachable_nodes: set[str] = set()
    reachable_endings: set[str] = set()
    steps_taken: set[str] = set()
    dead_ends: list[int] = []
    for sid, state in enumerate(states):
        (reachable_endings if finals[sid] else reachable_nodes).add(state.node)
        for step, _ in edges[sid]:
            steps_taken.add(step.id)
        if not finals[sid] and not edges[sid]:
            dead_ends.append(sid)

    reverse: list[list[int]] = [[] for _ in range(n)]
    for sid, out in enumerate(edges):
        for _, target in out:
            reverse[target].append(sid)
    can_finish = _reaches(reverse, [i for i in range(n) if finals[i]])
    # A state that cannot finish only because it runs into a dead end is reported as that dead
    # end; "trapped" is kept for states caught in a loop with no exit.
    reaches_dead_end = _reaches(reverse, dead_ends)
    trapped = tuple(i for i in range(n) if not can_finish[i] and not reaches_dead_end[i])

    comp, comps = _components(edges)
    # On a cycle: every member of a component of two or more states, and every state with a step
    # back to itself (one pass over the edges, not a call per component).
    cyclic = {sid for sid, out in enumerate(edges) for _, target in out if target == sid}
    cyclic.update(sid for members in comps if len(members) > 1 for sid in members)
    scoring_cycles = tuple(sorted({
        step.id for sid in cyclic for step, target in edges[sid]
        if comp[target] == comp[sid] and any(p for _, p in step.scores)
    }))
    path_count = -1 if cyclic else _count_paths(edges, comps, finals, can_finish)

    best, worst = _optimise_every_criterion(program, edges, comp, comps, finals)
    extremes: dict[str, Extremes] = {}
    total: Extremes | None = None
    start_best, start_worst = best[0], worst[0]
    if start_best is not None and start_worst is not None:
        for i, criterion in enumerate(program.criteria):
            extremes[criterion] = Extremes(_finite(start_worst[i]), _finite(start_best[i]))
        total = extremes[TOTAL] = Extremes(_finite(start_worst[-1]), _finite(start_best[-1]))
    best_any_to_go = [_NEG if vector is None else float(vector[-1]) for vector in best]

    # Best clean total still achievable from each state: no critical step, requirements met.
    clean_final = [finals[i] and not unmet_requirements(program, states[i]) for i in range(n)]
    clean_comp, clean_comps = _clean_components(edges, comp, comps)
    best_to_go = _optimise_clean_total(edges, clean_comp, clean_comps, clean_final)
    clean_path_exists = bool(n) and best_to_go[0] != _NEG
    best_path = _expert_path(program, states, edges, best_to_go, clean_comp, clean_final) if clean_path_exists else ()
    marked = any(step.expert for out in edges for step, _ in out)
    expert_path = (_expert_path(program, states, edges, best_to_go, clean_comp, clean_final, follow_marks=True)
                   if clean_path_exists and marked else best_path)
    return Analysis(
        program=program, states=states, edges=edges, index=index, complete=complete,
        reachable_nodes=frozenset(reachable_nodes), reachable_endings=frozenset(reachable_endings),
        steps_taken=frozenset(steps_taken), dead_ends=tuple(dead_ends), trapped=trapped,
        can_finish=can_finish, path_count=path_count, scoring_cycles=scoring_cycles, total=total,
        extremes=extremes, best_any_to_go=best_any_to_go, best_to_go=best_to_go,
        clean_path_exists=clean_path_exists, expert_path=expert_path, components=(comp, comps),
        best_path=best_path,
    )


def _finite(value: float) -> int | None:
    """A whole number of points, or None for an unbounded (infinite) one."""
    return None if math.isinf(value) else int(value)


def _reaches(reverse: list[list[int]], seeds: list[int]) -> list[bool]:
    """For each state, whether it can reach one of ``seeds`` (a backward breadth-first search)."""
    found = [False] * len(reverse)
    for seed in seeds:
        found[seed] = True
    queue = deque(seeds)
    while queue:
        for source in reverse[queue.popleft()]:
            if not found[source]:
                found[source] = True
                queue.append(source)
    return found


def _components(edges: Edges) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components (iterative Tarjan), in reverse topological order.

    Tarjan emits a component only after every component reachable from it, which is exactly
    the order a "best value from here" computation needs.
    """
    n = len(edges)
    targets = [[t for _, t in out] for out in edges]
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    position = [0] * n
    comps: list[list[int]] = []
    stack: list[int] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [root]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v = work[-1]
            out = targets[v]
            i = position[v]
            if i < len(out):
                position[v] = i + 1
                w = out[i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append(w)
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                parent = work[-1]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                members: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = len(comps)
                    members.append(w)
                    if w == v:
                        break
                comps.append(members)
    return comp, comps


def _count_paths(edges: Edges, comps: list[list[int]], finals: list[bool], can_finish: list[bool]) -> int:
    counts = [0] * len(edges)
    for members in comps:  # reverse topological: successors first
        sid = members[0]
        if finals[sid]:
            counts[sid] = 1
            continue
        total = 0
        for _, target in edges[sid]:
            if can_finish[target]:
                total += counts[target]
        counts[sid] = min(total, PATH_COUNT_CAP)
    return counts[0] if edges else 0


Vector = tuple[float, ...]
"""Points per criterion, then the total: whole numbers, or +inf/-inf where a loop makes them unbounded."""


def _optimise_every_criterion(program: Program, edges: Edges, comp: list[int], comps: list[list[int]],
                              finals: list[bool]) -> tuple[list[Vector | None], list[Vector | None]]:
    """Best and worst points from each state to a final state, for every criterion and the
    total at once: one walk over the edges carrying a vector per state (``point_vectors``
    order: the criteria, then the total), None where no final state can be reached.

    Components arrive in reverse topological order, so successors are always done. In a
    component whose inner steps carry no points (every component of a scenario without a
    scoring loop), every member shares one value, the best exit from any member. A component
    with a scoring step inside is solved exactly by :func:`_solve_scoring_component`: a loop
    that earns points makes the best unbounded (+inf), one that costs points makes the worst
    unbounded (-inf), and an unbounded value passes on to every state that can reach it.

    However many states there are, a scenario has few distinct vectors (a few hundred for
    the bundled ones, against up to 150,000 states), so every vector is kept once
    (:class:`_Vectors`) and each sum and element-wise max or min is computed once per
    distinct operands.
    """
    n = len(edges)
    vectors = _Vectors(len(program.criteria) + 1)
    zero = vectors.zero
    # A step that scores nothing leaves its target's vectors as they are: no addition needed.
    scoring: dict[str, Vector] = {sid: vector for sid, vector in program.point_vectors.items() if any(vector)}
    best_of: list[Vector | None] = [None] * n
    worst_of: list[Vector | None] = [None] * n
    for cid, members in enumerate(comps):
        bests: list[Vector] = []
        worsts: list[Vector] = []
        inner_scores = False
        for sid in members:
            if finals[sid]:
                bests.append(zero)
                worsts.append(zero)
                continue
            for step, target in edges[sid]:
                if comp[target] == cid:
                    inner_scores = inner_scores or step.id in scoring
                    continue
                target_best = best_of[target]
                if target_best is None:
                    continue
                target_worst = worst_of[target]
                assert target_worst is not None
                points = scoring.get(step.id)
                if points is None:
                    bests.append(target_best)
                    worsts.append(target_worst)
                else:
                    bests.append(vectors.plus(step.id, points, target_best))
                    worsts.append(vectors.plus(step.id, points, target_worst))
        if not bests:
            continue
        if inner_scores:
            _solve_scoring_component(members, edges, comp, cid, scoring, vectors, best_of, worst_of)
            continue
        best = vectors.fold(max, bests)
        worst = vectors.fold(min, worsts)
        for sid in members:
            best_of[sid] = best
            worst_of[sid] = worst
    return best_of, worst_of


def _solve_scoring_component(members: list[int], edges: Edges, comp: list[int], cid: int,
                             scoring: Mapping[str, Vector], vectors: _Vectors, best_of: list[Vector | None],
                             worst_of: list[Vector | None]) -> None:
    """Set the best and worst points from each member of component ``cid``, whose inner steps
    score, into ``best_of`` and ``worst_of`` (its successors are already done).

    Per criterion, a Bellman-Ford relaxation over the inner steps, from each member's best
    (worst) exit: it settles within as many rounds as there are members unless a loop gains
    (for the best) or loses (for the worst) points, and then every member can go round that
    loop as often as it likes before leaving, so the value is unbounded for every member (each
    member reaches the loop, and the loop reaches an exit, by strong connection). Only a
    scenario with a scoring loop, which the lint reports as an error, gets here.
    """
    width = len(vectors.zero)
    zero: Vector = vectors.zero
    inner: list[tuple[int, Vector, int]] = []
    exits: dict[bool, dict[int, list[float]]] = {True: {}, False: {}}
    for sid in members:
        exits[True][sid] = [_NEG] * width
        exits[False][sid] = [_POS] * width
        for step, target in edges[sid]:
            points = scoring.get(step.id, zero)
            if comp[target] == cid:
                inner.append((sid, points, target))
                continue
            for maximise, known in ((True, best_of), (False, worst_of)):
                after = known[target]
                if after is None:
                    continue
                row = exits[maximise][sid]
                for k in range(width):
                    value = points[k] + after[k]
                    if (value > row[k]) if maximise else (value < row[k]):
                        row[k] = value
    for maximise, known in ((True, best_of), (False, worst_of)):
        out = exits[maximise]
        sign = 1 if maximise else -1  # minimising is maximising the negated points
        for k in range(width):
            steps = [(src, vector[k], dst) for src, vector, dst in inner]
            signs = {gain > 0 for _, gain, _ in steps if gain}
            if signs == {maximise}:
                # Every scoring inner step moves this criterion the way we look, and each lies on a loop.
                for sid in members:
                    out[sid][k] = _POS if maximise else _NEG
                continue
            for _round in range(len(members) + 1):
                changed = False
                for src, gain, dst in steps:
                    candidate = out[dst][k] + gain
                    if sign * candidate > sign * out[src][k]:
                        out[src][k] = candidate
                        changed = True
                if not changed:
                    break
            else:
                for sid in members:
                    out[sid][k] = _POS if maximise else _NEG
        for sid in members:
            known[sid] = vectors.keep(tuple(out[sid]))


class _Vectors:
    """Point vectors kept once each, with their sums and element-wise extremes memoised.

    Memo keys use ``id()`` of vectors, which is sound because every vector handed out is held
    in ``_kept`` for the life of this object.
    """

    def __init__(self, width: int) -> None:
        self.zero: Vector = (0,) * width
        self._kept: dict[Vector, Vector] = {self.zero: self.zero}
        self._sums: dict[tuple[str, int], Vector] = {}
        self._folds: dict[tuple[object, ...], Vector] = {}

    def keep(self, vector: Vector) -> Vector:
        """The one kept copy of ``vector``."""
        return self._kept.setdefault(vector, vector)

    def plus(self, step_id: str, points: Vector, vector: Vector) -> Vector:
        """``points`` (the points of step ``step_id``) added element-wise to ``vector``."""
        key = (step_id, id(vector))
        found = self._sums.get(key)
        if found is None:
            found = self._sums[key] = self.keep(tuple(map(add, points, vector)))
        return found

    def fold(self, pick: Callable[..., float], vectors: list[Vector]) -> Vector:
        """The element-wise ``pick`` (max or min) of ``vectors``."""
        if len(vectors) == 1:
            return vectors[0]
        key = (pick, *map(id, vectors))
        found = self._folds.get(key)
        if found is None:
            found = self._folds[key] = self.keep(tuple(map(pick, *vectors)))
        return found


def _clean_components(edges: Edges, comp: list[int],
                      comps: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """The cycles a trainee can go round without a critical step.

    The clean total gives every member of a cycle the best exit of any member, since each can
    walk to each. That holds only if the walk is clean: when the one way back round a cycle is a
    critical step, its members are not one component for the clean total (a state from which
    only a critical step leads to the member with the clean exit has no clean path). So the
    components are taken again over the non-critical steps, but only when a critical step lies
    inside a component: otherwise they are the same, and this costs one pass over the edges.
    """
    if not any(step.critical is not None and comp[target] == comp[sid]
               for sid, out in enumerate(edges) for step, target in out):
        return comp, comps
    return _components([[(step, target) for step, target in out if step.critical is None] for out in edges])


def _optimise_clean_total(edges: Edges, comp: list[int], comps: list[list[int]],
                          clean_final: list[bool]) -> list[float]:
    """Best total points from each state to a clean final state, never taking a critical
    step; -inf where none can be reached. The same component rule as above."""
    best_of = [_NEG] * len(edges)
    for cid, members in enumerate(comps):
        best = _NEG
        for sid in members:
            if clean_final[sid]:
                best = max(best, 0.0)
                continue
            for step, target in edges[sid]:
                tb = best_of[target]
                if tb == _NEG or comp[target] == cid or step.critical is not None:
                    continue
                if step.weight + tb > best:
                    best = step.weight + tb
        for sid in members:
            best_of[sid] = best
    return best_of


def _expert_path(program: Program, states: list[State], edges: Edges, best_to_go: list[float],
                 comp: list[int], clean_final: list[bool], *, follow_marks: bool = False) -> tuple[str, ...]:
    """The first best clean path in the author's order that never comes back to where it was.

    A depth-first search from the start over the steps that keep the best clean total (a step
    whose points plus the best total after it equal the best total before it; inside a cycle,
    the zero-point steps round it), taking them in the order the author listed them, and never
    entering a state it has entered before. Without cycles that is simply the first best choice
    at each decision. With them, it walks to the member of the cycle with the way out, and never
    goes round a loop for nothing.

    States are told apart by their merge key (:func:`casesim.semantics.program.merge_key`), not
    by their index, so the path is the same with and without the live-variable merge: without
    it, a loop that raises a meter nothing reads is a chain of states, one per value, and going
    round it is still coming back.

    With ``follow_marks``, a state where choices marked `expert: true` are open (and can still end
    cleanly) tries the best of those first: the author's judgement of what an expert does wins
    over the points, and the lint reports where the two differ.
    """

    def ways_on(sid: int) -> Iterator[tuple[Step, int]]:
        if follow_marks:
            marked = _best_marked(edges, best_to_go, sid)
            if marked is not None:
                yield marked
        want = best_to_go[sid]
        for step, target in edges[sid]:
            if step.critical is not None or best_to_go[target] == _NEG:
                continue
            if step.weight + best_to_go[target] == want or comp[target] == comp[sid]:
                yield step, target

    if clean_final[0]:
        return ()
    entered = {merge_key(program, states[0])}
    path: list[str] = []
    stack = [ways_on(0)]
    while stack:
        found = next(stack[-1], None)
        if found is None:
            stack.pop()
            if path:
                path.pop()
            continue
        step, target = found
        key = merge_key(program, states[target])
        if key in entered:
            continue
        entered.add(key)
        path.append(step.id)
        if clean_final[target]:
            return tuple(path)
        stack.append(ways_on(target))
    return ()


def _best_marked(edges: Edges, best_to_go: list[float], sid: int) -> tuple[Step, int] | None:
    """The best open choice marked `expert: true` at ``sid`` from which a clean ending remains."""
    best: tuple[Step, int] | None = None
    for step, target in edges[sid]:
        if not step.expert or step.critical is not None or best_to_go[target] == _NEG:
            continue
        if best is None or step.weight + best_to_go[target] > best[0].weight + best_to_go[best[1]]:
            best = (step, target)
    return best

