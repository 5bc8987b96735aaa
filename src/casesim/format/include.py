"""Reuse: shared node files brought in with ``include:``, and ``choice_sets:`` used by several nodes.

Both are expanded on the plain data the reader built, before validation, so every later stage
(validation, checks, compilation, analysis, lint, embedded tests) sees one ordinary scenario and
checks the reused text in the context of each scenario, and each node, that uses it. What the
expansion keeps is *where* each piece was written: a copied value carries a
:class:`~casesim.format.reader.ReusedPosition` naming its own file, line and column and how it
got here ("included from crisis.yaml:22:3"), so a diagnostic about reused text points at the
text itself.

A shared block (a file under ``scenarios/shared/``) has its own small schema: ``about:`` (what
it is for), ``parameters:`` (the names it leaves by: ``goto: $exit``), ``variables:`` and
``protocols:`` it needs, ``nodes:``, and optionally its own ``choice_sets:`` and ``include:``.
The including scenario gives a ``prefix:`` for the block's node and choice ids and binds every
parameter with ``with:``. Included paths are relative to the including file and must stay inside
the scenario library (symbolic links are followed before the check); cycles and deep nesting are
refused with the chain named.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.reader import (
    Limits,
    Position,
    ReusedPosition,
    SourceDocument,
    read_source,
    read_yaml_bytes,
)

__all__ = ["BLOCK_KEYS", "MAX_INCLUDE_DEPTH", "ChoiceSetUse", "Expansion", "Include", "add_reuse_to_schema", "expand_reuse",
           "is_shared_block"]

PathKey = tuple[str | int, ...]
Positions = dict[PathKey, tuple[Position, Position]]

MAX_INCLUDE_DEPTH = 8
"""Most shared blocks nested inside one another: deeper chains are a mistake, not a design."""
MAX_INCLUDES = 64
"""Most blocks one scenario brings in, counting nested ones: a small file cannot make the loader
read and copy a large block thousands of times."""
MAX_COPIED_CHOICES = 10_000
"""Most choices all `{use: ...}` of choice sets may copy into one file: like the reader's alias
budget, it stops a few lines from expanding into millions of choices."""
BLOCK_KEYS = ("about", "parameters", "variables", "protocols", "nodes", "choice_sets", "include")
"""The keys of a shared block file."""
_INCLUDE_KEYS = ("file", "prefix", "with")
_USE_KEYS = ("use", "prefix", "with")
_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_PARAMETER = re.compile(r"[a-z][a-z0-9_-]*\Z")
_SCENARIO_ONLY = ("format", "id", "start", "endings", "tests", "title")
_CALL = re.compile(r"\b(visited|chose)(\s*\(\s*)([\"']?)([a-z0-9][a-z0-9-]*)\3(\s*\))")
"""``visited(id)`` / ``chose(id)`` in an expression, with the id's quotes (if any) kept."""


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Include(_Shape):
    """A shared block brought into this scenario (a file under scenarios/shared/)."""

    file: str
    """The block's path, relative to this file (e.g. shared/cssrs-screen.yaml); it must stay inside the library."""
    prefix: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Put in front of every node and choice id of the block (prefix `cssrs-` makes `q1` `cssrs-q1`)."""
    with_: dict[str, str] = Field(default_factory=dict, alias="with")
    """Where each of the block's parameters leads: a node or ending id (e.g. {done: triage})."""


class ChoiceSetUse(_Shape):
    """The choices of a `choice_sets:` entry, copied into this node."""

    use: str
    """The name of the choice set."""
    prefix: str | None = None
    """Put in front of each copied choice id (default: this node's id and a hyphen; '' keeps the ids)."""
    with_: dict[str, str] = Field(default_factory=dict, alias="with")
    """Where each `$name` goto in the set leads from this node (e.g. {after: wrap-up})."""


