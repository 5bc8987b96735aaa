"""The JSON Schemas of shared blocks and locale files: committed as generated, valid draft-07,
named by the modeline of every bundled block and locale file, accepting them, and catching the
mistakes an editor should underline (an unknown key, a criterion that does not exist)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from casesim.format.schema import SchemaKind, schema_text
from casesim.scoring.catalog import Catalog
from support.paths import ROOT

FILES: dict[SchemaKind, tuple[str, Path]] = {
    "shared-block": ("shared-block.schema.json", ROOT / "scenarios" / "shared"),
    "locale": ("locale.schema.json", ROOT / "scenarios" / "locales"),
}


def _generated(kind: SchemaKind, catalog: Catalog) -> str:
    return schema_text(kind, catalog.names() if kind == "shared-block" else None)


def _validator(kind: SchemaKind) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((ROOT / "schemas" / FILES[kind][0]).read_text(encoding="utf-8")))


@pytest.mark.parametrize("kind", sorted(FILES))
def test_committed_schema_is_what_the_generator_writes(kind: SchemaKind, catalog: Catalog) -> None:
    committed = (ROOT / "schemas" / FILES[kind][0]).read_text(encoding="utf-8")
    assert committed == _generated(kind, catalog), f"regenerate with: make schema (schemas/{FILES[kind][0]} drifted)"
    jsonschema.Draft7Validator.check_schema(json.loads(committed))


@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_bundled_file_names_its_schema_and_validates(kind: SchemaKind) -> None:
    name, folder = FILES[kind]
    files = sorted(folder.glob("*.yaml"))
    assert files
    validator = _validator(kind)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == f"# yaml-language-server: $schema=../../schemas/{name}", path.name
        assert [e.message for e in validator.iter_errors(yaml.safe_load(text))] == [], path.name


def _block() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "scenarios" / "shared" / "limits-of-confidentiality.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_the_block_schema_takes_a_parameter_goto_and_refuses_scenario_keys() -> None:
    validator = _validator("shared-block")
    block = _block()
    gotos = [c["goto"] for node in block["nodes"].values() for c in node.get("choices", [])]
    assert any(g.startswith("$") for g in gotos), "the bundled block leaves by a parameter"
    assert not list(validator.iter_errors(block))
    assert [e.message for e in validator.iter_errors({**block, "start": "x"})] == [
        "Additional properties are not allowed ('start' was unexpected)"]
    first = next(iter(block["nodes"].values()))["choices"][0]
    first["scores"] = {"SAMHSA14-P9": 1}
    assert any("SAMHSA14-P9" in e.message for e in validator.iter_errors(block))


def test_the_locale_schema_refuses_a_bad_hash_and_an_unknown_key() -> None:
    validator = _validator("locale")
    good = {"locale": "es", "scenario": "x", "lines": {"title": {"hash": "0123456789abcdef", "text": "Hola"}}}
    assert not list(validator.iter_errors(good))
    bad = {**good, "lines": {"title": {"hash": "123", "txt": "Hola"}}}
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert any("'123' does not match" in m for m in messages) and any("'txt' was unexpected" in m for m in messages)
