"""Exhaustive analysis of a scenario over every reachable (node, state) pair.

The analysis expands states with the same pure functions the engine uses
(:func:`casesim.semantics.program.open_choices` and :func:`~casesim.semantics.program.apply`), so
what it proves is true of every live session. To keep the space finite and small, a state is
*projected* before it is stored: only the visited nodes and made choices that some expression
asks about are kept, because nothing else can change what happens next. Two sessions with the
same projection behave identically from then on.

From the state graph it derives: reachable nodes and endings; choices that are never open; dead
ends (a non-ending state where nothing is open); states from which no ending can be reached (a
cycle with no exit); the number of distinct complete paths (bounded); and, over every complete
path, the best and worst achievable points per criterion and in total, the expert path, and the
best total still achievable from any state (used by the debrief to name the better choice).
"""

from __future__ import annotations

import gc
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from casesim.semantics.program import (
    Program,
    State,
    Step,
    apply,
    initial_state,
    is_final,
    open_choices,
    project,
    unmet_requirements,
)

__all__ = ["Analysis", "Extremes", "analyse", "DEFAULT_STATE_LIMIT", "PATH_COUNT_CAP"]

DEFAULT_STATE_LIMIT = 2_000_000
PATH_COUNT_CAP = 10**15
TOTAL = "total"
_NEG = float("-inf")
_POS = float("inf")

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extremes:
    """Worst and best achievable raw points for one criterion (or the total) over complete paths."""

    worst: int
    best: int


@dataclass
class Analysis:
    """What is true of every possible session of one scenario."""

    program: Program
    states: list[State]
    """Every reachable projected state; index 0 is the start."""
    edges: list[list[tuple[Step, int]]]
    """Outgoing (step, target state index) per state, timeouts included."""
    index: dict[State, int]
    complete: bool
    """False when the state limit was hit; then only ``states`` explored so far are described."""
    reachable_nodes: set[str] = field(default_factory=set)
    reachable_endings: set[str] = field(default_factory=set)
    steps_taken: set[str] = field(default_factory=set)
    """Ids of choices (and timeouts) open in at least one reachable state."""
    dead_ends: list[int] = field(default_factory=list)
    """States at a non-ending node where no choice is open and no timer runs."""
    trapped: list[int] = field(default_factory=list)
    """States that are not dead ends but from which no ending can be reached."""
    can_finish: list[bool] = field(default_factory=list)
    path_count: int = 0
    """Distinct complete paths (capped at PATH_COUNT_CAP); -1 when a cycle makes it unbounded."""
    scoring_cycles: list[str] = field(default_factory=list)
    """Ids of scoring choices that sit on a cycle (points could be farmed by repeating them)."""
    total: Extremes | None = None
    """Worst/best total points over complete paths (None when no ending can be reached)."""
    best_any_to_go: list[float] = field(default_factory=list)
    """Best total points still achievable from each state on any complete path."""
    best_to_go: list[float] = field(default_factory=list)
    """Best total points still achievable from each state on a clean path (no critical action,
    requirements met at the end); -inf where no clean path remains."""
    clean_path_exists: bool = False
    expert_path: list[str] = field(default_factory=list)
    """Choice ids of the expert path: the best clean total, ties broken by author order."""

    _extremes: dict[str, Extremes] | None = None
    _components: tuple[list[int], list[list[int]]] | None = None

    @property
    def extremes(self) -> dict[str, Extremes]:
        """Worst/best raw points per criterion, and for ``total``, over complete paths.

        Computed on first use (one pass per criterion over the state graph): validation needs
        only the total, scoring needs every criterion.
        """
        if self._extremes is None:
            assert self._components is not None
            comp, comps = self._components
            finals = [is_final(self.program, s) for s in self.states]
            out: dict[str, Extremes] = {}
            for criterion in self.program.criteria:
                best, worst = _optimise(self, comp, comps, finals, criterion)
                if self.states and best[0] != _NEG:
                    out[criterion] = Extremes(int(worst[0]), int(best[0]))
            if self.total is not None:
                out[TOTAL] = self.total
            self._extremes = out
        return self._extremes

    @property
    def components(self) -> tuple[list[int], list[list[int]]]:
        """The strongly connected components of the state graph: the component of each state,
        and the members of each component, successors first (reverse topological order)."""
        assert self._components is not None
        return self._components

    @property
    def expert_total(self) -> int | None:
        """The best total a clean path earns from the start (the expert path's points), or None
        when no clean path reaches an ending."""
        return int(self.best_to_go[0]) if self.clean_path_exists else None

    def state_id(self, state: State) -> int | None:
        """The index of the projection of a live session's ``state``, if it was reached."""
        return self.index.get(project(self.program, state))

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


