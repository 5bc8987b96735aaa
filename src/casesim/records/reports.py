"""Reports over the record: pure functions that return data (the text renderers are in ``render``).

* :func:`trainee_report` — one trainee's attempts over time and competency ratings over time;
* :func:`cohort_report` — a roster by competency and an item analysis per decision: for each
  decision node, the share of the class taking each option, beside that option's feedback.

The item analysis counts each attempt's *effective* path (undone choices removed), the path the
debrief scored. Competency ratings follow the evidence rules of :mod:`casesim.records.evidence`:
assessment attempts on signed-off scenarios only, two measures from two scenarios or
"insufficient evidence".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from casesim.authoring.pipeline import Playable
from casesim.authoring.report_view import (
    ReportView,
    expert_by_node,
    expert_path,
    report_view,
)
from casesim.collector import paused
from casesim.errors import NotFoundError
from casesim.format.scenario import Mode
from casesim.records.api import (
    AttemptRow,
    CompetencyGroup,
    CompetencyPoint,
    DecisionPath,
    EventRow,
    RecordStore,
    TraineeRow,
    left_without_penalty,
)
from casesim.records.assignments import Standing, standings
from casesim.records.chain import parse_iso
from casesim.records.damage import readable_debrief
from casesim.records.decisions import Decision, Replayer
from casesim.records.evidence import (
    CompetencyEvidence,
    EvidenceKind,
    RatedPoint,
    competency_evidence,
    evidence_kind,
    grouped_evidence,
)
from casesim.scoring.catalog import Catalog

__all__ = [
    "AttemptSummary",
    "CohortReport",
    "Departure",
    "CompetencyTrend",
    "NodeItems",
    "OptionItem",
    "ProgressPoint",
    "RosterCell",
    "RosterRow",
    "ScenarioItems",
    "TraineeReport",
    "attempt_standings",
    "cohort_report",
    "export_evidence",
    "competency_title",
    "duration_seconds",
    "expert_choices",
    "item_analysis",
    "trainee_report",
]

def competency_title(catalog: Catalog | None, competency: str) -> str:
    criterion = catalog.criteria.get(competency) if catalog is not None else None
    return criterion.title if criterion is not None else competency


def expert_choices(loaded: Playable | ReportView | None) -> dict[str, str]:
    """Node id -> the step id the expert path takes there (its first visit), for marking options;
    empty when the scenario was loaded without its analysis or its summary."""
    if loaded is None:
        return {}
    if isinstance(loaded, ReportView):
        return dict(loaded.expert)
    return expert_by_node(loaded.program, expert_path(loaded))


def duration_seconds(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return max(0.0, (parse_iso(end) - parse_iso(start)).total_seconds())


# --- one trainee ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    """One competency rating from one finished attempt."""

    at: str
    """When the attempt ended (ISO-8601 UTC)."""
    rating: int | None
    share: float | None
    attempt_id: str
    scenario_id: str
    mode: Mode
    signed_off: bool = False
    """Whether the scenario had a valid clinical sign-off when the attempt began."""
    standing: EvidenceKind | None = None
    """What the attempt is as evidence once assignments are applied (None: the plain rules)."""

    @property
    def evidence(self) -> EvidenceKind:
        return self.standing if self.standing is not None else evidence_kind(self.mode, self.signed_off)


def _kind(point: RatedPoint) -> EvidenceKind:
    """A point's evidence kind, assignments applied when the point is a report's."""
    return point.evidence if isinstance(point, ProgressPoint) else evidence_kind(point.mode, point.signed_off)


@dataclass(frozen=True, slots=True)
class CompetencyTrend:
    """A competency's ratings over time, oldest first (every mode; :attr:`evidence` says what counts)."""

    id: str
    title: str
    points: tuple[ProgressPoint, ...]

    @property
    def rated(self) -> tuple[ProgressPoint, ...]:
        return tuple(p for p in self.points if p.rating is not None)

    @property
    def evidence(self) -> CompetencyEvidence:
        """The rating the evidence rules allow, or why there is none."""
        return competency_evidence(self.points, _kind)


