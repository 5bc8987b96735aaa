"""What a records report reads of a scenario, kept on disk so a warm report validates nothing.

A cohort report's item analysis lists, per decision node, each option with its words, feedback,
points and whether it is critical or the expert's, and replays each recorded path to know what
was offered (:mod:`casesim.records.decisions`). With the parsed-scenario cache, restoring each
scenario (validating the whole model with pydantic and compiling its program: liveness, texts,
score vectors) still took several times the report's SQL (issue 13, benchmarks). A
:class:`ReportView` holds only what the report reads: the title, per node its client line and
options, the expert's option per node, and the :class:`~casesim.semantics.program.Rules` to
replay paths with.

**Built** from a loaded scenario by :func:`report_view` (then its rules are the program itself),
or read back from the cache by :func:`cached_report_view`, whose rules are rebuilt from data
(:mod:`casesim.semantics.portable`). The report is computed from views in both cases, so it is
the same with or without the cache (``tests/records/test_report_view.py``).

**Cached** as a checksummed JSON entry (:mod:`casesim.authoring.cache_entries`) beside the parsed
scenario, with the same key (the file's bytes, its path and library root, the catalog, casesim's
source; every included block's SHA-256 is checked on reading) plus :data:`VIEW_FORMAT`. Only a
view whose analysis summary is itself a property of the content is written (an analysis stopped
by the clock is not). Nothing is evaluated: conditions are parsed and type-checked like a
scenario's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casesim.authoring import analysis_cache, cache_entries, scenario_cache
from casesim.authoring.analysis_summary import SummarisedScenario
from casesim.authoring.pipeline import AnalysedScenario, Playable
from casesim.format.cast import CLIENT_ID, speaker_label
from casesim.format.lines import default_text, field_lines
from casesim.format.reader import read_source
from casesim.scoring.catalog import Catalog
from casesim.semantics.portable import RULES_FORMAT, rules_data, rules_from_data
from casesim.semantics.program import Program, Rules

__all__ = ["UNWANTED", "VIEW_FORMAT", "ReportNode", "ReportOption", "ReportView", "author_marks", "cached_report_view", "expert_by_node",
           "expert_path", "report_view", "write_report_view"]

VIEW_FORMAT = 1
"""The version of the entry layout; part of its key."""


@dataclass(frozen=True, slots=True)
class ReportOption:
    """One option at a decision node: a choice, or a branch of the node's timer running out."""

    id: str
    say: str | None
    """What the trainee says (None for a timer branch)."""
    feedback: str | None
    """The option's feedback in its default wording."""
    points: int
    critical: bool
    timeout: bool


@dataclass(frozen=True, slots=True)
class ReportNode:
    id: str
    decides: bool
    """The node has choices or a timer (the item analysis lists only these)."""
    client: str | None
    """What the client says there, in its fallback wording (each speaker named when several speak)."""
    options: tuple[ReportOption, ...]
    """The choices in the author's order, then the timer's branches."""


@dataclass(frozen=True)
class ReportView:
    """What records reports read of one scenario file (see the module docstring)."""

    scenario_id: str
    title: str
    content_hash: str
    nodes: tuple[ReportNode, ...]
    """Every node, in the scenario's order."""
    expert: Mapping[str, str]
    """Node id -> the expert path's step there (its first visit); empty without an analysis."""
    marked: Mapping[str, str]
    """Node id -> the first choice the author marked ``expert: true`` there."""
    rules: Rules
    """What replaying a recorded path reads (the program itself when built from a loaded scenario)."""


def expert_path(loaded: Playable) -> tuple[str, ...]:
    """The expert path of a scenario loaded with its analysis or its summary; empty otherwise."""
    if isinstance(loaded, AnalysedScenario):
        return tuple(loaded.analysis.expert_path)
    if isinstance(loaded, SummarisedScenario):
        return loaded.summary.expert_path
    return ()


def expert_by_node(rules: Rules, path: tuple[str, ...]) -> dict[str, str]:
    """Node id -> the step ``path`` takes there first."""
    expert: dict[str, str] = {}
    for sid in path:
        step = rules.steps.get(sid)
        if step is not None:
            expert.setdefault(step.node, sid)
    return expert


def author_marks(program: Program) -> dict[str, str]:
    """Node id -> the first choice there the author marked ``expert: true``."""
    marked: dict[str, str] = {}
    for step in program.steps.values():
        if step.expert and not step.is_timeout:
            marked.setdefault(step.node, step.id)
    return marked


def report_view(loaded: Playable | ReportView) -> ReportView:
    """The report view of a loaded scenario (a view comes back as it is)."""
    if isinstance(loaded, ReportView):
        return loaded
    scenario, program = loaded.scenario, loaded.program
    nodes = []
    for node_id, node in scenario.nodes.items():
        options = [ReportOption(c.id, c.say, default_text(c.feedback), sum(c.scores.values()), bool(c.critical), False)
                   for c in node.choices]
        if node.timer is not None:
            options += [ReportOption(tid, None, default_text(expire.feedback), sum(expire.scores.values()),
                                     expire.critical is not None, True)
                        for tid, expire in zip(node.timer.step_ids(node_id), node.timer.branches(), strict=True)]
        client = None
        lines = field_lines("", (), "client", node.client)
        if lines is not None:
            # the fallback variant, its first wording; lines by several people name each speaker,
            # the client's own words stay as they were
            said = lines.variants[-1].alternatives[0].spoken()
            several = any(line.speaker not in (None, CLIENT_ID) for line in said)
            client = " ".join(f"{speaker_label(scenario, line.speaker)}: {line.text}" if several else line.text
                              for line in said)
        nodes.append(ReportNode(node_id, bool(node.choices) or node.timer is not None, client, tuple(options)))
    return ReportView(scenario.id, scenario.title, loaded.content_hash, tuple(nodes),
                      MappingProxyType(expert_by_node(program, expert_path(loaded))),
                      MappingProxyType(author_marks(program)), program)


