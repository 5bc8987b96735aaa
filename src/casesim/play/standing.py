"""Where a trainee stands with each scenario, for the library: not tried, practice only, tried, passed.

Read from the record store's attempt list for one trainee, so the library can show it beside
each title in words (never by colour alone). "Passed" needs a completed assessment that passed;
an assessment that did not pass, or was left, is "tried"; attempts only in practice mode are
"practice only" (practice is never judged, so it never reads as a failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # types only: the library imports this before the records are opened
    from casesim.records.api import AttemptRow, RecordStore

__all__ = ["Standing", "StandingKind", "scenario_standings", "standings_from"]

StandingKind = Literal["untried", "practice", "tried", "passed"]

_RANK: dict[StandingKind, int] = {"untried": 0, "practice": 1, "tried": 2, "passed": 3}


@dataclass(frozen=True, slots=True)
class Standing:
    """One scenario's standing for one trainee, with the counts behind it."""

    kind: StandingKind = "untried"
    practice: int = 0
    """Practice attempts (any status)."""
    assessments: int = 0
    """Assessment attempts (any status)."""

    @property
    def label(self) -> str:
        """A word or two for the list, beside the title."""
        return {"untried": "not tried", "practice": "practice only", "tried": "tried",
                "passed": "passed"}[self.kind]

    @property
    def sentence(self) -> str:
        """A kind sentence for the detail pane."""
        if self.kind == "untried":
            return "You have not tried this scenario yet."
        p = _count(self.practice, "practice attempt")
        a = _count(self.assessments, "assessment")
        if self.kind == "practice":
            return f"Practice only so far ({p}). An assessment is there when you are ready."
        if self.kind == "tried":
            extra = f" and {p}" if self.practice else ""
            return f"Tried: {a}{extra}, not passed yet. Practice mode shows feedback as you go."
        extra = f"; {p}" if self.practice else ""
        return f"Passed in an assessment ({a}{extra})."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def standings_from(rows: Iterable[AttemptRow]) -> dict[str, Standing]:
    """Each scenario id's standing from one trainee's attempt rows (in-progress ones count as tried
    in their mode: the trainee has started them)."""
    out: dict[str, Standing] = {}
    for row in rows:
        now = out.get(row.scenario_id, Standing())
        if row.mode == "assessment":
            kind: StandingKind = "passed" if row.status == "completed" and row.passed else "tried"
            now = Standing(now.kind, now.practice, now.assessments + 1)
        else:
            kind = "practice"
            now = Standing(now.kind, now.practice + 1, now.assessments)
        out[row.scenario_id] = Standing(kind if _RANK[kind] > _RANK[now.kind] else now.kind,
                                        now.practice, now.assessments)
    return out


def scenario_standings(store: RecordStore | None, trainee_id: str | None) -> dict[str, Standing]:
    """Every scenario the trainee has attempted, by scenario id (missing: not tried)."""
    if store is None or not trainee_id:
        return {}
    return standings_from(store.attempts(trainee_id))
