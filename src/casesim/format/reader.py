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
* alias expansion is budgeted, so a "billion laughs" file stops after a few thousand nodes;
* numbers are converted by us, never by an unguarded ``int()``: a value PyYAML cannot convert
  (``0x_``, ``!!int two``) or a whole number beyond ``MAX_INT`` is a positioned diagnostic.

Line numbers are the editor's: lines end at ``\n`` only. PyYAML also breaks lines at U+0085,
U+2028 and U+2029, which editors, ``grep`` and ``git diff`` show inside one line, so a key
hidden behind one would load unseen. Those characters are refused outside quoted text, and
where they are allowed (inside quotes) positions are recounted from character offsets.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from casesim.format.diagnostics import Diagnostic, Severity

__all__ = ["Limits", "Position", "ReusedPosition", "SourceDocument", "read_source", "read_yaml", "read_yaml_bytes",
           "read_yaml_text"]

try:  # the C composer is several times faster; fall back to pure Python where libyaml is absent
    _BaseLoader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, with PyYAML's implicit-tag resolution made cheaper (same results).

    libyaml calls back into Python to resolve the tag of every node, and PyYAML's general
    resolver builds a new list of candidate patterns on each call and consults path resolvers
    that the safe loader never has. For a large scenario that is a sixth of the reading time.
    Here the candidates per first character are built once from the safe loader's own table,
    and the path-resolver hooks are no-ops, which they are anyway without path resolvers.
    """

    _candidates: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
        first: tuple(resolvers) + tuple(_BaseLoader.yaml_implicit_resolvers.get(None, ()))
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items() if first is not None}
    _defaults: dict[type[Any], str] = {
        yaml.ScalarNode: _BaseLoader.DEFAULT_SCALAR_TAG, yaml.SequenceNode: _BaseLoader.DEFAULT_SEQUENCE_TAG,
        yaml.MappingNode: _BaseLoader.DEFAULT_MAPPING_TAG}
    _wildcard: tuple[tuple[str, re.Pattern[str]], ...] = tuple(_BaseLoader.yaml_implicit_resolvers.get(None, ()))

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Any], value: Any, implicit: tuple[bool, bool]) -> str | None:
        if kind is yaml.ScalarNode and implicit[0]:
            for tag, pattern in self._candidates.get(value[:1], self._wildcard):
                if pattern.match(value):
                    return tag
        return self._defaults.get(kind)


assert not _BaseLoader.yaml_path_resolvers, "the safe loader has no path resolvers; _Loader relies on it"

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
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_QUOTES = frozenset(("'", '"'))

_PLAIN_INT = re.compile(r"[-+]?[0-9]+\Z")
_TRUE = frozenset({"yes", "true", "on", "y"})
_FALSE = frozenset({"no", "false", "off", "n"})
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "U+0085 (next line)", "\u2028": "U+2028 (line separator)",
                "\u2029": "U+2029 (paragraph separator)"}
MAX_INT = 10**15
"""The largest whole number a scenario may hold (either sign): far beyond any score or range,
and small enough that every number prints and computes in constant time."""
_MAX_NUMBER_TEXT = 100
"""Longest number text converted at all: no number within ``MAX_INT`` needs more (underscores
included), and PyYAML's base-60 and big-integer conversions grow faster than linearly."""
_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_PREFIX = re.compile(r"^[ \t-]{160,}", re.MULTILINE)

# One instance serves every non-trivial scalar conversion (hex ints, floats like .inf).
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

PathKey = tuple[str | int, ...]