@dataclass(frozen=True, slots=True)
class AttemptSummary:
    """One attempt as a report lists it."""

    attempt: AttemptRow
    scenario_title: str | None
    ending: str | None
    ending_title: str | None
    outcome: str | None
    critical: tuple[str, ...]
    decisions: int
    duration_seconds: float | None
    accommodation: str | None = None
    """The timing accommodation the attempt was played with ("2× time, set by the instructor"),
    from its first event; None for the standard time. Shown as an accommodation, never a penalty."""
    standing: Standing | None = None
    """What the attempt is as evidence once its cohort's assignments are applied, and why."""

    @property
    def evidence(self) -> EvidenceKind:
        """``assessment`` (counted), ``practice``, ``trial`` or ``uncounted`` (shown, never counted)."""
        if self.standing is not None:
            return self.standing.kind
        return evidence_kind(self.attempt.mode, self.attempt.signoff is not None)

    @property
    def reason(self) -> str | None:
        """Why an assessment counts as practice or is not counted, or which assignment it counts for."""
        return self.standing.reason if self.standing is not None else None


@dataclass(frozen=True, slots=True)
class TraineeReport:
    trainee: TraineeRow
    attempts: tuple[AttemptSummary, ...]
    competencies: tuple[CompetencyTrend, ...]
    notes: tuple[str, ...] = ()
    """Attempts whose debrief is damaged (listed without it): say so wherever the report is shown."""

    @property
    def finished(self) -> int:
        """Attempts played to an ending (left ones are not: leaving carries no penalty and no count)."""
        return sum(a.attempt.status == "completed" for a in self.attempts)

    @property
    def left(self) -> int:
        return sum(left_without_penalty(a.attempt.status) for a in self.attempts)

    @property
    def passed(self) -> int:
        return sum(bool(a.attempt.passed) for a in self.attempts)

    @property
    def counted(self) -> int:
        """Finished assessment attempts on signed-off scenarios: the only ones that count."""
        return sum(a.evidence == "assessment" and a.attempt.status != "in-progress" for a in self.attempts)

    @property
    def counted_passed(self) -> int:
        return sum(a.evidence == "assessment" and bool(a.attempt.passed) for a in self.attempts)


def _trends(points: Iterable[CompetencyPoint], catalog: Catalog | None,
            mode: Mode | None = None,
            standing: Mapping[str, Standing] | None = None) -> dict[str, dict[str, list[ProgressPoint]]]:
    """trainee id -> competency id -> points in time order (``standing``: by attempt id)."""
    out: dict[str, dict[str, list[ProgressPoint]]] = defaultdict(lambda: defaultdict(list))
    for p in points:
        if mode is not None and p.mode != mode:
            continue
        kind = standing[p.attempt_id].kind if standing is not None and p.attempt_id in standing else None
        out[p.trainee_id][p.competency].append(
            ProgressPoint(p.ended_at, p.rating, p.share, p.attempt_id, p.scenario_id, p.mode, p.signed_off, kind))
    return out


def export_evidence(store: RecordStore, attempts: Sequence[AttemptRow]) -> dict[str, EvidenceKind]:
    """Each selected attempt's evidence kind as the reports give it (assignments applied), for the
    exports' ``evidence`` column; empty when the store has no assignment (the plain kinds apply).

    A counting rule or an attempt limit depends on the trainee's other attempts, so every attempt
    of the selected trainees is read, whatever the export's filters left out."""
    if not attempts or not store.assignments():
        return {}
    whose = {a.trainee_id for a in attempts}
    everything = [a for a in store.attempts() if a.trainee_id in whose]
    cohorts = {t.id: t.cohort for t in store.trainees() if t.id in whose}
    found = standings(everything, store.assignments(), cohorts)
    return {a.id: found[a.id].kind for a in attempts if a.id in found}


def attempt_standings(store: RecordStore, attempts: Sequence[AttemptRow],
                      trainees: Iterable[TraineeRow]) -> dict[str, Standing]:
    """Each attempt's standing under its cohort's assignments (:mod:`casesim.records.assignments`);
    empty when the store has no assignment, so the plain evidence rules apply everywhere."""
    assignments = store.assignments()
    if not assignments:
        return {}
    return standings(attempts, assignments, {t.id: t.cohort for t in trainees})


