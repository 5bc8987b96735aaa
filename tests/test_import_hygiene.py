"""The layers stay honest: the domain never imports Textual, and every TUI module does."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import casesim

HEADLESS_LAYERS = ["format", "semantics", "scoring", "authoring", "records", "play", "plain", "cli"]
PACKAGE_DIR = Path(casesim.__file__).parent


def _modules(layer: str) -> list[str]:
    package = PACKAGE_DIR / layer
    found = [f"casesim.{layer}"]
    for info in pkgutil.walk_packages([str(package)], prefix=f"casesim.{layer}."):
        found.append(info.name)
    return sorted(found)


def _imports_textual(module: str) -> tuple[bool, str]:
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-800:]
    return result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize("layer", [layer for layer in HEADLESS_LAYERS if layer != "cli"])
def test_no_domain_module_imports_textual(layer: str) -> None:
    modules = _modules(layer)
    code = ("import sys, importlib\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
            "print(','.join(bad[:5])); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"casesim.{layer} pulled in {result.stdout.strip()} {result.stderr[-800:]}"


def test_every_tui_module_is_textual_code() -> None:
    # tui/ is the Textual layer only: headless code belongs in play/ where the CLI can reuse it.
    headless = []
    for path in sorted((PACKAGE_DIR / "tui").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "__init__.py":
            continue  # re-exports only
        if "from textual" not in text and "import textual" not in text:
            headless.append(str(path.relative_to(PACKAGE_DIR)))
    assert headless == []


def test_the_layer_contract_holds() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], capture_output=True, text=True, timeout=300,
                            cwd=PACKAGE_DIR.parents[1])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
