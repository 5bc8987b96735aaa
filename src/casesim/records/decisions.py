"""The decisions of recorded attempts, replayed against their scenario: what was offered, what
was chosen, and what the expert would have chosen there (program review F6).

An option guarded by a condition (``when:``) is not open to everyone who reaches its node, so
the share of a class choosing it is taken over the decisions where it was *offered*, not over
every decision at the node: "38 % chose the expert option" read "100 % of those offered it did"
once the guard was taken into account. Each attempt's effective path (undone choices removed) is
replayed through the scenario's program with :func:`~casesim.semantics.program.open_choices`; the
replays share their prefixes (a trie per scenario and start node), so a class that follows the
same first steps replays them once. Against a report view from the cache, the paths earlier
reports replayed are known already (:class:`~casesim.authoring.report_view.KnownWalks`): they are
taken without rebuilding the rules, and what a report replays anew is kept for the next.

An attempt played on another version of the file (another content hash) is not replayed: what
was open then is not known from today's file, so its decisions count as chosen with "offered"
unknown (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from casesim.authoring.pipeline import Playable
from casesim.authoring.report_view import (
    KnownWalks,
    ReportView,
    author_marks,
    expert_by_node,
    expert_path,
)
from casesim.semantics.program import (
    Rules,
    State,
    apply,
    initial_state,
    open_choices,
    replay,
    timeout_id,
    timeout_step,
)

__all__ = ["Decision", "Replayer", "expert_at"]


class Decision(NamedTuple):
    """One decision on an attempt's effective path.

    A named tuple, not a frozen dataclass (as the report's option rows): a report of the bundled
    library makes one per known step of every scenario, and a tuple is made in under half the
    time. The item analysis tells decisions apart by identity, never by value."""

    node: str
    choice: str
    """The step taken (a timer branch's id when the clock ran out)."""
    offered: tuple[str, ...] | None
    """The steps open at that moment, the timer's branch included (None: not known)."""
    expert: str | None
    """The expert's step at this node (None: no expert step here, or not known)."""
    timeout: bool = False

    @property
    def departed(self) -> bool:
        """The expert's option was offered and something else was chosen."""
        return (self.expert is not None and self.offered is not None and self.expert in self.offered
                and self.choice != self.expert)


def expert_at(loaded: Playable | ReportView | None) -> dict[str, str]:
    """Node id -> the expert's step there: the analysed expert path's first visit, else the
    first choice the author marked ``expert: true`` (empty without a scenario)."""
    if loaded is None:
        return {}
    if isinstance(loaded, ReportView):
        expert, marked = dict(loaded.expert), loaded.marked
    else:
        expert, marked = expert_by_node(loaded.program, expert_path(loaded)), author_marks(loaded.program)
    for node, sid in marked.items():
        expert.setdefault(node, sid)
    return expert


@dataclass(slots=True)
class _Entry:
    decision: Decision | None
    """The decision taken here, made once: every path through this entry returns this object.
    None: this version of the file does not allow the step here (the rest of the path is unknown)."""
    after: State | None
    """The state after it; None until a replay needs it (an entry known from the cache)."""
    children: dict[str, _Entry]
    row: int = -1
    """Its place among the walks written for the next report (:meth:`Replayer.walks`)."""


@dataclass(slots=True)
class _Root:
    state: State | None
    """The state at the start node; None until a replay needs it."""
    children: dict[str, _Entry]
    dead: bool = False
    """No path can start at this node in this version of the file."""


class Replayer:
    """Replays paths of one scenario file, sharing common prefixes.

    Given a report view read from the cache, the paths replayed by earlier reports
    (:class:`~casesim.authoring.report_view.KnownWalks`) are taken as they were found, and the
    rules are rebuilt only for a path that goes past them; :meth:`keep` writes what this replayer
    added, for the next report."""

    def __init__(self, loaded: Playable | ReportView) -> None:
        self.content_hash = loaded.content_hash
        self._view = loaded if isinstance(loaded, ReportView) else None
        self._rules: Rules | None = None if isinstance(loaded, ReportView) else loaded.program
        self.expert = expert_at(loaded)
        self._roots: dict[str, _Root] = {}
        self._starts: list[str] = []
        self._rows = 0
        self._grown = False
        self._nodes: Mapping[str, str] | None = None
        if self._view is not None:
            self._known(self._view.walks)

    def _known(self, walks: KnownWalks) -> None:
        """Take the walks found by earlier reports (checked against the view when read)."""
        at = self._view.step_nodes() if self._view is not None else {}
        timeouts = self._view.timeout_steps() if self._view is not None else frozenset()
        entries: list[_Entry] = []
        for start, dead in walks.starts:
            self._roots[start] = _Root(None, {}, dead)
            self._starts.append(start)
        for parent, sid, offered in walks.rows:
            children = (entries[parent].children if parent >= 0 else self._roots[walks.starts[-1 - parent][0]].children)
            decision = None
            if offered is not None:
                node = at[sid]
                decision = Decision(node, sid, offered, self.expert.get(node), sid in timeouts)
            entry = _Entry(decision, None, {}, len(entries))
            children[sid] = entry
            entries.append(entry)
        self._rows = len(entries)

    @property
    def rules(self) -> Rules | None:
        """The rules replays follow (rebuilt from a cached view the first time they are needed)."""
        if self._rules is None and self._view is not None:
            self._rules = self._view.rules
        return self._rules

    def decisions(self, content_hash: str, start_node: str, steps: Sequence[str],
                  nodes: Sequence[str] = ()) -> list[Decision]:
        """The decisions of a path (``nodes``: where each step was recorded, for steps that cannot
        be replayed); "offered" is None for every step when the attempt was played on another
        version, and from the first step the current file does not allow.

        A replayed step's :class:`Decision` is the same object for every path through it (the
        item analysis adds up the paths of a class per decision object, not per path)."""
        entries = [] if content_hash != self.content_hash else self._walk(start_node, steps)
        out = [e.decision for e in entries if e.decision is not None]  # (a walk never ends on a refused step)
        for i in range(len(entries), len(steps)):
            sid = steps[i]
            node = nodes[i] if i < len(nodes) else self._node_of(sid)
            out.append(Decision(node, sid, None, None, sid.startswith("timeout:")))
        return out

    def _node_of(self, sid: str) -> str:
        if self._nodes is None:
            self._nodes = self._view.step_nodes() if self._view is not None else {
                step.id: step.node for step in (self._rules.steps.values() if self._rules is not None else ())}
        node = self._nodes.get(sid)
        if node is not None:
            return node
        return sid.removeprefix("timeout:") if sid.startswith("timeout:") else "?"

    def _walk(self, start: str, steps: Sequence[str]) -> list[_Entry]:
        root = self._roots.get(start)
        walked: list[_Entry] = []
        if root is not None:  # first as far as the known walks go: no rules needed
            if root.dead:
                return []
            children = root.children
            for sid in steps:
                entry = children.get(sid)
                if entry is None:
                    break
                if entry.decision is None:
                    return walked
                walked.append(entry)
                children = entry.children
            else:
                return walked
        rules = self.rules
        if rules is None:  # a cached view whose rules do not check (logged): the rest is unknown
            return walked
        if root is None:
            root = self._roots[start] = _Root(None, {})
            self._starts.append(start)
            self._grown = True
        if root.state is None:
            try:
                root.state = initial_state(rules, start)
            except (KeyError, ValueError):
                root.dead = self._grown = True
                return []
        state, children = root.state, root.children
        walked = []
        for sid in steps:
            entry = children.get(sid)
            if entry is not None and entry.decision is None:
                break  # known not to be allowed here
            if entry is not None and entry.after is not None:
                after = entry.after
            else:
                found = self._step(rules, state, sid)
                if entry is None:  # new: kept for the next report (a refused step too)
                    entry = children[sid] = _Entry(found[0] if found else None, None, {}, self._rows)
                    self._rows += 1
                    self._grown = True
                if found is None:
                    break  # the current file does not allow this step here: the rest is unknown
                after = entry.after = found[1]  # (an entry known from the cache keeps its decision object)
            walked.append(entry)
            state, children = after, entry.children
        return walked

    def _step(self, rules: Rules, state: State, sid: str) -> tuple[Decision, State] | None:
        """The decision of taking ``sid`` in ``state`` and the state after it; None when the
        rules do not allow it."""
        opened = open_choices(rules, state)
        offered = tuple(s.id for s in opened)
        expiry = timeout_step(rules, state)
        if expiry is not None:
            offered += (expiry.id,)
        # An open choice is what replay would take (its node, its condition just held):
        # applied at once; anything else (a timer, a step not open) goes through replay.
        step = next((s for s in opened if s.id == sid), None) if sid != timeout_id(state.node) else None
        if step is not None:
            after = apply(rules, state, step)
        else:
            try:
                taken = replay(rules, [sid], initial=state)
            except ValueError:
                return None
            step, after = taken.taken[0][1], taken.final
        return Decision(state.node, step.id, offered, self.expert.get(state.node), step.is_timeout), after

    def walks(self) -> KnownWalks:
        """Every path this replayer knows, as the cache keeps them (:class:`KnownWalks`)."""
        rows: list[tuple[int, str, tuple[str, ...] | None]] = [(0, "", None)] * self._rows
        for k, start in enumerate(self._starts):
            pending = [(-1 - k, sid, entry) for sid, entry in self._roots[start].children.items()]
            while pending:
                parent, sid, entry = pending.pop()
                rows[entry.row] = (parent, sid, None if entry.decision is None else entry.decision.offered)
                pending += [(entry.row, child_sid, child) for child_sid, child in entry.children.items()]
        return KnownWalks(tuple((start, self._roots[start].dead) for start in self._starts), tuple(rows))

    def keep(self) -> None:
        """Write the walks for the next report, when this replayer found new ones and its view is
        kept in the cache."""
        if self._grown and self._view is not None and self._view.walks.keep is not None:
            self._view.walks.keep(self.walks())
            self._grown = False
