"""The analysis cache: each scenario's exhaustive analysis kept on disk, so it is computed once.

The exhaustive path analysis takes seconds for a large scenario, and every command that needs a
scenario's expert path or score ranges (``validate``, ``test``, ``analyse``, the TUI, the records
reports and exports) used to recompute it. Here it is stored once per content version and read
back by all of them.

**Key.** A file is named by a SHA-256 over everything the analysis depends on:

* the scenario's content hash (its bytes and those of every block it includes, as recorded with
  attempts: :attr:`~casesim.authoring.pipeline.Playable.content_hash`);
* the protocols from the framework catalog that the scenario compiled with (their full content,
  so an edited screener invalidates the scenarios that use it);
* the casesim version, and a digest of the source of the modules that define what a scenario
  means and how the analysis is computed (:data:`_CODE_PACKAGES`), so a development checkout
  whose code changed never reads an analysis an older casesim wrote;
* :data:`CACHE_FORMAT`, the version of the file layout.

**Safety.** The cache folder is a place another program (or person) could write to, so a file
is only ever parsed as JSON, never unpickled or evaluated. Everything read is checked (types,
every index in range, every node and choice known to the scenario, the key written inside the
file equal to the one asked for); a file that fails any check, or cannot be read, is ignored and
the analysis recomputed and written again. Files are written to a temporary file in the same
folder (mode 0600) and renamed over the old one, so a reader never sees half a file and a
crash never leaves one. Nothing in the cache is needed: deleting the folder only costs time.

**Where.** :func:`configure` (the CLI calls it with ``Settings.cache_dir``, which
``CASESIM_CACHE_DIR`` overrides; ``--no-cache`` passes None). Until it is called, nothing is
cached: library code and tests that do not ask for a cache never touch the disk.

Only analyses that are a property of the content are stored: complete ones, and those stopped by
the state estimate or the state limit. One stopped by the clock or the memory budget depends on
the machine and its load, and is never written.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import math
import os
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casesim.collector import paused
from casesim.format.diagnostics import Diagnostic, Severity

# Every command configures the cache (casesim.cli.options), `casesim` alone too: the analysis
# modules are imported only where an analysis is read or computed (issue 15, item 7).
if TYPE_CHECKING:
    from casesim.semantics.explore import Analysis, Extremes
    from casesim.semantics.program import Program, Step

__all__ = ["CACHE_FORMAT", "cache_folder", "cache_key", "cached_analyse", "cached_findings", "catalog_digest", "configure",
           "decode", "encode"]

CACHE_FORMAT = 2
"""The version of the file layout; part of the key, so a new layout never reads an old file."""

_CODE_PACKAGES = ("semantics", "format")
"""The subpackages of casesim whose source is part of the key: what a scenario means (format)
and how its analysis is computed (semantics)."""

_MAGIC = "casesim-analysis-cache"
_CACHEABLE_STOPS = (None, "estimate", "states")

_log = logging.getLogger(__name__)
_folder: Path | None = None
_code_digest: str | None = None


def configure(folder: Path | None) -> None:
    """Cache analyses in ``folder`` (created when first written), or nowhere with None."""
    global _folder
    _folder = folder


def cache_folder() -> Path | None:
    """The folder analyses are cached in now, or None when caching is off."""
    return _folder


def _code() -> str:
    """The casesim version and a digest of the source the analysis depends on (computed once)."""
    global _code_digest
    if _code_digest is None:
        from casesim import __version__

        base = Path(__file__).resolve().parent.parent
        try:
            files = sorted(p for package in _CODE_PACKAGES for p in (base / package).rglob("*.py"))
            files.append(Path(__file__).resolve())
        except OSError:  # pragma: no cover - an installation whose source cannot be read
            files = []
        _code_digest = _source_digest("code", __version__, base, files)
    return _code_digest


def _source_digest(name: str, seed: str, base: Path, files: list[Path]) -> str:
    """SHA-256 of ``seed`` and each file's path (relative to ``base``) and bytes.

    Hashing casesim's source costs tens of milliseconds per process, more than the SQL of a
    whole cohort report; so with a cache folder, the digest is kept there with the size and
    modification time (ns) of every file it covers, and reused while none of them (nor the list
    of files) changed. Editing a source file changes its modification time, so a development
    checkout never reuses a stale digest; a file in the cache folder can only shorten the wait,
    as every cache file can (whoever can write that folder can write an analysis as well)."""
    fingerprint = hashlib.sha256(seed.encode())
    try:
        for file in files:
            info = file.stat()
            fingerprint.update(f"\0{file.relative_to(base).as_posix()}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    except OSError:  # pragma: no cover - an installation whose source cannot be read
        return hashlib.sha256(f"{seed}\0unreadable source".encode()).hexdigest()
    memo = _folder / f"{name}-digest.json" if _folder is not None else None
    if memo is not None:
        with contextlib.suppress(OSError, ValueError):
            known = json.loads(memo.read_bytes())
            if (isinstance(known, dict) and known.get("fingerprint") == fingerprint.hexdigest()
                    and isinstance(known.get("digest"), str) and len(known["digest"]) == 64):
                return str(known["digest"])
    hasher = hashlib.sha256(seed.encode())
    try:
        for file in files:
            hasher.update(b"\0" + file.relative_to(base).as_posix().encode() + b"\0" + file.read_bytes())
    except OSError:  # pragma: no cover - an installation whose source cannot be read
        hasher.update(b"\0unreadable source")
    digest = hasher.hexdigest()
    if memo is not None and _folder is not None:
        _write(_folder, memo, json.dumps({"fingerprint": fingerprint.hexdigest(), "digest": digest}).encode())
    return digest


def cache_key(program: Program, content_hash: str) -> str:
    """The key of the analysis of ``program``, compiled from a file with ``content_hash``."""
    # Packed tables are in the machine's byte order and int size: part of the key too.
    machine = f"{sys.byteorder}-{array('i').itemsize}-{array('d').itemsize}"
    hasher = hashlib.sha256(f"{_MAGIC}\0{CACHE_FORMAT}\0{_code()}\0{machine}\0{content_hash}".encode())
    for track in program.tracks:
        hasher.update(b"\0protocol\0" + track.id.encode() + b"\0" + track.protocol.model_dump_json().encode())
    return hasher.hexdigest()


def cached_analyse(program: Program, content_hash: str, *,
                   compute: Callable[[Program], Analysis] | None = None) -> Analysis:
    """The analysis of ``program`` from the cache when a valid one is there, else computed with
    ``compute`` (default: :func:`~casesim.semantics.explore.analyse`) and written to the cache.
    With no cache configured (or no content hash), computed."""
    if compute is None:
        from casesim.semantics.explore import analyse

        compute = analyse
    folder = _folder
    if folder is None or not content_hash:
        return compute(program)
    key = cache_key(program, content_hash)
    file = folder / f"{key}.json"
    found = _read(file, program, key)
    if found is not None:
        _log.info("analysis of %s read from the cache (%s)", program.scenario.id, file.name)
        return found
    analysis = compute(program)
    if analysis.stopped in _CACHEABLE_STOPS:
        _write(folder, file, _wrap(encode(analysis, key), key))
    return analysis


_catalog_digest: tuple[object, str] | None = None


def catalog_digest(catalog: object) -> str:
    """A SHA-256 of everything in a framework catalog (its full ``repr``: every framework,
    criterion, protocol, the competency map, never-event policy and kinds), computed once per
    catalog object."""
    global _catalog_digest
    if _catalog_digest is None or _catalog_digest[0] is not catalog:
        _catalog_digest = (catalog, hashlib.sha256(repr(catalog).encode("utf-8")).hexdigest())
    return _catalog_digest[1]


def cached_findings(program: Program, content_hash: str, context: str,
                    compute: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
    """What ``compute`` finds (the lint over the analysis and the answer-cue audit, for
    ``validate``), read from the cache when the same scenario was checked in the same
    ``context`` before: the path it was named by and the digest of the catalog it was checked
    against (:func:`catalog_digest`), since the findings name the file and cite the catalog.

    The findings are a function of the analysis, the scenario's source and the catalog, so a
    warm ``validate`` needs neither to rebuild the analysis nor to lint it again."""
    folder = _folder
    if folder is None or not content_hash:
        return compute()
    key = hashlib.sha256(f"findings\0{cache_key(program, content_hash)}\0{_whole_code()}\0{context}".encode()).hexdigest()
    file = folder / f"{key}.findings.json"
    try:
        raw = file.read_bytes()
    except OSError:
        raw = None
    if raw is not None:
        try:
            return _findings_in(_unwrap(raw, key), key)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            _log.warning("ignoring the cached findings %s: %s; checking again", file, exc)
    found = compute()
    data = {"key": key, "diagnostics": [[d.path, d.line, d.col, d.severity.value, d.code, d.message] for d in found]}
    _write(folder, file, _wrap(data, key))
    return found


def _findings_in(data: object, key: str) -> list[Diagnostic]:
    body = _dict(data)
    if body.get("key") != key:
        raise ValueError("written for another scenario or version")
    out = []
    for row in _list(body["diagnostics"]):
        path, line, col, severity, code, message = _list(row, 6)
        out.append(Diagnostic(_str(path), _int(line), _int(col), Severity(severity), _str(code), _str(message)))
    return out


_whole_digest: str | None = None


def _whole_code() -> str:
    """A digest of the source of all of casesim (the lint and the audit live in casesim.authoring
    and read casesim.scoring), computed once."""
    global _whole_digest
    if _whole_digest is None:
        base = Path(__file__).resolve().parent.parent
        try:
            files = sorted(base.rglob("*.py"))
        except OSError:  # pragma: no cover - an installation whose source cannot be read
            files = []
        _whole_digest = _source_digest("whole", _code(), base, files)
    return _whole_digest


def _read(file: Path, program: Program, key: str) -> Analysis | None:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log.warning("the cached analysis %s could not be read (%s); recomputing it", file, exc)
        return None
    # Like the analysis itself, reading builds hundreds of thousands of small acyclic objects:
    # the cyclic collector is paused meanwhile (it made reading twice as slow).
    with paused():
        try:
            return decode(_unwrap(raw, key), program, key)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            _log.warning("ignoring the cached analysis %s: %s; recomputing it", file, exc)
            return None


def _wrap(data: dict[str, Any], key: str) -> bytes:
    """The bytes of a cache file: a one-line JSON header (what the file is, its key, and the
    SHA-256 of the rest), a newline, then ``data`` as JSON. The digest makes a file damaged on
    disk (a flipped bit inside a number would still parse) fail the check instead of being used."""
    body = json.dumps(data, separators=(",", ":"), allow_nan=False).encode("utf-8")
    header = {"format": _MAGIC, "version": CACHE_FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()}
    return json.dumps(header).encode("utf-8") + b"\n" + body


def _unwrap(raw: bytes, key: str) -> object:
    """The data of a cache file written by :func:`_wrap` for ``key``; ValueError when the file
    is anything else (another program's, another key's, another version's, damaged)."""
    head, newline, body = raw.partition(b"\n")
    if not newline:
        raise ValueError("no header line")
    header = json.loads(head)
    if not isinstance(header, dict) or header.get("format") != _MAGIC or header.get("version") != CACHE_FORMAT:
        raise ValueError("not a casesim analysis cache file of this version")
    if header.get("key") != key:
        raise ValueError("written for another scenario or version")
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        raise ValueError("damaged: its content does not match its checksum")
    return json.loads(body)


_WRITE_WARNED: set[tuple[str, int | None]] = set()
"""The (folder, error number) pairs a failed write was warned about (see :func:`_write`)."""


def _write(folder: Path, file: Path, data: bytes) -> None:
    """Write ``data`` to ``file`` atomically (temporary file, mode 0600, then rename); a failure
    is logged and otherwise ignored: the cache only saves time."""
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".analysis-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, file)
        temporary = None
    except OSError as exc:
        # Once per folder and cause: a report on a read-only cache folder tried to write a
        # list of replayed paths for every scenario, and warned as many times.
        level = logging.DEBUG if (str(folder), exc.errno) in _WRITE_WARNED else logging.WARNING
        _WRITE_WARNED.add((str(folder), exc.errno))
        _log.log(level, "could not write the analysis cache in %s (%s); carrying on without it", folder, exc)
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# --- the file layout ---------------------------------------------------------------------------

def _extremes_out(extremes: Extremes) -> list[int | None]:
    return [extremes.worst, extremes.best]


def _extremes_in(value: object) -> Extremes:
    from casesim.semantics.explore import Extremes

    worst, best = _list(value, 2)
    return Extremes(None if worst is None else _int(worst), None if best is None else _int(best))


def _pack(values: Iterable[int] | Iterable[float], kind: str) -> str:
    """A list of numbers as base64 of their machine representation (``kind``: an :mod:`array`
    type code): parsed back at C speed, a tenth of the time JSON numbers take."""
    return base64.b64encode(array(kind, values).tobytes()).decode("ascii")


def _unpack(value: object, kind: str, length: int | None = None) -> list[Any]:
    """The numbers :func:`_pack` wrote; ValueError when the text is not that."""
    raw = base64.b64decode(_str(value), validate=True)
    packed = array(kind)
    if len(raw) % packed.itemsize:
        raise ValueError("a packed table is cut short")
    packed.frombytes(raw)
    items = packed.tolist()
    if length is not None and len(items) != length:
        raise ValueError(f"expected {length} numbers, found {len(items)}")
    return items


def encode(analysis: Analysis, key: str) -> dict[str, Any]:
    """``analysis`` as JSON-ready data: states and edges as packed tables of indices into tables
    of node ids, step ids, history sets and variable values, so reading it back is quick."""
    names: dict[str, int] = {}
    sets: dict[frozenset[str], int] = {}
    values: dict[tuple[Any, ...], int] = {}
    steps: dict[str, int] = {}
    flat_states: list[int] = []
    for state in analysis.states:
        flat_states += (names.setdefault(state.node, len(names)), values.setdefault(state.vars, len(values)),
                        sets.setdefault(state.visited, len(sets)), sets.setdefault(state.chosen, len(sets)))
    counts: list[int] = []
    edge_steps: list[int] = []
    targets: list[int] = []
    for out in analysis.edges:
        counts.append(len(out))
        for step, target in out:
            edge_steps.append(steps.setdefault(step.id, len(steps)))
            targets.append(target)
    comps = analysis.components[1]
    estimate = analysis.estimate
    return {
        "scenario": analysis.program.scenario.id, "key": key,
        "names": list(names), "steps": list(steps), "sets": [sorted(s) for s in sets],
        "values": [list(v) for v in values], "states": _pack(flat_states, "i"),
        "edge_counts": _pack(counts, "i"), "edge_steps": _pack(edge_steps, "i"), "edge_targets": _pack(targets, "i"),
        "component_sizes": _pack(map(len, comps), "i"),
        "component_members": _pack((sid for members in comps for sid in members), "i"),
        "complete": analysis.complete, "stopped": analysis.stopped,
        "estimate": None if estimate is None else [estimate.numeric, estimate.total],
        "reachable_nodes": sorted(analysis.reachable_nodes), "reachable_endings": sorted(analysis.reachable_endings),
        "steps_taken": sorted(analysis.steps_taken), "dead_ends": list(analysis.dead_ends),
        "trapped": list(analysis.trapped), "can_finish": _pack(map(int, analysis.can_finish), "b"),
        "path_count": analysis.path_count, "scoring_cycles": list(analysis.scoring_cycles),
        "total": None if analysis.total is None else _extremes_out(analysis.total),
        "extremes": {k: _extremes_out(v) for k, v in analysis.extremes.items()},
        "best_any_to_go": _pack(analysis.best_any_to_go, "d"), "best_to_go": _pack(analysis.best_to_go, "d"),
        "clean_path_exists": analysis.clean_path_exists, "expert_path": list(analysis.expert_path),
        "best_path": list(analysis.best_path), "merged": analysis.merged,
    }


def decode(data: object, program: Program, key: str) -> Analysis:
    """The analysis that :func:`encode` wrote, for ``program``; raises ValueError (or TypeError,
    KeyError, IndexError) on anything that is not exactly such data for this key.

    Every table is checked in bulk (types, every index in range, every node and step known to
    ``program``), so whatever a file holds, what comes back cannot make casesim fail later."""
    from casesim.semantics.explore import Analysis, StateEstimate
    from casesim.semantics.program import State, merge_key

    data = _dict(data)
    if data.get("key") != key:
        raise ValueError("written for another scenario or version")
    nodes_known = set(program.scenario.nodes) | set(program.scenario.endings)
    names = _strings(data["names"])
    step_table: list[Step] = [program.steps[name] for name in _strings(data["steps"])]
    sets = [frozenset(_strings(s)) for s in _list(data["sets"])]
    width = len(program.start_values)
    values = [tuple(_scalars(row, width)) for row in _list(data["values"])]
    flat = _indices(data["states"])
    if len(flat) % 4:
        raise ValueError("the state table is cut short")
    node_at, values_at, visited_at, chosen_at = flat[0::4], flat[1::4], flat[2::4], flat[3::4]
    n = len(node_at)
    if not n:
        raise ValueError("no states")
    _below(node_at, len(names))
    _below(values_at, len(values))
    _below(visited_at, len(sets))
    _below(chosen_at, len(sets))
    if not {names[i] for i in set(node_at)} <= nodes_known:
        raise ValueError("a state is at a node the scenario does not have")
    states = [State(names[a], values[b], sets[c], sets[d]) for a, b, c, d in zip(node_at, values_at, visited_at,
                                                                                  chosen_at, strict=True)]
    merged = _bool(data["merged"])
    index = {merge_key(program, state) if merged else state: i for i, state in enumerate(states)}
    if len(index) != n:
        raise ValueError("a state is listed twice")
    counts = _indices(data["edge_counts"], n)
    edge_steps = _indices(data["edge_steps"])
    targets = _indices(data["edge_targets"])
    if sum(counts) != len(edge_steps) or len(edge_steps) != len(targets):
        raise ValueError("the edge tables do not match the states")
    _below(edge_steps, len(step_table))
    _below(targets, n)
    # Every edge leaves its state by a step of that state's node: checked once per distinct
    # (step, node) pair.
    node_of_edge: list[int] = []
    for node, count in zip(node_at, counts, strict=True):
        node_of_edge += [node] * count
    if any(step_table[step].node != names[node] for step, node in set(zip(edge_steps, node_of_edge, strict=True))):
        raise ValueError("an edge leaves a state by a step of another node")
    pairs = list(zip(map(step_table.__getitem__, edge_steps), targets, strict=True))
    edges: list[list[tuple[Step, int]]] = []
    at = 0
    for count in counts:
        edges.append(pairs[at:at + count])
        at += count
    sizes = _indices(data["component_sizes"])
    flat_members = _indices(data["component_members"], n)
    if sum(sizes) != n or sorted(flat_members) != list(range(n)):
        raise ValueError("the components do not partition the states")
    members: list[list[int]] = []
    comp = [0] * n
    at = 0
    for cid, size in enumerate(sizes):
        group = flat_members[at:at + size]
        at += size
        members.append(group)
        for sid in group:
            comp[sid] = cid
    estimate_raw = data["estimate"]
    estimate = None
    if estimate_raw is not None:
        numeric, upper = _list(estimate_raw, 2)
        estimate = StateEstimate(_int(numeric), _int(upper))
    stopped = data["stopped"]
    if stopped not in _CACHEABLE_STOPS:
        raise ValueError("an analysis stopped by the clock or memory is never cached")
    total_raw = data["total"]
    dead_ends = _indices(data["dead_ends"])
    trapped = _indices(data["trapped"])
    _below(dead_ends, n)
    _below(trapped, n)
    step_ids = set(program.steps)
    best_any_to_go = _unpack(data["best_any_to_go"], "d", n)
    best_to_go = _unpack(data["best_to_go"], "d", n)
    if any(map(math.isnan, best_to_go)) or any(map(math.isnan, best_any_to_go)):
        raise ValueError("a best total is not a number")
    return Analysis(
        program=program, states=states, edges=edges, index=index, complete=_bool(data["complete"]),
        reachable_nodes=frozenset(_known(data["reachable_nodes"], nodes_known)),
        reachable_endings=frozenset(_known(data["reachable_endings"], nodes_known)),
        steps_taken=frozenset(_known(data["steps_taken"], step_ids)),
        dead_ends=tuple(dead_ends), trapped=tuple(trapped),
        can_finish=[i != 0 for i in _unpack(data["can_finish"], "b", n)],
        path_count=_int(data["path_count"]),
        scoring_cycles=tuple(_known(data["scoring_cycles"], step_ids)),
        total=None if total_raw is None else _extremes_in(total_raw),
        extremes={_str(k): _extremes_in(v) for k, v in _dict(data["extremes"]).items()},
        best_any_to_go=best_any_to_go, best_to_go=best_to_go,
        clean_path_exists=_bool(data["clean_path_exists"]),
        expert_path=tuple(_known(data["expert_path"], step_ids)),
        components=(comp, members), estimate=estimate,
        best_path=tuple(_known(data["best_path"], step_ids)),
        stopped=stopped, merged=merged,
    )


def _indices(value: object, length: int | None = None) -> list[int]:
    """A packed table of whole numbers (or a JSON list of them), none negative (Python would
    count a negative index from the end)."""
    items = _unpack(value, "i", length) if isinstance(value, str) else _list(value, length)
    if items and (set(map(type, items)) != {int} or min(items) < 0):
        raise ValueError("expected whole numbers, none negative")
    return items


def _below(items: list[int], size: int) -> None:
    if items and max(items) >= size:
        raise IndexError("an index is out of range")


def _strings(value: object) -> list[str]:
    items = _list(value)
    if items and set(map(type, items)) != {str}:
        raise ValueError("expected a list of strings")
    return items


def _scalars(value: object, length: int) -> list[Any]:
    items = _list(value, length)
    if not set(map(type, items)) <= {int, bool, str, type(None)}:
        raise ValueError("a variable's value must be a number, true/false, text or null")
    return items


def _list(value: object, length: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    if length is not None and len(value) != length:
        raise ValueError(f"expected {length} items, found {len(value)}")
    return value


def _dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {type(value).__name__}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _known(value: object, known: set[str]) -> list[str]:
    out = [_str(v) for v in _list(value)]
    unknown = [v for v in out if v not in known]
    if unknown:
        raise ValueError(f"unknown id {unknown[0]!r}")
    return out
