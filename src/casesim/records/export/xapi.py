"""xAPI 1.0.3 statements for recorded attempts (the shape of ``shared/reference/xapi-*.json``).

Per attempt, in time order:

* ``initialized`` — the attempt began (object: the scenario, a ``simulation`` activity);
* ``answered`` — one per decision in effect (undone choices are left out), object the decision
  node (a ``cmi.interaction`` of type ``choice`` with the options from the scenario file),
  ``result.response`` the choice id, the node's points as ``score`` and per-criterion points in
  an extension; a timer running out is answered with the response ``timeout:<node>``;
* ``completed`` — an ending was reached (``completion: true``);
* ``passed`` / ``failed`` — counted assessment attempts only (assessment mode on a scenario with
  a valid clinical sign-off when it began), with the debrief's one score (the share of the
  expert path's points, the figure the pass rule uses) as ``score.scaled``, the verdict in words,
  the speed check and the competency ratings as extensions;
* ``terminated`` — the attempt closed (completed, or left without penalty), with its duration.

A store's outbox (:mod:`casesim.records.outbox`) builds the same statements one event at a time
with :class:`AttemptStatements`, and adds one verb an export never needs: ``voided``, retracting
the ``answered`` statement of a choice undone after it was queued.

Evidence rules (:mod:`casesim.records.evidence`): every statement's context carries the extension
``…/extensions/evidence`` = ``assessment``, ``practice`` or ``trial``, and counted attempts also
``…/extensions/sign-off`` (reviewer, credential, date, content hash). Practice and trial attempts
never claim competency evidence: they get no ``passed``/``failed`` statement and no competency
ratings, only ``completed`` (with the practice score) and ``terminated``, so an LRS or gradebook
that reads ``success`` or ratings sees nothing from them.

``launched`` is not sent: casesim launches itself (the LMS sends it under cmi5). The actor is
pseudonymous: ``account.name`` is an HMAC-SHA256 of the trainee id under a key (by default the
store's own random key, which every backend must keep: one store always gives a trainee the same
name and nobody can reverse it by guessing ids; there is no public fallback key). Statement ids
are UUIDv5 of the attempt, event and verb, so an export re-sent to an LRS is a no-op. The
registration is the attempt id.

IRIs: every segment that comes from data (scenario, node, criterion and cohort ids) is
percent-encoded (``MSW Fall 2026 #1`` becomes ``MSW%20Fall%202026%20%231``), so a cohort with a
space or ``#`` never makes an invalid IRI or a fragment; ``--base-iri`` and ``--home-page`` must be
absolute http(s) URLs (:func:`check_iri`).

Versions: each attempt is read against the scenario file it was played on, found by its content
hash among the files given, never against a newer file with the same id (whose options, expert
choices and points may differ). The context names that version (``revision`` and the
``scenario-version`` extension). An attempt whose file is not among them still gets its
statements, without choices, scores or success, and a note in ``notes`` says so (F10). A timer
running out is listed among the node's ``choices`` (``timeout:<node>``), so every response is one
of the choices.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from casesim import __version__
from casesim.authoring.pipeline import Playable
from casesim.format.lines import default_text
from casesim.records.api import (
    AttemptRow,
    EventRow,
    RecordStore,
    effective_steps,
    left_without_penalty,
)
from casesim.records.chain import parse_iso
from casesim.records.damage import readable_debrief
from casesim.records.evidence import evidence_kind
from casesim.records.export.selection import Selection
from casesim.records.pseudonym_keys import pseudonym_key, uses_program_key
from casesim.records.reports import expert_choices
from casesim.scoring.debrief import Debrief, score_text

__all__ = ["VERBS", "AttemptStatements", "attempt_statements", "check_iri", "iri_segment", "iso_duration", "pseudonym", "statements"]

DEFAULT_BASE = "https://casesim.invalid"
_ADL = "http://adlnet.gov/expapi"
VERBS = {name: f"{_ADL}/verbs/{name}" for name in
         ("initialized", "answered", "completed", "passed", "failed", "terminated", "voided")}
SIMULATION = f"{_ADL}/activities/simulation"
INTERACTION = f"{_ADL}/activities/cmi.interaction"
OBJECTIVE = f"{_ADL}/activities/objective"
COURSE = f"{_ADL}/activities/course"


def iri_segment(text: str) -> str:
    """One path segment of an IRI made from data, percent-encoded (nothing is left as a
    delimiter: ``/``, ``#``, ``?`` and spaces are all escaped)."""
    return quote(text, safe="")


def check_iri(value: str, what: str = "the IRI") -> str:
    """``value`` as an absolute http(s) URL with a host, or :class:`ValueError` saying what is
    wrong (every activity id and the actor's ``homePage`` are built on it, so one bad value makes
    every statement invalid and a strict LRS rejects the whole batch)."""
    if not value or any(c.isspace() or ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError(f"{what} must be a URL without spaces or control characters, "
                         "e.g. https://sim.example.edu")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute http(s) URL with a host, e.g. https://sim.example.edu")
    if parts.query or parts.fragment or "#" in value:
        raise ValueError(f"{what} must be a URL without a query or a fragment (? or #), e.g. https://sim.example.edu")
    return value


def pseudonym(trainee_id: str, key: str) -> str:
    """A stable, non-reversible name for a trainee (32 hex characters)."""
    return hmac.new(key.encode("utf-8"), trainee_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def iso_duration(seconds: float) -> str:
    """``PT12M3.5S`` (ISO 8601, at most 0.01 s precision as xAPI asks)."""
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs = rest / 100
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or text == "PT":
        text += (f"{secs:.2f}".rstrip("0").rstrip(".") if secs != int(secs) else str(int(secs))) + "S"
    return text


def _timestamp(iso: str, offset_ms: int = 0) -> str:
    moment = parse_iso(iso)
    if offset_ms:
        from datetime import timedelta

        moment = moment + timedelta(milliseconds=offset_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _elapsed(start: str, end: str) -> float:
    return max(0.0, (parse_iso(end) - parse_iso(start)).total_seconds())


class _Builder:
    def __init__(self, attempt: AttemptRow, *, actor: dict[str, Any], base: str, cohort: str | None,
                 scenario: Playable | None) -> None:
        self.attempt = attempt
        self.actor = actor
        self.base = base.rstrip("/")
        self.scenario = scenario.scenario if scenario is not None else None
        self.program = scenario.program if scenario is not None else None
        self.expert = expert_choices(scenario)
        self.cohort = cohort
        self.evidence = evidence_kind(attempt.mode, attempt.signoff is not None)
        title = self.scenario.title if self.scenario is not None else attempt.scenario_id
        self.scenario_activity = {
            "objectType": "Activity",
            "id": f"{self.base}/xapi/activities/scenario/{iri_segment(attempt.scenario_id)}",
            "definition": {"type": SIMULATION, "name": {"en-US": title}}}

    def iri(self, tail: str) -> str:
        return f"{self.base}/xapi/{tail}"

    def context(self, *, parent: bool = False, extra: Mapping[str, Any] | None = None,
                grouping: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        groups = list(grouping)
        if self.cohort:
            groups.append({"objectType": "Activity", "id": self.iri(f"activities/course/{iri_segment(self.cohort)}"),
                           "definition": {"type": COURSE}})
        activities: dict[str, Any] = {"category": [{"objectType": "Activity", "id": self.iri("profiles/casesim")}]}
        if groups:
            activities["grouping"] = groups
        if parent:
            activities["parent"] = [self.scenario_activity]
        extensions: dict[str, Any] = {self.iri("extensions/scenario-version"): self.attempt.scenario_version,
                      self.iri("extensions/content-hash"): self.attempt.content_hash,
                      self.iri("extensions/mode"): self.attempt.mode,
                      self.iri("extensions/evidence"): self.evidence}
        if self.evidence == "assessment" and self.attempt.signoff is not None:
            extensions[self.iri("extensions/sign-off")] = self.attempt.signoff.as_dict()
        extensions.update(extra or {})
        return {"registration": self.attempt.id, "revision": self.attempt.scenario_version, "platform": f"casesim {__version__}", "language": "en-US",
                "contextActivities": activities, "extensions": extensions}

    def statement(self, key: str, verb: str, obj: dict[str, Any], timestamp: str, *,
                  result: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> dict[str, Any]:
        statement: dict[str, Any] = {
            "id": self.statement_id(key, verb),
            "actor": self.actor,
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
            "timestamp": timestamp,
            "context": context or self.context(),
        }
        if result is not None:
            statement["result"] = result
        return statement

    def statement_id(self, key: str, verb: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.iri(f"statements/{self.attempt.id}/{key}/{verb}")))

    def node_activity(self, node_id: str) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": INTERACTION, "interactionType": "choice"}
        title = self.scenario.title if self.scenario is not None else self.attempt.scenario_id
        definition["name"] = {"en-US": f"{title} - {node_id}"}
        node = self.scenario.nodes.get(node_id) if self.scenario is not None else None
        if node is not None:
            narration = default_text(node.narration)
            if narration:
                definition["description"] = {"en-US": narration}
            definition["choices"] = [{"id": c.id, "description": {"en-US": c.say}} for c in node.choices]
            timeouts = self.program.timeouts.get(node_id, ()) if self.program is not None else ()
            for sid in dict.fromkeys(t.id for t in timeouts):
                definition["choices"].append(
                    {"id": sid, "description": {"en-US": "(no answer: the timer ran out)"}})
            if node_id in self.expert:
                definition["correctResponsesPattern"] = [self.expert[node_id]]
        return {"objectType": "Activity", "id": self.iri(f"activities/scenario/{iri_segment(self.attempt.scenario_id)}/node/{iri_segment(node_id)}"),
                "definition": definition}

    def answer(self, event: EventRow) -> dict[str, Any]:
        node_id = str(event.payload.get("node"))
        choice_id = str(event.payload.get("choice"))
        result: dict[str, Any] = {"response": choice_id}
        seconds = event.payload.get("seconds")
        if isinstance(seconds, int | float):
            result["duration"] = iso_duration(float(seconds))
        scores: dict[str, int] = {}
        grouping: list[dict[str, Any]] = []
        step = self.program.steps.get(choice_id) if self.program is not None else None
        if step is not None:
            scores = dict(step.scores)
            options = [sum(p for _, p in s.scores) for s in self.program.steps_by_node.get(node_id, ())] \
                if self.program is not None else []
            if step.is_timeout:
                options.append(step.weight)
            raw = sum(scores.values())
            low, high = min([*options, raw]), max([*options, raw])
            if low < high:
                scale = max(abs(low), abs(high))
                result["score"] = {"raw": raw, "min": low, "max": high, "scaled": round(raw / scale, 4)}
            if scores:
                result["extensions"] = {self.iri("extensions/criterion-scores"): scores}
            for criterion in scores:
                grouping.append({"objectType": "Activity", "id": self.iri(f"activities/criterion/{iri_segment(criterion)}"),
                                 "definition": {"type": OBJECTIVE, "name": {"en-US": f"Criterion: {criterion}"}}})
        if node_id in self.expert:
            result["success"] = self.expert[node_id] == choice_id
        extra: dict[str, Any] = {self.iri("extensions/node-id"): node_id, self.iri("extensions/choice-id"): choice_id}
        if event.kind == "timer-expired":
            extra[self.iri("extensions/timed-out")] = True
        return self.statement(f"event-{event.seq}", "answered", self.node_activity(node_id), _timestamp(event.at),
                              result=result, context=self.context(parent=True, extra=extra, grouping=grouping))


def _score(debrief: Debrief) -> dict[str, Any]:
    """``result.score``: ``scaled`` is the debrief's one score (the share of the expert path's
    points, the figure the pass rule uses); ``raw``/``min``/``max`` are added when they restate
    it exactly (raw out of the expert path's points, from 0)."""
    score: dict[str, Any] = {"scaled": round(debrief.score, 4)}
    if debrief.total_best > 0 and 0 <= debrief.total_raw <= debrief.total_best:
        score.update(raw=debrief.total_raw, min=0, max=debrief.total_best)
    return score


class AttemptStatements:
    """The statements of one attempt, one event at a time: what :func:`attempt_statements` puts
    together for an export, and what a store's outbox (:mod:`casesim.records.outbox`) writes as
    each event happens, so both give the same statements for the same attempt."""

    def __init__(self, attempt: AttemptRow, *, actor_name: str, home_page: str = DEFAULT_BASE,
                 base_iri: str = DEFAULT_BASE, cohort: str | None = None, scenario: Playable | None = None) -> None:
        actor = {"objectType": "Agent", "account": {"homePage": home_page, "name": actor_name}}
        self._b = _Builder(attempt, actor=actor, base=base_iri, cohort=cohort, scenario=scenario)

    def initialized(self) -> dict[str, Any]:
        """The attempt began."""
        b = self._b
        return b.statement("start", "initialized", b.scenario_activity, _timestamp(b.attempt.started_at))

    def answered(self, event: EventRow) -> dict[str, Any]:
        """One ``choice`` or ``timer-expired`` event."""
        return self._b.answer(event)

    def statement_id(self, key: str, verb: str) -> str:
        """The UUIDv5 id of the attempt's statement ``key`` (``start``, ``event-<seq>``, ``end``) and ``verb``."""
        return self._b.statement_id(key, verb)

    def voided(self, undo: EventRow, undone: EventRow) -> dict[str, Any]:
        """The ``voided`` statement that retracts the ``answered`` statement of ``undone``, which
        ``undo`` took back (xAPI 1.0.3 2.3.2). An export leaves undone choices out altogether; a
        live outbox may have sent the answer already, so it retracts it instead."""
        b = self._b
        target = {"objectType": "StatementRef", "id": self.statement_id(f"event-{undone.seq}", "answered")}
        # revision and platform are only allowed when the object is an Activity (xAPI 2.4.6).
        context = {k: v for k, v in b.context().items() if k not in ("revision", "platform")}
        return b.statement(f"event-{undo.seq}", "voided", target, _timestamp(undo.at), context=context)

    def ending(self, debrief: Debrief | None) -> list[dict[str, Any]]:
        """``completed``, ``passed``/``failed`` and ``terminated`` of a finished attempt (empty
        while it is in progress)."""
        b = self._b
        attempt = b.attempt
        if attempt.ended_at is None:
            return []
        out: list[dict[str, Any]] = []
        duration = iso_duration(_elapsed(attempt.started_at, attempt.ended_at))
        if debrief is not None and debrief.ending is not None:
            result: dict[str, Any] = {"completion": True, "duration": duration}
            if b.evidence != "assessment":
                result["score"] = _score(debrief)
            out.append(b.statement("end", "completed", b.scenario_activity, _timestamp(attempt.ended_at), result=result))
        if debrief is not None and b.evidence == "assessment":
            verb = "passed" if debrief.passed else "failed"
            extensions: dict[str, Any] = {
                b.iri("extensions/criterion-totals"): {c.id: c.raw for c in debrief.criteria},
                b.iri("extensions/competency-ratings"): {c.id: c.rating for c in debrief.competencies if c.rating is not None},
                b.iri("extensions/verdict"): score_text(debrief)}
            if debrief.pace is not None:
                extensions[b.iri("extensions/pace")] = {
                    "decision-seconds": debrief.pace.decision_seconds, "reading-seconds": debrief.pace.reading_seconds,
                    "too-fast": debrief.pace.too_fast}
            result = {"success": debrief.passed, "duration": duration, "score": _score(debrief), "extensions": extensions}
            out.append(b.statement("end", verb, b.scenario_activity, _timestamp(attempt.ended_at, 1), result=result))
        terminated: dict[str, Any] = {"duration": duration}
        if left_without_penalty(attempt.status):
            terminated["extensions"] = {b.iri("extensions/status"): "left-without-penalty"}
        out.append(b.statement("end", "terminated", b.scenario_activity, _timestamp(attempt.ended_at, 2),
                               result=terminated))
        return out


def attempt_statements(attempt: AttemptRow, events: Sequence[EventRow], debrief: Debrief | None, *,
                       actor_name: str, home_page: str = DEFAULT_BASE, base_iri: str = DEFAULT_BASE,
                       cohort: str | None = None, scenario: Playable | None = None) -> list[dict[str, Any]]:
    """The statements of one attempt, in time order."""
    s = AttemptStatements(attempt, actor_name=actor_name, home_page=home_page, base_iri=base_iri, cohort=cohort,
                          scenario=scenario)
    return [s.initialized(), *(s.answered(event) for event in effective_steps(events)), *s.ending(debrief)]


def _by_content(library: Mapping[str, Playable] | Iterable[Playable] | None) -> dict[str, Playable]:
    """The scenario files given, by content hash (the keys of a mapping do not matter: an attempt
    is read only against the exact version it was played on)."""
    if library is None:
        return {}
    values = library.values() if isinstance(library, Mapping) else library
    return {p.content_hash: p for p in values}


def _missing_note(attempt: AttemptRow, count: int) -> str:
    return (f"{count} attempt(s) of {attempt.scenario_id} were played on version {attempt.scenario_version} "
            f"(content {attempt.content_hash[:12]}), which is not among the scenario files given: their "
            "answered statements have no choices, scores or success; keep each version's file and name "
            "its folder with --versions")


def statements(store: RecordStore, *, trainee_id: str | None = None, cohort: str | None = None,
               library: Mapping[str, Playable] | Iterable[Playable] | None = None, key: str | None = None,
               base_iri: str = DEFAULT_BASE, home_page: str | None = None,
               notes: list[str] | None = None, selection: Selection | None = None) -> Iterator[dict[str, Any]]:
    """Every statement for the selected attempts, attempt by attempt (an attempt whose debrief is
    damaged is left out, with a note in ``notes``; ``selection`` adds the mode and period filters).

    ``library`` holds the scenario files to read attempts against; each attempt uses the one whose
    content hash it recorded. Attempts whose version is missing are named in ``notes`` (one note
    per version, after the last statement). ``base_iri`` and ``home_page`` are checked with
    :func:`check_iri` before anything is yielded.
    """
    check_iri(base_iri, "the base IRI")
    home_page = check_iri(base_iri if home_page is None else home_page, "the home page")
    # the store's own key, or refused when the store was switched to a program key it does not hold
    key = pseudonym_key(store.pseudonym_key, None).key if key is None else key
    if uses_program_key(key):
        raise ValueError("a program key's marker is not a key: resolve the key with records.pseudonym_keys")
    if not key:
        raise ValueError("an empty pseudonym key would make the pseudonyms reversible by guessing ids")
    versions = _by_content(library)
    missing: dict[str, tuple[AttemptRow, int]] = {}
    trainees = {t.id: t for t in store.trainees(cohort)}
    yield from _statements(store, trainee_id, cohort, selection, trainees, versions, missing, key,
                           base_iri, home_page, notes)
    if notes is not None:
        notes.extend(_missing_note(first, count) for first, count in missing.values())


def _statements(store: RecordStore, trainee_id: str | None, cohort: str | None, selection: Selection | None,
                trainees: Mapping[str, Any], versions: Mapping[str, Playable],
                missing: dict[str, tuple[AttemptRow, int]], key: str, base_iri: str, home_page: str,
                notes: list[str] | None) -> Iterator[dict[str, Any]]:
    for attempt in store.attempts(trainee_id=trainee_id, cohort=cohort):
        if selection is not None and not selection.admits(attempt):
            continue
        trainee = trainees.get(attempt.trainee_id) or store.trainee(attempt.trainee_id)
        readable, debrief = readable_debrief(store, attempt, notes)
        if not readable:
            continue
        scenario = versions.get(attempt.content_hash)
        if scenario is None:
            first, count = missing.get(attempt.content_hash, (attempt, 0))
            missing[attempt.content_hash] = (first, count + 1)
        yield from attempt_statements(
            attempt, store.events(attempt.id), debrief,
            actor_name=pseudonym(attempt.trainee_id, key), home_page=home_page, base_iri=base_iri,
            cohort=attempt.cohort or (trainee.cohort if trainee is not None else None), scenario=scenario)
