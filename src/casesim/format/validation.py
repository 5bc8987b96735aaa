"""Validate plain YAML data against a pydantic model and report problems at their source position.

Every message is written for a trainer, not a programmer: pydantic's own wording ("String
should match pattern '^[a-z0-9]...'", "'constrained-str' should be text") never reaches the
screen. A pattern becomes what the value should look like and, for ids and variable names, the
spelling that would be accepted; a too-long text gives its length and the limit; the branches
of a union (text or a list of variants) are reported once, as the one mistake they are.
"""

from __future__ import annotations

import re
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union

from pydantic import BaseModel, Tag, ValidationError

from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.reader import Position, SourceDocument
from casesim.format.scenario import ID_PATTERN, STEP_ID_PATTERN, TIMEOUT_PREFIX, VAR_PATTERN
from casesim.format.wording import describe

__all__ = ["spelled_as_name", "validate_model"]

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], doc: SourceDocument) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc.data`` as ``model``; every pydantic error becomes a positioned diagnostic."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        diagnostics: list[Diagnostic] = []
        seen: set[tuple[Position, str]] = set()
        for error in _one_per_union(exc.errors(include_url=False)):
            loc = tuple(error["loc"])
            kind = error["type"]
            is_key = kind == "extra_forbidden" or _KEY in loc
            pos = doc.position(tuple(s for s in loc if s != _KEY), key=is_key)
            message = _message(model, error)
            fingerprint = (pos, message)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            code = _code(kind)
            if code == "bad-name" and (error.get("ctx") or {}).get("pattern") not in (ID_PATTERN, VAR_PATTERN, STEP_ID_PATTERN):
                code = "invalid-value"
            diagnostics.append(doc.diagnostic(pos, Severity.ERROR, code, message))
        return None, diagnostics


_KEY = "[key]"
"""The segment pydantic appends to the location of a mapping's key (rather than its value)."""


def _branch_at(loc: tuple[Any, ...]) -> int | None:
    """The index of the first union-branch segment of ``loc`` (e.g. ``constrained-str``), if any."""
    return next((i for i, s in enumerate(loc) if isinstance(s, str) and _is_noise(s)), None)


def _one_per_union(errors: list[Any]) -> list[Any]:
    """The errors worth showing: one mistake in a union-typed value (``client`` is text or a
    list of variants) makes pydantic report every branch that did not match. When one branch
    got further than a type mismatch, only its errors are kept; when every branch failed on
    the type alone, one error says what the value may be ("text or a list")."""
    by_union: dict[tuple[Any, ...], list[Any]] = {}
    out: list[Any] = []
    for error in errors:
        loc = tuple(error["loc"])
        at = _branch_at(loc)
        if at is None:
            out.append(error)
        else:
            by_union.setdefault(loc[:at], []).append(error)
    for prefix, group in by_union.items():
        deeper = [e for e in group if not _is_type_error(e) or len(e["loc"]) > len(prefix) + 1]
        if deeper:
            out.extend(deeper)
            continue
        kinds = []
        for e in group:
            name = _TYPE_NAMES.get(e["type"], "another kind of value")
            if name not in kinds:
                kinds.append(name)
        merged = dict(group[0])
        merged["loc"] = prefix
        merged["type"] = "union_type"
        merged["ctx"] = {"expected": " or ".join(kinds)}
        out.append(merged)
    return out


def _is_type_error(error: Any) -> bool:
    kind: str = error["type"]
    return kind in _TYPE_NAMES or kind.endswith("_type")


def _code(kind: str) -> str:
    if kind == "extra_forbidden":
        return "unknown-key"
    if kind == "missing":
        return "missing-key"
    if kind.endswith(("_type", "_parsing")):
        return "wrong-type"
    if kind == "string_pattern_mismatch":
        return "bad-name"
    if kind in ("string_too_long", "too_long"):
        return "too-long"
    return "invalid-value"


_TYPE_NAMES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "float_type": "a number",
    "int_from_float": "a whole number",
}


_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
    "greater_than": ("more than", "gt"),
    "less_than": ("less than", "lt"),
}


def _pattern_message(field: str, value: str, pattern: str) -> str:
    """What a value that does not match ``pattern`` should look like, and the accepted spelling."""
    shown = describe(value)
    if pattern == VAR_PATTERN:
        fixed = spelled_as_name(value, "_")
        hint = f"; did you mean `{fixed}`?" if fixed and fixed != value else ""
        return (f"the variable name {value!r} is not allowed: variable names use lower-case letters, digits "
                f"and underscores, and start with a letter{hint}")
    if pattern in (ID_PATTERN, STEP_ID_PATTERN):
        prefix = TIMEOUT_PREFIX if pattern == STEP_ID_PATTERN and value.startswith(TIMEOUT_PREFIX) else ""
        fixed = prefix + spelled_as_name(value.removeprefix(prefix), "-")
        hint = f"; did you mean `{fixed}`?" if fixed != prefix and fixed != value else ""
        return (f"the id {value!r} is not allowed: ids use lower-case letters, digits and hyphens "
                f"(like wrap-up){hint}")
    if "\\d+\\.\\d+\\.\\d+" in pattern:
        return f"{field!r} is {shown}; write three numbers with dots, like 1.0.0"
    if "\\d{4}-\\d{2}-\\d{2}" in pattern:
        return f"{field!r} is {shown}; write the date as year-month-day, like 2026-11-01"
    return f"{field!r} is {shown}, which is not in the form this key expects; see docs/authoring.md"


