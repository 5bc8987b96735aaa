"""Safe YAML reading that keeps source positions and refuses hostile input.

We never let PyYAML construct objects. The file is *composed* into a node graph (libyaml's C
composer when it is installed), and we build plain Python data from the nodes ourselves:
mappings, sequences, strings, integers, floats, booleans and nulls. Along the way we record
where every key and value starts, reject duplicate keys at any depth (PyYAML silently keeps
the last), reject every explicit tag other than the standard scalar ones (so ``!!python/object``
is refused, never executed), keep dates as strings, and enforce limits so a hostile file cannot
exhaust memory or time:

* the file size is checked before anything is read;
* nesting depth is checked *before* composing, because libyaml's composer recurses on the C
  stack and a few hundred thousand nested brackets crash the interpreter;
* alias expansion is budgeted, so a "billion laughs" file stops after a few thousand nodes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from casesim.format.diagnostics import Diagnostic, Severity

__all__ = ["Limits", "Position", "SourceDocument", "read_source", "read_yaml", "read_yaml_bytes", "read_yaml_text"]

try:  # the C composer is several times faster; fall back to pure Python where libyaml is absent
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}

_PLAIN_INT = re.compile(r"[-+]?[0-9]+\Z")
_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_PREFIX = re.compile(r"^[ \t-]{160,}", re.MULTILINE)

# One instance serves every non-trivial scalar conversion (hex ints, floats like .inf).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile or accidental file from exhausting memory or time."""

    max_bytes: int = 16 * 1024 * 1024
    """Largest file we read at all; checked with ``stat`` before reading."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_alias_nodes: int = 20_000
    """Most nodes that may be produced by expanding aliases (anchors reused with ``*name``)."""


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in the source file."""

    line: int
    col: int


@dataclass(slots=True)
class SourceDocument:
    """Plain data read from one YAML file, plus where each part of it came from."""

    path: str
    data: Any
    positions: dict[PathKey, tuple[Position, Position]] = field(default_factory=dict)
    """For each path into ``data``: (position of the key or list dash, position of the value)."""

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Where ``path`` is in the file; the nearest enclosing known place if it is absent.

        Paths from pydantic may contain extra segments (union tags, ``function-after[...]``);
        segments that do not match anything are skipped, as RenderCV and dagster do.
        """
        best: tuple[Position, Position] | None = self.positions.get(())
        current: PathKey = ()
        for segment in path:
            candidate = (*current, segment)
            found = self.positions.get(candidate)
            if found is None and isinstance(segment, str) and segment.isdigit():
                candidate = (*current, int(segment))
                found = self.positions.get(candidate)
            if found is None:
                continue
            current = candidate
            best = found
        if best is None:
            return Position(1, 1)
        if current != tuple(path):
            # Missing fields: point at the mapping that should hold them.
            return best[1]
        return best[0] if key else best[1]


class _Abort(Exception):
    """Stops reading a file after a fatal problem; the diagnostic is already recorded."""


def read_source(path: str | os.PathLike[str], *, limits: Limits | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of ``path``, or why they cannot be read (too large, a folder, an I/O error).

    The size is checked with ``stat`` before anything is read, so a huge file costs nothing.
    """
    limits = limits or Limits()
    shown = str(path)
    try:
        size = os.stat(path).st_size
        if size > limits.max_bytes:
            return None, [_diag(shown, 1, 1, "file-too-large",
                                f"file is {size:,} bytes; the limit is {limits.max_bytes:,} bytes. "
                                "Split the scenario, or check that this is the file you meant")]
        with open(path, "rb") as handle:
            return handle.read(limits.max_bytes + 1), []
    except IsADirectoryError:
        return None, [_diag(shown, 1, 1, "io-error", "is a directory, not a YAML file")]
    except OSError as exc:
        return None, [_diag(shown, 1, 1, "io-error", f"cannot read file: {exc.strerror or exc}")]


