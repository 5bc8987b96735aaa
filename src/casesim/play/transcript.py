"""The transcript of a session, derived from its history (so undo, resume and replay agree).

Lines are shown as :mod:`casesim.semantics.render` reads them: the variant that held, the
wording drawn from the attempt's seed for that visit, placeholders filled in. Each line keeps the
id of the text used, which the recorder writes with every step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from casesim.format.cast import CLIENT_ID, speaker_label
from casesim.play.session import HistoryEntry
from casesim.semantics.program import Program, State
from casesim.semantics.render import Draw, Shown, ending_line, node_line, step_line

__all__ = ["Line", "LineKind", "moment_lines", "step_lines", "transcript_lines"]

LineKind = Literal["narration", "client", "trainee", "timeout", "ending"]


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of the transcript: who (or what) and the literal text."""

    kind: LineKind
    text: str
    title: str | None = None
    """For an ending: its title."""
    id: str | None = None
    """The id of the text shown (its variant and wording), as in a locale file; None for a
    line casesim supplies itself."""
    speaker: str | None = None
    """For a spoken line: who says it, as shown ("Dr Ruiz (psychiatrist)"); None for the client."""
    original: str | None = None
    """For an interpreter's line: what was said in the source language."""


def _line(kind: LineKind, shown: Shown | None, title: str | None = None) -> list[Line]:
    return [] if shown is None else [Line(kind, shown.text, title, shown.id)]


def _spoken(program: Program, shown: Shown | None) -> list[Line]:
    """Each line said (by the client or, named with their role, another of the cast), with its id."""
    if shown is None:
        return []
    return [Line("client", line.text, None, line.id,
                 None if line.speaker in (None, CLIENT_ID) else speaker_label(program.scenario, line.speaker),
                 line.original) for line in shown.spoken()]


def _node_lines(program: Program, state: State, draw: Draw) -> list[Line]:
    ending = program.scenario.endings.get(state.node)
    if ending is not None:
        summary = ending_line(program, state, "summary", draw)
        return (_spoken(program, ending_line(program, state, "client", draw))
                + _line("ending", summary, ending.title))
    return _line("narration", node_line(program, state, "narration", draw)) + _spoken(
        program, node_line(program, state, "client", draw))


def transcript_lines(program: Program, history: Sequence[HistoryEntry], state: State, *, seed: int) -> list[Line]:
    """Every line so far: each node's narration and client line, the trainee's words, replies.

    ``seed`` is the attempt's: it decides which ``one_of`` wording each visit showed.
    """
    lines: list[Line] = []
    visits: dict[str, int] = {}
    for entry in history:
        draw = Draw(seed, visits.get(entry.node, 0))
        visits[entry.node] = draw.visit + 1
        lines.extend(_node_lines(program, entry.before, draw))
        lines.extend(_step_lines(program, entry, draw))
    lines.extend(_node_lines(program, state, Draw(seed, visits.get(state.node, 0))))
    return lines


def _step_lines(program: Program, entry: HistoryEntry, draw: Draw) -> list[Line]:
    step = program.steps.get(entry.step_id)
    if entry.timed_out:
        shown = step_line(program, step, entry.after, "narration", draw) if step is not None else None
        return [Line("timeout", shown.text, None, shown.id) if shown else Line("timeout", "The time ran out.")]
    said = step.say if step is not None else None
    lines = [Line("trainee", said or entry.step_id, None, f"node.{entry.node}.choice.{entry.step_id}.say")]
    if step is not None:
        lines.extend(_spoken(program, step_line(program, step, entry.after, "reply", draw)))
    return lines


def step_lines(program: Program, history: Sequence[HistoryEntry], *, seed: int) -> list[Line]:
    """The lines of the last step in ``history``: the trainee's words and the client's reply,
    or what happened when the time ran out."""
    entry = history[-1]
    return _step_lines(program, entry, Draw(seed, sum(1 for h in history[:-1] if h.node == entry.node)))


def moment_lines(program: Program, history: Sequence[HistoryEntry], state: State, *, seed: int) -> list[Line]:
    """The lines of the moment the trainee is at now (the last lines of :func:`transcript_lines`):
    the node's narration and client line, or the ending's."""
    return _node_lines(program, state, Draw(seed, sum(1 for h in history if h.node == state.node)))