TIME_LABELS = {"1.5x": "1.5× time", "2x": "2× time", "none": "no time limit"}
"""How a report names each timing accommodation (:mod:`casesim.play.timing` sets them)."""
_WHOSE = {"instructor": "set by the instructor", "student": "asked for in practice"}


def accommodation_text(events: Sequence[EventRow]) -> str | None:
    """The timing accommodation recorded in an attempt's first event, in words; None when none."""
    first = events[0].payload.get("accommodation") if events else None
    if not isinstance(first, Mapping):
        return None
    label = TIME_LABELS.get(str(first.get("time")))
    whose = _WHOSE.get(str(first.get("source")))
    return f"{label}, {whose}" if label and whose else None


def trainee_report(store: RecordStore, trainee_id: str, *, catalog: Catalog | None = None,
                   library: Mapping[str, Playable] | None = None) -> TraineeReport:
    """A trainee's attempts over time and competency ratings over time."""
    trainee = store.trainee(trainee_id)
    if trainee is None:
        store.check_empty(f"trainee {trainee_id}")
        raise NotFoundError(f"there is no trainee {trainee_id} in {store.location}", title="no such trainee",
                            hint="`casesim records list` shows who has attempts")
    summaries = []
    notes: list[str] = []
    attempts = store.attempts(trainee_id=trainee_id)
    standing = attempt_standings(store, attempts, [trainee])
    for attempt in attempts:
        debrief = readable_debrief(store, attempt, notes, listed=True)[1] if attempt.status == "completed" else None
        loaded = (library or {}).get(attempt.scenario_id)
        title = debrief.scenario_title if debrief else (loaded.scenario.title if loaded and loaded.scenario else None)
        summaries.append(AttemptSummary(
            attempt=attempt, scenario_title=title,
            ending=debrief.ending if debrief else None, ending_title=debrief.ending_title if debrief else None,
            outcome=debrief.outcome if debrief else None,
            critical=tuple(c.headline for c in debrief.critical) if debrief else (),
            decisions=len(debrief.decisions) if debrief else 0,
            duration_seconds=duration_seconds(attempt.started_at, attempt.ended_at),
            accommodation=accommodation_text(store.events(attempt.id)), standing=standing.get(attempt.id)))
    series = _trends(store.competency_points(trainee_id=trainee_id), catalog, None, standing).get(trainee_id, {})
    trends = tuple(CompetencyTrend(cid, competency_title(catalog, cid), tuple(series[cid])) for cid in sorted(series))
    return TraineeReport(trainee, tuple(summaries), trends, tuple(notes))


# --- a cohort -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterCell:
    """One trainee's evidence on one competency (see :mod:`casesim.records.evidence`)."""

    rating: float | None
    """The reported rating, or None with insufficient evidence."""
    measures: int
    scenarios: int

    @property
    def summary(self) -> str:
        return CompetencyEvidence(self.measures, self.scenarios, self.rating, (), ()).summary()


@dataclass(frozen=True, slots=True)
class RosterRow:
    trainee: TraineeRow
    attempts: int
    completed: int
    passed: int
    """Passed assessment attempts on signed-off scenarios (practice and trials are not counted)."""
    ratings: Mapping[str, RosterCell]


class OptionItem(NamedTuple):
    """One option at a decision node: how many in the class took it, and what it teaches.

    A named tuple, not a frozen dataclass: a report of the bundled library builds over a
    thousand, and a tuple is built in a quarter of the time (issue 13, benchmarks). In a
    report's JSON it is an object with these names (:func:`casesim.records.render.report_json`)."""

    choice: str
    say: str | None
    count: int  # type: ignore[assignment]  # (hides tuple.count, which nothing here calls)
    share: float
    """Of the decisions made at this node."""
    trainees: int
    feedback: str | None
    points: int | None
    critical: bool
    expert: bool
    """The expert path takes this option here."""
    in_scenario: bool
    """False when the option is no longer in the current scenario file."""
    offered: int = 0
    """Decisions at this node where the option was open (replayed against the current file)."""
    chosen_when_offered: int = 0
    """Of those, how many took it: ``chosen_when_offered / offered`` is the share of the class
    choosing it among those to whom it was offered (decisions on another version of the file
    are in ``count`` but in neither of these)."""

    @property
    def offered_share(self) -> float | None:
        return self.chosen_when_offered / self.offered if self.offered else None


