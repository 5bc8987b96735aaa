"""The transcript of a session, derived from its history (so undo, resume and replay agree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from casesim.play.session import HistoryEntry
from casesim.semantics.program import Program, State, client_line

__all__ = ["Line", "LineKind", "transcript_lines"]

LineKind = Literal["narration", "client", "trainee", "timeout", "ending"]


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of the transcript: who (or what) and the literal text."""

    kind: LineKind
    text: str
    title: str | None = None
    """For an ending: its title."""


def _node_lines(program: Program, state: State) -> list[Line]:
    scenario = program.scenario
    ending = scenario.endings.get(state.node)
    if ending is not None:
        out = []
        if ending.client:
            out.append(Line("client", ending.client))
        out.append(Line("ending", ending.summary, title=ending.title))
        return out
    node = scenario.nodes.get(state.node)
    out = []
    if node is not None and node.narration:
        out.append(Line("narration", node.narration))
    said = client_line(program, state)
    if said:
        out.append(Line("client", said))
    return out


def transcript_lines(program: Program, history: Sequence[HistoryEntry], state: State) -> list[Line]:
    """Every line so far: each node's narration and client line, the trainee's words, replies."""
    lines: list[Line] = []
    for entry in history:
        lines.extend(_node_lines(program, entry.before))
        step = program.steps.get(entry.step_id)
        if entry.timed_out:
            narration = step.narration if step is not None else None
            lines.append(Line("timeout", narration or "The time ran out."))
        else:
            said = step.say if step is not None else None
            lines.append(Line("trainee", said or entry.step_id))
            if step is not None and step.reply:
                lines.append(Line("client", step.reply))
    lines.extend(_node_lines(program, state))
    return lines
