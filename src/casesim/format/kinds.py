"""Kinds of practice as data: which kinds a scenario may name, and how each is titled.

Format 1 fixed the kinds in code; a trainer teaching telehealth or transition of care had to
file their scenario under `other`. The kinds now live in `kinds.yaml` in the scoring catalog
(id -> label and description, in the order the library lists them); a program adds its own by
adding to that file in its own catalog. A catalog without the file uses the bundled list.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import Field

from casesim.bundled import frameworks_dir
from casesim.format.base import FormatModel, Id, ShortText, Text
from casesim.format.diagnostics import Diagnostic
from casesim.format.reader import read_yaml
from casesim.format.validation import validate_model

__all__ = ["KINDS_FILE", "KindInfo", "KindList", "bundled_kinds", "kind_label", "kind_rank", "read_kinds"]

KINDS_FILE = "kinds.yaml"
"""The file of a scoring catalog that lists the kinds."""


class KindInfo(FormatModel):
    """One kind of practice."""

    label: ShortText
    """How the library and reports title it (e.g. "Transition of care")."""
    description: Text
    """What scenarios of this kind practise, for authors choosing a kind."""


class KindList(FormatModel):
    """The kinds of practice a scenario's `kind` may name, in the order the library lists them."""

    kinds: dict[Id, KindInfo] = Field(min_length=1)
    """Kind id (kebab-case) -> its label and description."""


def read_kinds(path: str | Path) -> tuple[dict[str, KindInfo] | None, list[Diagnostic]]:
    """The kinds in the file at ``path`` (None when it has errors) and every problem found."""
    doc, problems = read_yaml(path)
    if doc is None or any(p.is_error for p in problems):
        return None, problems
    model, more = validate_model(KindList, doc)
    return (dict(model.kinds) if model is not None else None), [*problems, *more]


@cache
def bundled_kinds() -> Mapping[str, KindInfo]:
    """The kinds that ship with casesim (empty if the bundled file is missing or broken, which
    its own tests rule out; labels then fall back to the id)."""
    kinds, _ = read_kinds(frameworks_dir() / KINDS_FILE)
    return kinds or {}


def kind_label(kind: str, kinds: Mapping[str, KindInfo] | None = None) -> str:
    """The label of ``kind`` ("Home visit"); an unlisted kind is shown as its id in words."""
    info = (bundled_kinds() if kinds is None else kinds).get(kind)
    return info.label if info is not None else kind.replace("-", " ").capitalize()


def kind_rank(kind: str, kinds: Mapping[str, KindInfo] | None = None) -> tuple[int, str]:
    """A sort key that lists kinds in the file's order, unlisted ones last by id."""
    listed = list(bundled_kinds() if kinds is None else kinds)
    return (listed.index(kind), "") if kind in listed else (len(listed), kind)
