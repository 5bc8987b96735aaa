"""``casesim validate`` of several files checks them in parallel worker processes: the same
output in the same order as one at a time, and a clean message when a worker dies."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from casesim.authoring import validate_files
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.paths import DATA, EXAMPLE

BROKEN = DATA / "broken"


def _library(tmp_path: Path) -> Path:
    """Two copies of the example (one scenario id twice), a file with errors, a locale file."""
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "a-example.yaml")
    shutil.copy(EXAMPLE, folder / "b-example-again.yaml")
    shutil.copy(BROKEN / "many-problems.yaml", folder / "c-broken.yaml")
    return folder


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_parallel_output_is_that_of_one_file_at_a_time(casesim: Casesim, tmp_path: Path, output_format: str) -> None:
    folder = _library(tmp_path)
    one = casesim("--cache-dir", str(tmp_path / "c1"), "validate", "--jobs", "1", "--format", output_format, str(folder))
    two = casesim("--cache-dir", str(tmp_path / "c2"), "validate", "--jobs", "2", "--format", output_format, str(folder))
    assert one.exit_code == two.exit_code == 1
    assert "duplicate-scenario-id" in one.output and "b-example-again.yaml" in one.output
    assert two.output == one.output
    # warm (each run's own cache) and in parallel again: still the same
    again = casesim("--cache-dir", str(tmp_path / "c1"), "validate", "--jobs", "2", "--format", output_format,
                    str(folder))
    assert again.output == one.output


def test_check_files_keeps_the_order_of_the_files(catalog: Catalog, tmp_path: Path) -> None:
    folder = _library(tmp_path)
    items = [(file, folder) for file in sorted(folder.glob("*.yaml"), reverse=True)]
    checks = validate_files.check_files(items, catalog, jobs=2)
    assert [Path(c.path).name for c in checks] == ["c-broken.yaml", "b-example-again.yaml", "a-example.yaml"]
    assert [c.scenario_id for c in checks][1:] == ["example-check-in", "example-check-in"]


def _die(file: Path, catalog: Catalog, root: Path | None) -> validate_files.FileCheck:
    os._exit(3)  # a worker killed mid-check (out of memory, a signal)


@pytest.mark.skipif(os.name != "posix" or (os.cpu_count() or 1) < 2,
                    reason="needs worker processes forked from this one (they inherit the patched function)")
def test_a_worker_that_dies_ends_validate_with_a_clear_message(casesim: Casesim, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_files, "check_file", _die)
    result = casesim("--cache-dir", str(tmp_path / "c"), "validate", "--jobs", "2", str(_library(tmp_path)))
    assert result.exit_code == 2, result.output
    assert "stopped unexpectedly" in result.output
    assert "--jobs 1" in result.output
    assert "Traceback" not in result.output
