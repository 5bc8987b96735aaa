"""Load a scenario file: read safely, validate the shape, check names and expressions, analyse.

``load_scenario`` never raises for a bad file; it returns every diagnostic at once. Use
``require_scenario`` where a usable scenario is needed; it raises :class:`ScenarioError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from casesim.authoring.checks import check_scenario
from casesim.authoring.lint import lint_analysis
from casesim.authoring.salvage import salvage
from casesim.errors import ScenarioError
from casesim.format.diagnostics import Diagnostic
from casesim.format.reader import Limits, SourceDocument, read_source, read_yaml_bytes
from casesim.format.scenario import Scenario
from casesim.format.validation import validate_model
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program, compile_program

__all__ = ["LoadedScenario", "load_scenario", "load_scenario_bytes", "require_scenario", "find_scenario_files"]


@dataclass
class LoadedScenario:
    """A scenario and everything casesim knows about it."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    scenario: Scenario | None = None
    program: Program | None = None
    analysis: Analysis | None = None
    document: SourceDocument | None = None
    content_hash: str = ""
    """SHA-256 of the file's bytes: stored with every attempt so records can be read against it."""

    @property
    def ok(self) -> bool:
        """Whether the scenario loaded without errors (warnings allowed)."""
        return self.scenario is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def load_scenario(path: str | Path, catalog: Catalog | None, *, analyse_paths: bool = True,
                  limits: Limits | None = None) -> LoadedScenario:
    """Load ``path``; every problem is in ``.diagnostics``. Never raises for bad content."""
    raw, problems = read_source(path, limits=limits)
    if raw is None:
        return LoadedScenario(str(path), problems)
    return load_scenario_bytes(raw, str(path), catalog, analyse_paths=analyse_paths, limits=limits)


def load_scenario_bytes(raw: bytes, path: str, catalog: Catalog | None, *, analyse_paths: bool = True,
                        limits: Limits | None = None) -> LoadedScenario:
    """Like :func:`load_scenario`, for bytes in memory (``path`` is used in diagnostics)."""
    result = LoadedScenario(path, content_hash=hashlib.sha256(raw).hexdigest())
    doc, problems = read_yaml_bytes(raw, path, limits=limits)
    result.diagnostics.extend(problems)
    result.document = doc
    if doc is None or any(p.is_error for p in problems):
        return result
    if not isinstance(doc.data, dict):
        from casesim.format.diagnostics import Severity

        result.diagnostics.append(Diagnostic(path, 1, 1, Severity.ERROR, "wrong-type",
                                             "a scenario file is a mapping of keys (format, id, title, ...) to values"))
        return result
    scenario, problems = validate_model(Scenario, doc)
    result.diagnostics.extend(problems)
    if scenario is None:
        partial = salvage(doc.data)
        if partial is not None:
            known = {(d.line, d.col) for d in result.diagnostics}
            extra = check_scenario(partial[0], doc, catalog, partial[1])
            result.diagnostics.extend(d for d in extra if (d.line, d.col) not in known)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result
    result.scenario = scenario
    result.diagnostics.extend(check_scenario(scenario, doc, catalog))
    if any(d.is_error for d in result.diagnostics):
        return result
    result.program = compile_program(scenario)
    if analyse_paths:
        result.analysis = analyse(result.program)
        result.diagnostics.extend(lint_analysis(scenario, doc, result.analysis, catalog))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def require_scenario(path: str | Path, catalog: Catalog | None) -> LoadedScenario:
    """Load ``path`` or raise :class:`ScenarioError` with every error in it."""
    loaded = load_scenario(path, catalog)
    if not loaded.ok:
        raise ScenarioError(loaded.errors or loaded.diagnostics, title=f"{path} has errors")
    return loaded


def find_scenario_files(paths: list[Path]) -> list[Path]:
    """The .yaml/.yml files named, or found (recursively, sorted) in the folders named."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file()))
        else:
            files.append(p)
    return files
