"""Paths and types the CLI tests share (a plainly named module: ``conftest`` names collide across folders)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken"
EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"
INSTALLED = Path(sys.executable).with_name("casesim")
"""The console script pip installed into the virtualenv (for the end-to-end tests)."""

Casesim = Callable[..., Result]
"""``casesim("validate", "x.yaml", env={...})`` -> the result: exit_code, stdout, stderr."""