def analyse(program: Program, *, state_limit: int | None = None, start: str | None = None) -> Analysis:
    """Explore every reachable state of ``program`` (up to ``state_limit`` states,
    by default ``DEFAULT_STATE_LIMIT``).

    The cyclic garbage collector is paused meanwhile: exploration allocates millions of small,
    acyclic objects, and repeated full collections over them made the time grow faster than
    the state count.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    began = time.perf_counter()
    try:
        limit = DEFAULT_STATE_LIMIT if state_limit is None else state_limit
        result = _analyse(program, state_limit=limit, start=start)
    finally:
        if was_enabled:
            gc.enable()
    # The one figure that explains a slow library load or a late debrief: how big, how long.
    _log.info("analysed scenario %s: %d states%s in %.3f s", program.scenario.id, result.state_count,
              "" if result.complete else f" (stopped at the limit of {limit})", time.perf_counter() - began)
    return result


def _analyse(program: Program, *, state_limit: int, start: str | None) -> Analysis:
    first = project(program, initial_state(program, start))
    states: list[State] = [first]
    index: dict[State, int] = {first: 0}
    edges: list[list[tuple[Step, int]]] = []
    complete = True
    timeouts = program.timeouts
    queue = 0
    while queue < len(states):
        state = states[queue]
        queue += 1
        out: list[tuple[Step, int]] = []
        edges.append(out)
        if is_final(program, state):
            continue
        steps: Iterable[Step] = open_choices(program, state)
        timeout = timeouts.get(state.node)
        if timeout is not None:
            steps = (*steps, timeout)
        for step in steps:
            nxt = apply(program, state, step, observed_only=True)
            target = index.get(nxt)
            if target is None:
                if len(states) >= state_limit:
                    complete = False
                    continue
                target = len(states)
                index[nxt] = target
                states.append(nxt)
            out.append((step, target))
    while len(edges) < len(states):
        edges.append([])
    result = Analysis(program, states, edges, index, complete)
    _summarise(result)
    return result


def _summarise(a: Analysis) -> None:
    program = a.program
    n = len(a.states)
    finals = [is_final(program, s) for s in a.states]
    for sid, state in enumerate(a.states):
        (a.reachable_endings if finals[sid] else a.reachable_nodes).add(state.node)
        for step, _ in a.edges[sid]:
            a.steps_taken.add(step.id)
        if not finals[sid] and not a.edges[sid]:
            a.dead_ends.append(sid)

    reverse: list[list[int]] = [[] for _ in range(n)]
    for sid, out in enumerate(a.edges):
        for _, target in out:
            reverse[target].append(sid)
    can_finish = _reaches(reverse, [i for i in range(n) if finals[i]])
    a.can_finish = can_finish
    # A state that cannot finish only because it runs into a dead end is reported as that dead
    # end; "trapped" is kept for states caught in a loop with no exit.
    reaches_dead_end = _reaches(reverse, a.dead_ends)
    a.trapped = [i for i in range(n) if not can_finish[i] and not reaches_dead_end[i]]

    comp, comps = _components(a)
    cyclic = {sid for members in comps if _is_cycle(a, members) for sid in members}
    a.scoring_cycles = sorted({
        step.id for sid in cyclic for step, target in a.edges[sid]
        if comp[target] == comp[sid] and any(p for _, p in step.scores)
    })
    a.path_count = -1 if cyclic else _count_paths(a, comps, finals, can_finish)

    a._components = (comp, comps)
    best, worst = _optimise(a, comp, comps, finals, TOTAL)
    if n and best[0] != _NEG:
        a.total = Extremes(int(worst[0]), int(best[0]))
    a.best_any_to_go = best

    # Best clean total still achievable from each state: no critical step, requirements met.
    clean_final = [finals[i] and not unmet_requirements(program, a.states[i]) for i in range(n)]
    a.best_to_go, _ = _optimise(a, comp, comps, clean_final, TOTAL, clean=True)
    a.clean_path_exists = bool(n) and a.best_to_go[0] != _NEG
    a.expert_path = _expert_path(a, comp, clean_final) if a.clean_path_exists else []


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


def _components(a: Analysis) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components (iterative Tarjan), in reverse topological order.

    Tarjan emits a component only after every component reachable from it, which is exactly
    the order a "best value from here" computation needs.
    """
    n = len(a.states)
    targets = [[t for _, t in out] for out in a.edges]
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


