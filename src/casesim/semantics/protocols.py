"""Protocols on a path: the answers heard, the steps asked, the triage taken, and the duties they make.

A screener is graded on what happened on the trainee's path, never on a fixed table of answers:

* an **answer is heard** when the path passes a node (or a choice) that declares it in
  ``answers:``, a later answer to the same step replacing an earlier one; with the old
  ``protocols: answers:`` table, a step's answer is heard when a choice carrying that step is
  taken (the table says what the client answers *if asked*);
* a **step is asked** when a choice carrying it (``steps:``) is taken;
* the **triage taken** is the last triage level a choice carried.

These facts live in hidden slots of the :class:`~casesim.semantics.program.State` (after the
scenario's variables), set by the effects the compiler adds to the steps that give them, so
the live session, the replay that scores a path and the exhaustive analysis all see the same
values, in path order. Each of the protocol's duties (``duties:``, ``triage:`` in ``scoring/``)
becomes a must-do requirement over these slots, so the expert path, the score ranges and the
answer-cue audit count a skipped item like any missed requirement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from casesim.format.framework import Duty, Level, Protocol
from casesim.format.scenario import Scenario

__all__ = [
    "ProtocolFacts",
    "ProtocolRequirement",
    "ProtocolTrack",
    "TrackedProtocols",
    "protocol_requirement_ids",
    "SETTLED_MET",
    "SETTLED_UNMET",
    "required_steps",
    "settle",
    "track_protocols",
    "triage_level",
]


def required_steps(protocol: Protocol, answers: Mapping[str, bool]) -> list[str]:
    """The steps the skip logic makes due for the answers heard, in order.

    A step asked ``always`` is due; a step asked ``if-yes`` is due only when a yes to the step it
    follows was heard (C-SSRS: Q3–Q5 only after a yes to Q2; Q6a only after a yes to Q6).
    """
    return [s.step for s in protocol.steps if s.ask == "always" or bool(answers.get(s.after_yes or "", False))]


def triage_level(protocol: Protocol, answers: Mapping[str, bool]) -> Level | None:
    """The first level (most severe first) with a heard yes to any of its steps; None without one."""
    for level in protocol.levels:
        if any(answers.get(step, False) for step in level.any_yes):
            return level
    return None


@dataclass(frozen=True)
class ProtocolFacts:
    """What one path did with one protocol, and what follows from it."""

    protocol: Protocol
    answers: Mapping[str, bool]
    """The answers heard, by step (a step not here was never answered on the path)."""
    asked: frozenset[str]
    """The steps a choice on the path carried."""
    action: str | None
    """The last triage level a choice carried, or None."""

    @property
    def begun(self) -> bool:
        """Whether any step of the protocol was asked."""
        return bool(self.asked)

    @property
    def due(self) -> list[str]:
        """The steps the skip logic makes due for the answers heard, in order."""
        return required_steps(self.protocol, self.answers)

    @property
    def unasked(self) -> tuple[str, ...]:
        """Due steps never asked."""
        return tuple(s for s in self.due if s not in self.asked)

    @property
    def complete(self) -> bool:
        """Whether every due step was asked (for a screener: the screen is finished)."""
        return not self.unasked

    @property
    def level(self) -> Level | None:
        """The level the answers heard call for (None: no yes was heard)."""
        return triage_level(self.protocol, self.answers)

    @property
    def level_certain(self) -> bool:
        """Whether the items never asked could not raise the level: the screen is complete, or
        the level heard is already the most severe."""
        level = self.level
        return self.complete or (level is not None and level.level == self.protocol.levels[0].level)

    def duty_missed(self, duty: Duty) -> bool:
        """Whether the path began the protocol and left a due step of ``duty`` unasked."""
        if not self.begun:
            return False
        due = set(self.due)
        return any(s in due and s not in self.asked for s in duty.steps)

    @property
    def under_triage(self) -> bool:
        """Whether the answers heard call for a level and the last response taken was less
        severe, or there was none."""
        level = self.level
        if level is None:
            return False
        rank = {lv.level: i for i, lv in enumerate(self.protocol.levels)}
        return self.action is None or rank.get(self.action, len(rank)) > rank[level.level]

    @property
    def action_matches(self) -> bool | None:
        """Whether the response taken is the one the answers heard call for; None for a protocol
        without levels. With no yes heard, only a complete screen is known to be negative, so
        taking no action matches only then: an unfinished screen never matches."""
        if not self.protocol.levels:
            return None
        level = self.level
        if level is not None:
            return self.action == level.level
        return self.complete and self.action is None


@dataclass(frozen=True)
class ProtocolRequirement:
    """A must-do requirement a protocol's duty adds to a scenario."""

    id: str
    """``<protocol id>-<duty id>``, or ``<protocol id>-triage``."""
    protocol: str
    reason: str
    cites: tuple[str, ...]


