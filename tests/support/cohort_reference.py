"""The cohort report computed the straightforward way, to check the fast one against.

A frozen copy of :func:`casesim.records.reports.cohort_report` as it was before the all-cohorts
report was made faster (issue 13 benchmark; commit 3033ac6), reading the record through no fast
path: each attempt's events one by one (undo applied by :func:`effective_steps`), the competency
results by one plain join, every path replayed from the start with :func:`replay` and counted
decision by decision. ``tests/records/test_cohort_report_reference.py`` asserts that both give
equal reports on seeded stores, so a speed-up cannot silently change a figure.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from casesim.authoring.pipeline import Playable
from casesim.authoring.report_view import ReportView, report_view
from casesim.format.scenario import Mode
from casesim.records.api import AttemptRow, CompetencyPoint, effective_steps, left_without_penalty
from casesim.records.decisions import expert_at
from casesim.records.evidence import competency_evidence, evidence_kind
from casesim.records.reports import (
    CohortReport,
    Departure,
    NodeItems,
    OptionItem,
    ProgressPoint,
    RosterCell,
    RosterRow,
    ScenarioItems,
    attempt_standings,
    competency_title,
)
from casesim.records.sqlite import SQLiteStore
from casesim.records.sqlite.queries import filter_clause
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import initial_state, open_choices, replay, timeout_step

__all__ = ["reference_cohort_report", "reference_competency_points"]


@dataclass(frozen=True)
class _Decision:
    node: str
    choice: str
    offered: tuple[str, ...] | None
    expert: str | None

    @property
    def departed(self) -> bool:
        return (self.expert is not None and self.offered is not None and self.expert in self.offered
                and self.choice != self.expert)


def _decisions(view: ReportView | None, content_hash: str, start: str, steps: Sequence[str],
               nodes: Sequence[str]) -> list[_Decision]:
    """Replay one path from its start, step by step (no sharing between paths)."""
    out: list[_Decision] = []
    if view is not None and content_hash == view.content_hash:
        expert = expert_at(view)
        try:
            state = initial_state(view.rules, start)
        except (KeyError, ValueError):
            state = None
        while state is not None and len(out) < len(steps):
            sid = steps[len(out)]
            offered = tuple(s.id for s in open_choices(view.rules, state))
            expiry = timeout_step(view.rules, state)
            if expiry is not None:
                offered += (expiry.id,)
            try:
                taken = replay(view.rules, [sid], initial=state)
            except ValueError:
                break
            out.append(_Decision(state.node, taken.taken[0][1].id, offered, expert.get(state.node)))
            state = taken.final
    for i in range(len(out), len(steps)):
        sid = steps[i]
        if i < len(nodes):
            node = nodes[i]
        elif view is not None and sid in view.rules.steps:
            node = view.rules.steps[sid].node
        else:
            node = sid.removeprefix("timeout:") if sid.startswith("timeout:") else "?"
        out.append(_Decision(node, sid, None, None))
    return out


@dataclass
class _Tally:
    attempts: set[str] = field(default_factory=set)
    trainees: set[str] = field(default_factory=set)
    other_versions: set[str] = field(default_factory=set)
    per_node: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    takers: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    offered: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    chosen_when_offered: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    expert_offered: Counter[str] = field(default_factory=Counter)
    departed: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    departed_trainees: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    expert: dict[str, str] = field(default_factory=dict)


def _paths(store: SQLiteStore, attempts: Sequence[AttemptRow]) -> list[tuple[AttemptRow, list[str], list[str]]]:
    """Each attempt's effective path (steps, nodes) from its events, one attempt at a time."""
    out = []
    for attempt in attempts:
        steps = effective_steps(store.events(attempt.id))
        out.append((attempt, [str(e.payload["choice"]) for e in steps],
                    [str(e.payload.get("node") or "?") for e in steps]))
    return out


def reference_competency_points(store: SQLiteStore, cohort: str | None = None,
                                trainee_id: str | None = None) -> list[CompetencyPoint]:
    """The competency results by one plain join, sorted in SQL (what the store's query gave)."""
    where, params = filter_clause(trainee_id, cohort)
    conn = sqlite3.connect(f"{store.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT a.trainee_id, a.id, a.scenario_id, a.mode, a.ended_at, r.competency, r.rating, r.share, "
            "a.signoff IS NOT NULL FROM trainees t JOIN attempts a ON a.trainee_id = t.id "
            f"JOIN competency_results r ON r.attempt_n = a.n {where} ORDER BY a.ended_at, a.n, r.competency",
            params).fetchall()
    finally:
        conn.close()
    return [CompetencyPoint(*r[:8], signed_off=bool(r[8])) for r in rows]