def read_yaml(path: str | os.PathLike[str], *, limits: Limits | None = None) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Read ``path`` into plain data with positions, or return why it cannot be read.

    Never raises for bad content: every problem becomes a :class:`Diagnostic`. I/O errors
    (missing file, permission denied) are reported the same way, at line 1, column 1.
    """
    raw, problems = read_source(path, limits=limits)
    if raw is None:
        return None, problems
    return read_yaml_bytes(raw, str(path), limits=limits)


def read_yaml_bytes(raw: bytes, path: str, *, limits: Limits | None = None) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Like :func:`read_yaml`, for bytes already in memory."""
    limits = limits or Limits()
    if len(raw) > limits.max_bytes:
        return None, [_diag(path, 1, 1, "file-too-large",
                            f"file is larger than the limit of {limits.max_bytes:,} bytes")]
    if b"\x00" in raw:
        line, col = _line_col_of_byte(raw, raw.index(b"\x00"))
        return None, [_diag(path, line, col, "binary-file",
                            "file contains a NUL byte: this looks like a binary file, not YAML text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_of_byte(raw, exc.start)
        return None, [_diag(path, line, col, "not-utf8",
                            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                            "save it as UTF-8 in your editor")]
    return read_yaml_text(text, path, limits=limits)


def read_yaml_text(text: str, path: str, *, limits: Limits | None = None) -> tuple[SourceDocument | None, list[Diagnostic]]:
    """Like :func:`read_yaml`, for text already decoded."""
    limits = limits or Limits()
    text = text.removeprefix("\ufeff")
    depth_problem = _check_depth(text, path, limits)
    if depth_problem is not None:
        return None, [depth_problem]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if _is_libyaml_depth_error(exc):
            return None, [_too_deep(path, line, col, limits)]
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return None, [_diag(path, line, col, "yaml-syntax", f"YAML syntax error: {problem}{context}")]
    except yaml.YAMLError as exc:
        return None, [_diag(path, 1, 1, "yaml-syntax", f"YAML error: {exc}")]
    except RecursionError:
        return None, [_diag(path, 1, 1, "too-deep", f"nesting is deeper than {limits.max_depth} levels")]
    if root is None:
        return None, [_diag(path, 1, 1, "empty-file", "file is empty; a scenario starts with `format: 1`")]
    builder = _Builder(path, limits)
    try:
        data = builder.build(root, (), 0, in_alias=False)
    except _Abort:
        return None, builder.diagnostics
    return SourceDocument(path, data, builder.positions), builder.diagnostics


def _check_depth(text: str, path: str, limits: Limits) -> Diagnostic | None:
    """Refuse nesting deeper than the limit before libyaml's recursive composer sees it.

    A cheap scan finds the files that *might* be deep (many open brackets, or very long
    indentation/dash prefixes); only those are checked exactly with the event parser,
    which does not recurse.
    """
    suspicious = _DEEP_PREFIX.search(text) is not None
    if not suspicious:
        depth = 0
        for match in _BRACKETS.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            if depth > limits.max_depth:
                suspicious = True
                break
    if not suspicious:
        return None
    try:
        return _first_too_deep(text, path, limits, _Loader)
    except yaml.YAMLError as exc:
        if not _is_libyaml_depth_error(exc):
            return None  # the composer reports syntax errors with a better message
        libyaml_mark = getattr(exc, "problem_mark", None)
    # Newer libyaml (PyYAML >= 6.0.2 bundles one) refuses nesting past 1,000 levels itself and
    # may do so before its parser hands us the event that crosses *our* limit. The pure-Python
    # parser has no such limit and pulls tokens lazily, so it stops at the level that does.
    try:
        found = _first_too_deep(text, path, limits, yaml.SafeLoader)
    except yaml.YAMLError:
        found = None
    if found is not None:
        return found
    line, col = (libyaml_mark.line + 1, libyaml_mark.column + 1) if libyaml_mark is not None else (1, 1)
    return _too_deep(path, line, col, limits)


def _first_too_deep(text: str, path: str, limits: Limits, loader: type[Any]) -> Diagnostic | None:
    """The first start event past the depth limit, as a ``too-deep`` diagnostic (the parser does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.max_depth:
                mark = event.start_mark
                line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                return _too_deep(path, line, col, limits)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _is_libyaml_depth_error(exc: yaml.YAMLError) -> bool:
    """libyaml's own nesting refusal ("exceeded maximum nesting depth"), whatever its version."""
    return "nesting depth" in str(getattr(exc, "problem", "") or exc)


def _too_deep(path: str, line: int, col: int, limits: Limits) -> Diagnostic:
    return _diag(path, line, col, "too-deep",
                 f"nesting is deeper than {limits.max_depth} levels; a scenario never needs this much")


class _Builder:
    """Turns a composed node graph into plain data, positions and diagnostics."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.positions: dict[PathKey, tuple[Position, Position]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.alias_nodes = 0
        self.seen: set[int] = set()

    def error(self, node: yaml.Node, code: str, message: str) -> None:
        self.diagnostics.append(_diag(self.path, node.start_mark.line + 1, node.start_mark.column + 1, code, message))

    def build(self, node: yaml.Node, path: PathKey, depth: int, *, in_alias: bool) -> Any:
        if depth > self.limits.max_depth:
            self.error(node, "too-deep", f"nesting is deeper than {self.limits.max_depth} levels")
            raise _Abort
        ident = id(node)
        if ident in self.seen:
            in_alias = True  # reached again through an alias: its expansion counts against the budget
        else:
            self.seen.add(ident)
        if in_alias:
            self.alias_nodes += 1
            if self.alias_nodes > self.limits.max_alias_nodes:
                self.error(node, "alias-bomb",
                           f"aliases expand to more than {self.limits.max_alias_nodes:,} nodes; "
                           "this file looks like an alias bomb and was not read")
                raise _Abort
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, tag)
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                self.error(node, "yaml-tag", f"YAML tag {tag!r} is not allowed; remove it")
            items = []
            for index, child in enumerate(node.value):
                child_path = (*path, index)
                start = _value_position(child)
                self.positions[child_path] = (start, start)
                items.append(self.build(child, child_path, depth + 1, in_alias=in_alias))
            return items
        if isinstance(node, yaml.MappingNode):
            if tag != _MAP:
                self.error(node, "yaml-tag", f"YAML tag {tag!r} is not allowed; remove it")
            result: dict[str, Any] = {}
            first_seen: dict[Any, yaml.Node] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    self.error(key_node, "merge-key",
                               "merge keys (<<) are not supported; write the keys out, or use an alias for the whole value")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.error(key_node, "bad-key", "a key must be a plain word, not a list or mapping")
                    continue
                if key_node.tag not in _SCALAR_TAGS:
                    self.error(key_node, "yaml-tag", f"YAML tag {key_node.tag!r} is not allowed on a key")
                    continue
                # Keys are names: `on:` or `yes:` stay the words they are, not booleans.
                key = key_node.value
                if key in first_seen:
                    first = first_seen[key]
                    self.error(key_node, "duplicate-key",
                               f"duplicate key {key!r}: it is already defined at line "
                               f"{first.start_mark.line + 1}, column {first.start_mark.column + 1}; "
                               "YAML would silently keep only the last one")
                    continue
                first_seen[key] = key_node
                child_path = (*path, key)
                self.positions[child_path] = (
                    Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    _value_position(value_node),
                )
                result[key] = self.build(value_node, child_path, depth + 1, in_alias=in_alias)
            return result
        self.error(node, "yaml-node", "unsupported YAML node")  # pragma: no cover - PyYAML has only three
        return None

    def scalar(self, node: yaml.ScalarNode, tag: str) -> Any:
        value: str = node.value
        if tag in (_STR, _TIMESTAMP):
            # Dates stay text: PyYAML would turn `on: 2026-11-01` into a datetime.
            return value
        if tag == _INT:
            if _PLAIN_INT.match(value):
                return int(value)
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == _BOOL:
            return value.lower() in ("yes", "true", "on", "y")
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
        self.error(node, "yaml-tag",
                   f"YAML tag {tag!r} is not allowed: casesim reads plain data only and never "
                   "constructs objects from tags; remove the tag")
        return value


def _value_position(node: yaml.Node) -> Position:
    """Where a value's content starts: inside the quotes of a quoted scalar, so that offsets
    into an expression land on the right column."""
    col = node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
        col += 1
    return Position(node.start_mark.line + 1, col)


def _diag(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.ERROR, code, message)


def _line_col_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col
