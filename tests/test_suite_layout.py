"""The suite's own layout: tests sit in the layer they test, and share code only through tests/support."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
LAYERS = {"format", "semantics", "scoring", "authoring", "records", "play", "tui", "plain", "cli"}
TOP_LEVEL = {"test_import_hygiene.py", "test_suite_layout.py", "test_logging.py", "test_wheel.py", "test_bundled.py"}
"""Tests of the whole package: its layering, the suite itself, logging across layers, the wheel and
what it bundles."""


def _test_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "support" not in p.relative_to(TESTS).parts)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.add(node.module)
    return names


def test_every_test_module_is_in_a_layer_folder() -> None:
    misplaced = [str(p.relative_to(TESTS)) for p in _test_modules()
                 if (p.parent == TESTS and p.name not in TOP_LEVEL)
                 or (p.parent != TESTS and p.relative_to(TESTS).parts[0] not in LAYERS)]
    assert misplaced == [], f"put these under tests/<layer>/ ({', '.join(sorted(LAYERS))}): {misplaced}"


def _ours(name: str) -> bool:
    """A module of this test tree (not a library's own, such as ``aiohttp.test_utils``)."""
    top = name.split(".")[0]
    return top in ("tests", "conftest") or top.startswith("test_") or (TESTS / top).is_dir()


def test_no_test_imports_conftest_or_another_test_module() -> None:
    offenders = {}
    for path in [*_test_modules(), *TESTS.rglob("conftest.py"), *(TESTS / "support").rglob("*.py")]:
        bad = sorted(name for name in _imported(path) if _ours(name)
                     and (name.split(".")[0] == "conftest" or name.split(".")[-1].startswith("test_")))
        if bad:
            offenders[str(path.relative_to(TESTS))] = bad
    assert offenders == {}, f"share code through tests/support instead: {offenders}"