@dataclass(frozen=True, slots=True)
class NodeItems:
    node: str
    client: str | None
    decisions: int
    options: tuple[OptionItem, ...]


@dataclass(frozen=True, slots=True)
class ScenarioItems:
    scenario_id: str
    title: str | None
    attempts: int
    trainees: int
    other_versions: int
    """Attempts recorded against another content hash than the current file."""
    nodes: tuple[NodeItems, ...]


@dataclass(frozen=True, slots=True)
class Departure:
    """A decision where the expert's option was offered and the class often chose otherwise."""

    scenario_id: str
    node: str
    expert: str
    offered: int
    """Decisions where the expert's option was open."""
    departed: int
    """Of those, decisions that took another option."""
    trainees: int
    """Trainees who departed at least once here."""
    instead: tuple[tuple[str, int], ...]
    """What was chosen instead, most common first (equal counts in choice-id order)."""

    @property
    def share(self) -> float:
        return self.departed / self.offered if self.offered else 0.0


@dataclass(frozen=True, slots=True)
class CohortReport:
    cohort: str
    competencies: tuple[tuple[str, str], ...]
    """(id, title) of every competency with a rating in the cohort, in id order."""
    roster: tuple[RosterRow, ...]
    items: tuple[ScenarioItems, ...]
    mode: Mode | None = None
    too_fast: tuple[AttemptRow, ...] = ()
    """Attempts flagged by the speed check (decisions faster than their text can be read), oldest first."""
    departures: tuple[Departure, ...] = ()
    """The class's most common departures from the expert, most departed decisions first."""
    section: str | None = None
    """The cohort's section as set now (``records cohort``); None when not set."""
    term: str | None = None
    """The cohort's term as set now; None when not set."""
    stamped: tuple[tuple[str | None, str | None, int], ...] = ()
    """(section, term, attempts) as stamped on the cohort's attempts when they began, most
    attempts first: what the attempts were played under, whatever the cohort says now."""


@dataclass
class _Tally:
    attempts: set[str] = field(default_factory=set)
    trainees: set[str] = field(default_factory=set)
    other_versions: set[str] = field(default_factory=set)
    path_attempts: int = 0
    """Attempts counted from their paths (no attempt ids): beside :attr:`attempts`, never both."""
    path_other_versions: int = 0
    # Counts are plain dicts, not Counters: a report of the bundled library made about a thousand,
    # and a Counter takes ten times a dict to make (issue 13, benchmarks).
    per_node: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    trainees_per_option: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    """Node -> choice -> the trainees who took it there."""
    offered: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    chosen_when_offered: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    expert_offered: dict[str, int] = field(default_factory=dict)
    departed: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    departed_trainees: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    expert: dict[str, str] = field(default_factory=dict)

    def count(self, decision: Decision, times: int) -> None:
        """Count a decision ``times`` times (every attempt, of any trainee, on one path)."""
        node, choice = decision.node, decision.choice
        _add(self.per_node[node], choice, times)
        if decision.offered is None:
            return
        offered = self.offered[node]
        for option in decision.offered:
            offered[option] = offered.get(option, 0) + times
        _add(self.chosen_when_offered[node], choice, times)
        if decision.expert is not None and decision.expert in decision.offered:
            self.expert[node] = decision.expert
            _add(self.expert_offered, node, times)
            if decision.departed:
                _add(self.departed[node], choice, times)

    def taken_by(self, trainees: Iterable[str], decision: Decision) -> None:
        """Note the trainees who took a decision (for how many trainees chose or departed)."""
        node = decision.node
        self.trainees_per_option[node].setdefault(decision.choice, set()).update(trainees)
        if decision.departed and decision.expert is not None:
            self.departed_trainees[node].update(trainees)


def _add(counts: dict[str, int], key: str, times: int) -> None:
    counts[key] = counts.get(key, 0) + times


