"""The lesson of an attempt, first: did it pass and why, the few decisions that mattered most,
and the competencies it touched (issue 15 item 4; UX review §3: the debrief opened with figures
before the lesson).

The decisions that mattered most are those where the chosen option fell furthest below the best
one open at that moment: a critical choice (a never-event, a critical delay) first, then by the
points the better choice could still have reached (:attr:`~casesim.scoring.debrief.Decision.gap`,
computed from the analysis when the attempt is scored), then in the order they were made. A
debrief stored before ``gap`` existed ranks its non-expert choices in path order. Every screen
and export (the terminal UI, the plain player, text and HTML) draws this one selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from casesim.scoring.debrief import CompetencyResult, Debrief, Decision, score_text

__all__ = ["KEY_DECISIONS", "Lesson", "key_decisions", "lesson"]

KEY_DECISIONS = 3
"""At most this many decisions on the first screen: enough to learn from, few enough to read."""


def _weight(d: Decision) -> tuple[int, float, int]:
    critical = d.critical is not None or d.timed_out
    return (0 if critical else 1, -(d.gap if d.gap is not None else 0.0), d.index)


def key_decisions(debrief: Debrief, limit: int = KEY_DECISIONS) -> tuple[Decision, ...]:
    """The decisions that mattered most: those off the expert path or critical, largest gap first."""
    missed = [d for d in debrief.decisions if d.critical is not None or d.timed_out or d.better is not None]
    return tuple(sorted(missed, key=_weight)[:limit])


@dataclass(frozen=True, slots=True)
class Lesson:
    """What the first debrief screen says, in reading order."""

    verdict: str
    """The one score line with its verdict (:func:`~casesim.scoring.debrief.score_text`)."""
    reasons: tuple[str, ...]
    decisions: tuple[Decision, ...]
    competencies: tuple[CompetencyResult, ...]
    """The competencies this attempt gave evidence on (a rating), in the catalog's order."""

    @property
    def all_best(self) -> bool:
        """Every decision was the best open one (nothing to correct)."""
        return not self.decisions


def lesson(debrief: Debrief) -> Lesson:
    """The teaching summary of ``debrief``."""
    touched = tuple(c for c in debrief.competencies if c.rating is not None or c.evidence)
    return Lesson(verdict=score_text(debrief), reasons=debrief.reasons, decisions=key_decisions(debrief),
                  competencies=touched)