def add_reuse_to_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The scenario JSON Schema with `include:`, `choice_sets:` and `{use: ...}` in a node's choices,
    which are expanded before the scenario model sees them, so editors complete them too."""
    defs = schema.setdefault("$defs", {})
    for model in (Include, ChoiceSetUse):
        body = model.model_json_schema(by_alias=True)
        defs[model.__name__] = body
    properties = schema.setdefault("properties", {})
    properties["include"] = {"description": "Shared blocks brought into this scenario (see docs/authoring.md, Reuse).",
                             "type": "array", "items": {"$ref": "#/$defs/Include"}}
    properties["choice_sets"] = {"description": "Named lists of choices that nodes use with `choices: {use: NAME}`.",
                                 "type": "object",
                                 "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/Choice"}}}
    node = defs.get("Node", {}).get("properties", {})
    if "choices" in node:
        own = node["choices"]
        use = {"$ref": "#/$defs/ChoiceSetUse"}
        node["choices"] = {"description": own.get("description", ""), "anyOf": [
            use, {"type": "array", "items": {"anyOf": [own["items"], use]}}]}
    return schema


@dataclass
class Expansion:
    """A scenario document with its includes and choice sets written out, and what went wrong."""

    document: SourceDocument
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: list[tuple[str, bytes]] = field(default_factory=list)
    """Every included file as read (its path as shown, its bytes), in order: what the scenario's
    content hash must cover besides its own file, so an edited block shows as a new version."""
    files: list[Path] = field(default_factory=list)
    """Every file an ``include:`` names inside the library (resolved, once each, in order), also
    one that is missing or broken: what author mode watches besides the scenario, so saving a
    block (or creating a missing one) reloads the scenario that includes it."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def is_shared_block(data: Any) -> bool:
    """Whether ``data`` (a file's top level) is a shared block rather than a scenario: it has
    nodes, and neither the `format:` nor the `id:` every scenario starts with."""
    return isinstance(data, dict) and "nodes" in data and "format" not in data and "id" not in data


def expand_reuse(doc: SourceDocument, *, root: str | os.PathLike[str] | None = None,
                 limits: Limits | None = None, standalone: bool = False) -> Expansion:
    """``doc`` with ``include:`` and ``choice_sets:`` expanded; ``doc`` itself when it uses neither.

    ``root`` is the scenario library folder that included files must stay inside (default: the
    folder of ``doc``'s file). ``standalone`` allows an empty prefix, for the stand-in scenario
    that checks a block on its own. Never raises for bad content.
    """
    data = doc.data
    if not isinstance(data, dict) or ("include" not in data and "choice_sets" not in data
                                      and not _uses_choice_sets(data)):
        return Expansion(doc)
    top = Path(doc.path)
    folder = Path(root) if root is not None else top.parent
    expander = _Expander(folder.resolve(), limits or Limits(), standalone=standalone)
    data, positions, aliases = expander.expand(doc, [_real(top)], block=False)
    return Expansion(SourceDocument(doc.path, data, positions, aliases), expander.diagnostics, expander.sources,
                     list(dict.fromkeys(expander.files)))


def _uses_choice_sets(data: dict[str, Any]) -> bool:
    """Whether a node uses a choice set although the file has none (an error to report)."""
    nodes = data.get("nodes")
    if not isinstance(nodes, dict):
        return False
    for node in nodes.values():
        choices = node.get("choices") if isinstance(node, dict) else None
        if isinstance(choices, dict) or (isinstance(choices, list)
                                         and any(isinstance(c, dict) and "use" in c for c in choices)):
            return True
    return False


def _listed(choices: Any) -> list[Any]:
    """A node's `choices` as written, as a list (a single `{use: ...}` is one item)."""
    return [choices] if isinstance(choices, dict) else choices if isinstance(choices, list) else []


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # pragma: no cover - resolve(strict=False) fails only on odd file systems
        return path.absolute()


def _reused(pos: Position, file: str, via: str) -> ReusedPosition:
    if isinstance(pos, ReusedPosition):
        return ReusedPosition(pos.line, pos.col, pos.file, f"{pos.via}, {via}")
    return ReusedPosition(pos.line, pos.col, file, via)


def _where(pos: Position, file: str) -> str:
    """``file:line:col`` of ``pos`` for a message."""
    return f"{pos.file if isinstance(pos, ReusedPosition) else file}:{pos.line}:{pos.col}"