_NONE: Mapping[str, Any] = MappingProxyType({})
"""No counts (without building an empty dict for every option looked up)."""
_TIMER_SAY = "(let the timer run out)"
"""What the item analysis shows as the words of a timer's branch."""
_new = tuple.__new__
_COUNT = itemgetter(OptionItem._fields.index("count"))
"""An :class:`OptionItem`'s count."""


def _scenario_items(scenario_id: str, tally: _Tally, loaded: Playable | ReportView | None) -> ScenarioItems:
    view = report_view(loaded) if loaded is not None else None
    nodes_by_id = {n.id: n for n in view.nodes} if view is not None else {}
    node_of = view.step_nodes() if view is not None else _NONE
    expert_by_node = view.expert if view is not None else _NONE
    nodes: list[NodeItems] = []
    per_node = tally.per_node
    order = list(nodes_by_id)
    order += sorted(n for n in per_node if n not in nodes_by_id)
    # A report lists every option of every decision node (over a thousand for the bundled
    # library): each node's counts are looked up once, not once per option, and each option's
    # row is made from its fields by tuple.__new__ (no call in Python per option).
    takers, offered_at, chosen_at = tally.trainees_per_option, tally.offered, tally.chosen_when_offered
    for node_id in order:
        node = nodes_by_id.get(node_id)
        if node is not None and not node.decides:
            continue
        counts = per_node.get(node_id)
        expert = expert_by_node.get(node_id)
        current = node.options if node is not None else ()
        client = node.client if node is not None else None
        if not counts:  # nobody decided here: every option's counts are nought
            nodes.append(NodeItems(node_id, client, 0, tuple([
                _new(OptionItem, (oid, _TIMER_SAY if timeout else say, 0, 0.0, 0, feedback, points, critical,
                                  not timeout and expert == oid, True, 0, 0))
                for oid, say, feedback, points, critical, timeout in current])))
            continue
        offered = offered_at.get(node_id, _NONE).get
        chosen = chosen_at.get(node_id, _NONE).get
        who = takers.get(node_id, _NONE)
        total = sum(counts.values())
        per = total or 1  # (every count is at least one: only a guard)
        count_of = counts.get
        options = [_new(OptionItem, (oid, _TIMER_SAY if timeout else say, n, n / per, len(who.get(oid, ())),
                                     feedback, points, critical, not timeout and expert == oid, True,
                                     offered(oid, 0), chosen(oid, 0)))
                   for oid, say, feedback, points, critical, timeout in current for n in (count_of(oid, 0),)]
        if sum(map(_COUNT, options)) == total:  # (every count is positive) the common case
            nodes.append(NodeItems(node_id, client, total, tuple(options)))
            continue
        # chosen on another version of the file: no longer an option here
        for cid in sorted(cid for cid in counts if node_of.get(cid) != node_id):
            count = counts[cid]
            options.append(OptionItem(cid, None, count, count / per, len(who.get(cid, ())), None, None, False,
                                      False, False, offered(cid, 0), chosen(cid, 0)))
        nodes.append(NodeItems(node_id, client, total, tuple(options)))
    return ScenarioItems(scenario_id, view.title if view is not None else None,
                         len(tally.attempts) + tally.path_attempts, len(tally.trainees),
                         len(tally.other_versions) + tally.path_other_versions, tuple(nodes))


