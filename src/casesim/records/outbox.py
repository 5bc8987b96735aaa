"""The xAPI statements an attempt makes as it is played, for a store's outbox.

While a store's outbox is on (``casesim lrs enable``), every write that makes statements adds them
to the store's outbox table in the same transaction: the attempt starting (``initialized``), each
choice or timer running out (``answered``), each undo (``voided``, retracting the undone answer),
the seal (``completed``, ``passed``/``failed``, ``terminated``) and an imported attempt (all of
its statements). A statement is therefore queued if and only if its event is recorded: a killed
process loses neither, and never keeps one without the other. A forwarder
(:mod:`casesim.records.lrs`) posts them to an LRS later.

The statements are built by the exporter's own builder (:class:`~casesim.records.export.xapi.
AttemptStatements`), so an attempt's queued statements are exactly what ``casesim export
xapi`` gives for it, with two differences, both on purpose:

* an undone choice: the export leaves it out, the outbox has already queued (maybe sent) its
  ``answered`` statement, so it queues a ``voided`` statement for it (xAPI 1.0.3 2.3.2);
* an attempt begun without a cohort by a trainee given one later: the export groups it under the
  trainee's cohort of today, the outbox under none (it cannot know the future).

Settings: the base IRI and the actor's home page are kept in the store (:class:`~casesim.records.
api.OutboxSettings`), so every process writing to it builds the same statements; the pseudonym key
is the store's own. The scenario files (for each decision's options, points and expert answer) are
the ones the player has loaded: :func:`remember_scenario` (called by the recorder) registers them
by content hash for this process. An attempt whose file is not registered gets its statements
without choices, scores or success, as an export without the file does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from casesim.authoring.analysis_summary import SummarisedScenario, with_summary
from casesim.authoring.pipeline import AnalysedScenario, Playable
from casesim.records.api import AttemptRow, EventRow, OutboxSettings, RecordStore, effective_steps
from casesim.records.chain import canonical_json
from casesim.records.export.xapi import AttemptStatements, check_iri, pseudonym
from casesim.records.pseudonym_keys import PseudonymKeyError, uses_program_key
from casesim.scoring.debrief import Debrief

__all__ = ["LiveStatements", "QueuedStatement", "check_settings", "forget_scenarios", "remember_scenario",
           "scenario_for"]

_log = logging.getLogger(__name__)

QueuedStatement = tuple[str, str, str]
"""(statement id, attempt id, JSON text): one outbox row to insert."""

_scenarios: dict[str, Playable] = {}
_scenarios_lock = threading.Lock()


def remember_scenario(scenario: Playable, store: RecordStore | None = None) -> None:
    """Register a scenario file by its content hash for this process's outbox statements (a
    content hash names one file's exact text, so registering is never wrong, only incomplete).

    With ``store``: only when its outbox is on (otherwise nothing is done, so a store without an
    LRS pays nothing). The expert path, which the ``answered`` statements name as the correct
    response, is added when the scenario was loaded without it (the analysis summary, from the
    on-disk cache when there), here and not inside the store's write lock.
    """
    if store is not None and store.outbox_settings() is None:
        return
    if not isinstance(scenario, AnalysedScenario | SummarisedScenario):
        scenario = with_summary(scenario)
    with _scenarios_lock:
        _scenarios[scenario.content_hash] = scenario


def scenario_for(content_hash: str) -> Playable | None:
    with _scenarios_lock:
        return _scenarios.get(content_hash)


def forget_scenarios() -> None:
    """Empty the registry (tests)."""
    with _scenarios_lock:
        _scenarios.clear()


def check_settings(settings: OutboxSettings) -> OutboxSettings:
    """``settings`` with both URLs checked (:class:`ValueError` naming the bad one)."""
    check_iri(settings.base_iri, "the base IRI")
    check_iri(settings.home_page, "the home page")
    return settings


def _queued(attempt_id: str, statements: Iterable[Mapping[str, Any]]) -> list[QueuedStatement]:
    return [(str(s["id"]), attempt_id, canonical_json(dict(s))) for s in statements]


class LiveStatements:
    """The statements of one store's writes, built inside the write's transaction.

    ``lookup`` finds a scenario file by content hash (default: the files :func:`remember_scenario`
    registered). Builders are kept per attempt (an attempt's header never changes), so a choice
    costs one statement's construction, not a re-analysis of its scenario.
    """

    def __init__(self, settings: OutboxSettings, pseudonym_key: str, *,
                 lookup: Callable[[str], Playable | None] = scenario_for,
                 actor_name: Callable[[str], str] | None = None) -> None:
        if not pseudonym_key and actor_name is None:
            raise ValueError("an empty pseudonym key would make the pseudonyms reversible by guessing ids")
        if uses_program_key(pseudonym_key):  # every writer builds live statements: none holds a program key
            raise PseudonymKeyError("this store names trainees with a program key kept outside it, so it cannot "
                                    "queue live statements", title="lrs: program pseudonym key",
                                    hint="turn the outbox off (`casesim lrs disable`), or give the store its own "
                                         "key with `casesim records pseudonym-key --import FILE`")
        self.settings = settings
        self._key = pseudonym_key
        # The actor's name from the trainee id: the pseudonym (default), or a placeholder a store
        # fills in where the key is (PostgreSQL's outbox trigger, for a role that cannot read it).
        self._actor_name = actor_name or (lambda trainee_id: pseudonym(trainee_id, self._key))
        self._lookup = lookup
        self._builders: dict[str, tuple[AttemptStatements, bool]] = {}
        self._missing: set[str] = set()

    def _builder(self, attempt: AttemptRow, *, fresh: bool = False) -> AttemptStatements:
        cached = None if fresh else self._builders.get(attempt.id)
        scenario = self._lookup(attempt.content_hash)
        if cached is not None and (cached[1] or scenario is None):
            return cached[0]
        if scenario is None and attempt.content_hash not in self._missing:
            self._missing.add(attempt.content_hash)
            _log.warning("outbox: the scenario file of attempt %s (%s %s, content %s) is not loaded in this process, "
                         "so its answered statements have no choices, scores or success (F10)", attempt.id,
                         attempt.scenario_id, attempt.scenario_version, attempt.content_hash[:12])
        builder = AttemptStatements(attempt, actor_name=self._actor_name(attempt.trainee_id),
                                    home_page=self.settings.home_page, base_iri=self.settings.base_iri,
                                    cohort=attempt.cohort, scenario=scenario)
        if len(self._builders) > 256:
            self._builders.clear()
        self._builders[attempt.id] = (builder, scenario is not None)
        return builder

    def started(self, attempt: AttemptRow) -> list[QueuedStatement]:
        return _queued(attempt.id, [self._builder(attempt).initialized()])

    def needs_history(self, events: Sequence[EventRow]) -> bool:
        """Whether :meth:`recorded` needs the attempt's earlier events (only an undo does)."""
        return any(e.kind == "undo" for e in events)

    def recorded(self, attempt: AttemptRow, events: Sequence[EventRow],
                 earlier: Sequence[EventRow] = ()) -> list[QueuedStatement]:
        """The statements of newly recorded ``events``; ``earlier`` are the attempt's events
        before them, needed only when :meth:`needs_history` says so (to know what an undo takes back)."""
        builder = self._builder(attempt)
        steps = effective_steps(earlier)
        out: list[dict[str, Any]] = []
        for event in events:
            if event.kind in ("choice", "timer-expired"):
                steps.append(event)
                out.append(builder.answered(event))
            elif event.kind == "undo" and steps:
                out.append(builder.voided(event, steps.pop()))
        return _queued(attempt.id, out)

    def sealed(self, attempt: AttemptRow, debrief: Debrief | None) -> list[QueuedStatement]:
        """The ending statements of a just-sealed ``attempt`` (its row as sealed)."""
        statements = self._builder(attempt, fresh=True).ending(debrief)
        self._builders.pop(attempt.id, None)
        return _queued(attempt.id, statements)

    def whole(self, attempt: AttemptRow, events: Sequence[EventRow], debrief: Debrief | None) -> list[QueuedStatement]:
        """Every statement of an attempt at once (an import, or a backfill), as an export gives them."""
        builder = self._builder(attempt, fresh=True)
        self._builders.pop(attempt.id, None)
        return _queued(attempt.id, [builder.initialized(), *(builder.answered(e) for e in effective_steps(events)),
                                    *builder.ending(debrief)])
