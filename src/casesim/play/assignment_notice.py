"""What to tell a trainee before an assessment starts: whether it will count, and why not.

The store ties an attempt to an assignment when it starts (:mod:`casesim.records.assignments`);
this asks it the same question first, so a trainee whose cohort has assignments learns *before*
they begin that an assessment outside them (wrong version, closed window, no attempts left)
counts as practice. No Textual here: the TUI, the plain player and ``casesim serve`` show it.
"""

from __future__ import annotations

from casesim.authoring.pipeline import Playable
from casesim.errors import CaseSimError
from casesim.format.scenario import Mode
from casesim.records.api import RecordStore
from casesim.records.assignments import window_text

__all__ = ["assessment_notice"]


def assessment_notice(store: RecordStore | None, trainee_id: str | None, loaded: Playable,
                      mode: Mode) -> tuple[bool, str] | None:
    """``(counts, words)`` for an assessment about to start, or None when there is nothing to say
    (practice, no store or trainee, or a cohort without assignments: the plain evidence rules)."""
    if store is None or not trainee_id or mode != "assessment":
        return None
    try:
        check = store.assignment_for(trainee_id, loaded.scenario.id, loaded.content_hash, mode)
    except CaseSimError:  # the store decides again when the attempt starts; never block on a read
        return None
    if check.assignment is not None:
        a = check.assignment
        limit = f"; at most {a.attempt_limit} attempt(s)" if a.attempt_limit is not None else ""
        return True, (f"This assessment counts for your cohort's assignment {a.id} ({window_text(a)}{limit}; "
                      f"the {'best-scored' if a.counting == 'best' else a.counting + ' finished'} attempt counts).")
    if check.reason is None:
        return None
    return False, f"This assessment will count as practice, not as evidence: {check.reason}."
