"""The committed JSON Schemas match the models, are valid draft-07, and accept every scenario."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from casesim.format.schema import schema_text
from support.paths import ROOT

SCHEMAS = {"scenario": "scenario.schema.json", "framework": "framework.schema.json",
           "competency-map": "competency-map.schema.json"}


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_committed_schema_is_what_the_generator_writes(kind: str) -> None:
    committed = (ROOT / "schemas" / SCHEMAS[kind]).read_text(encoding="utf-8")
    assert committed == schema_text(kind), f"regenerate with: make schema (schemas/{SCHEMAS[kind]} drifted)"


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_schema_is_valid_draft7(kind: str) -> None:
    jsonschema.Draft7Validator.check_schema(json.loads(schema_text(kind)))


def test_every_bundled_scenario_validates_against_the_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(schema_text("scenario")))
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        # PyYAML turns unquoted dates into dates; the casesim reader keeps them text, as the schema expects.
        errors = [e.message for e in validator.iter_errors(_dates_as_text(data))]
        assert errors == [], f"{path.name}: {errors[:3]}"


def test_every_scenario_starts_with_the_schema_modeline() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/scenario.schema.json", path.name


def test_framework_files_validate_against_their_schema() -> None:
    framework = jsonschema.Draft7Validator(json.loads(schema_text("framework")))
    cmap = jsonschema.Draft7Validator(json.loads(schema_text("competency-map")))
    policy = jsonschema.Draft7Validator(json.loads(schema_text("never-events")))
    kinds = jsonschema.Draft7Validator(json.loads(schema_text("kinds")))
    special = {"competency-map.yaml": cmap, "never-events.yaml": policy, "kinds.yaml": kinds}
    for path in sorted((ROOT / "scoring").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        validator = special.get(path.name, framework)
        assert [e.message for e in validator.iter_errors(data)] == [], path.name


def _dates_as_text(data: object) -> object:
    import datetime

    if isinstance(data, dict):
        return {k: _dates_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates_as_text(v) for v in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data
