"""Parsed scenarios kept on disk, so records reports and exports never parse YAML when warm.

A warm ``records report cohort`` spent most of its time reading the scenario files (the YAML
reader, include expansion, validation and the checks) against milliseconds of SQL (issue 13,
benchmarks). Reports need the validated scenario and its program, never the YAML with its
positions, so next to the analysis cache each playable file's validated scenario is kept as JSON
and rebuilt with pydantic (a fraction of the YAML's cost).

**Key.** A SHA-256 over the file's bytes, the path it was loaded from and its library root (the
includes are resolved against them), the digest of the framework catalog it was checked against
(:func:`~casesim.authoring.analysis_cache.catalog_digest`), casesim's whole source digest (the
checks decide whether the file is playable) and :data:`PARSED_FORMAT`. The file is read and
hashed every time (no modification time is trusted), and so is every shared block it includes:
the entry lists them with their SHA-256, and a changed, missing or unreadable block makes the
entry unusable, so an edited block is seen at once. The content hash (the file's and its
blocks') is recomputed from those bytes, not copied from the entry.

**Safety.** Like the analysis cache: JSON only, a checksummed header, atomic 0600 writes, and
any entry that fails a check is ignored and the file loaded again. Only playable files are kept,
one entry per file: writing a new one removes the file's older entries
(:mod:`casesim.authoring.cache_entries`).

**What comes back** is a :class:`~casesim.authoring.pipeline.Playable` whose ``document`` holds
the validated data without positions (a restored scenario never points at a line: ``validate``
and author mode always load the file itself) and whose warnings are the ones its load found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from casesim.authoring import analysis_cache, cache_entries
from casesim.authoring.pipeline import Playable, SourceReport, load_scenario_bytes
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.reader import SourceDocument, read_source
from casesim.format.scenario import Scenario
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import compile_program

__all__ = ["PARSED_FORMAT", "include_digests", "includes_unchanged", "load_parsed", "parsed_key"]

PARSED_FORMAT = 1
"""The version of the entry layout; part of its key."""



def parsed_key(raw: bytes, path: str, root: Path | None, catalog: Catalog | None, *, resolved: bool = False) -> str:
    """The key of the entry for a file with these bytes, loaded from ``path`` under ``root``
    (``resolved``: both are resolved already)."""
    catalog_part = analysis_cache.catalog_digest(catalog) if catalog is not None else "no catalog"
    real, real_root = (Path(path), root) if resolved else (Path(path).resolve(), root and root.resolve())
    where = f"{real}\0{real_root if real_root is not None else ''}"
    return hashlib.sha256(f"parsed\0{PARSED_FORMAT}\0{analysis_cache._whole_code()}\0{catalog_part}\0{where}\0"
                          f"{hashlib.sha256(raw).hexdigest()}".encode()).hexdigest()


def load_parsed(path: Path, catalog: Catalog | None, *, library_root: Path | None = None,
                only: Collection[str] | None = None) -> SourceReport | None:
    """``load_scenario(path, catalog, analyse_paths=False, library_root=...)``, from the parsed
    cache when it holds a valid entry for the file as it is now (and written there when not).

    With no cache configured this is exactly that load. A file that cannot be read, or does not
    load, is reported as :func:`~casesim.authoring.pipeline.load_scenario` reports it. ``only``:
    a cached scenario whose id is not among these is neither validated nor compiled (None comes
    back), so a report on three scenarios restores three."""
    folder = analysis_cache.cache_folder()
    raw, problems = read_source(path)
    if raw is None:
        return SourceReport(str(path), tuple(problems))
    if folder is None:
        return load_scenario_bytes(raw, str(path), catalog, analyse_paths=False, library_root=library_root)
    key = parsed_key(raw, str(path), library_root, catalog)
    file = cache_entries.entry_file(folder, "parsed", key, cache_entries.scope_of(path))
    found = cache_entries.read_entry(file, key, lambda data: _decode(data, str(path), catalog, key, only),
                                     "parsed scenario")
    if found is _UNWANTED:
        return None
    if found is not None and found is not _STALE:
        return found
    report = load_scenario_bytes(raw, str(path), catalog, analyse_paths=False, library_root=library_root)
    if report.playable is not None:
        cache_entries.write_entry(file, _encode(report, key), key)
    return report


def include_digests(names: Sequence[str]) -> list[list[str]]:
    """Each included block's path with the SHA-256 of its bytes now, for :func:`includes_unchanged`."""
    out = []
    for name in names:
        try:
            out.append([name, hashlib.sha256(Path(name).read_bytes()).hexdigest()])
        except OSError:
            out.append([name, ""])  # never matches: the entry is rebuilt next time
    return out


