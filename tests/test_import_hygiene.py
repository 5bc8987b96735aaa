"""The domain never imports Textual: each headless module imports in a fresh interpreter without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "casesim.source",
    "casesim.scenario",
    "casesim.scenario.loader",
    "casesim.frameworks",
    "casesim.engine",
    "casesim.engine.session",
    "casesim.analysis",
    "casesim.scoring",
    "casesim.scoring.pedagogy",
    "casesim.records",
    "casesim.commands.authoring",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_domain_module_does_not_import_textual(module: str) -> None:
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{module} imported {result.stdout.strip()} {result.stderr[-500:]}"