def spelled_as_name(value: str, joiner: str) -> str:
    """``value`` respelled as an id (``joiner`` "-") or a variable name (``joiner`` "_")."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", value).lower())
    spelled = joiner.join(words)
    if joiner == "_":
        spelled = spelled.lstrip("0123456789_")
    return spelled


def _message(model: type[BaseModel], error: Any) -> str:
    kind: str = error["type"]
    loc = tuple(error["loc"])
    field = next((str(s) for s in reversed(loc) if isinstance(s, str) and not _is_noise(s)), "value")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        suffix = suggest(str(loc[-1]), allowed, f"; allowed keys here: {', '.join(sorted(allowed))}" if allowed else "")
        return f"unknown key {loc[-1]!r}{suffix}"
    if kind == "missing":
        return f"missing required key {field!r}"
    if kind in _TYPE_NAMES:
        given = describe(error.get("input"))
        extra = ""
        if kind == "string_type" and isinstance(error.get("input"), bool):
            extra = " (YAML reads yes/no/on/off as booleans: put the text in quotes)"
        elif kind == "string_type" and isinstance(error.get("input"), dict) and len(error["input"]) == 1:
            [(first, _)] = error["input"].items()
            extra = (f": the `: ` after {first!r} makes YAML read a key and a value; "
                     "put the whole line in quotes")
        elif kind == "string_type" and field == "version" and isinstance(error.get("input"), (int, float)):
            extra = ": write three numbers with dots, like 1.0.0"
        elif kind == "string_type" and isinstance(error.get("input"), (int, float)):
            extra = ": put it in quotes if it is meant as text"
        elif kind == "string_type" and isinstance(error.get("input"), list):
            extra = ": a text that starts with `[` is read as a list; put the whole line in quotes"
        return f"{field!r} should be {_TYPE_NAMES[kind]}, not {given}{extra}"
    if kind == "union_type":
        return f"{field!r} should be {error['ctx']['expected']}, not {describe(error.get('input'))}"
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        return _pattern_message(field, value, str(ctx.get("pattern", "")))
    if kind == "string_too_long" and isinstance(value, str):
        return (f"{field!r} is {len(value):,} characters long; the limit is {ctx.get('max_length', 0):,}: "
                "shorten it, or split it over two nodes")
    if kind == "string_too_short":
        return f"{field!r} is empty; write the text, or remove the key"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"{field!r} needs at least {least} item{'s' if least != 1 else ''}"
    if kind == "too_long":
        return f"{field!r} has more than {ctx.get('max_length')} items"
    if kind in _BOUNDS:
        word, key = _BOUNDS[kind]
        return f"{field!r} should be {word} {ctx.get(key)}, not {describe(value)}"
    if kind == "literal_error" or kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{field!r} has {describe(error.get('input'))}; expected one of {expected}"
    msg: str = error.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{field!r}: {msg}"




def _is_noise(segment: str) -> bool:
    return ("[" in segment and segment != _KEY) or segment.startswith("constrained-") or segment in {
        "tagged-union", "literal", "function-after", "union", "str", "int", "bool", "float", "Text", "Variants"} or segment in _model_names()


@cache
def _model_names() -> frozenset[str]:
    """The class names of the format's models: pydantic names the branch of a union such as
    `reply: text or {say, speaker}` by its model class, a segment no trainer wrote."""
    names: set[str] = set()
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("casesim.format.") and sub.__name__ not in names:
                names.add(sub.__name__)
            todo.append(sub)
    return frozenset(names)


def _branch(annotation: Any, segment: str) -> Any:
    """The branch of a union ``annotation`` that pydantic's location segment ``segment`` names."""
    for arg in typing.get_args(annotation):
        inner = typing.get_args(arg)[0] if typing.get_origin(arg) is typing.Annotated else arg
        tags = [m.tag for m in getattr(arg, "__metadata__", ()) if isinstance(m, Tag)]
        if segment in tags:
            return inner
        if segment.startswith("list[") and typing.get_origin(inner) is list:
            return inner
        if isinstance(inner, type) and inner.__name__ == segment:
            return inner
        if typing.get_origin(inner) in (Union, types.UnionType):  # a tagged union inside an optional
            found = _branch(inner, segment)
            if found is not None:
                return found
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The field names of the model found by following ``loc`` from ``model``."""
    current: Any = model
    for segment in loc:
        current = _step(current, segment)
        if current is None:
            return set()
    current = _unwrap_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or name for name, f in current.model_fields.items()}
    return set()


def _unwrap_model(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner = _unwrap_model(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _step(annotation: Any, segment: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType) and isinstance(segment, str) and _is_noise(segment):
        branch = _branch(annotation, segment)
        if branch is not None:
            return branch
    annotation = _unwrap_model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if isinstance(segment, str):
            for name, field in annotation.model_fields.items():
                if segment in (name, field.alias):
                    return field.annotation
        return annotation  # noise segment: stay
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset) and args:
        return args[0] if isinstance(segment, int) else annotation
    if origin is dict and len(args) == 2:
        return args[1]
    return None