def _is_cycle(a: Analysis, members: list[int]) -> bool:
    if len(members) > 1:
        return True
    only = members[0]
    return any(target == only for _, target in a.edges[only])


def _count_paths(a: Analysis, comps: list[list[int]], finals: list[bool], can_finish: list[bool]) -> int:
    counts = [0] * len(a.states)
    for members in comps:  # reverse topological: successors first
        sid = members[0]
        if finals[sid]:
            counts[sid] = 1
            continue
        total = 0
        for _, target in a.edges[sid]:
            if can_finish[target]:
                total += counts[target]
        counts[sid] = min(total, PATH_COUNT_CAP)
    return counts[0] if a.states else 0


def _optimise(a: Analysis, comp: list[int], comps: list[list[int]], finals: list[bool],
              criterion: str, *, clean: bool = False) -> tuple[list[float], list[float]]:
    """Best and worst points from each state to a final state, in one pass.

    Exact when no scoring step is on a cycle: steps inside one strongly connected component
    carry no points (scoring cycles are reported as errors), so every member of a component
    shares one value, the best exit from any member. With ``clean``, critical steps are never
    taken. Components arrive in reverse topological order, so successors are always done.
    """
    n = len(a.states)
    best_of = [_NEG] * n
    worst_of = [_POS] * n
    edges = a.edges
    total = criterion == TOTAL
    for cid, members in enumerate(comps):
        best = _NEG
        worst = _POS
        for sid in members:
            if finals[sid]:
                best = max(best, 0.0)
                worst = min(worst, 0.0)
                continue
            for step, target in edges[sid]:
                tb = best_of[target]
                if tb == _NEG or comp[target] == cid or (clean and step.critical is not None):
                    continue
                w = step.weight if total else sum(p for c, p in step.scores if c == criterion)
                if w + tb > best:
                    best = w + tb
                tw = worst_of[target] + w
                if tw < worst:
                    worst = tw
        for sid in members:
            best_of[sid] = best
            worst_of[sid] = worst
    return best_of, worst_of


def _expert_path(a: Analysis, comp: list[int], clean_final: list[bool]) -> list[str]:
    """Follow the best clean exits from the start; inside a cycle, walk to the member with the best exit."""
    path: list[str] = []
    sid = 0
    guard = 0
    while not clean_final[sid] and guard < len(a.states) + 1:
        guard += 1
        exit_step = _best_exit(a, comp, sid)
        if exit_step is not None:
            step, nxt = exit_step
            path.append(step.id)
            sid = nxt
            continue
        # The best exit is from another member of this cycle: walk there (zero points inside).
        route = _route_in_component(a, comp, sid)
        if not route:
            break
        for step, nxt in route:
            path.append(step.id)
            sid = nxt
    return path


def _best_exit(a: Analysis, comp: list[int], sid: int) -> tuple[Step, int] | None:
    want = a.best_to_go[sid]
    for step, target in a.edges[sid]:
        if step.critical is not None or comp[target] == comp[sid] or a.best_to_go[target] == _NEG:
            continue
        if step.weight + a.best_to_go[target] == want:
            return step, target
    return None


def _route_in_component(a: Analysis, comp: list[int], start: int) -> list[tuple[Step, int]]:
    cid = comp[start]
    parent: dict[int, tuple[int, Step]] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        sid = queue.popleft()
        if sid != start and _best_exit(a, comp, sid) is not None:
            route: list[tuple[Step, int]] = []
            while sid != start:
                prev, step = parent[sid]
                route.append((step, sid))
                sid = prev
            route.reverse()
            return route
        for step, target in a.edges[sid]:
            if comp[target] == cid and target not in seen and step.critical is None:
                seen.add(target)
                parent[target] = (sid, step)
                queue.append(target)
    return []