_NAMED_ENTRIES: dict[PathKey, str] = {("nodes",): "node", ("endings",): "ending", ("variables",): "variable"}
"""Mappings whose keys are names an author gives: a repeated key there is a copied entry."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile or accidental file from exhausting memory or time."""

    max_bytes: int = 16 * 1024 * 1024
    """Largest file we read at all; checked with ``stat`` before reading."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_alias_nodes: int = 20_000
    """Most nodes that may be produced by expanding aliases (anchors reused with ``*name``)."""


class Position(NamedTuple):
    """A 1-based line and column in the source file.

    A named tuple rather than a frozen dataclass: the reader makes two for every key of a file
    (hundreds of thousands for a large scenario), and a tuple is several times cheaper to make.
    """

    line: int
    col: int


class ReusedPosition(Position):
    """A position in text written once and used here: a shared block brought in with `include:`,
    or a choice of a `choice_sets:` entry. A diagnostic about it points at where the text is
    written (``file``), and says how it got into the scenario (``via``).

    A subclass of the :class:`Position` named tuple (so it compares and unpacks as its line and
    column) that carries the two extra fields as attributes; only reused text pays for them.
    """

    file: str
    """The file the text is written in, as the including scenario names it."""
    via: str
    """How it got here, e.g. "included from crisis.yaml:22:3"; nested uses are joined by commas."""

    def __new__(cls, line: int, col: int, file: str, via: str) -> ReusedPosition:
        self = tuple.__new__(cls, (line, col))
        self.file = file
        self.via = via
        return self

    def __repr__(self) -> str:
        return f"ReusedPosition(line={self.line}, col={self.col}, file={self.file!r}, via={self.via!r})"
_new_position = functools.partial(tuple.__new__, Position)
"""``Position`` from a ``(line, col)`` tuple without the named tuple's Python-level ``__new__``."""


@dataclass(slots=True)
class SourceDocument:
    """Plain data read from one YAML file, plus where each part of it came from."""

    path: str
    data: Any
    positions: Mapping[PathKey, tuple[Position, Position]] = field(default_factory=dict)
    """For each path into ``data``: (position of the key or list dash, position of the value).
    Made on demand from what the reader recorded per mapping and list (see :class:`_Positions`)."""
    aliases: dict[PathKey, tuple[str, Position]] = field(default_factory=dict)
    """Paths whose value is a copy made with a YAML alias (``*name``): the anchor's name and
    where the alias is written. A copy has the original's positions, so a check that finds two
    equal ids can tell a copied choice from one typed twice."""

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

    def diagnostic(self, pos: Position, severity: Severity, code: str, message: str, *, offset: int = 0) -> Diagnostic:
        """A diagnostic at ``pos``: in this file, or, for reused text, in the file it is written in,
        with how it got into this scenario at the end of the message."""
        if isinstance(pos, ReusedPosition):
            return Diagnostic(pos.file, pos.line, pos.col + offset, severity, code, f"{message} ({pos.via})")
        return Diagnostic(self.path, pos.line, pos.col + offset, severity, code, message)


_Spot = tuple[int, int, int, int]
"""Where a key (or a list item's dash) and its value start: key line, key column, value line,
value column."""


