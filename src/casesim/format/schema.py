"""JSON Schema export for editors (committed under ``schemas/``; a test keeps it in sync).

The scenario schema is the pydantic models' schema plus the catalog's names: criterion ids, MI
codes, never-event classes, protocol steps and ids, competencies and catalog names become enums
(and the criterion keys of ``scores:`` and the step keys of ``answers:`` become listed
properties), so an editor with yaml-language-server completes them and marks a misspelt id as
you type. The names come from a :class:`CatalogNames` that the scoring layer builds from the
loaded catalog; the format layer knows nothing of where they come from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel

__all__ = ["SCHEMA_IDS", "SCHEMA_KINDS", "CatalogNames", "SchemaKind", "schema_for", "schema_text"]

SchemaKind = Literal["scenario", "framework", "competency-map", "never-events", "kinds", "shared-block", "locale"]
"""The kinds of file casesim reads, each with its own schema."""
SCHEMA_KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)

SCHEMA_IDS: dict[SchemaKind, str] = {
    "scenario": "https://casesim.invalid/schemas/scenario.schema.json",
    "framework": "https://casesim.invalid/schemas/framework.schema.json",
    "competency-map": "https://casesim.invalid/schemas/competency-map.schema.json",
    "never-events": "https://casesim.invalid/schemas/never-events.schema.json",
    "kinds": "https://casesim.invalid/schemas/kinds.schema.json",
    "shared-block": "https://casesim.invalid/schemas/shared-block.schema.json",
    "locale": "https://casesim.invalid/schemas/locale.schema.json",
}


@dataclass(frozen=True)
class CatalogNames:
    """The names a scenario may cite, each with the short description an editor shows beside it.

    Every mapping is id -> description, in the order the schema lists them (sorted, so the
    committed schema does not change when a framework file is reordered).
    """

    criteria: Mapping[str, str]
    """Criterion id -> "title (framework)"."""
    mi_codes: Mapping[str, str] = field(default_factory=dict)
    never_events: Mapping[str, str] = field(default_factory=dict)
    steps: Mapping[str, str] = field(default_factory=dict)
    """Protocol step and triage-level ids -> their title and protocol."""
    protocols: Mapping[str, str] = field(default_factory=dict)
    competencies: Mapping[str, str] = field(default_factory=dict)
    catalogs: Mapping[str, str] = field(default_factory=dict)
    """Catalog (framework folder) names a scenario can say it needs with ``catalog:``."""


def _model(kind: SchemaKind) -> type[BaseModel]:
    if kind == "scenario":
        from casesim.format.scenario import Scenario

        return Scenario
    if kind == "kinds":
        from casesim.format.kinds import KindList

        return KindList
    if kind == "locale":
        from casesim.format.locale import LocaleFile

        return LocaleFile
    from casesim.format.framework import CompetencyMap, Framework, NeverEventPolicy

    models: dict[SchemaKind, type[BaseModel]] = {"framework": Framework, "competency-map": CompetencyMap,
                                                 "never-events": NeverEventPolicy}
    return models[kind]


def schema_for(kind: SchemaKind = "scenario", names: CatalogNames | None = None) -> dict[str, Any]:
    """The JSON Schema of a file kind, labelled draft-07 for yaml-language-server.

    With ``names`` (the scenario and shared-block schemas), the catalog's ids are enums; without,
    any id of the right shape passes the editor's check and only ``casesim validate`` knows the
    catalog. A shared block has no model of its own (it is expanded into each scenario that
    includes it): its schema is the scenario's, cut down to the block's keys.
    """
    model = _model("scenario" if kind == "shared-block" else kind)
    body = model.model_json_schema(by_alias=True)
    if kind in ("scenario", "shared-block"):
        from casesim.format.include import add_reuse_to_schema

        body = add_reuse_to_schema(body)
        if names is not None:
            _add_catalog(body, names)
    if kind == "shared-block":
        body = _shared_block(body)
    # yaml-language-server supports draft-07 and below; pydantic's $defs refs are JSON pointers
    # and resolve there too.
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_IDS[kind], **body}


def schema_text(kind: SchemaKind = "scenario", names: CatalogNames | None = None) -> str:
    """The schema as committed: sorted keys are not used, so the order follows the models."""
    return json.dumps(schema_for(kind, names), indent=2, ensure_ascii=False) + "\n"


# --- the catalog's names as enums ------------------------------------------------------------

def _enum(values: Mapping[str, str], what: str) -> dict[str, Any]:
    """A string enum with one description per value: ``enumDescriptions`` is what VS Code's JSON
    service and yaml-language-server show in the completion list; validators ignore it."""
    ids = sorted(values)
    return {"type": "string", "description": what, "enum": ids, "enumDescriptions": [values[i] for i in ids]}


def _keyed(values: Mapping[str, str], value: dict[str, Any], what: str) -> dict[str, Any]:
    """A mapping whose keys are the listed ids: listed as properties (yaml-language-server
    completes property names, not ``propertyNames`` enums), nothing else allowed."""
    ids = sorted(values)
    return {"type": "object", "description": what,
            "properties": {i: {**value, "description": values[i]} for i in ids}, "additionalProperties": False}


def _ref(name: str, description: str | None) -> dict[str, Any]:
    # draft-07 ignores keywords beside $ref: keep the field's own description through allOf.
    out: dict[str, Any] = {"allOf": [{"$ref": f"#/$defs/{name}"}]}
    if description:
        out["description"] = description
    return out


def _replace(props: dict[str, Any], key: str, make: Any) -> None:
    if key in props:
        props[key] = make(props[key])


def _as_ref(name: str) -> Any:
    return lambda old: _ref(name, old.get("description"))


def _list_of(name: str) -> Any:
    return lambda old: {**old, "items": {"$ref": f"#/$defs/{name}"}}


def _optional(name: str) -> Any:
    return lambda old: {k: v for k, v in old.items() if k != "anyOf"} | {
        "anyOf": [{"$ref": f"#/$defs/{name}"}, {"type": "null"}]}


def _add_catalog(body: dict[str, Any], names: CatalogNames) -> None:
    defs: dict[str, Any] = body.setdefault("$defs", {})
    defs["CriterionId"] = _enum(names.criteria, "A criterion id from the scoring catalog.")
    defs["MiCode"] = _enum(names.mi_codes, "A MITI 4.2.1 behaviour code.")
    defs["NeverEventClass"] = _enum(names.never_events, "A never-event class from never-events.yaml.")
    defs["StepId"] = _enum(names.steps, "A protocol step or triage level.")
    defs["ProtocolId"] = _enum(names.protocols, "The id of a framework that has a protocol.")
    defs["CompetencyId"] = _enum(names.competencies, "A CSWE 2022 EPAS competency id.")
    defs["CatalogName"] = _enum(names.catalogs, "A framework folder (catalog) casesim can load.")
    defs["CriterionPoints"] = _keyed(names.criteria, {"type": "integer"}, "Points per criterion id.")
    defs["StepAnswers"] = _keyed(names.steps, {"type": "boolean"}, "Screener answers by protocol step.")
    bound = {"allOf": [{"$ref": "#/$defs/ScoreBound"}]}
    defs["CriterionBounds"] = _keyed({"total": "The sum of all criteria.", **names.criteria}, bound,
                                     "Bounds on raw points per criterion id, or `total`.")

    def props(model: str) -> dict[str, Any]:
        found: dict[str, Any] = defs.get(model, {}).get("properties", {})
        return found

    for model in ("Choice", "TimerExpiry"):
        _replace(props(model), "scores", _as_ref("CriterionPoints"))
        _replace(props(model), "never_event", _optional("NeverEventClass"))
    choice = props("Choice")
    _replace(choice, "mi", _list_of("MiCode"))
    _replace(choice, "steps", _list_of("StepId"))
    _replace(choice, "answers", _as_ref("StepAnswers"))
    _replace(props("Node"), "answers", _as_ref("StepAnswers"))
    _replace(props("CriticalAction"), "cites", _list_of("CriterionId"))
    _replace(props("Requirement"), "cites", _list_of("CriterionId"))
    _replace(props("Requirement"), "never_event", _optional("NeverEventClass"))
    _replace(props("ProtocolUse"), "protocol", _as_ref("ProtocolId"))
    _replace(props("ProtocolUse"), "answers", _as_ref("StepAnswers"))
    _replace(props("Expectation"), "scores", _as_ref("CriterionBounds"))
    top: dict[str, Any] = body.get("properties", {})
    _replace(top, "competencies", _list_of("CompetencyId"))
    _replace(top, "catalog", _list_of("CatalogName"))


# --- shared blocks ---------------------------------------------------------------------------

_PARAMETER_GOTO = {"type": "string", "pattern": r"^\$[a-z][a-z0-9_-]*$",
                   "description": "One of the block's `parameters`, written `$name`: the including scenario "
                                  "binds it with `with:`."}


def _shared_block(scenario: dict[str, Any]) -> dict[str, Any]:
    """The schema of a shared block file (scenarios/shared/), from the scenario schema: the
    block's keys only, and a `goto` may name a parameter (`goto: $next`)."""
    defs: dict[str, Any] = scenario.get("$defs", {})
    for model in ("Choice", "TimerExpiry"):
        props = defs.get(model, {}).get("properties", {})
        _replace(props, "goto", lambda old: {"description": old.get("description", ""), "anyOf": [
            {k: v for k, v in old.items() if k != "description"}, _PARAMETER_GOTO]})
    top: dict[str, Any] = scenario.get("properties", {})
    properties: dict[str, Any] = {
        "about": {"type": "string", "minLength": 1,
                  "description": "What the block is for, what it cites and when to include it (a few sentences)."},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "The names the block leaves by (`goto: $next`), each with what it means; the "
                                      "including scenario binds each with `with:`."},
        "variables": top["variables"],
        "protocols": {"type": "array", "items": _protocol_id(defs),
                      "description": "The protocols the block's choices carry steps of, by id (e.g. [cssrs-screener]); "
                           "they are added to the including scenario."},
        "nodes": top["nodes"],
        "choice_sets": top["choice_sets"],
        "include": top["include"],
    }
    return {"title": "SharedBlock", "description": "A shared block: nodes brought into scenarios with `include:` "
            "(see docs/authoring.md, Reuse).", "type": "object", "properties": properties,
            "required": ["about", "nodes"], "additionalProperties": False, "$defs": defs}


def _protocol_id(defs: dict[str, Any]) -> dict[str, Any]:
    return {"$ref": "#/$defs/ProtocolId"} if "ProtocolId" in defs else {"type": "string"}
