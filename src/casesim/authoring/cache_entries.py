"""Small checksummed JSON entries kept beside the analysis cache: one way to read and write them.

The parsed scenarios (:mod:`casesim.authoring.scenario_cache`), the analysis summaries
(:mod:`casesim.authoring.analysis_summary`) and the report views
(:mod:`casesim.authoring.report_view`) are each a JSON document in the analysis cache's folder,
written with :mod:`~casesim.authoring.analysis_cache`'s header (what the file is, its key, the
SHA-256 of the rest) and read back only when every check passes. Each module used to repeat the
read, the checks and the warning; here they are once.

**Stale entries.** An entry keyed by a scenario file's bytes is replaced by a new one, under
another name, whenever the file changes, and the old one used to stay forever. An entry written
with a ``scope`` (a digest of the scenario file's path) is named ``SCOPE-KEY.KIND.json``, and
writing it removes every other entry of the same kind and scope: one entry per file and kind
is kept. Two programs sharing one cache folder with different casesim versions or catalogs
replace each other's entries (each rebuilds its own when it next runs): they only lose time.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from casesim.authoring import analysis_cache

__all__ = ["DECODE_ERRORS", "entry_file", "read_entry", "scope_of", "write_entry"]

DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)
"""What a decoder raises for an entry that is not what it should be (the entry is then ignored)."""

T = TypeVar("T")

_log = logging.getLogger(__name__)


def scope_of(path: Path, *, resolved: bool = False) -> str:
    """The scope of the entries made from the scenario file at ``path``: a digest of its
    resolved path (so no file name, and nothing a shell would read, appears in the folder).
    ``resolved``: ``path`` is resolved already."""
    return hashlib.sha256(str(path if resolved else path.resolve()).encode()).hexdigest()[:16]


def entry_file(folder: Path, kind: str, key: str, scope: str | None = None) -> Path:
    """Where the entry of ``kind`` with ``key`` lives (``SCOPE-KEY.KIND.json`` with a scope)."""
    return folder / (f"{scope}-{key}.{kind}.json" if scope is not None else f"{key}.{kind}.json")


def read_entry(file: Path, key: str, decode: Callable[[object], T], what: str) -> T | None:
    """``decode`` of the data in ``file``, or None when there is no such file, it cannot be
    read, it is not a valid entry for ``key`` or ``decode`` rejects it (each logged with
    ``what`` the entry is, except a missing file: the caller rebuilds the entry)."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log.warning("the cached %s %s could not be read (%s); rebuilding it", what, file, exc)
        return None
    try:
        return decode(analysis_cache._unwrap(raw, key))
    except DECODE_ERRORS as exc:
        _log.warning("ignoring the cached %s %s: %s; rebuilding it", what, file, exc)
        return None


def write_entry(file: Path, data: dict[str, Any], key: str) -> None:
    """Write ``data`` to ``file`` as a checksummed entry for ``key`` (atomically, 0600; a
    failure is logged and ignored). When the file's name carries a scope
    (:func:`entry_file`), the other entries of its kind and scope are removed."""
    folder = file.parent
    analysis_cache._write(folder, file, analysis_cache._wrap(data, key))
    scope, dash, rest = file.name.partition("-")
    kind = rest.partition(".")[2]  # "KEY.KIND.json" -> "KIND.json"
    if not dash or not kind or not file.exists():
        return
    for other in folder.glob(f"{scope}-*.{kind}"):
        if other.name != file.name:
            with contextlib.suppress(OSError):
                other.unlink()
