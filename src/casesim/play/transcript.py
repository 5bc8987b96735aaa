"""The transcript of a session, derived from its history (so undo, resume and replay agree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from casesim.format.cast import SpokenLine, speaker_label
from casesim.play.session import HistoryEntry
from casesim.semantics.program import Program, State, Step, client_speech

__all__ = ["Line", "LineKind", "reply_line", "transcript_lines"]

LineKind = Literal["narration", "client", "trainee", "timeout", "ending"]


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of the transcript: who (or what) and the literal text."""

    kind: LineKind
    text: str
    title: str | None = None
    """For an ending: its title."""
    speaker: str | None = None
    """For a spoken line: who says it, as shown ("Dr Ruiz (psychiatrist)"); None for the client."""
    original: str | None = None
    """For an interpreter's line: what was said in the source language."""


def _spoken(program: Program, line: SpokenLine) -> Line:
    who = None if line.speaker in (None, "client") else speaker_label(program.scenario, line.speaker)
    return Line("client", line.say, speaker=who, original=line.original)


def reply_line(program: Program, step: Step) -> Line | None:
    """What is said straight after ``step`` (the client's reply, or another speaker's), if anything."""
    if not step.reply:
        return None
    return _spoken(program, SpokenLine(say=step.reply, speaker=step.reply_speaker, original=step.reply_original))


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
    out.extend(_spoken(program, line) for line in client_speech(program, state))
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
            reply = reply_line(program, step) if step is not None else None
            if reply is not None:
                lines.append(reply)
    lines.extend(_node_lines(program, state))
    return lines
