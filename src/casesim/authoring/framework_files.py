"""Tell framework files from scenarios, and check framework files given to ``casesim validate``.

A trainer runs ``casesim validate`` on whatever they are editing: a scenario, a framework file
of their program (``my-program/scoring/ipv-safety.yaml``), the never-event policy, the
competency map, or a folder holding both kinds. Each file is recognised by its shape (see
:func:`~casesim.scoring.catalog.framework_file_kind`), and a framework file is checked as part
of the catalog it belongs to: the configured catalog folders plus its own folder, so its
citations of other frameworks resolve and a name it shares with another folder is reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from casesim.format.diagnostics import Diagnostic
from casesim.format.kinds import KINDS_FILE
from casesim.format.reader import read_yaml
from casesim.scoring.catalog import (
    COMPETENCY_MAP_FILE,
    NEVER_EVENTS_FILE,
    check_catalog_dirs,
    check_framework_file,
    framework_file_kind,
)

__all__ = ["FileKind", "catalog_context", "check_framework_files", "file_kind"]

FileKind = Literal["scenario", "framework"]

_SCENARIO_KEY = re.compile(rb"^nodes[ \t]*:", re.MULTILINE)
"""A block-style scenario's top-level ``nodes:`` key, which no framework file has: found in
microseconds, so a large scenario is not parsed twice just to learn what it is."""


def file_kind(path: Path) -> FileKind:
    """Whether ``path`` is a scenario or a framework file (frameworks, never-event policy,
    competency map, screener protocol). A file that is neither is treated as a scenario, whose
    checks then say what is missing."""
    if path.name in (COMPETENCY_MAP_FILE, NEVER_EVENTS_FILE, KINDS_FILE):
        return "framework"
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return "scenario"  # the scenario reader reports the I/O error at the file
    if _SCENARIO_KEY.search(head):
        return "scenario"
    doc, _ = read_yaml(path)
    if doc is not None and framework_file_kind(doc.data, path.name) is not None:
        return "framework"
    return "scenario"


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def catalog_context(configured: Sequence[Path], framework_files: Sequence[Path]) -> list[Path]:
    """The configured catalog folders, then the folders of ``framework_files`` not among them,
    in order: what the files are checked against, and what the scenarios checked with them see."""
    out = list(configured)
    seen = {_resolved(p) for p in configured}
    for file in framework_files:
        folder = _resolved(file.parent)
        if folder not in seen:
            seen.add(folder)
            out.append(file.parent)
    return out


def check_framework_files(files: Sequence[Path], configured: Sequence[Path]) -> list[Diagnostic]:
    """Every problem in ``files`` (framework files), each checked within its catalog.

    A folder given whole is checked once with its cross-file checks; a single file is checked
    against the other files of the catalog. Diagnostics name the files as they were given.
    """
    context = catalog_context(configured, files)
    by_folder: dict[Path, list[Path]] = {}
    for file in files:
        by_folder.setdefault(_resolved(file.parent), []).append(file)
    out: list[Diagnostic] = []
    for folder, group in by_folder.items():
        given = {_resolved(f): f for f in group}
        whole = {_resolved(p) for p in folder.glob("*.yaml") if file_kind(p) == "framework"}
        if whole and whole <= set(given):
            _, found = check_catalog_dirs(context)
            for diag in found:
                path = _resolved(Path(diag.path))
                if path in given:
                    out.append(replace(diag, path=str(given[path])))
                elif path == folder:
                    out.append(replace(diag, path=str(group[0].parent)))
            continue
        for file in group:
            out.extend(check_framework_file(file, context))
    return out