Slot = tuple[int, Any]
"""(index in ``State.vars``, value it is set to)."""
StateGuard = Callable[[Any], bool]


@dataclass(frozen=True)
class ProtocolTrack:
    """Where one protocol's facts live in a state's hidden slots."""

    id: str
    protocol: Protocol
    answer_slots: Mapping[str, int]
    """Step -> slot holding the answer heard (None, False or True); only steps some answer names."""
    asked_slots: Mapping[str, int]
    """Step -> slot holding whether it was asked."""
    action_slot: int | None
    """Slot holding the last triage level taken (None for a protocol without levels)."""

    def facts(self, values: tuple[Any, ...]) -> ProtocolFacts:
        """The facts held in ``values`` (a state's ``vars``)."""
        answers = {step: values[i] for step, i in self.answer_slots.items() if values[i] is not None}
        asked = frozenset(step for step, i in self.asked_slots.items() if values[i])
        action = values[self.action_slot] if self.action_slot is not None else None
        return ProtocolFacts(self.protocol, answers, asked, action)


@dataclass(frozen=True)
class TrackedProtocols:
    """What :func:`track_protocols` adds to a compiled scenario."""

    tracks: tuple[ProtocolTrack, ...]
    start_values: tuple[Any, ...]
    """Initial values of the hidden slots, which follow the scenario's variables."""
    choice_sets: Mapping[str, tuple[Slot, ...]]
    """Choice id -> the slots its taking sets (asked, triage taken, answers in its reply)."""
    entry_sets: Mapping[str, tuple[Slot, ...]]
    """Node id -> the slots reaching it sets (the answers the node declares)."""
    requirements: tuple[tuple[ProtocolRequirement, StateGuard], ...]


def protocol_requirement_ids(scenario: Scenario, protocols: Mapping[str, Protocol]) -> list[str]:
    """The ids of the requirements the protocols ``scenario`` uses add to it."""
    out: list[str] = []
    for use in scenario.protocols:
        protocol = protocols.get(use.protocol)
        if protocol is None:
            continue
        out += [f"{use.protocol}-{duty.id}" for duty in protocol.duties]
        if protocol.triage is not None:
            out.append(f"{use.protocol}-triage")
    return out


def _tracked(protocol: Protocol) -> bool:
    """Whether answers matter for the protocol: it has skip logic, levels or duties. (A list of
    steps always due, like the safety plan, is scored from the path alone.)"""
    return bool(protocol.levels or protocol.duties or any(s.ask == "if-yes" for s in protocol.steps))


