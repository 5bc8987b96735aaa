"""Load a scenario file: the pipeline read -> validate -> check -> compile -> analyse -> lint.

``load_scenario`` never raises for a bad file; it returns every diagnostic at once. Use
``require_scenario`` where a usable scenario is needed; it raises :class:`ScenarioError`.

The last two stages (the exhaustive analysis and the lint over it) can take seconds for a large
scenario. Callers that need the scenario first (the library, author mode) load with
``analyse_paths=False`` and run :func:`analyse_and_lint` later, off the UI thread; they never
load the file twice or repeat the stages themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
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

__all__ = ["LoadedScenario", "analyse_and_lint", "find_scenario_files", "load_scenario", "load_scenario_bytes",
           "require_scenario", "with_analysis"]


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
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return with_analysis(result, catalog) if analyse_paths else result


def analyse_and_lint(loaded: LoadedScenario, catalog: Catalog | None) -> tuple[Analysis, list[Diagnostic]]:
    """The pipeline's last stages for a scenario that compiled: its analysis and what lint finds in it."""
    if loaded.program is None or loaded.scenario is None or loaded.document is None:
        raise ScenarioError(loaded.errors or loaded.diagnostics, title=f"{loaded.path} has errors")
    analysis = loaded.analysis if loaded.analysis is not None else analyse(loaded.program)
    return analysis, lint_analysis(loaded.scenario, loaded.document, analysis, catalog)


def with_analysis(loaded: LoadedScenario, catalog: Catalog | None) -> LoadedScenario:
    """``loaded`` completed with its analysis and lint (a copy; ``loaded`` is unchanged)."""
    if loaded.analysis is not None or not loaded.ok:
        return loaded
    analysis, lint = analyse_and_lint(loaded, catalog)
    return replace(loaded, analysis=analysis,
                   diagnostics=sorted([*loaded.diagnostics, *lint], key=Diagnostic.sort_key))


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
