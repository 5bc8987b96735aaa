"""JSON Schema export for editors (committed under ``schemas/``; a test keeps it in sync)."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from pydantic import BaseModel

__all__ = ["SCHEMA_IDS", "SCHEMA_KINDS", "SchemaKind", "schema_for", "schema_text"]

SchemaKind = Literal["scenario", "framework", "competency-map", "never-events", "kinds"]
"""The kinds of file casesim reads, each with its own schema."""
SCHEMA_KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)

SCHEMA_IDS: dict[SchemaKind, str] = {
    "scenario": "https://casesim.invalid/schemas/scenario.schema.json",
    "framework": "https://casesim.invalid/schemas/framework.schema.json",
    "competency-map": "https://casesim.invalid/schemas/competency-map.schema.json",
    "never-events": "https://casesim.invalid/schemas/never-events.schema.json",
    "kinds": "https://casesim.invalid/schemas/kinds.schema.json",
}


def _model(kind: SchemaKind) -> type[BaseModel]:
    if kind == "scenario":
        from casesim.format.scenario import Scenario

        return Scenario
    if kind == "kinds":
        from casesim.format.kinds import KindList

        return KindList
    from casesim.format.framework import CompetencyMap, Framework, NeverEventPolicy

    models: dict[SchemaKind, type[BaseModel]] = {"framework": Framework, "competency-map": CompetencyMap,
                                                 "never-events": NeverEventPolicy}
    return models[kind]


def schema_for(kind: SchemaKind = "scenario") -> dict[str, Any]:
    """The JSON Schema of a file kind, labelled draft-07 for yaml-language-server."""
    model = _model(kind)
    body = model.model_json_schema(by_alias=True)
    if kind == "scenario":
        from casesim.format.include import add_reuse_to_schema

        body = add_reuse_to_schema(body)
    # yaml-language-server supports draft-07 and below; pydantic's $defs refs are JSON pointers
    # and resolve there too.
    return {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_IDS[kind], **body}


def schema_text(kind: SchemaKind = "scenario") -> str:
    """The schema as committed: sorted keys are not used, so the order follows the models."""
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"
