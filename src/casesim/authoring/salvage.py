"""Keep checking a scenario whose shape has errors, so a trainer sees every problem at once.

When the whole file does not validate, each top-level field is validated on its own, and
``nodes``, ``endings`` and ``variables`` entry by entry. The valid parts are assembled into a
partial :class:`Scenario` (never used to play, only to run the semantic checks), and the names
in the broken parts are remembered so references to them are not reported as missing.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from casesim.authoring.checks import Unchecked
from casesim.format.expressions import Type
from casesim.format.scenario import (
    ID_PATTERN,
    VAR_PATTERN,
    Ending,
    Node,
    Scenario,
    Variable,
    timeout_id,
)
from casesim.format.validation import spelled_as_name

__all__ = ["salvage"]

_PER_ENTRY: dict[str, type[Any]] = {"nodes": Node, "endings": Ending, "variables": Variable}


def salvage(data: Any) -> tuple[Scenario, Unchecked] | None:
    """A partial scenario from the valid parts of ``data``, or None when nothing useful is left."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        return None
    values: dict[str, Any] = {}
    broken_targets: set[str] = set()
    broken_choices: set[str] = set()
    broken_vars: dict[str, Type] = {}
    for name, field in Scenario.model_fields.items():
        raw = data.get(name)
        if name in _PER_ENTRY:
            adapter: TypeAdapter[Any] = TypeAdapter(_PER_ENTRY[name])
            good: dict[str, Any] = {}
            for key, entry in (raw or {}).items() if isinstance(raw, dict) else ():
                if not re.match(VAR_PATTERN if name == "variables" else ID_PATTERN, str(key)):
                    # A misspelt name (`Rapport`, `Wrap_Up`) is reported once, at its key, with
                    # the spelling to use; references to either spelling are not reported again.
                    for spelling in (str(key), spelled_as_name(str(key), "_" if name == "variables" else "-")):
                        if name == "variables":
                            start = entry.get("start") if isinstance(entry, dict) else None
                            broken_vars[spelling] = "bool" if isinstance(start, bool) else "int"
                        else:
                            broken_targets.add(spelling)
                    broken_choices.update(_choice_ids(str(key), entry))
                    continue
                try:
                    good[str(key)] = adapter.validate_python(entry)
                except ValidationError:
                    if name == "variables":
                        start = entry.get("start") if isinstance(entry, dict) else None
                        broken_vars[str(key)] = "bool" if isinstance(start, bool) else "int"
                    else:
                        broken_targets.add(str(key))
                        broken_choices.update(_choice_ids(str(key), entry))
            values[name] = good
            continue
        if raw is None:
            if not field.is_required():
                values[name] = field.get_default(call_default_factory=True)
            continue
        try:
            annotation: Any = field.annotation
            values[name] = TypeAdapter(annotation).validate_python(raw)
        except ValidationError:
            if not field.is_required():
                values[name] = field.get_default(call_default_factory=True)
    start_broken = "start" not in values
    values.setdefault("start", "")
    scenario = Scenario.model_construct(**values)
    # Fields the checks read must exist even when the file's value was broken.
    for name in ("requirements", "protocols", "tests", "competencies"):
        if name not in values:
            object.__setattr__(scenario, name, [])
    return scenario, Unchecked(frozenset(broken_targets), frozenset(broken_choices), broken_vars, start_broken)


def _choice_ids(node_id: str, entry: Any) -> set[str]:
    """The choice ids of a broken node, and its timeout's id when it has a timer."""
    if not isinstance(entry, dict):
        return set()
    ids = {timeout_id(node_id)} if "timer" in entry else set()
    if isinstance(entry.get("choices"), list):
        ids.update(str(c["id"]) for c in entry["choices"] if isinstance(c, dict) and isinstance(c.get("id"), str))
    return ids
