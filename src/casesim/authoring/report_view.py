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
(:mod:`casesim.semantics.portable`) the first time a replay needs them. The report is computed
from views in both cases, so it is the same with or without the cache
(``tests/records/test_report_view.py``).

**Known walks.** Rebuilding the rules (parsing, type-checking and compiling every condition) was
still most of a warm report's loading. A replay's result depends only on the rules and the path,
so the paths replayed against a view are kept beside it (:class:`KnownWalks`, written by
:meth:`casesim.records.decisions.Replayer.keep`), and a later report takes the paths they cover
without the rules: a class's paths are replayed once per version of the file, not once per
report.

**Cached** as a checksummed JSON entry (:mod:`casesim.authoring.cache_entries`) beside the parsed
scenario, with the same key (the file's bytes, its path and library root, the catalog, casesim's
source; every included block's SHA-256 is checked on reading) plus :data:`VIEW_FORMAT`. Only a
view whose analysis summary is itself a property of the content is written (an analysis stopped
by the clock is not). Nothing is evaluated: conditions are parsed and type-checked like a
scenario's. The rules and the known walks are entries of their own (``*.rules.json``, read only
when a replay needs them, and ``*.walks.json``, both keyed by the view's key). The walks are
checked against the view when read; walks that do not check are ignored and the paths replayed
again. Rules that are missing or do not check leave that one report without what was offered
(logged) and remove the view, which the next report rebuilds; a view is never written without its
rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, compress, repeat
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from casesim.authoring import analysis_cache, cache_entries, scenario_cache
from casesim.authoring.analysis_summary import SummarisedScenario
from casesim.authoring.pipeline import AnalysedScenario, Playable
from casesim.format.cast import CLIENT_ID, speaker_label
from casesim.format.lines import default_text, field_lines
from casesim.format.reader import read_source
from casesim.scoring.catalog import Catalog
from casesim.semantics.portable import RULES_FORMAT, rules_data, rules_from_data
from casesim.semantics.program import Program, Rules

__all__ = ["MAX_WALK_ROWS", "UNWANTED", "VIEW_FORMAT", "KnownWalks", "ReportNode", "ReportOption", "ReportView", "WalkRow",
           "author_marks", "cached_report_view", "expert_by_node", "expert_path", "report_view", "write_report_view"]

VIEW_FORMAT = 4
"""The version of the entry layout; part of its key (2: the rules in an entry of their own; 3: the
options as columns, checked a column at a time; 4: the nodes as columns too)."""
WALKS_FORMAT = 1
"""The version of the layout of the rules' and the known walks' entries; part of their keys."""
MAX_WALK_ROWS = 20_000
"""At most this many known steps are kept per scenario version (about a megabyte), so the entry
stays small to read when many cohorts played one scenario: past it, paths are replayed each time
instead of kept."""

_log = logging.getLogger(__name__)


class ReportOption(NamedTuple):
    """One option at a decision node: a choice, or a branch of the node's timer running out.

    A named tuple, not a frozen dataclass: a report reads over a thousand, and a tuple is built
    in a quarter of the time (issue 13, benchmarks)."""

    id: str
    say: str | None
    """What the trainee says (None for a timer branch)."""
    feedback: str | None
    """The option's feedback in its default wording."""
    points: int
    critical: bool
    timeout: bool


class ReportNode(NamedTuple):
    """One node of a scenario as a report reads it (a named tuple, as :class:`ReportOption`)."""

    id: str
    decides: bool
    """The node has choices or a timer (the item analysis lists only these)."""
    client: str | None
    """What the client says there, in its fallback wording (each speaker named when several speak)."""
    options: tuple[ReportOption, ...]
    """The choices in the author's order, then the timer's branches."""


WalkRow = tuple[int, str, "tuple[str, ...] | None"]
"""One known step of a recorded path (:class:`KnownWalks`): its parent (a row before it, or
``-1 - k`` for the k-th start node), the step's id, and what was offered there; None when this
version of the file does not allow the step there (the rest of any path through it is unknown)."""


@dataclass(frozen=True)
class KnownWalks:
    """The recorded paths already replayed against this version of a scenario, as a flat trie.

    A cohort report replays each recorded path to know what was offered (:mod:`casesim.records.
    decisions`), which needs the rules, rebuilt from data by compiling every condition: most of a
    warm report's loading (issue 13, benchmarks). What a replay finds depends only on the rules
    (the view's key) and the path, so the steps replayed once are kept in the cache beside the
    view (``keep``), and a later report takes the paths they cover without the rules.

    Read back, they are checked against the view: every step is an option of one node, and every
    option offered there is an option of that node."""

    starts: tuple[tuple[str, bool], ...] = ()
    """Each start node replayed from, and whether no path can start there (True)."""
    rows: tuple[WalkRow, ...] = ()
    keep: Callable[[KnownWalks], None] | None = field(default=None, compare=False, repr=False)
    """Writes these walks for the next report (None: not kept, e.g. no cache)."""


class _Rules:
    """A view's rules: the program's, or read from their own cache entry and rebuilt the first
    time a replay needs them (most reports need none: :class:`KnownWalks`)."""

    __slots__ = ("_entry", "_key", "_rules", "_view")

    def __init__(self, rules: Rules | None = None, *, entry: Path | None = None, key: str = "",
                 view: Path | None = None) -> None:
        self._rules, self._entry, self._key, self._view = rules, entry, key, view

    def get(self) -> Rules | None:
        if self._rules is None and self._entry is not None:
            entry, self._entry = self._entry, None
            self._rules = cache_entries.read_entry(entry, self._key, lambda data: _decode_rules(data, self._key),
                                                   "rules of a report view")
            if self._rules is None:  # gone or forged: this report does without; the next rebuilds the view
                _log.warning("the report view %s has no rules that check: this report counts its paths without "
                             "what was offered, and the view is removed to be rebuilt", self._view)
                for file in (entry, self._view):
                    if file is not None:
                        with contextlib.suppress(OSError):
                            file.unlink()
        return self._rules


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
    source: _Rules = field(compare=False, repr=False)
    walks: KnownWalks = KnownWalks()
    """The recorded paths already replayed against this version (read from the cache)."""
    index: _StepIndex | None = field(default=None, compare=False, repr=False)
    """Where each step is an option, worked out once from :attr:`nodes` (None: work it out)."""

    def __post_init__(self) -> None:
        if self.index is None or self.index.nodes is not self.nodes:  # (a replace() with other nodes)
            object.__setattr__(self, "index", _StepIndex.of(self.nodes))

    @property
    def rules(self) -> Rules | None:
        """What replaying a recorded path reads (the program itself when built from a loaded
        scenario; rebuilt from the cache the first time it is read, None if that data does not
        check)."""
        return self.source.get()

    def step_nodes(self) -> Mapping[str, str]:
        """Step id -> the node it is an option of (step ids are unique in a scenario)."""
        assert self.index is not None  # (set by __post_init__)
        return self.index.node_of

    def timeout_steps(self) -> frozenset[str]:
        """The steps that are a branch of a node's timer running out."""
        assert self.index is not None
        return self.index.timeouts


@dataclass(frozen=True, slots=True)
class _StepIndex:
    """What a report looks up per recorded step, worked out once per view from its nodes (the
    report reads the walks, replays and the item analysis against it)."""

    nodes: tuple[ReportNode, ...]
    node_of: Mapping[str, str]
    timeouts: frozenset[str]

    @classmethod
    def of(cls, nodes: tuple[ReportNode, ...]) -> _StepIndex:
        node_of = {option.id: node.id for node in nodes for option in node.options}
        timeouts = frozenset(option.id for node in nodes for option in node.options if option.timeout)
        return cls(nodes, MappingProxyType(node_of), timeouts)

    @classmethod
    def of_columns(cls, nodes: tuple[ReportNode, ...], node_ids: list[str], counts: list[int],
                   option_ids: list[str], timeout: list[bool]) -> _StepIndex:
        """:meth:`of` from the columns an entry is read from (each option's node is its node's id
        repeated over its count of options): the same index, without a loop in Python."""
        node_of = dict(zip(option_ids, chain.from_iterable(map(repeat, node_ids, counts)), strict=True))
        return cls(nodes, MappingProxyType(node_of), frozenset(compress(option_ids, timeout)))


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
                      MappingProxyType(author_marks(program)), _Rules(program))


