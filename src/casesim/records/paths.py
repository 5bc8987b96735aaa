"""An attempt's effective path as the text its row keeps for reports (``attempts.path``).

The item analysis reads every selected attempt's effective path: the choices in effect once
undos are replayed, with the node each was taken at. Read from the events, that was a row per
path event (a million for a store of 100,000 attempts) folded in Python, the largest cost of the
all-cohorts report (issue 13 benchmark). The store now writes the path once, when the attempt
is sealed, in the same transaction as the seal; reports read one stored path per attempt (from
an index in SQLite; grouped in SQL in PostgreSQL) and parse each distinct path once. An attempt
with no path stored (in progress, or sealed before the column existed in a PostgreSQL store) is
still read from its events.

The column is a copy of what the events say, like the node and choice columns of an event:
``records verify`` recomputes it from the events (:func:`path_text`) and reports an edited copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

from casesim.records.api import effective_steps

__all__ = ["PATH_KINDS", "PATH_KINDS_SQL", "PathEvent", "path_events_sql", "path_steps", "path_text"]

PATH_KINDS = ("choice", "timer-expired", "undo")
"""The events a path is made of."""
PATH_KINDS_SQL = "(" + ", ".join(f"'{kind}'" for kind in PATH_KINDS) + ")"
"""The same, as an SQL list (``kind IN PATH_KINDS_SQL``); the partial indexes of path events,
created by migrations that are never edited, name the same three."""


def path_events_sql(placeholder: str) -> str:
    """The query of one attempt's path events in order (the seal's input to :func:`path_text`),
    with the backend's parameter ``placeholder`` (``?`` or ``%s``) for the attempt's number."""
    return f"SELECT kind, node, choice FROM events WHERE attempt_n = {placeholder} AND kind IN {PATH_KINDS_SQL} ORDER BY seq"

PathEvent = tuple[str, "str | None", "str | None"]
"""An event as ``(kind, node, choice)``, in sequence order."""


class _Step:
    __slots__ = ("choice", "kind", "node")

    def __init__(self, kind: str, node: str | None, choice: str | None) -> None:
        self.kind, self.node, self.choice = kind, node, choice


def path_text(events: Iterable[PathEvent]) -> str | None:
    """The path the events leave in effect, as stored: a JSON array of ``[node, choice]`` pairs
    (the node ``"?"`` when the event did not say; a step that names no choice is left out).
    None when there is no path event at all (such an attempt has no path: it is not counted)."""
    steps = [_Step(kind, node, choice) for kind, node, choice in events if kind in PATH_KINDS]
    if not steps:
        return None
    kept = [[step.node or "?", step.choice] for step in effective_steps(steps) if step.choice is not None]
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=4096)
def path_steps(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A stored path as (steps, nodes), the same text parsed once (a class takes few paths: the
    most recent 4,096 are kept, a few megabytes at most, for a long-running serve); None
    when it is not a path as :func:`path_text` writes it (an edited copy: the caller reads that
    attempt's events instead, and ``records verify`` names it)."""
    try:
        pairs = json.loads(text)
    except ValueError:
        return None
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], str) for p in pairs):
        return None
    return tuple(choice for _, choice in pairs), tuple(node for node, _ in pairs)