class _Positions(Mapping[PathKey, tuple[Position, Position]]):
    """The positions of a document's paths, looked up through its data.

    Each mapping and list the reader built is found by its identity, so the data must not be
    changed after reading (nothing in casesim does: it is validated into frozen models).
    """

    __slots__ = ("_data", "_spots")

    def __init__(self, data: Any, spots: dict[int, dict[Any, _Spot]]) -> None:
        self._data = data
        self._spots = spots

    def __getitem__(self, path: PathKey) -> tuple[Position, Position]:
        node = self._data
        spot: _Spot | None = None
        for segment in path:
            inner = self._spots.get(id(node))
            spot = inner.get(segment) if inner is not None else None
            if spot is None:
                raise KeyError(path)
            node = node[segment]
        if spot is None:  # the empty path: the whole file has no key of its own
            raise KeyError(path)
        return _new_position(spot[:2]), _new_position(spot[2:])

    def __iter__(self) -> Iterator[PathKey]:
        stack: list[tuple[PathKey, Any]] = [((), self._data)]
        while stack:
            path, node = stack.pop()
            for segment in self._spots.get(id(node), {}):
                yield (*path, segment)
                stack.append(((*path, segment), node[segment]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
            # the size it had, and one byte more: a file that grew since is read on (a buffer of
            # the whole limit, allocated for every read, took as long as the reading)
            raw = handle.read(size + 1)
            if len(raw) > size:
                raw += handle.read(limits.max_bytes + 1 - len(raw))
            return raw, []
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
    locate = _Locator(text)
    if locate.hidden_breaks:
        hidden = _hidden_breaks_outside_quotes(text, path, locate)
        if hidden:
            return None, hidden
    depth_problem = _check_depth(text, path, limits)
    if depth_problem is not None:
        return None, [depth_problem]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = locate(mark) if mark is not None else (1, 1)
        if _is_libyaml_depth_error(exc):
            return None, [_too_deep(path, line, col, limits)]
        return None, [_syntax_error(text, path, line, col, exc.problem or exc.context or "")]
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line, col = locate.offset(exc.position) if 0 <= exc.position <= len(text) else (1, 1)
        return None, [_diag(path, line, col, "control-character",
                            f"an invisible control character (U+{code:04X}) is here; YAML files cannot hold one: "
                            "delete it (it often comes from copying text out of another program)")]
    except yaml.YAMLError as exc:
        return None, [_diag(path, 1, 1, "yaml-syntax", f"this file is not readable YAML ({type(exc).__name__})")]
    except RecursionError:
        return None, [_diag(path, 1, 1, "too-deep", f"nesting is deeper than {limits.max_depth} levels")]
    if root is None:
        return None, [_diag(path, 1, 1, "empty-file", "file is empty; a scenario starts with `format: 2`")]
    builder = _Builder(path, limits, locate)
    try:
        data = builder.build(root, (), 0, in_alias=False)
    except _Abort:
        return None, builder.diagnostics
    positions = _Positions(data, builder.spots)
    return SourceDocument(path, data, positions, _alias_sites(text, builder, locate)), builder.diagnostics


def _alias_sites(text: str, builder: _Builder, locate: _Locator) -> dict[PathKey, tuple[str, Position]]:
    """Where each alias copy in ``builder.alias_paths`` is written, from the parser's alias events.

    The composer hands back the anchored node itself for an alias, so its position is lost; the
    events still have it. Both walk the document in order, so the n-th copy the builder met is
    the n-th alias event, unless the builder skipped one (a merge key or a repeated key, both
    already errors); then the sites are left out rather than guessed.
    """
    if not builder.alias_paths:
        return {}
    try:
        events = [e for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.AliasEvent)]
    except yaml.YAMLError:
        return {}
    if len(events) != len(builder.alias_paths):
        return {}
    return {path: (str(event.anchor), Position(*locate(event.start_mark)))
            for path, event in zip(builder.alias_paths, events, strict=True)}


class _Locator:
    """Turns a PyYAML mark into the editor's (line, column), 1-based.

    PyYAML's own line count is right unless the text holds U+0085, U+2028 or U+2029 (it counts
    them as line breaks); only then are positions recounted from the mark's character offset.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.hidden_breaks = _HIDDEN_BREAKS.search(text) is not None
        self._newlines: list[int] | None = None

    def __call__(self, mark: Any) -> tuple[int, int]:
        if not self.hidden_breaks:
            return mark.line + 1, mark.column + 1
        return self.offset(mark.index)

    def offset(self, index: int) -> tuple[int, int]:
        """The editor's (line, column) of the character at ``index``."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        before = bisect.bisect_left(self._newlines, index)
        line_start = self._newlines[before - 1] + 1 if before else 0
        return before + 1, index - line_start + 1


def _hidden_breaks_outside_quotes(text: str, path: str, locate: _Locator) -> list[Diagnostic]:
    """An error for each U+0085/U+2028/U+2029 that is not inside a quoted scalar.

    Inside quotes they are text (a translator may paste one); anywhere else PyYAML would start
    a new line that no editor shows. When the file cannot even be tokenised, every such
    character is reported: the syntax error's position would be counted wrongly anyway.
    """
    quoted: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                quoted.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        pass
    problems = []
    for match in _HIDDEN_BREAKS.finditer(text):
        at = match.start()
        if any(start <= at < end for start, end in quoted):
            continue
        line, col = locate.offset(at)
        problems.append(_diag(path, line, col, "hidden-line-break",
                              f"invisible line break {_BREAK_NAMES[match.group()]}: YAML starts a new line here, "
                              "but editors and `git diff` do not show one; delete it, or press Enter if you meant "
                              "a new line"))
    return problems


_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_KEY_AND_VALUE = re.compile(r"^(?P<lead>\s*(?:-\s+)*)(?P<key>[^\s:#][^:#]*?:[ \t]+)?(?P<value>.*?)\s*$")


def _syntax_error(text: str, path: str, line: int, col: int, problem: str) -> Diagnostic:
    """A YAML syntax error in a trainer's words: what is wrong on the line and what to type.

    PyYAML's own wording ("found character that cannot start any token (while scanning for
    the next token)") says nothing to someone who writes scenarios, not parsers. The common
    causes are recognised from the line itself: a tab, a second `: ` in an unquoted text, a
    text that starts with `[` or `{`, a stray comma, curly quotes, an indentation that does not
    line up. Anything else still gets a plain sentence and the position.
    """
    lines = text.split("\n")
    if line > len(lines):
        # PyYAML may point just past the end of a file that has no final newline.
        line, col = len(lines), len(lines[-1]) + 1
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    at = source[col - 1] if 0 < col <= len(source) else ""
    parts = _KEY_AND_VALUE.match(source)
    lead, key, value = (parts.group("lead"), parts.group("key") or "", parts.group("value")) if parts else ("", "", "")

    def quoted() -> str:
        inner = value.translate(_CURLY)
        if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
            inner = inner[1:-1]
        shown = '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{lead.strip()} {key}{shown}".strip() if lead.strip() else f"{key}{shown}"

    tab = source.find("\t")
    if tab != -1 and (at == "\t" or "\t" in source[:len(source) - len(source.lstrip())]):
        return _diag(path, line, tab + 1, "tab",
                     "a tab is used for indenting here; YAML indents with spaces only: replace the tabs with spaces "
                     "(most editors can do this for the whole file)")
    if any(c in value for c in "\u201c\u201d\u2018\u2019") and ("mapping values" in problem or at in "\u201c\u2018"):
        return _diag(path, line, col, "curly-quotes",
                     f"curly quotes do not quote text in YAML, so the `: ` inside is read as a new key; use straight "
                     f"quotes: {quoted()}")
    if "mapping values are not allowed" in problem and key and ": " in value:
        return _diag(path, line, col, "colon-in-text",
                     f"this text has `: ` in it, which YAML reads as the start of another key; put the whole text in "
                     f"quotes: {quoted()}")
    if value[:1] in ("[", "{") and not value.endswith(("]", "}")):
        return _diag(path, line, source.find(value) + 1, "bracket-text",
                     f"a text that starts with `{value[0]}` is read as a {'list' if value[0] == '[' else 'mapping'}; "
                     f"put the whole line in quotes: {quoted()}")
    if at == "," or (at in ("}", "]") and source[:col - 1].rstrip().endswith(",")):
        return _diag(path, line, col, "yaml-syntax",
                     "there is a comma too many here (or a value is missing between two commas); remove the extra comma")
    if "cannot start any token" in problem and at:
        return _diag(path, line, col, "yaml-syntax",
                     f"a value cannot start with {at!r} in YAML; put the whole text in quotes: {quoted()}")
    unclosed = _unclosed_quote(lines, line)
    if unclosed is not None:
        at_line, at_col, mark = unclosed
        return _diag(path, at_line, at_col, "unclosed-quote",
                     f"the text that starts with {mark} here is never closed; add the closing {mark} at the end of the text")
    if "expected key" in problem or "expected <block end>" in problem or "block mapping" in problem:
        return _diag(path, line, col, "indentation",
                     "this line does not line up with the lines around it: keys of one mapping start in the same "
                     "column, and the items of a list line up under each other; check the spaces at the start of "
                     "this line and the line above")
    if "end of the stream" in problem or "found unexpected end" in problem or "while scanning a quoted" in problem:
        return _diag(path, line, col, "yaml-syntax",
                     "a quote, bracket or brace opened before this point is never closed; close it, or remove it")
    return _diag(path, line, col, "yaml-syntax",
                 "YAML cannot read this line; check its indentation (spaces only), and put text that holds "
                 "`: `, ` #`, or starts with a symbol in quotes")


def _unclosed_quote(lines: list[str], line: int) -> tuple[int, int, str] | None:
    """The nearest line at or above ``line`` whose value opens a quote it does not close.

    A quoted text may go on over several lines, so PyYAML notices a missing closing quote only
    where the next key fails to parse; the mistake is on the line that opened the quote.
    """
    for number in range(min(line, len(lines)), max(0, line - 20), -1):
        parts = _KEY_AND_VALUE.match(lines[number - 1])
        value = parts.group("value") if parts else ""
        if not value or value[0] not in "\"'":
            continue
        mark = value[0]
        body = value[1:].replace("\\\\", "").replace('\\"', "") if mark == '"' else value[1:].replace("''", "")
        if mark not in body:
            return number, lines[number - 1].find(value) + 1, mark
    return None


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

    def __init__(self, path: str, limits: Limits, locate: _Locator) -> None:
        self.path = path
        self.has_anchors = "&" in locate.text
        """Whether the text can hold an anchor at all; without one, no node is reached twice."""
        self.limits = limits
        self.locate = locate
        self.plain_lines = not locate.hidden_breaks
        """PyYAML's line count is the editor's (no U+0085/U+2028/U+2029): read marks directly."""
        self.spots: dict[int, dict[Any, _Spot]] = {}
        """id() of each mapping and list of the data -> its keys (or indexes) -> where the key and
        the value start. One small tuple per key instead of a path-keyed dict of positions: for a
        large scenario, building that dict (a path tuple and two positions per key, hashed into
        one huge table) took longer than libyaml's parse; the paths are made only on lookup."""
        self.diagnostics: list[Diagnostic] = []
        self.alias_nodes = 0
        self.seen: set[int] = set()
        self.alias_paths: list[PathKey] = []
        """Paths where an alias was expanded (not nested copies inside an expansion), in order."""

    def error(self, node: yaml.Node, code: str, message: str) -> None:
        line, col = self.locate(node.start_mark)
        self.diagnostics.append(_diag(self.path, line, col, code, message))

    def where(self, mark: Any) -> Position:
        if self.plain_lines:
            return _new_position((mark.line + 1, mark.column + 1))
        return _new_position(self.locate(mark))

    def build(self, node: yaml.Node, path: PathKey, depth: int, *, in_alias: bool) -> Any:
        # The hot loop of reading a large scenario (one call per node, two positions per key):
        # lookups are hoisted into locals and positions are made inline while PyYAML's line
        # count is the editor's. Every check is made for every node.
        if depth > self.limits.max_depth:
            self.error(node, "too-deep", f"nesting is deeper than {self.limits.max_depth} levels")
            raise _Abort
        if self.has_anchors:  # without an anchor in the text there is no alias to account for
            ident = id(node)
            if ident in self.seen:
                if not in_alias:
                    self.alias_paths.append(path)
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
        kind = type(node)
        tag = node.tag
        if kind is _ScalarNode:
            return self.scalar(node, tag)  # type: ignore[arg-type]
        spots = self.spots
        plain = self.plain_lines
        if kind is _SequenceNode:
            if tag != _SEQ:
                self.error(node, "yaml-tag", f"YAML tag {tag!r} is not allowed; remove it")
            items: list[Any] = []
            item_spots: dict[Any, _Spot] = {}
            for index, child in enumerate(node.value):
                line, col = self.value_position(child)
                item_spots[index] = (line, col, line, col)
                items.append(self.build(child, (*path, index), depth + 1, in_alias=in_alias))
            spots[id(items)] = item_spots
            return items
        if kind is _MappingNode:
            if tag != _MAP:
                self.error(node, "yaml-tag", f"YAML tag {tag!r} is not allowed; remove it")
            result: dict[str, Any] = {}
            key_spots: dict[Any, _Spot] = {}
            first_seen: dict[Any, yaml.Node] = {}
            build = self.build
            max_depth = self.limits.max_depth
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == _MERGE:
                    self.error(key_node, "merge-key",
                               "merge keys (<<) are not supported; write the keys out, or use an alias for the whole value")
                    continue
                if type(key_node) is not _ScalarNode:
                    self.error(key_node, "bad-key", "a key must be a plain word, not a list or mapping")
                    continue
                if key_tag not in _SCALAR_TAGS:
                    self.error(key_node, "yaml-tag", f"YAML tag {key_tag!r} is not allowed on a key")
                    continue
                # Keys are names: `on:` or `yes:` stay the words they are, not booleans.
                key = key_node.value
                if key in first_seen:
                    self.duplicate_key(path, key, first_seen[key], key_node)
                    continue
                first_seen[key] = key_node
                if plain:
                    mark = key_node.start_mark
                    value_mark = value_node.start_mark
                    key_spots[key] = (mark.line + 1, mark.column + 1, value_mark.line + 1,
                                      value_mark.column + (2 if type(value_node) is _ScalarNode  # inside a quote
                                                           and value_node.style in _QUOTES else 1))
                else:
                    key_spots[key] = (*self.where(key_node.start_mark), *self.value_position(value_node))
                if type(value_node) is _ScalarNode and not self.has_anchors and depth < max_depth:
                    # a leaf within the depth limit, and no alias: convert it here
                    result[key] = self.scalar(value_node, value_node.tag)
                else:
                    result[key] = build(value_node, (*path, key), depth + 1, in_alias=in_alias)
            spots[id(result)] = key_spots
            return result
        self.error(node, "yaml-node", "unsupported YAML node")  # pragma: no cover - PyYAML has only three
        return None

    def duplicate_key(self, path: PathKey, key: str, first_node: yaml.Node, key_node: yaml.Node) -> None:
        first = self.where(first_node.start_mark)
        what = _NAMED_ENTRIES.get(path)
        if what is not None:
            message = (f"a second {what} called {key!r}; the first is at line {first.line}: "
                       f"rename the copy (each {what} needs its own name)")
        else:
            message = (f"duplicate key {key!r}: it is already defined at line {first.line}, column "
                       f"{first.col}; YAML would silently keep only the last one: delete or rename one")
        self.error(key_node, "duplicate-key", message)

    def scalar(self, node: yaml.ScalarNode, tag: str) -> Any:
        value: str = node.value
        if tag in (_STR, _TIMESTAMP):
            # Dates stay text: PyYAML would turn `on: 2026-11-01` into a datetime.
            return value
        if tag == _INT:
            return self.number(node, whole=True)
        if tag == _BOOL:
            word = value.lower()
            if word not in _TRUE and word not in _FALSE:
                self.error(node, "wrong-type", f"{_shown(value)} is not true or false: write true or false, "
                                               "or remove the `!!bool` in front of it")
                return value
            return word in _TRUE
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return self.number(node, whole=False)
        self.error(node, "yaml-tag",
                   f"YAML tag {tag!r} is not allowed: casesim reads plain data only and never "
                   "constructs objects from tags; remove the tag")
        return value

    def number(self, node: yaml.ScalarNode, *, whole: bool) -> Any:
        """The number ``node`` holds, or its text after a diagnostic when it is not a usable one.

        PyYAML resolves ``0x_`` or ``0b_`` as integers it then cannot convert, and an explicit
        ``!!int`` or ``!!float`` tag forces a conversion of any text; every such failure, and
        every whole number beyond :data:`MAX_INT`, is reported here instead of raised.
        """
        value: str = node.value
        if whole and _PLAIN_INT.match(value) and len(value) <= 16:
            return int(value)  # the common case, always within MAX_INT
        if len(value) > _MAX_NUMBER_TEXT:
            self.error(node, "number-too-large",
                       f"this number is {len(value):,} characters long; numbers in a scenario stay within "
                       f"{MAX_INT:,} (either sign): check the value, or put it in quotes if it is text")
            return value
        try:
            if whole:
                number: int | float = int(value) if _PLAIN_INT.match(value) else _CONSTRUCTOR.construct_yaml_int(node)
            else:
                number = _CONSTRUCTOR.construct_yaml_float(node)
        except (ValueError, IndexError, OverflowError, TypeError):
            what = "a whole number" if whole else "a number"
            self.error(node, "wrong-type",
                       f"{_shown(value)} is not {what}: write the number in digits (like 12), or put text in quotes "
                       "and remove any `!!int` or `!!float` in front of it")
            return value
        if whole and abs(number) > MAX_INT:
            self.error(node, "number-too-large",
                       f"{_shown(value)} is too large: numbers in a scenario stay within {MAX_INT:,} (either sign)")
            return value
        return number

    def value_position(self, node: yaml.Node) -> Position:
        """Where a value's content starts: inside the quotes of a quoted scalar, so that offsets
        into an expression land on the right column."""
        mark = node.start_mark
        line, col = (mark.line + 1, mark.column + 1) if self.plain_lines else self.locate(mark)
        if isinstance(node, yaml.ScalarNode) and node.style in _QUOTES:
            col += 1
        return _new_position((line, col))


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to a readable length."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _diag(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.ERROR, code, message)


def _line_col_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col
