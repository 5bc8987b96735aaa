"""Which files a library holds, each once: links to one file are one scenario (casesim.play.library)."""

from __future__ import annotations

import os
from pathlib import Path

from casesim.authoring.pipeline import find_scenario_files
from casesim.play.library import _unique_resolved


def _naive(files: list[Path]) -> list[tuple[Path, Path]]:
    """Each file resolved on its own, the first of each resolved path kept."""
    seen: set[Path] = set()
    out = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            out.append((f, f.resolve()))
    return out


def test_each_file_once_resolved_as_resolving_it_alone_would(tmp_path: Path) -> None:
    """Files are resolved through their folder (resolved once), links on their own: the same
    files and resolved paths as resolving each one."""
    real = tmp_path / "real"
    (real / "crisis").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for file in (real / "a.yaml", real / "crisis" / "b.yaml", outside / "c.yaml"):
        file.write_text("id: x\n", encoding="utf-8")
    (real / "crisis" / "same-as-a.yaml").symlink_to(real / "a.yaml")
    (real / "z-outside.yaml").symlink_to(outside / "c.yaml")
    (real / "relative.yaml").symlink_to(Path("crisis") / "b.yaml")
    (real / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    library = tmp_path / "library"
    library.symlink_to(real, target_is_directory=True)  # the library itself named through a link
    for folder in (real, library, Path(os.path.relpath(library))):
        files = find_scenario_files([folder])
        found = _unique_resolved(files)
        assert found == _naive(files)
        assert {r for _, r in found} == {(real / "a.yaml").resolve(), (real / "crisis" / "b.yaml").resolve(),
                                         (outside / "c.yaml").resolve()}
