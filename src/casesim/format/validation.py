"""Validate plain YAML data against a pydantic model and report problems at their source position."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.reader import SourceDocument

__all__ = ["validate_model"]

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], doc: SourceDocument) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc.data`` as ``model``; every pydantic error becomes a positioned diagnostic."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        diagnostics: list[Diagnostic] = []
        seen: set[tuple[int, int, str]] = set()
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            kind = error["type"]
            is_key = kind == "extra_forbidden"
            pos = doc.position(loc, key=is_key)
            message = _message(model, error)
            fingerprint = (pos.line, pos.col, message)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            diagnostics.append(Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, _code(kind), message))
        return None, diagnostics


def _code(kind: str) -> str:
    if kind == "extra_forbidden":
        return "unknown-key"
    if kind == "missing":
        return "missing-key"
    if kind.endswith(("_type", "_parsing")):
        return "wrong-type"
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


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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
        given = _describe(error.get("input"))
        extra = ""
        if kind == "string_type" and isinstance(error.get("input"), bool):
            extra = " (YAML reads yes/no/on/off as booleans: put the text in quotes)"
        return f"{field!r} should be {_TYPE_NAMES[kind]}, not {given}{extra}"
    if kind == "literal_error" or kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{field!r} has {_describe(error.get('input'))}; expected one of {expected}"
    msg: str = error.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{field!r}: {msg}"


def _is_noise(segment: str) -> bool:
    return "[" in segment or segment in {"tagged-union", "literal", "function-after", "union"}


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
