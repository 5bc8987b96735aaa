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