# --- the cache ---------------------------------------------------------------------------------


def _key(raw: bytes, path: Path, root: Path | None, catalog: Catalog | None, *, resolved: bool = False) -> str:
    parsed = scenario_cache.parsed_key(raw, str(path), root, catalog, resolved=resolved)
    return hashlib.sha256(f"view\0{VIEW_FORMAT}\0{RULES_FORMAT}\0{parsed}".encode()).hexdigest()


class _Unwanted:
    """A cached view of a scenario not among those asked for."""


UNWANTED = _Unwanted()


def cached_report_view(path: Path, catalog: Catalog | None, *, library_root: Path | None = None,
                       only: Collection[str] | None = None,
                       resolved: tuple[Path, Path | None] | None = None) -> ReportView | _Unwanted | None:
    """The cached view of the scenario file at ``path`` as it is now, with the walks known for it;
    :data:`UNWANTED` when it is cached but its id is not in ``only`` (nothing else is decoded);
    None when there is no valid entry (or no cache, or the file cannot be read): load the file
    and :func:`write_report_view`. ``resolved``: ``path`` and ``library_root`` resolved, when the
    caller has them (a report loads every scenario of the library: each is resolved once)."""
    folder = analysis_cache.cache_folder()
    if folder is None:
        return None
    raw, _ = read_source(path)
    if raw is None:
        return None
    if resolved is not None:
        key = _key(raw, resolved[0], resolved[1], catalog, resolved=True)
        scope = cache_entries.scope_of(resolved[0], resolved=True)
    else:
        key, scope = _key(raw, path, library_root, catalog), cache_entries.scope_of(path)
    file = cache_entries.entry_file(folder, "view", key, scope)
    rules_key = _part_key("rules", key)
    rules = _Rules(entry=cache_entries.entry_file(folder, "rules", rules_key, scope), key=rules_key, view=file)
    view = cache_entries.read_entry(file, key, lambda data: _decode(data, key, only, rules), "report view")
    if not isinstance(view, ReportView):
        return view
    walks_key = _part_key("walks", key)
    walks_file = cache_entries.entry_file(folder, "walks", walks_key, scope)
    keep = _keeper(walks_file, walks_key)
    known = cache_entries.read_entry(walks_file, walks_key, lambda data: _decode_walks(data, walks_key, view, keep),
                                     "list of replayed paths")
    return replace(view, walks=known or KnownWalks(keep=keep))