def reference_cohort_report(store: SQLiteStore, cohort: str, *,
                            library: Mapping[str, Playable | ReportView] | None = None,
                            catalog: Catalog | None = None, scenario_id: str | None = None,
                            mode: Mode | None = None) -> CohortReport:
    library = library or {}
    views = {sid: report_view(loaded) for sid, loaded in library.items()}
    trainees = store.trainees(cohort)
    everything = store.attempts(cohort=cohort)
    attempts = [a for a in everything if mode is None or a.mode == mode]
    standing = attempt_standings(store, everything, trainees)
    trends: dict[str, dict[str, list[ProgressPoint]]] = defaultdict(lambda: defaultdict(list))
    for p in reference_competency_points(store, cohort):
        if mode is None or p.mode == mode:
            kind = standing[p.attempt_id].kind if p.attempt_id in standing else None
            trends[p.trainee_id][p.competency].append(ProgressPoint(
                p.ended_at, p.rating, p.share, p.attempt_id, p.scenario_id, p.mode, p.signed_off, kind))
    competency_ids = sorted({cid for series in trends.values() for cid in series})
    roster = []
    for trainee in trainees:
        mine = [a for a in attempts if a.trainee_id == trainee.id]
        cells = {}
        for cid in competency_ids:
            evidence = competency_evidence(trends.get(trainee.id, {}).get(cid, ()), lambda p: p.evidence)  # type: ignore[attr-defined]
            cells[cid] = RosterCell(evidence.rating, evidence.measures, evidence.scenarios)
        passes = sum(bool(a.passed) and (standing[a.id].kind if a.id in standing
                                         else evidence_kind(a.mode, a.signoff is not None)) == "assessment"
                     for a in mine)
        tries = [a for a in mine if not left_without_penalty(a.status)]
        roster.append(RosterRow(trainee, len(tries), sum(a.status == "completed" for a in mine), passes, cells))

    tallies: dict[str, _Tally] = defaultdict(_Tally)
    chosen = [a for a in attempts if scenario_id is None or a.scenario_id == scenario_id]
    for attempt in chosen:
        tally = tallies[attempt.scenario_id]
        tally.attempts.add(attempt.id)
        tally.trainees.add(attempt.trainee_id)
        view = views.get(attempt.scenario_id)
        if view is not None and view.content_hash != attempt.content_hash:
            tally.other_versions.add(attempt.id)
    for attempt, steps, nodes in _paths(store, chosen):
        tally = tallies[attempt.scenario_id]
        for d in _decisions(views.get(attempt.scenario_id), attempt.content_hash, attempt.start_node, steps, nodes):
            tally.per_node[d.node][d.choice] += 1
            tally.takers[(d.node, d.choice)].add(attempt.trainee_id)
            if d.offered is None:
                continue
            for option in d.offered:
                tally.offered[d.node][option] += 1
            tally.chosen_when_offered[d.node][d.choice] += 1
            if d.expert is not None and d.expert in d.offered:
                tally.expert[d.node] = d.expert
                tally.expert_offered[d.node] += 1
                if d.departed:
                    tally.departed[d.node][d.choice] += 1
                    tally.departed_trainees[d.node].add(attempt.trainee_id)
    items = tuple(_items(sid, tallies[sid], views.get(sid)) for sid in sorted(tallies) if tallies[sid].per_node)
    departures = tuple(sorted(
        (Departure(sid, node, tally.expert[node], tally.expert_offered[node], sum(instead.values()),
                   len(tally.departed_trainees[node]), tuple(sorted(instead.items(), key=lambda i: (-i[1], i[0]))))
         for sid, tally in tallies.items() for node, instead in tally.departed.items() if instead),
        key=lambda d: (-d.departed, -d.share, d.scenario_id, d.node)))
    too_fast = tuple(a for a in chosen if a.pace is not None and a.pace.too_fast)
    details = store.cohort_details(cohort)
    stamped = Counter((a.section, a.term) for a in attempts if a.section is not None or a.term is not None)
    return CohortReport(cohort, tuple((cid, competency_title(catalog, cid)) for cid in competency_ids),
                        tuple(roster), items, mode, too_fast, departures,
                        details[0].section if details else None, details[0].term if details else None,
                        tuple((s, t, n) for (s, t), n in stamped.most_common()))


def _items(scenario_id: str, tally: _Tally, view: ReportView | None) -> ScenarioItems:
    nodes_by_id = {n.id: n for n in view.nodes} if view is not None else {}
    expert = view.expert if view is not None else {}
    out: list[NodeItems] = []
    for node_id in [*nodes_by_id, *sorted(n for n in tally.per_node if n not in nodes_by_id)]:
        counts = tally.per_node.get(node_id, Counter())
        node = nodes_by_id.get(node_id)
        if node is not None and not node.decides:
            continue
        total = sum(counts.values())
        listed = [(o.id, o) for o in (node.options if node is not None else ())]
        listed += [(cid, None) for cid in sorted(counts) if cid not in {i for i, _ in listed}]
        options = tuple(OptionItem(
            choice=cid, say=("(let the timer run out)" if o.timeout else o.say) if o else None,
            count=counts.get(cid, 0), share=counts.get(cid, 0) / total if total else 0.0,
            trainees=len(tally.takers.get((node_id, cid), ())), feedback=o.feedback if o else None,
            points=o.points if o else None, critical=bool(o and o.critical),
            expert=o is not None and not o.timeout and expert.get(node_id) == cid, in_scenario=o is not None,
            offered=tally.offered.get(node_id, Counter()).get(cid, 0),
            chosen_when_offered=tally.chosen_when_offered.get(node_id, Counter()).get(cid, 0)) for cid, o in listed)
        out.append(NodeItems(node_id, node.client if node is not None else None, total, options))
    return ScenarioItems(scenario_id, view.title if view is not None else None, len(tally.attempts),
                         len(tally.trainees), len(tally.other_versions), tuple(out))