class _Expander:
    def __init__(self, root: Path, limits: Limits, *, standalone: bool = False) -> None:
        self.root = root
        self.standalone = standalone
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self.sources: list[tuple[str, bytes]] = []
        self.files: list[Path] = []
        self.vias: list[str] = []
        """How the file being expanded got into the scenario, outermost include first."""
        self.included = 0
        self.copied = 0

    def emit(self, file: str, pos: Position, code: str, message: str, *,
             severity: Severity = Severity.ERROR) -> None:
        """A finding at ``pos`` (in ``file``, unless it is reused text), saying every include that
        brought it into the scenario, innermost first."""
        vias = [pos.via] if isinstance(pos, ReusedPosition) else []
        vias.extend(reversed(self.vias))
        shown = pos.file if isinstance(pos, ReusedPosition) else file
        suffix = f" ({', '.join(vias)})" if vias else ""
        self.diagnostics.append(Diagnostic(shown, pos.line, pos.col, severity, code, message + suffix))

    def error(self, doc: SourceDocument, positions: Positions, path: PathKey, code: str, message: str, *,
              key: bool = False) -> None:
        self.emit(doc.path, SourceDocument(doc.path, None, positions).position(path, key=key), code, message)

    # --- one file ------------------------------------------------------------------------

    def expand(self, doc: SourceDocument, chain: list[Path], *, block: bool
               ) -> tuple[dict[str, Any], Positions, dict[PathKey, tuple[str, Position]]]:
        """``doc``'s data with its choice sets and includes written out, and the positions of it all."""
        data: dict[str, Any] = dict(doc.data)
        positions: Positions = dict(doc.positions)
        aliases = dict(doc.aliases)
        if "choice_sets" in data or _uses_choice_sets(data):
            positions, aliases = self.expand_choice_sets(doc, data, positions, aliases)
        entries = data.pop("include", None)
        if entries is not None:
            if not isinstance(entries, list):
                self.error(doc, positions, ("include",), "include",
                           "`include:` is a list of shared blocks, each written like "
                           "`- {file: shared/cssrs-screen.yaml, prefix: cssrs-, with: {exit: wrap-up}}`")
            else:
                for index, entry in enumerate(entries):
                    self.include(doc, data, positions, index, entry, chain)
            positions = {p: v for p, v in positions.items() if p[:1] != ("include",)}
        if block:
            data.pop("about", None)
        return data, positions, aliases

    # --- choice sets ---------------------------------------------------------------------

    def expand_choice_sets(self, doc: SourceDocument, data: dict[str, Any], positions: Positions,
                           aliases: dict[PathKey, tuple[str, Position]]
                           ) -> tuple[Positions, dict[PathKey, tuple[str, Position]]]:
        sets = data.pop("choice_sets", None) or {}
        if not isinstance(sets, dict):
            self.error(doc, positions, ("choice_sets",), "choice-set",
                       "`choice_sets:` maps a name to a list of choices, e.g. `choice_sets: {closing: [...]}`")
            sets = {}
        for name, choices in sets.items():
            if not isinstance(choices, list):
                self.error(doc, positions, ("choice_sets", name), "choice-set",
                           f"the choice set {name!r} should be a list of choices (each starting with `- id:`)")
        nodes = data.get("nodes")
        used: set[Any] = set()
        if isinstance(nodes, dict):
            for node in nodes.values():
                if isinstance(node, dict):
                    used.update(item["use"] for item in _listed(node.get("choices"))
                                if isinstance(item, dict) and "use" in item)
        # new path -> old path, for everything under a node's `choices` that moved or was copied
        moved: dict[PathKey, tuple[PathKey, str | None]] = {}
        if isinstance(nodes, dict):
            nodes = data["nodes"] = dict(nodes)
            for node_id, node in nodes.items():
                if not isinstance(node, dict) or not isinstance(node.get("choices"), (list, dict)):
                    continue
                raw = node["choices"]
                items = [raw] if isinstance(raw, dict) else raw
                uses_any = any(isinstance(item, dict) and "use" in item for item in items)
                if not uses_any:
                    continue
                base: PathKey = ("nodes", node_id, "choices")
                out: list[Any] = []
                for i, item in enumerate(items):
                    item_path = base if isinstance(raw, dict) else (*base, i)
                    if not (isinstance(item, dict) and "use" in item):
                        moved[(*base, len(out))] = ((*base, i), None)
                        out.append(item)
                        continue
                    for old, copied in self.use_set(doc, positions, sets, node_id, item_path, item):
                        at = positions.get(item_path, positions.get(base))
                        line = at[0].line if at else 1
                        via = f"in choice set {item['use']!r}, used by node {node_id!r} at line {line}"
                        moved[(*base, len(out))] = (old, via)
                        out.append(copied)
                nodes[node_id] = {**node, "choices": out}
        for name in sets:
            if name not in used:
                self.emit(doc.path, SourceDocument(doc.path, None, positions).position(("choice_sets", name), key=True),
                          "unused-choice-set",
                          f"no node uses the choice set {name!r}, so it is never checked or offered; use it with "
                          f"`choices: {{use: {name}}}`, or delete it", severity=Severity.WARNING)
        if not moved and not sets:
            return positions, aliases
        touched = {new[:3] for new in moved}
        new_positions: Positions = {}
        under: dict[PathKey, list[tuple[PathKey, tuple[Position, Position]]]] = {}
        for path, value in positions.items():
            if path[:1] == ("choice_sets",):
                if len(path) >= 3:
                    under.setdefault(path[:3], []).append((path[3:], value))
            elif path[:1] == ("nodes",) and len(path) >= 4 and path[:3] in touched:
                under.setdefault(path[:4], []).append((path[4:], value))
            else:
                new_positions[path] = value
        for new, (old, how) in moved.items():
            for rest, (k, v) in under.get(old, []):
                if how is None:
                    new_positions[(*new, *rest)] = (k, v)
                else:
                    new_positions[(*new, *rest)] = (_reused(k, doc.path, how), _reused(v, doc.path, how))
        kept = {p: a for p, a in aliases.items() if p[:1] != ("choice_sets",) and p[:3] not in touched}
        return new_positions, kept

    def use_set(self, doc: SourceDocument, positions: Positions, sets: dict[str, Any], node_id: str,
                item_path: PathKey, item: dict[str, Any]) -> Iterable[tuple[PathKey, dict[str, Any]]]:
        """The copies of a used set's choices, each with the path of the choice it copies."""
        for key in item:
            if key not in _USE_KEYS:
                self.error(doc, positions, (*item_path, key), "unknown-key",
                           f"unknown key {key!r} in a choice-set use{suggest(key, _USE_KEYS, '')}: a use is "
                           "written `{use: SET, prefix: ..., with: {...}}`", key=True)
        name = item["use"]
        if not isinstance(name, str) or not isinstance(sets.get(name), list):
            extra = suggest(str(name), sets, "; add it under `choice_sets:`" if sets
                            else "; this file has no `choice_sets:`: add one at the top level")
            self.error(doc, positions, (*item_path, "use"), "choice-set-missing",
                       f"there is no choice set called {name!r}{extra}")
            return
        prefix = item.get("prefix", f"{node_id}-")
        if not isinstance(prefix, str) or (prefix and not _PREFIX.match(prefix)):
            self.error(doc, positions, (*item_path, "prefix"), "bad-prefix",
                       f"the prefix {prefix!r} is not allowed: a prefix uses lower-case letters, digits and "
                       "hyphens, like `q2-`")
            return
        bound = self.bindings(doc, positions, item_path, item.get("with"))
        if self.copied + len(sets[name]) > MAX_COPIED_CHOICES:
            if self.copied <= MAX_COPIED_CHOICES:  # once, at the use that crosses the budget
                self.error(doc, positions, (*item_path, "use"), "choice-set-too-large",
                           f"the choice sets used in this file copy more than {MAX_COPIED_CHOICES:,} choices in "
                           "all; this looks like a file made to exhaust the loader, and the uses from here on "
                           "were not copied")
            self.copied = MAX_COPIED_CHOICES + 1
            return
        self.copied += len(sets[name])
        for k, choice in enumerate(sets[name]):
            if not isinstance(choice, dict):
                yield ("choice_sets", name, k), choice
                continue
            copied = copy.deepcopy(choice)
            if isinstance(copied.get("id"), str):
                copied["id"] = prefix + copied["id"]
            goto = copied.get("goto")
            if isinstance(goto, str) and goto.startswith("$"):
                if goto[1:] in bound:
                    copied["goto"] = bound[goto[1:]]
                else:
                    self.error(doc, positions, ("choice_sets", name, k, "goto"), "parameter-unbound",
                               f"goto {goto}: node {node_id!r} uses this set without saying where {goto} leads; "
                               f"add `with: {{{goto[1:]}: NODE}}` to the use at line "
                               f"{SourceDocument(doc.path, None, positions).position(item_path).line}")
            yield ("choice_sets", name, k), copied

    def bindings(self, doc: SourceDocument, positions: Positions, at: PathKey, given: Any) -> dict[str, str]:
        if given is None:
            return {}
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            self.error(doc, positions, (*at, "with"), "with",
                       "`with:` maps each parameter to a node or ending id, e.g. `with: {exit: wrap-up}`")
            return {}
        return dict(given)

    # --- include -------------------------------------------------------------------------

    def include(self, doc: SourceDocument, data: dict[str, Any], positions: Positions, index: int, entry: Any,
                chain: list[Path]) -> None:
        at: PathKey = ("include", index)
        if not isinstance(entry, dict):
            self.error(doc, positions, at, "include",
                       "each include is written `- {file: shared/NAME.yaml, prefix: NAME-, with: {exit: NODE}}`")
            return
        ok = True
        for key in entry:
            if key not in _INCLUDE_KEYS:
                self.error(doc, positions, (*at, key), "unknown-key",
                           f"unknown key {key!r} in an include{suggest(key, _INCLUDE_KEYS, '')}: an include has "
                           "`file`, `prefix` and `with`", key=True)
                ok = False
        file, prefix = entry.get("file"), entry.get("prefix")
        if not isinstance(file, str) or not file.strip():
            self.error(doc, positions, (*at, "file") if "file" in entry else at, "include",
                       "an include needs `file:`, the shared block's path relative to this file, "
                       "like shared/cssrs-screen.yaml")
            return
        if not isinstance(prefix, str) or not (_PREFIX.match(prefix) or (self.standalone and prefix == "")):
            shown = f"the prefix {prefix!r} is not allowed" if "prefix" in entry else "an include needs `prefix:`"
            self.error(doc, positions, (*at, "prefix") if "prefix" in entry else at, "bad-prefix",
                       f"{shown}: the block's node and choice ids get it in front (prefix `cssrs-` makes `q1` "
                       "`cssrs-q1`); use lower-case letters, digits and hyphens")
            ok = False
        bound = self.bindings(doc, positions, at, entry.get("with"))
        if not ok:
            return
        target = self.resolve(doc, positions, at, file, chain)
        if target is None:
            return
        real, shown = target
        site = SourceDocument(doc.path, None, positions).position(at, key=True)
        via = f"included from {_where(site, doc.path)}"
        block = self.read_block(doc, positions, at, real, shown, via, chain)
        if block is None:
            return
        block_doc, block_data, block_positions = block
        parameters = block_data.get("parameters") or {}
        listed = "; its parameters are: " + (", ".join(parameters) or "none")
        for name in bound:
            if name not in parameters:
                self.error(doc, positions, (*at, "with", name), "unknown-parameter",
                           f"{shown} has no parameter {name!r}{suggest(name, parameters, listed)}", key=True)
                ok = False
        missing = [name for name in parameters if name not in bound]
        if missing:
            self.error(doc, positions, (*at, "with") if "with" in entry else at, "parameter-unbound",
                       f"{shown} leaves through {', '.join('$' + m for m in missing)}: say where with "
                       f"`with: {{{', '.join(f'{m}: NODE' for m in missing)}}}`")
            ok = False
        if not ok:
            return
        self.merge(doc, data, positions, block_doc, block_data, block_positions, str(prefix), bound, via)

    def resolve(self, doc: SourceDocument, positions: Positions, at: PathKey, file: str,
                chain: list[Path]) -> tuple[Path, str] | None:
        """The real path of an included file and the path to show, or None after an error."""
        where = (*at, "file")
        if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in file):
            self.error(doc, positions, where, "include-path",
                       "the include path holds an invisible control character; type the path again, like "
                       "shared/cssrs-screen.yaml")
            return None
        if self.included >= MAX_INCLUDES:
            self.error(doc, positions, where, "include-count",
                       f"this scenario brings in more than {MAX_INCLUDES} shared blocks; no scenario needs so many")
            return None
        self.included += 1
        try:
            return self.locate(doc, positions, where, file, chain)
        except (OSError, ValueError) as exc:  # a name too long for the file system, a broken link loop...
            self.error(doc, positions, where, "include-path",
                       f"the include path {file!r} cannot be opened ({getattr(exc, 'strerror', None) or exc})")
            return None

    def locate(self, doc: SourceDocument, positions: Positions, where: PathKey, file: str,
               chain: list[Path]) -> tuple[Path, str] | None:
        if os.path.isabs(file) or file.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", file):
            self.error(doc, positions, where, "include-path",
                       f"the include path {file!r} is absolute; write it relative to this file, like "
                       "shared/cssrs-screen.yaml")
            return None
        including = Path(doc.path)
        shown = os.path.normpath(os.path.join(os.path.dirname(doc.path), file))
        real = _real(including.parent / file)
        if not real.is_relative_to(self.root):
            # Written inside the library but resolved outside it: a symbolic link on the way points out.
            written = Path(os.path.normpath(_real(including.parent) / file))
            how = "goes through a symbolic link that points outside" if written.is_relative_to(self.root) else \
                "leads outside"
            self.error(doc, positions, where, "include-path",
                       f"the include path {file!r} {how} the scenario library ({self.root}); shared blocks live "
                       "inside it, e.g. in its shared/ folder")
            return None
        self.files.append(real)
        if real in chain:
            names = [str(p.relative_to(self.root)) if p.is_relative_to(self.root) else str(p)
                     for p in chain[chain.index(real):]]
            cycle = " -> ".join([*names, names[0]])
            self.error(doc, positions, where, "include-cycle",
                       f"these files include each other in a circle: {cycle}; remove one of these includes")
            return None
        if len(chain) > MAX_INCLUDE_DEPTH:
            self.error(doc, positions, where, "include-depth",
                       f"shared blocks are nested more than {MAX_INCLUDE_DEPTH} deep here; include the inner blocks "
                       "from the scenario instead")
            return None
        if real.suffix not in (".yaml", ".yml") or not real.is_file():
            what = "does not exist" if not real.exists() else "is not a .yaml file"
            self.error(doc, positions, where, "include-path", f"the include path {file!r} ({shown}) {what}"
                       f"{suggest(real.name, _siblings(real.parent), '')}")
            return None
        return real, shown

    def read_block(self, doc: SourceDocument, positions: Positions, at: PathKey, real: Path, shown: str, via: str,
                   chain: list[Path]) -> tuple[SourceDocument, dict[str, Any], Positions] | None:
        vias = ", ".join([via, *reversed(self.vias)])
        raw, problems = read_source(real, limits=self.limits)
        if raw is None:
            self.diagnostics.extend(_via(problems, shown, vias))
            return None
        self.sources.append((shown, raw))
        block_doc, problems = read_yaml_bytes(raw, shown, limits=self.limits)
        self.diagnostics.extend(_via(problems, shown, vias))
        if block_doc is None or any(p.is_error for p in problems):
            return None
        data = block_doc.data
        if not isinstance(data, dict) or not is_shared_block(data):
            looks = isinstance(data, dict) and any(k in data for k in _SCENARIO_ONLY)
            self.error(doc, positions, (*at, "file"), "not-a-block",
                       f"{shown} is {'a scenario' if looks else 'not a shared block'}; a shared block has `about:` "
                       "(what it is for), `parameters:` (where it leaves to) and `nodes:`, and no `format:` or `id:`")
            return None
        self.vias.append(via)
        try:
            return self.check_block(block_doc, data, real, shown, via, chain)
        finally:
            self.vias.pop()

    def check_block(self, block_doc: SourceDocument, data: dict[str, Any], real: Path, shown: str, via: str,
                    chain: list[Path]) -> tuple[SourceDocument, dict[str, Any], Positions] | None:
        """The block's own keys checked, then the block expanded (its choice sets and includes)."""
        ok = True
        if not isinstance(data.get("about"), str) or not data["about"].strip():
            self.emit(shown, block_doc.position(("about",) if "about" in data else ()), "block-about",
                      "a shared block starts with `about:`, a few sentences on what it is for, what it cites and "
                      "where it leaves to, for the trainers who include it")
            ok = False
        for key in data:
            if key not in BLOCK_KEYS:
                self.emit(shown, block_doc.position((key,), key=True), "unknown-key",
                          f"unknown key {key!r} in a shared block{suggest(key, BLOCK_KEYS, '')}: a block has "
                          f"{', '.join(BLOCK_KEYS)}")
                ok = False
        parameters = data.get("parameters")
        if parameters is not None and not (isinstance(parameters, dict) and all(
                isinstance(k, str) and _PARAMETER.match(k) for k in parameters)):
            self.emit(shown, block_doc.position(("parameters",)), "parameters",
                      "`parameters:` maps each exit's name (lower-case, like exit) to what it is for")
            ok = False
        if not isinstance(data.get("nodes"), dict) or not data["nodes"]:
            self.emit(shown, block_doc.position(("nodes",)), "wrong-type",
                      "`nodes:` should map node ids to nodes, and a block needs at least one")
            ok = False
        if not ok:
            return None
        expanded, block_positions, _ = self.expand(block_doc, [*chain, real], block=True)
        wrapped: Positions = {p: (_reused(k, shown, via), _reused(v, shown, via)) for p, (k, v) in block_positions.items()}
        return block_doc, expanded, wrapped

    def merge(self, doc: SourceDocument, data: dict[str, Any], positions: Positions, block_doc: SourceDocument,
              block: dict[str, Any], block_positions: Positions, prefix: str, bound: dict[str, str], via: str) -> None:
        """Add the block's nodes (ids prefixed, gotos bound), variables and protocols to ``data``."""
        probe = SourceDocument(block_doc.path, None, block_positions)

        def report(path: PathKey, code: str, message: str, *, key: bool = False) -> None:
            self.emit(doc.path, probe.position(path, key=key), code, message)

        local_nodes = set(block["nodes"])
        local_choices: set[str] = set()
        for n in block["nodes"].values():
            listed = n.get("choices") if isinstance(n, dict) else None
            if isinstance(listed, list):
                local_choices.update(c["id"] for c in listed if isinstance(c, dict) and isinstance(c.get("id"), str))
        parameters = block.get("parameters") or {}

        def target(path: PathKey, goto: Any) -> Any:
            if not isinstance(goto, str):
                return goto
            if goto.startswith("$"):
                if goto[1:] in bound:
                    return bound[goto[1:]]
                report(path, "unknown-parameter",
                       f"goto {goto}: this block has no parameter {goto[1:]!r}"
                       f"{suggest(goto[1:], parameters, '; declare it under `parameters:`')}")
                return goto
            if goto in local_nodes:
                return prefix + goto
            report(path, "block-goto",
                   f"goto {goto!r}: this block has no node {goto!r}{suggest(goto, local_nodes, '')}; a shared block "
                   "leaves only through a parameter: write `goto: $exit` and list `exit` under `parameters:`")
            return goto

        def rewrite(text: Any) -> Any:
            if not isinstance(text, str):
                return text
            return _CALL.sub(lambda m: m.group(0) if m.group(4) not in local_nodes | local_choices else
                             f"{m.group(1)}{m.group(2)}{m.group(3)}{prefix}{m.group(4)}{m.group(3)}{m.group(5)}", text)

        nodes = data.setdefault("nodes", {})
        if not isinstance(nodes, dict):
            return
        endings: dict[str, Any] = data["endings"] if isinstance(data.get("endings"), dict) else {}
        for node_id, node in block["nodes"].items():
            new_id = prefix + node_id
            clash = ("nodes", new_id) if new_id in nodes else ("endings", new_id) if new_id in endings else None
            if clash is not None:
                other = SourceDocument(doc.path, None, positions).position(clash, key=True)
                report(("nodes", node_id), "id-clash",
                       f"with the prefix {prefix!r} this node becomes {new_id!r}, and there is already a "
                       f"{clash[0][:-1]} called {new_id!r} at {_where(other, doc.path)}; choose another prefix "
                       "for this include, or rename one of them", key=True)
                continue
            if isinstance(node, dict):
                node = copy.deepcopy(node)
                base: PathKey = ("nodes", node_id)
                for i, choice in enumerate(node.get("choices") or []):
                    if not isinstance(choice, dict):
                        continue
                    if isinstance(choice.get("id"), str):
                        choice["id"] = prefix + choice["id"]
                    if "goto" in choice:
                        choice["goto"] = target((*base, "choices", i, "goto"), choice["goto"])
                    if "when" in choice:
                        choice["when"] = rewrite(choice["when"])
                    if isinstance(choice.get("effects"), dict):
                        choice["effects"] = {k: rewrite(v) for k, v in choice["effects"].items()}
                if isinstance(node.get("client"), list):
                    for line in node["client"]:
                        if isinstance(line, dict) and "when" in line:
                            line["when"] = rewrite(line["when"])
                timer = node.get("timer")
                expire = timer.get("expire") if isinstance(timer, dict) else None
                if isinstance(expire, dict) and "goto" in expire:
                    expire["goto"] = target((*base, "timer", "expire", "goto"), expire["goto"])
            nodes[new_id] = node
            for path, value in block_positions.items():
                if path[:2] == ("nodes", node_id):
                    positions[("nodes", new_id, *path[2:])] = value
        self.merge_variables(doc, data, positions, block, block_positions, report)
        self.merge_protocols(data, positions, block, block_positions, report)

    def merge_variables(self, doc: SourceDocument, data: dict[str, Any], positions: Positions, block: dict[str, Any],
                        block_positions: Positions, report: Callable[..., None]) -> None:
        """The block's variables join the scenario's; one the scenario declares itself keeps the
        scenario's declaration (its start, range and display), if it is of the same type."""
        needed = block.get("variables")
        if needed is None:
            return
        if not isinstance(needed, dict):
            report(("variables",), "wrong-type", "`variables:` maps each variable's name to its declaration")
            return
        own = data.setdefault("variables", {})
        if not isinstance(own, dict):
            return
        for name, declared in needed.items():
            if name not in own:
                own[name] = declared
                for path, value in block_positions.items():
                    if path[:2] == ("variables", name):
                        positions[path] = value
                continue
            mine, theirs = own[name], declared
            kinds = [isinstance(v, dict) and isinstance(v.get("start"), bool) for v in (mine, theirs)]
            if kinds[0] != kinds[1]:
                at = SourceDocument(doc.path, None, positions).position(("variables", name), key=True)
                words = ["true/false" if k else "a number" for k in kinds]
                report(("variables", name), "variable-conflict",
                       f"this block needs {name!r} to be {words[1]}, but the scenario declares it as {words[0]} "
                       f"at {_where(at, doc.path)}; rename one of them", key=True)

    def merge_protocols(self, data: dict[str, Any], positions: Positions, block: dict[str, Any],
                        block_positions: Positions, report: Callable[..., None]) -> None:
        """Protocols the block carries out steps of are declared for the scenario too."""
        needed = block.get("protocols")
        if needed is None:
            return
        if not isinstance(needed, list) or not all(isinstance(p, str) for p in needed):
            report(("protocols",), "wrong-type", "`protocols:` in a block lists protocol ids, e.g. [cssrs-screener]")
            return
        own = data.setdefault("protocols", [])
        if not isinstance(own, list):
            return
        declared = {p.get("protocol") for p in own if isinstance(p, dict)}
        for i, protocol in enumerate(needed):
            if protocol in declared:
                continue
            n = len(own)
            own.append({"protocol": protocol})
            declared.add(protocol)
            found = block_positions.get(("protocols", i))
            if found is not None:
                positions[("protocols", n)] = found
                positions[("protocols", n, "protocol")] = found


def _via(problems: Iterable[Diagnostic], shown: str, via: str) -> list[Diagnostic]:
    """The reader's findings in an included file, saying which include brought it in."""
    return [Diagnostic(d.path or shown, d.line, d.col, d.severity, d.code, f"{d.message} ({via})") for d in problems]


def _siblings(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))[:200]
    except OSError:
        return []