# --- the cache ---------------------------------------------------------------------------------


def _key(raw: bytes, path: Path, root: Path | None, catalog: Catalog | None) -> str:
    parsed = scenario_cache.parsed_key(raw, str(path), root, catalog)
    return hashlib.sha256(f"view\0{VIEW_FORMAT}\0{RULES_FORMAT}\0{parsed}".encode()).hexdigest()


class _Unwanted:
    """A cached view of a scenario not among those asked for."""


UNWANTED = _Unwanted()


def cached_report_view(path: Path, catalog: Catalog | None, *, library_root: Path | None = None,
                       only: Collection[str] | None = None) -> ReportView | _Unwanted | None:
    """The cached view of the scenario file at ``path`` as it is now; :data:`UNWANTED` when it is
    cached but its id is not in ``only`` (nothing else is decoded); None when there is no valid
    entry (or no cache, or the file cannot be read): load the file and :func:`write_report_view`."""
    folder = analysis_cache.cache_folder()
    if folder is None:
        return None
    raw, _ = read_source(path)
    if raw is None:
        return None
    key = _key(raw, path, library_root, catalog)
    file = cache_entries.entry_file(folder, "view", key, cache_entries.scope_of(path))
    return cache_entries.read_entry(file, key, lambda data: _decode(data, key, only), "report view")


def write_report_view(path: Path, catalog: Catalog | None, loaded: SummarisedScenario, includes: tuple[str, ...], *,
                      library_root: Path | None = None) -> None:
    """Keep the view of ``loaded`` (loaded from ``path``, reading ``includes``) for
    :func:`cached_report_view`; nothing without a cache, or when the analysis summary depends on
    the machine (an analysis stopped by the clock or the memory budget)."""
    folder = analysis_cache.cache_folder()
    if folder is None or loaded.summary.stopped not in analysis_cache._CACHEABLE_STOPS:
        return
    raw, _ = read_source(path)
    if raw is None:
        return
    key = _key(raw, path, library_root, catalog)
    file = cache_entries.entry_file(folder, "view", key, cache_entries.scope_of(path))
    cache_entries.write_entry(file, _encode(report_view(loaded), loaded.program, includes, key), key)


def _encode(view: ReportView, program: Program, includes: tuple[str, ...], key: str) -> dict[str, Any]:
    return {"key": key, "id": view.scenario_id, "title": view.title, "content_hash": view.content_hash,
            "includes": scenario_cache.include_digests(includes),
            "nodes": [[n.id, n.decides, n.client,
                       [[o.id, o.say, o.feedback, o.points, o.critical, o.timeout] for o in n.options]]
                      for n in view.nodes],
            "expert": dict(view.expert), "marked": dict(view.marked), "rules": rules_data(program)}


def _decode(data: object, key: str, only: Collection[str] | None) -> ReportView | _Unwanted | None:
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("written for another file or version")
    sid = _text(data["id"])
    if not scenario_cache.includes_unchanged(data["includes"]):
        return None  # an included block changed: so did the content hash
    if only is not None and sid not in only:
        return UNWANTED
    digest = _text(data["content_hash"])
    if len(digest) != 64:
        raise ValueError("the content hash is not a SHA-256")
    rules = rules_from_data(data["rules"])
    nodes = []
    for item in _list(data["nodes"], 4):
        node_id, decides, client, options = item
        if not isinstance(decides, bool):
            raise TypeError("a node's flag is not true or false")
        nodes.append(ReportNode(_text(node_id), decides, _optional_text(client),
                                tuple(_option(o) for o in _list(options, 6))))
    return ReportView(sid, _text(data["title"]), digest, tuple(nodes),
                      MappingProxyType(_step_map(data["expert"], rules)),
                      MappingProxyType(_step_map(data["marked"], rules)), rules)


def _option(item: list[Any]) -> ReportOption:
    oid, say, feedback, points, critical, timeout = item
    if isinstance(points, bool) or not isinstance(points, int):
        raise TypeError("an option's points are not a whole number")
    if not (isinstance(critical, bool) and isinstance(timeout, bool)):
        raise TypeError("an option's flags are not true or false")
    return ReportOption(_text(oid), _optional_text(say), _optional_text(feedback), points, critical, timeout)


def _step_map(value: object, rules: Rules) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected a mapping of nodes to steps")
    out = {}
    for node, sid in value.items():
        step = rules.steps.get(_text(sid))
        if step is None or step.node != node:
            raise ValueError(f"{sid!r} is not a step at node {node!r}")
        out[node] = sid
    return out


def _list(value: object, width: int) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(v, list) and len(v) == width for v in value):
        raise TypeError(f"expected a list of {width}-item lists")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)
