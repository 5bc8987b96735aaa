"""The library's listing, kept on disk so ``casesim`` lists its scenarios without loading them.

Listing the library used to mean reading, validating, checking and compiling every scenario file
(the pydantic models, the checks, the semantics) before the first title appeared: 5× a Textual
hello-world on the review's machine (issue 15, item 7). What the list and its detail pane show
(title, kind, summary, client, objectives, competencies, content notes, languages, the problems
of a broken file) is small and changes only when a file does, so it is written here once and read
back as JSON on the next start. The full scenario is loaded only when the trainee opens one.

**Key.** The listing is named by a SHA-256 over everything it was worked out from: the bytes of
every ``.yaml``/``.yml`` file under the library folders (scenarios, shared blocks, translations)
and under the framework folders (kind labels, competency titles and the checks depend on them),
each with its path; the casesim version and a stamp of its source files (path, size, time), so a
changed checkout never reads a listing an older casesim wrote; and :data:`LISTING_FORMAT`. Any
change makes a new key, and the listing is worked out again from the loaded library.

**Safety.** As in :mod:`casesim.authoring.analysis_cache`: the file is only parsed as JSON, every
field is checked for its type, the key is written inside the file and compared, and a file that
fails any check is ignored (the library is then loaded in full, as without a cache). Writes go to
a temporary file (0600) renamed over the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import casesim

if TYPE_CHECKING:
    from casesim.play.library import Library
    from casesim.scoring.catalog import Catalog

__all__ = ["LISTING_FORMAT", "Listing", "ListedLanguage", "ListedProblem", "ListedScenario", "cached_listing",
           "listing_key", "listing_of", "read_listing", "write_listing"]

LISTING_FORMAT = 1
"""The version of the file layout; part of the key."""

_MAGIC = "casesim-library-listing"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListedLanguage:
    """One language a scenario can be played in (:class:`casesim.authoring.languages.Language`)."""

    tag: str
    translated: int
    total: int


@dataclass(frozen=True)
class ListedScenario:
    """What the library shows of a playable scenario."""

    path: str
    id: str
    title: str
    kind: str
    kind_label: str
    kind_rank: int
    """Where the kind stands in kinds.yaml (kinds a program added: after them, by id)."""
    summary: str
    client: str
    """"Dana, 34, she/her"."""
    estimated_minutes: int
    objectives: tuple[str, ...]
    competencies: tuple[str, ...]
    """Each cited competency as "id title"."""
    content_notes: tuple[str, ...]
    draft: bool
    languages: tuple[ListedLanguage, ...]
    content_hash: str
    search_text: str
    """Everything the search matches, case-folded (as :func:`casesim.play.library.matches`)."""

    def matches(self, query: str) -> bool:
        return all(word in self.search_text for word in query.casefold().split())


@dataclass(frozen=True)
class ListedProblem:
    """A file that cannot be played, with its errors as (line, column, message, code)."""

    path: str
    errors: tuple[tuple[int, int, str, str], ...]


@dataclass(frozen=True)
class Listing:
    """The library as listed: the playable scenarios and the files with problems."""

    scenarios: tuple[ListedScenario, ...]
    broken: tuple[ListedProblem, ...]

    def by_id(self, scenario_id: str) -> ListedScenario | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def grouped(self, query: str = "") -> list[tuple[str, list[ListedScenario]]]:
        """The scenarios matching ``query`` as (kind label, scenarios by title), in the kinds'
        order (as :meth:`casesim.play.library.Library.grouped`)."""
        groups: dict[tuple[int, str], list[ListedScenario]] = {}
        labels: dict[tuple[int, str], str] = {}
        for entry in self.scenarios:
            if entry.matches(query):
                key = (entry.kind_rank, entry.kind)
                groups.setdefault(key, []).append(entry)
                labels[key] = entry.kind_label
        return [(labels[key], sorted(groups[key], key=lambda e: e.title.casefold())) for key in sorted(groups)]


def listing_of(library: Library, catalog: Catalog) -> Listing:
    """The listing of a loaded library (the languages are read from the locale files)."""
    from casesim.authoring.languages import scenario_languages
    from casesim.format.kinds import kind_label, kind_rank

    scenarios = []
    for entry in library.playable:
        s = entry.scenario
        c = s.client
        scenarios.append(ListedScenario(
            path=entry.path, id=s.id, title=s.title, kind=s.kind, kind_label=kind_label(s.kind, catalog.kinds),
            kind_rank=kind_rank(s.kind)[0], summary=s.summary, client=f"{c.name}, {c.age}, {c.pronouns}",
            estimated_minutes=s.estimated_minutes, objectives=tuple(s.objectives),
            competencies=tuple(f"{cid} {catalog.criteria[cid].title if cid in catalog.criteria else ''}".strip()
                               for cid in s.competencies),
            content_notes=tuple(s.content_notes), draft=s.reviewed.status == "draft",
            languages=tuple(ListedLanguage(lang.tag, lang.translated, lang.total)
                            for lang in scenario_languages(s, entry.path)),
            content_hash=entry.content_hash,
            search_text=" ".join([s.id, s.title, s.kind, s.summary, c.name, *s.objectives, *s.competencies,
                                  *s.content_notes]).casefold()))
    broken = tuple(ListedProblem(r.path, tuple((d.line, d.col, d.message, d.code) for d in r.errors))
                   for r in library.broken)
    return Listing(tuple(scenarios), broken)


# --- the key -------------------------------------------------------------------------------------

def _yaml_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(q for q in folder.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())


def _code_stamp() -> str:
    """casesim's version and the path, size and time of each of its source files: a changed
    checkout (or install) never reads a listing another casesim wrote."""
    package = Path(casesim.__file__).parent
    hasher = hashlib.sha256(casesim.__version__.encode())
    for file in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            stat = file.stat()
            hasher.update(f"{file.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return hasher.hexdigest()


def listing_key(library_paths: Sequence[Path], catalog_dirs: Sequence[Path]) -> str:
    """The key of the listing of ``library_paths`` read against ``catalog_dirs`` (module docstring)."""
    hasher = hashlib.sha256(f"{_MAGIC}\0{LISTING_FORMAT}\0{_code_stamp()}\n".encode())
    for role, folders in (("library", library_paths), ("catalog", catalog_dirs)):
        for folder in folders:
            hasher.update(f"{role}\0{folder}\n".encode())
            for file in _yaml_files(folder):
                try:
                    digest = hashlib.sha256(file.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
                hasher.update(f"{file}\0{digest}\n".encode())
    return hasher.hexdigest()


# --- reading and writing -------------------------------------------------------------------------

def _file(folder: Path) -> Path:
    return folder / "library-listing.json"


def write_listing(folder: Path, key: str, listing: Listing) -> None:
    """Write ``listing`` under ``key`` (atomically, 0600); a failure is logged, never raised:
    the cache only saves time."""
    data = json.dumps({"magic": _MAGIC, "key": key, "scenarios": [asdict(s) for s in listing.scenarios],
                       "broken": [asdict(b) for b in listing.broken]}, ensure_ascii=False).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".listing-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, _file(folder))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        _log.warning("could not write the library listing to %s: %s", folder, exc)


def read_listing(folder: Path, key: str) -> Listing | None:
    """The listing written under ``key``, or None when there is none or it is not exactly one."""
    try:
        data = json.loads(_file(folder).read_bytes())
        if not isinstance(data, dict) or data.get("magic") != _MAGIC or data.get("key") != key:
            return None
        return Listing(tuple(_scenario(s) for s in _list(data["scenarios"])),
                       tuple(_problem(b) for b in _list(data["broken"])))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        _log.info("library listing in %s not used: %s", folder, exc)
        return None


def cached_listing(folder: Path | None, library_paths: Sequence[Path], catalog_dirs: Sequence[Path],
                   load: Callable[[], tuple[Library, Catalog]]) -> tuple[Listing, Library | None]:
    """The listing from ``folder`` when it is current (and None for the library, not loaded),
    else worked out from ``load()`` and written there (with the library it loaded)."""
    key = listing_key(library_paths, catalog_dirs) if folder is not None else ""
    if folder is not None:
        found = read_listing(folder, key)
        if found is not None:
            return found, None
    library, catalog = load()
    listing = listing_of(library, catalog)
    if folder is not None:
        write_listing(folder, key, listing)
    return listing, library


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("a list was expected")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("a string was expected")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("an integer was expected")
    return value


def _strs(value: object) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def _fields(value: object, names: Iterable[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(names):
        raise TypeError("unexpected fields")
    return value


def _scenario(value: object) -> ListedScenario:
    d = _fields(value, ListedScenario.__dataclass_fields__)
    return ListedScenario(
        path=_str(d["path"]), id=_str(d["id"]), title=_str(d["title"]), kind=_str(d["kind"]),
        kind_label=_str(d["kind_label"]), kind_rank=_int(d["kind_rank"]), summary=_str(d["summary"]),
        client=_str(d["client"]), estimated_minutes=_int(d["estimated_minutes"]), objectives=_strs(d["objectives"]),
        competencies=_strs(d["competencies"]), content_notes=_strs(d["content_notes"]),
        draft=d["draft"] is True,
        languages=tuple(ListedLanguage(_str(x["tag"]), _int(x["translated"]), _int(x["total"]))
                        for x in (_fields(v, ListedLanguage.__dataclass_fields__) for v in _list(d["languages"]))),
        content_hash=_str(d["content_hash"]), search_text=_str(d["search_text"]))


def _problem(value: object) -> ListedProblem:
    d = _fields(value, ListedProblem.__dataclass_fields__)
    errors = []
    for item in _list(d["errors"]):
        line, col, message, code = _list(item)
        errors.append((_int(line), _int(col), _str(message), _str(code)))
    return ListedProblem(_str(d["path"]), tuple(errors))
