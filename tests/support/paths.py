"""Where the checkout's files are: the bundled scenarios and the test data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The checkout (the folder holding pyproject.toml)."""
SCENARIOS = ROOT / "scenarios"
EXAMPLE = SCENARIOS / "example-check-in.yaml"
DATA = ROOT / "tests" / "data"
BROKEN = DATA / "broken"
VALID = DATA / "valid"
MARKUP = DATA / "markup-and-escapes.yaml"
"""A scenario whose text is full of Rich markup and escapes (the TUI must show it literally)."""
XAPI_REFERENCE = DATA / "xapi-statement-example.json"
"""An xAPI 1.0.3 "answered" statement for a branching simulation, as an LRS expects it: the shape
our statements are checked against (copied from the project's shared reference material,
xapi-lrs-serve.md and xapi-statement-example.json)."""
VARIANTS = DATA / "variants" / "variants-check-in.yaml"
"""A scenario with every kind of text variation: state variants, one_of, placeholders."""
VARIANTS_ES = DATA / "variants" / "locales" / "variants-check-in.es.yaml"
"""Its Spanish locale (node.hello.hint left untranslated on purpose)."""
