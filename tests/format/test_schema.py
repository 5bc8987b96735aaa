"""The committed JSON Schemas match the models and the bundled catalog, are valid draft-07, accept
every scenario, and reject ids the catalog does not define (as an editor's schema check would)."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from casesim.format.schema import SchemaKind, schema_text
from casesim.scoring.catalog import Catalog
from support.paths import ROOT

SCHEMAS = {"scenario": "scenario.schema.json", "framework": "framework.schema.json",
           "competency-map": "competency-map.schema.json"}


def _generated(kind: SchemaKind, catalog: Catalog) -> str:
    return schema_text(kind, catalog.names() if kind == "scenario" else None)


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_committed_schema_is_what_the_generator_writes(kind: SchemaKind, catalog: Catalog) -> None:
    committed = (ROOT / "schemas" / SCHEMAS[kind]).read_text(encoding="utf-8")
    assert committed == _generated(kind, catalog), f"regenerate with: make schema (schemas/{SCHEMAS[kind]} drifted)"


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_schema_is_valid_draft7(kind: SchemaKind, catalog: Catalog) -> None:
    jsonschema.Draft7Validator.check_schema(json.loads(_generated(kind, catalog)))


def _committed_scenario_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8")))


def test_every_bundled_scenario_validates_against_the_schema() -> None:
    validator = _committed_scenario_validator()
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


def test_the_catalog_ids_are_enums_in_the_committed_schema(catalog: Catalog) -> None:
    defs = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))["$defs"]
    assert defs["CriterionId"]["enum"] == sorted(catalog.criteria)
    assert set(defs["CriterionPoints"]["properties"]) == set(catalog.criteria)
    assert defs["MiCode"]["enum"] == sorted(catalog.mi_codes)
    assert defs["NeverEventClass"]["enum"] == sorted(catalog.never_events)
    assert defs["StepId"]["enum"] == sorted(catalog.protocol_steps())
    assert defs["ProtocolId"]["enum"] == sorted(catalog.protocols)
    assert defs["CompetencyId"]["enum"] == sorted(catalog.competencies)
    assert defs["CatalogName"]["enum"] == ["casesim"]
    # what the completion list shows beside an id: its title and framework
    nasw = defs["CriterionId"]["enum"].index("NASW-1.07(c)")
    assert defs["CriterionId"]["enumDescriptions"][nasw] == f"{catalog.criteria['NASW-1.07(c)'].title} (nasw-code)"


def _example() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "scenarios" / "example-check-in.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _first_choice(data: dict[str, object]) -> dict[str, object]:
    nodes = data["nodes"]
    assert isinstance(nodes, dict)
    choice = next(iter(nodes.values()))["choices"][0]
    assert isinstance(choice, dict)
    return choice


@pytest.mark.parametrize(("field", "value", "wrong"), [
    ("scores", {"NASW-1.03a": 1}, "NASW-1.03a"),
    ("mi", ["REFLECT"], "REFLECT"),
    ("steps", ["CSSRS-Q9"], "CSSRS-Q9"),
    ("never_event", "breach-of-confidence", "breach-of-confidence"),
])
def test_an_editor_rejects_an_id_the_catalog_does_not_define(field: str, value: object, wrong: str) -> None:
    data = _example()
    _first_choice(data)[field] = value
    errors = [e.message for e in _committed_scenario_validator().iter_errors(_dates_as_text(data))]
    assert errors and all(wrong in message for message in errors), errors


def test_an_editor_accepts_a_catalog_id_it_completes() -> None:
    data = _example()
    _first_choice(data)["scores"] = {"NASW-1.03(a)": 1}
    _first_choice(data)["mi"] = ["SR", "Q"]
    assert list(_committed_scenario_validator().iter_errors(_dates_as_text(data))) == []


def test_an_editor_accepts_a_choice_set_that_leaves_by_a_bound_name_and_still_checks_its_ids() -> None:
    data = _example()
    choice = dict(_first_choice(data))
    choice["goto"] = "$after"
    data["choice_sets"] = {"closing": [choice]}
    assert list(_committed_scenario_validator().iter_errors(_dates_as_text(data))) == []
    choice["scores"] = {"NASW-1.03a": 1}
    errors = [e.message for e in _committed_scenario_validator().iter_errors(_dates_as_text(data))]
    assert errors and all("NASW-1.03a" in message for message in errors), errors
    # In a node's own choices a goto is still a node or ending id.
    _first_choice(data)["goto"] = "$after"
    assert list(_committed_scenario_validator().iter_errors(_dates_as_text(data)))