def write_report_view(path: Path, catalog: Catalog | None, loaded: SummarisedScenario, includes: tuple[str, ...], *,
                      library_root: Path | None = None) -> ReportView:
    """The view of ``loaded`` (loaded from ``path``, reading ``includes``), kept for
    :func:`cached_report_view`; not kept without a cache, or when the analysis summary depends on
    the machine (an analysis stopped by the clock or the memory budget)."""
    view = report_view(loaded)
    folder = analysis_cache.cache_folder()
    if folder is None or loaded.summary.stopped not in analysis_cache._CACHEABLE_STOPS:
        return view
    raw, _ = read_source(path)
    if raw is None:
        return view
    key = _key(raw, path, library_root, catalog)
    scope = cache_entries.scope_of(path)
    file = cache_entries.entry_file(folder, "view", key, scope)
    rules_key = _part_key("rules", key)
    rules_file = cache_entries.entry_file(folder, "rules", rules_key, scope)
    cache_entries.write_entry(rules_file, {"key": rules_key, "rules": rules_data(loaded.program)}, rules_key)
    if not rules_file.exists():  # not written (a full disk, say: logged): no view without its rules
        return view
    cache_entries.write_entry(file, _encode(view, includes, key), key)
    walks_key = _part_key("walks", key)
    return replace(view, walks=KnownWalks(keep=_keeper(cache_entries.entry_file(folder, "walks", walks_key, scope),
                                                       walks_key)))


def _encode(view: ReportView, includes: tuple[str, ...], key: str) -> dict[str, Any]:
    options = [o for n in view.nodes for o in n.options]
    return {"key": key, "id": view.scenario_id, "title": view.title, "content_hash": view.content_hash,
            "includes": scenario_cache.include_digests(includes),
            # a column per field (each column is checked at once): the nodes, then every node's
            # options in order
            "nodes": [[n.id for n in view.nodes], [n.decides for n in view.nodes], [n.client for n in view.nodes],
                      [len(n.options) for n in view.nodes]],
            "options": [[o[i] for o in options] for i in range(len(ReportOption._fields))],
            "expert": dict(view.expert), "marked": dict(view.marked)}


def _decode(data: object, key: str, only: Collection[str] | None, rules: _Rules) -> ReportView | _Unwanted | None:
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
    option_columns = _columns(data["options"], _OPTION_TYPES, "options")
    node_ids, decides, clients, counts = _columns(data["nodes"], _NODE_TYPES, "nodes")
    if counts and min(counts) < 0:
        raise ValueError("a node's number of options is negative")
    ends = list(accumulate(counts))
    if (ends[-1] if ends else 0) != len(option_columns[0]):
        raise ValueError("the nodes do not have every option listed")
    # (tuple.__new__ makes each named tuple from its fields without a call in Python per option)
    options = tuple(map(tuple.__new__, repeat(ReportOption), zip(*option_columns, strict=True)))
    slices = [options[begin:end] for begin, end in zip([0, *ends], ends, strict=False)]  # (one longer)
    nodes = tuple(map(tuple.__new__, repeat(ReportNode), zip(node_ids, decides, clients, slices, strict=True)))
    index = _StepIndex.of_columns(nodes, node_ids, counts, option_columns[0], option_columns[5])
    if len(index.node_of) != len(options):
        raise ValueError("a step id is an option of two nodes")
    at = index.node_of
    return ReportView(sid, _text(data["title"]), digest, index.nodes, MappingProxyType(_step_map(data["expert"], at)),
                      MappingProxyType(_step_map(data["marked"], at)), rules, index=index)