def _most_common(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Most common first, equal counts in choice-id order (not in the order the paths were read,
    which the store does not fix)."""
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def item_analysis(paths: Iterable[DecisionPath], library: Mapping[str, Playable | ReportView], *,
                  attempts: Iterable[AttemptRow] | None = None, scenario_id: str | None = None,
                  replayers: dict[str, Replayer | None] | None = None,
                  ) -> tuple[tuple[ScenarioItems, ...], tuple[Departure, ...]]:
    """The item analysis of some effective paths (:meth:`RecordStore.decision_paths`), each replayed
    against its scenario file to know what was offered, and the class's departures from the expert.

    ``attempts``: the selected attempts, for each scenario's count of attempts and of attempts on
    another version of the file; None counts them from the paths (then an attempt with no decision
    yet is not counted: what the live class view shows as the analysis builds up).
    ``replayers``: replayers by scenario id kept by the caller between calls, so a path replayed
    once is not replayed again (the live view analyses the same class after every commit).
    """
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    made: dict[str, ReportView | None] = {}

    def views(sid: str) -> ReportView | None:
        if sid not in made:
            loaded = library.get(sid)
            made[sid] = report_view(loaded) if loaded is not None else None
        return made[sid]

    for attempt in attempts or ():
        if scenario_id is not None and attempt.scenario_id != scenario_id:
            continue
        tally = tallies[attempt.scenario_id]
        tally.attempts.add(attempt.id)
        tally.trainees.add(attempt.trainee_id)
        loaded = library.get(attempt.scenario_id)
        if loaded is not None and loaded.content_hash != attempt.content_hash:
            tally.other_versions.add(attempt.id)
    # Each distinct path (of any trainee) is replayed and counted once, with all its attempts;
    # only the sets of trainees who took each decision are kept per trainee.
    times: Counter[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = Counter()
    takers: dict[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], set[str]] = defaultdict(set)
    for path in paths:
        key = (path.scenario_id, path.content_hash, path.start_node, path.steps, path.nodes)
        times[key] += path.attempts
        takers[key].add(path.trainee_id)
        if attempts is None:  # counted from the paths: each path says how many attempts took it
            tally = tallies[path.scenario_id]
            tally.path_attempts += path.attempts
            tally.trainees.add(path.trainee_id)
            loaded = library.get(path.scenario_id)
            if loaded is not None and loaded.content_hash != path.content_hash:
                tally.path_other_versions += path.attempts
    replayers = {} if replayers is None else replayers
    # Paths that share a prefix share its Decision objects (the replayer's trie), so the class is
    # added up per decision object first and each is counted once: counting is a sum and the
    # trainees a union, so this is the same as counting every path's every decision.
    per_decision: dict[str, dict[int, tuple[Decision, list[int], set[str]]]] = defaultdict(dict)
    for key, count in times.items():
        sid_, content, start, steps, nodes = key
        if sid_ not in replayers:
            view = views(sid_)
            replayers[sid_] = Replayer(view) if view is not None else None
        replayer = replayers[sid_]
        if replayer is None:
            decisions = [Decision(node, sid, None, None) for sid, node in zip(steps, nodes, strict=True)]
        else:
            decisions = replayer.decisions(content, start, steps, nodes)
        summed = per_decision[sid_]
        who = takers[key]
        for decision in decisions:
            slot = summed.get(id(decision))
            if slot is None:
                summed[id(decision)] = (decision, [count], set(who))
            else:
                slot[1][0] += count
                slot[2].update(who)
    for sid_, summed in per_decision.items():
        tally = tallies[sid_]
        for decision, total, who in summed.values():
            tally.count(decision, total[0])
            tally.taken_by(who, decision)
    for replayer in replayers.values():  # what was replayed now is known to the next report
        if replayer is not None:
            replayer.keep()
    items = tuple(_scenario_items(sid, tallies[sid], views(sid)) for sid in sorted(tallies)
                  if tallies[sid].per_node)
    departures = sorted(
        (Departure(sid, node, tally.expert[node], tally.expert_offered[node], sum(instead.values()),
                   len(tally.departed_trainees[node]), _most_common(instead))
         for sid, tally in tallies.items() for node, instead in tally.departed.items() if instead),
        key=lambda d: (-d.departed, -d.share, d.scenario_id, d.node))
    return items, tuple(departures)


def _roster_cells(store: RecordStore, cohort: str, mode: Mode | None, standing: Mapping[str, Standing],
                  ) -> tuple[Callable[[str, str], RosterCell], list[str]]:
    """The roster's cell of a trainee and competency, and the competencies, from the evidence rules.

    With no assignment deciding what counts (``standing`` empty), an attempt's kind follows from its
    mode and sign-off, so the store adds the ratings up per scenario, mode and sign-off
    (:meth:`RecordStore.competency_groups`) and the rules read those sums. With assignments, each
    rating's attempt is looked up (its counting rule may pass it over), so every rating is read,
    once, as the store gives it (no progress point is made for it)."""
    if not standing:
        groups: dict[str, dict[str, list[CompetencyGroup]]] = {}
        for group in store.competency_groups(cohort=cohort):
            if mode is None or group.mode == mode:
                groups.setdefault(group.trainee_id, {}).setdefault(group.competency, []).append(group)

        def from_groups(trainee_id: str, cid: str) -> RosterCell:
            measures, scenarios, rating = grouped_evidence(groups.get(trainee_id, {}).get(cid, ()))
            return RosterCell(rating, measures, scenarios)

        return from_groups, sorted({cid for mine in groups.values() for cid in mine})
    series: dict[str, dict[str, list[CompetencyPoint]]] = {}
    for point in store.competency_points(cohort=cohort):
        if mode is None or point.mode == mode:
            series.setdefault(point.trainee_id, {}).setdefault(point.competency, []).append(point)

    def kind_of(point: CompetencyPoint) -> EvidenceKind:  # what the point's progress point's evidence is
        found = standing.get(point.attempt_id)
        return found.kind if found is not None else evidence_kind(point.mode, point.signed_off)

    def from_points(trainee_id: str, cid: str) -> RosterCell:
        evidence = competency_evidence(series.get(trainee_id, {}).get(cid, ()), kind_of)
        return RosterCell(evidence.rating, evidence.measures, evidence.scenarios)

    return from_points, sorted({cid for mine in series.values() for cid in mine})


@paused()  # a report builds thousands of acyclic rows (casesim.collector)
def cohort_report(store: RecordStore, cohort: str, *, library: Mapping[str, Playable | ReportView] | None = None,
                  catalog: Catalog | None = None, scenario_id: str | None = None,
                  mode: Mode | None = None, replayers: dict[str, Replayer | None] | None = None,
                  attempts: Sequence[AttemptRow] | None = None) -> CohortReport:
    """The roster by competency and the item analysis per decision for one cohort (``library``:
    the scenarios, loaded or as report views: :func:`casesim.play.library.load_report_views`).

    ``replayers``: kept by a caller that reports several cohorts with the same library, so a path
    one cohort's report replayed is not replayed again for the next (as :func:`item_analysis`).
    ``attempts``: the cohort's attempts (``store.attempts(cohort=cohort)``), when the caller read
    them already (to know which scenarios to load); read here otherwise."""
    library = library or {}
    trainees = store.trainees(cohort)
    # read once: the standings need every mode's
    everything = attempts if attempts is not None else store.attempts(cohort=cohort)
    attempts = [a for a in everything if mode is None or a.mode == mode]
    by_trainee: dict[str, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        by_trainee[attempt.trainee_id].append(attempt)
    standing = attempt_standings(store, everything, trainees)
    cells_of, competency_ids = _roster_cells(store, cohort, mode, standing)
    roster = []
    for trainee in trainees:
        mine = by_trainee.get(trainee.id, [])
        cells = {cid: cells_of(trainee.id, cid) for cid in competency_ids}
        counted_passes = sum(bool(a.passed) and (standing[a.id].kind if a.id in standing else
                                                 evidence_kind(a.mode, a.signoff is not None)) == "assessment"
                             for a in mine)
        tries = [a for a in mine if not left_without_penalty(a.status)]  # leaving is not a try
        roster.append(RosterRow(trainee, len(tries), sum(a.status == "completed" for a in mine), counted_passes,
                                cells))

    items, departures = item_analysis(store.decision_paths(cohort=cohort, scenario_id=scenario_id, mode=mode),
                                      library, attempts=attempts, scenario_id=scenario_id, replayers=replayers)
    too_fast = tuple(a for a in attempts if a.pace is not None and a.pace.too_fast
                     and (scenario_id is None or a.scenario_id == scenario_id))
    details = store.cohort_details(cohort)
    stamped = Counter((a.section, a.term) for a in attempts if a.section is not None or a.term is not None)
    return CohortReport(cohort, tuple((cid, competency_title(catalog, cid)) for cid in competency_ids),
                        tuple(roster), items, mode, too_fast, departures,
                        details[0].section if details else None, details[0].term if details else None,
                        tuple((s, t, n) for (s, t), n in stamped.most_common()))