def track_protocols(scenario: Scenario, protocols: Mapping[str, Protocol], first_slot: int) -> TrackedProtocols:
    """The hidden slots, their setting effects and the duty requirements for ``scenario``'s
    protocols, numbering slots from ``first_slot``."""
    slot = first_slot
    start: list[Any] = []
    tracks: list[ProtocolTrack] = []
    choice_sets: dict[str, list[Slot]] = {}
    entry_sets: dict[str, list[Slot]] = {}
    requirements: list[tuple[ProtocolRequirement, StateGuard]] = []
    choices = [c for node in scenario.nodes.values() for c in node.choices]
    for use in scenario.protocols:
        protocol = protocols.get(use.protocol)
        if protocol is None or not _tracked(protocol):
            continue
        steps = [s.step for s in protocol.steps]
        step_set = set(steps)
        named = set(use.answers)
        named.update(k for node in scenario.nodes.values() for k in node.answers)
        named.update(k for c in choices for k in c.answers)
        answer_slots: dict[str, int] = {}
        for step in steps:
            if step in named:
                answer_slots[step] = slot
                start.append(None)
                slot += 1
        asked_slots: dict[str, int] = {}
        for step in steps:
            asked_slots[step] = slot
            start.append(False)
            slot += 1
        levels = {lv.level for lv in protocol.levels}
        action_slot: int | None = None
        if levels:
            action_slot = slot
            start.append(None)
            slot += 1
        for choice in choices:
            sets = choice_sets.setdefault(choice.id, [])
            for step in choice.steps:
                if step in step_set:
                    sets.append((asked_slots[step], True))
                    if step in use.answers:  # the old table: the answer it gives when asked
                        sets.append((answer_slots[step], use.answers[step]))
                elif step in levels and action_slot is not None:
                    sets.append((action_slot, step))
            sets += [(answer_slots[k], v) for k, v in choice.answers.items() if k in answer_slots]
        for node_id, node in scenario.nodes.items():
            entry = [(answer_slots[k], v) for k, v in node.answers.items() if k in answer_slots]
            if entry:
                entry_sets.setdefault(node_id, []).extend(entry)
        track = ProtocolTrack(use.protocol, protocol, answer_slots, asked_slots, action_slot)
        tracks.append(track)
        for duty in protocol.duties:
            req = ProtocolRequirement(f"{use.protocol}-{duty.id}", use.protocol, duty.reason, tuple(duty.cites))
            requirements.append((req, _duty_guard(track, duty, first_slot)))
        if protocol.triage is not None:
            req = ProtocolRequirement(f"{use.protocol}-triage", use.protocol, protocol.triage.reason,
                                      tuple(protocol.triage.cites))
            requirements.append((req, _triage_guard(track, first_slot)))
    return TrackedProtocols(
        tracks=tuple(tracks),
        start_values=tuple(start),
        choice_sets={k: tuple(v) for k, v in choice_sets.items() if v},
        entry_sets={k: tuple(v) for k, v in entry_sets.items()},
        requirements=tuple(requirements),
    )


def settle(values: tuple[Any, ...], first_slot: int,
           requirements: tuple[tuple[ProtocolRequirement, StateGuard], ...]) -> tuple[Any, ...]:
    """``values`` with the hidden slots replaced by all that is left to know once no step can
    change them any more: whether every protocol requirement holds (``SETTLED_MET`` or
    ``SETTLED_UNMET`` in the first slot, None in the others).

    The analysis settles states at nodes from which no step sets a slot (see
    ``Program.settled_nodes``), so paths through a screener that differ only in facts that no
    longer matter merge again. A pass needs every requirement met, so one verdict for all of
    them keeps the expert path, the score ranges and the audit exact; a settled state that
    misses any reports every protocol requirement as unmet (name the missed ones from the full
    state of a replayed path, as the debrief does).
    """
    if len(values) <= first_slot or values[first_slot] in _SETTLED:
        return values
    probe = _Values(values)
    met = all(holds(probe) for _, holds in requirements)
    return values[:first_slot] + (SETTLED_MET if met else SETTLED_UNMET,) + (None,) * (len(values) - first_slot - 1)


SETTLED_MET = "settled: every protocol requirement holds"
SETTLED_UNMET = "settled: a protocol requirement does not hold"
_SETTLED = (SETTLED_MET, SETTLED_UNMET)


@dataclass(frozen=True, slots=True)
class _Values:
    vars: tuple[Any, ...]


def _duty_guard(track: ProtocolTrack, duty: Duty, first_slot: int) -> StateGuard:
    def holds(state: Any) -> bool:
        settled = state.vars[first_slot]
        if settled in _SETTLED:
            return bool(settled == SETTLED_MET)
        return not track.facts(state.vars).duty_missed(duty)
    return holds


def _triage_guard(track: ProtocolTrack, first_slot: int) -> StateGuard:
    def holds(state: Any) -> bool:
        settled = state.vars[first_slot]
        if settled in _SETTLED:
            return bool(settled == SETTLED_MET)
        return not track.facts(state.vars).under_triage
    return holds