def _part_key(kind: str, view_key: str) -> str:
    """The key of a view's ``rules`` or known ``walks`` (entries of their own, read only when needed)."""
    return hashlib.sha256(f"{kind}\0{WALKS_FORMAT}\0{view_key}".encode()).hexdigest()


def _decode_rules(data: object, key: str) -> Rules:
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("written for another file or version")
    return rules_from_data(data["rules"])


def _keeper(file: Path, key: str) -> Callable[[KnownWalks], None]:
    def keep(walks: KnownWalks) -> None:
        if len(walks.rows) <= MAX_WALK_ROWS:
            cache_entries.write_entry(file, {"key": key, "starts": [list(s) for s in walks.starts],
                                             "rows": [[p, sid, None if offered is None else list(offered)]
                                                      for p, sid, offered in walks.rows]}, key)

    return keep


def _decode_walks(data: object, key: str, view: ReportView, keep: Callable[[KnownWalks], None]) -> KnownWalks:
    """The walks written for ``view``, checked against it (see :class:`KnownWalks`), written
    again by ``keep`` when a report adds to them."""
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("written for another file or version")
    known_nodes = {n.id for n in view.nodes}
    starts: list[tuple[str, bool]] = []
    for item in _list(data["starts"], 2):
        node, dead = item
        if _text(node) not in known_nodes or not isinstance(dead, bool):
            raise ValueError(f"{node!r} is not a node of this scenario")
        starts.append((node, dead))
    if len({node for node, _ in starts}) != len(starts):
        raise ValueError("a start node is listed twice")
    at = view.step_nodes()
    rows: list[WalkRow] = []
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(_list(data["rows"], 3)):
        parent, sid, offered = item
        if isinstance(parent, bool) or not isinstance(parent, int):
            raise TypeError("a step's parent is not a whole number")
        if parent >= 0:
            if parent >= i or rows[parent][2] is None:
                raise ValueError("a step follows a step not listed before it, or one not allowed")
        elif -parent > len(starts) or starts[-1 - parent][1]:
            raise ValueError("a path starts at a node not listed, or where no path can start")
        if (parent, _text(sid)) in seen:
            raise ValueError(f"step {sid!r} is listed twice after the same step")
        seen.add((parent, sid))
        if offered is None:
            rows.append((parent, sid, None))
            continue
        node = at.get(sid)
        # (a step id that is not text is found in no node: at.get gives None, or fails unhashed)
        if node is None or type(offered) is not list or (offered and set(map(at.get, offered)) != {node}):
            raise ValueError(f"step {sid!r} is not an option, or something else than its node's options was offered")
        rows.append((parent, sid, tuple(offered)))
    return KnownWalks(tuple(starts), tuple(rows), keep)


_OPTION_TYPES: tuple[frozenset[type], ...] = (
    frozenset({str}), frozenset({str, type(None)}), frozenset({str, type(None)}), frozenset({int}),
    frozenset({bool}), frozenset({bool}))
"""The types each column of :class:`ReportOption`'s fields may hold (``int`` is not ``bool``)."""
_NODE_TYPES: tuple[frozenset[type], ...] = (
    frozenset({str}), frozenset({bool}), frozenset({str, type(None)}), frozenset({int}))
"""The types of the nodes' columns: id, whether it decides, the client's words, its number of options."""


def _columns(value: object, types: tuple[frozenset[type], ...], what: str) -> list[list[Any]]:
    """``value`` as one list per field, each the same length and each column's types checked at
    once (a report reads over a thousand options and hundreds of nodes)."""
    if type(value) is not list or len(value) != len(types):
        raise TypeError(f"the {what} are not a list of {len(types)} columns")
    size = len(value[0]) if type(value[0]) is list else -1
    for column, allowed in zip(value, types, strict=True):
        if type(column) is not list or len(column) != size:
            raise TypeError(f"the {what}' columns are not lists of one length")
        if not set(map(type, column)) <= allowed:
            raise TypeError(f"a field of the {what} is not of its type (text, a whole number, true or false)")
    return value


def _step_map(value: object, at: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected a mapping of nodes to steps")
    out = {}
    for node, sid in value.items():
        if at.get(_text(sid)) != node:
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