def includes_unchanged(value: object) -> bool:
    """Whether every block :func:`include_digests` listed still has the bytes it had (TypeError
    when ``value`` is not such a list)."""
    if not isinstance(value, list):
        raise TypeError("the includes are not a list")
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            raise TypeError("an include is not a (path, digest) pair")
    for name, digest in value:
        try:
            block = Path(name).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(block).hexdigest() != digest:
            return False
    return True


def _encode(report: SourceReport, key: str) -> dict[str, Any]:
    playable = report.playable
    assert playable is not None
    return {"key": key, "scenario": playable.scenario.model_dump(mode="json", by_alias=True),
            "content_hash": playable.content_hash, "includes": include_digests(report.includes),
            "warnings": [[d.path, d.line, d.col, d.severity.value, d.code, d.message] for d in playable.warnings]}


_STALE = SourceReport("", ())
"""What :func:`_decode` returns for an entry whose included blocks changed since."""
_UNWANTED = SourceReport("", ())
"""What :func:`_decode` returns for a scenario not among those asked for."""


def _decode(data: object, path: str, catalog: Catalog | None, key: str,
            only: Collection[str] | None) -> SourceReport:
    """The report an entry describes (:data:`_UNWANTED`: a scenario not in ``only``;
    :data:`_STALE`: an included block changed since)."""
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("written for another file or version")
    scenario_data = data["scenario"]
    if not isinstance(scenario_data, dict) or not isinstance(scenario_data.get("id"), str):
        raise TypeError("the scenario is not a mapping with an id")
    includes = data["includes"]
    if not includes_unchanged(includes):
        return _STALE  # a block changed: so did the scenario's content hash
    # The file's bytes (in the key) and every block's bytes (checked above) are as they were when
    # the entry was written, so its content hash is still theirs.
    digest = data["content_hash"]
    if not (isinstance(digest, str) and len(digest) == 64):
        raise TypeError("the content hash is not a SHA-256")
    if only is not None and scenario_data["id"] not in only:
        return _UNWANTED
    scenario = Scenario.model_validate(scenario_data)
    warnings = tuple(_diagnostic(d) for d in _list(data["warnings"]))
    program = compile_program(scenario, catalog.protocols if catalog is not None else None)
    document = SourceDocument(path, scenario_data)
    playable = Playable(path, scenario, program, document, digest, warnings)
    return SourceReport(path, warnings, digest, document, scenario, playable,
                        tuple(str(item[0]) for item in includes))


def _list(value: object) -> Sequence[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {type(value).__name__}")
    return value


def _diagnostic(value: object) -> Diagnostic:
    items = _list(value)
    if len(items) != 6:
        raise ValueError("a warning is not six fields")
    where, line, col, severity, code, message = items
    if not (isinstance(where, str) and isinstance(code, str) and isinstance(message, str)
            and type(line) is int and type(col) is int):
        raise TypeError("a warning's fields are of the wrong type")
    level = Severity(severity)
    if level is Severity.ERROR:
        raise ValueError("a playable scenario has no errors")
    return Diagnostic(where, line, col, level, code, message)
