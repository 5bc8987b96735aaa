"""The decisions of recorded attempts, replayed against their scenario: what was offered, what
was chosen, and what the expert would have chosen there (program review F6).

An option guarded by a condition (``when:``) is not open to everyone who reaches its node, so
the share of a class choosing it is taken over the decisions where it was *offered*, not over
every decision at the node: "38 % chose the expert option" read "100 % of those offered it did"
once the guard was taken into account. Each attempt's effective path (undone choices removed) is
replayed through the scenario's program with :func:`~casesim.semantics.program.open_choices`; the
replays share their prefixes (a trie per scenario and start node), so a class that follows the
same first steps replays them once.

An attempt played on another version of the file (another content hash) is not replayed: what
was open then is not known from today's file, so its decisions count as chosen with "offered"
unknown (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casesim.authoring.pipeline import Playable
from casesim.authoring.report_view import ReportView, author_marks, expert_by_node, expert_path
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


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision on an attempt's effective path."""

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
    decision: Decision
    """The decision taken here, made once: every path through this entry returns this object."""
    after: State
    children: dict[str, _Entry]


class Replayer:
    """Replays paths of one scenario file, sharing common prefixes."""

    def __init__(self, loaded: Playable | ReportView) -> None:
        self.content_hash = loaded.content_hash
        self.rules: Rules = loaded.rules if isinstance(loaded, ReportView) else loaded.program
        self.expert = expert_at(loaded)
        self._roots: dict[str, tuple[State, dict[str, _Entry]]] = {}

    def decisions(self, content_hash: str, start_node: str, steps: Sequence[str],
                  nodes: Sequence[str] = ()) -> list[Decision]:
        """The decisions of a path (``nodes``: where each step was recorded, for steps that cannot
        be replayed); "offered" is None for every step when the attempt was played on another
        version, and from the first step the current file does not allow.

        A replayed step's :class:`Decision` is the same object for every path through it (the
        item analysis adds up the paths of a class per decision object, not per path)."""
        entries = [] if content_hash != self.content_hash else self._walk(self.rules, start_node, steps)
        out = [e.decision for e in entries]
        for i in range(len(entries), len(steps)):
            sid = steps[i]
            node = nodes[i] if i < len(nodes) else self._node_of(sid)
            out.append(Decision(node, sid, None, None, sid.startswith("timeout:")))
        return out

    def _node_of(self, sid: str) -> str:
        step = self.rules.steps.get(sid)
        if step is not None:
            return step.node
        return sid.removeprefix("timeout:") if sid.startswith("timeout:") else "?"

    def _walk(self, program: Rules, start: str, steps: Sequence[str]) -> list[_Entry]:
        root = self._roots.get(start)
        if root is None:
            try:
                root = (initial_state(program, start), {})
            except (KeyError, ValueError):
                return []
            self._roots[start] = root
        state, children = root
        walked: list[_Entry] = []
        for sid in steps:
            entry = children.get(sid)
            if entry is None:
                opened = open_choices(program, state)
                offered = tuple(s.id for s in opened)
                expiry = timeout_step(program, state)
                if expiry is not None:
                    offered += (expiry.id,)
                # An open choice is what replay would take (its node, its condition just held):
                # applied at once; anything else (a timer, a step not open) goes through replay.
                step = next((s for s in opened if s.id == sid), None) if sid != timeout_id(state.node) else None
                if step is not None:
                    after = apply(program, state, step)
                else:
                    try:
                        taken = replay(program, [sid], initial=state)
                    except ValueError:
                        break  # the current file does not allow this step here: the rest is unknown
                    step, after = taken.taken[0][1], taken.final
                entry = _Entry(Decision(state.node, step.id, offered, self.expert.get(state.node), step.is_timeout),
                               after, {})
                children[sid] = entry
            walked.append(entry)
            state, children = entry.after, entry.children
        return walked
