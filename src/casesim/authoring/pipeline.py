"""Load a scenario file: the pipeline read -> validate -> check -> compile -> follow the tests'
paths -> analyse -> lint.

``load_scenario`` never raises for a bad file; it returns every diagnostic at once. Use
``require_scenario`` where a usable scenario is needed; it raises :class:`ScenarioError`.
As a backstop, an exception that escapes a stage (a bug in casesim, not a finding about the
file) becomes one ``internal-error`` diagnostic naming the file, so one bad file in a shared
folder never takes down the library, play, reports or exports with it.

The last two stages (the exhaustive analysis and the lint over it) can take seconds for a large
scenario. Callers that need the scenario first (the library, author mode) load with
``analyse_paths=False`` and run :func:`analyse_and_lint` later, off the UI thread; they never
load the file twice or repeat the stages themselves.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from casesim.authoring.analysis_cache import cached_analyse, cached_findings, catalog_digest
from casesim.authoring.audit import Audit, audit_scenario
from casesim.authoring.checks import check_scenario
from casesim.authoring.embedded_paths import check_test_paths
from casesim.authoring.intent import lint_expert_marks
from casesim.authoring.lint import lint_analysis, lint_answer_cues
from casesim.authoring.salvage import salvage
from casesim.authoring.shared_block import check_shared_block
from casesim.authoring.text_checks import check_texts
from casesim.authoring.variant_lint import lint_variants
from casesim.errors import ScenarioError
from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.include import expand_reuse, is_shared_block
from casesim.format.locale import LOCALES_DIR
from casesim.format.reader import Limits, SourceDocument, read_source, read_yaml_bytes
from casesim.format.scenario import Scenario
from casesim.format.validation import validate_model
from casesim.format.versions import format_problems, text_format_problems
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis
from casesim.semantics.program import Program, compile_program

__all__ = ["AnalysedScenario", "Playable", "SourceReport", "analyse_and_lint", "duplicate_id_error", "analysis_findings", "audit_and_lint", "duplicate_scenario_ids",
           "find_scenario_files", "find_shared_blocks", "library_root_for", "load_scenario", "load_scenario_bytes",
           "require_scenario", "with_analysis"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Playable:
    """A scenario that loaded without errors, ready to play: nothing here is optional."""

    path: str
    scenario: Scenario
    program: Program
    document: SourceDocument
    content_hash: str
    """SHA-256 of the file's bytes: stored with every attempt so records can be read against it."""
    warnings: tuple[Diagnostic, ...]
    """What the checks (and, for an :class:`AnalysedScenario`, the lint) found short of an error."""


@dataclass(frozen=True)
class AnalysedScenario(Playable):
    """A playable scenario with its exhaustive analysis (expert path, score ranges), which
    scoring, the embedded tests, graphs and reports need."""

    analysis: Analysis


@dataclass(frozen=True)
class SourceReport:
    """A scenario file and what the pipeline found in it: every diagnostic, and the playable
    scenario when there was no error."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    content_hash: str = ""
    document: SourceDocument | None = None
    model: Scenario | None = None
    """The validated model, even when a later check failed (titles for a library listing)."""
    playable: Playable | None = None
    includes: tuple[str, ...] = ()
    """Every file its ``include:`` entries brought in (resolved paths): what its content hash
    covers besides its own bytes (:mod:`casesim.authoring.scenario_cache` re-checks them)."""

    @property
    def ok(self) -> bool:
        """Whether the scenario loaded without errors (warnings allowed)."""
        return self.playable is not None

    @property
    def analysed(self) -> AnalysedScenario | None:
        """The playable scenario with its analysis (loaded with ``analyse_paths``), else None."""
        return self.playable if isinstance(self.playable, AnalysedScenario) else None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def load_scenario(path: str | Path, catalog: Catalog | None, *, analyse_paths: bool = True,
                  limits: Limits | None = None, library_root: Path | None = None) -> SourceReport:
    """Load ``path``; every problem is in ``.diagnostics``. Never raises for bad content.

    With ``analyse_paths`` (the default) a playable scenario is an :class:`AnalysedScenario`
    and the lint over its analysis is among the diagnostics. Files brought in with ``include:``
    must lie inside ``library_root`` (default: the scenario's own folder).
    """
    try:
        raw, problems = read_source(path, limits=limits)
    except Exception as exc:  # the backstop: a bug must not take the caller down
        return _internal_error(str(path), exc, "")
    if raw is None:
        return SourceReport(str(path), tuple(problems))
    return load_scenario_bytes(raw, str(path), catalog, analyse_paths=analyse_paths, limits=limits,
                               library_root=library_root)


def load_scenario_bytes(raw: bytes, path: str, catalog: Catalog | None, *, analyse_paths: bool = True,
                        limits: Limits | None = None, library_root: Path | None = None) -> SourceReport:
    """Like :func:`load_scenario`, for bytes in memory (``path`` is used in diagnostics, and
    included files are found relative to it)."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return _load(raw, digest, path, catalog, analyse_paths=analyse_paths, limits=limits,
                     library_root=library_root)
    except Exception as exc:  # the backstop: a bug must not take the caller down
        return _internal_error(path, exc, digest)


def _internal_error(path: str, exc: Exception, digest: str) -> SourceReport:
    """The report of a file whose loading raised: one error naming the file and the failure."""
    _log.error("loading %s raised %s", path, type(exc).__name__, exc_info=exc)
    message = (f"casesim could not check this file: {type(exc).__name__} inside casesim. This is a bug in "
               "casesim, not a mistake you made; the file was skipped and everything else still works. "
               "Please report it with the file attached")
    return SourceReport(path, (Diagnostic(path, 1, 1, Severity.ERROR, "internal-error", message),), digest)


def duplicate_scenario_ids(reports: Sequence[SourceReport]) -> list[Diagnostic]:
    """An error at the ``id`` of every file that reuses the id of an earlier file in ``reports``.

    Records name a scenario by its id, so two files with one id would make resume, reports and
    exports read an attempt against the wrong file.
    """
    first: dict[str, SourceReport] = {}
    out: list[Diagnostic] = []
    for report in reports:
        if report.model is None:
            continue
        earlier = first.setdefault(report.model.id, report)
        if earlier is report:
            continue
        pos = report.document.position(("id",)) if report.document is not None else None
        out.append(duplicate_id_error(report.path, pos.line if pos else 1, pos.col if pos else 1, earlier.path,
                                      report.model.id))
    return out


def duplicate_id_error(path: str, line: int, col: int, earlier: str, scenario_id: str) -> Diagnostic:
    """The error at the ``id`` (``line``, ``col``) of the file ``path`` that reuses the scenario
    id of the file ``earlier``."""
    return Diagnostic(path, line, col, Severity.ERROR, "duplicate-scenario-id",
                      f"another file, {earlier}, already uses the scenario id {scenario_id!r}; "
                      "records name a scenario by its id, so give this one its own id "
                      f"(e.g. {scenario_id}-2) or remove one of the two files")


def _load(raw: bytes, digest: str, path: str, catalog: Catalog | None, *, analyse_paths: bool,
          limits: Limits | None, library_root: Path | None) -> SourceReport:
    # read
    doc, problems = read_yaml_bytes(raw, path, limits=limits)
    diagnostics = list(problems)
    if doc is None or any(p.is_error for p in problems):
        return SourceReport(path, tuple(diagnostics), digest, doc)
    if not isinstance(doc.data, dict):
        diagnostics.append(Diagnostic(path, 1, 1, Severity.ERROR, "wrong-type",
                                      "a scenario file is a mapping of keys (format, id, title, ...) to values"))
        return SourceReport(path, tuple(diagnostics), digest, doc)
    if is_shared_block(doc.data):
        found = check_shared_block(doc, catalog, library_root, limits)
        return SourceReport(path, tuple(sorted(found, key=Diagnostic.sort_key)), digest, doc)
    # expand `include:` and `choice_sets:`; stop on a broken include, whose missing nodes would
    # otherwise come back as a dozen misleading `goto` errors
    version_problems = format_problems(doc)
    expansion = expand_reuse(doc, root=library_root, limits=limits)
    diagnostics.extend(expansion.diagnostics)
    doc = expansion.document
    if expansion.sources:
        digest = _combined_digest(raw, expansion.sources)
    if not expansion.ok:
        return SourceReport(path, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), digest, doc)
    # validate (and, when the shape is wrong, check what can be salvaged so every problem shows at once)
    diagnostics.extend(version_problems)
    scenario, problems = validate_model(Scenario, doc)
    diagnostics.extend(problems)
    if scenario is None:
        partial = salvage(doc.data)
        if partial is not None:
            known = {(d.line, d.col) for d in diagnostics}
            extra = check_scenario(partial[0], doc, catalog, partial[1])
            diagnostics.extend(d for d in extra if (d.line, d.col) not in known)
        return SourceReport(path, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), digest, doc)
    # check
    diagnostics.extend(check_scenario(scenario, doc, catalog))
    diagnostics.extend(text_format_problems(scenario, doc))
    diagnostics.extend(check_texts(scenario, doc, raw.decode("utf-8", errors="replace")))
    diagnostics.sort(key=Diagnostic.sort_key)
    if any(d.is_error for d in diagnostics):
        return SourceReport(path, tuple(diagnostics), digest, doc, scenario)
    # compile
    program = compile_program(scenario, catalog.protocols if catalog is not None else None)
    # follow the embedded tests' paths (cheap; a broken one is an error at its `choose:` entry)
    diagnostics.extend(check_test_paths(scenario, doc, program))
    diagnostics.sort(key=Diagnostic.sort_key)
    playable = Playable(path, scenario, program, doc, digest, tuple(diagnostics))
    # analyse and lint
    if analyse_paths:
        playable = with_analysis(playable, catalog)
    return SourceReport(path, playable.warnings, digest, doc, scenario, playable,
                        tuple(str(f) for f in expansion.files))


def _combined_digest(raw: bytes, sources: Sequence[tuple[str, bytes]]) -> str:
    """The content hash of a scenario with included blocks: its own bytes and each block's, so
    an edited block makes a new content version for the records (a file with no includes keeps
    the plain SHA-256 of its bytes)."""
    hasher = hashlib.sha256(raw)
    for _, data in sources:
        hasher.update(b"\0included\0" + hashlib.sha256(data).digest())
    return hasher.hexdigest()


def analyse_and_lint(playable: Playable, catalog: Catalog | None) -> tuple[Analysis, list[Diagnostic]]:
    """The pipeline's last stages for a scenario that compiled: its analysis (from the analysis
    cache when one is configured: :mod:`casesim.authoring.analysis_cache`) and what lint finds in it."""
    analysis = (playable.analysis if isinstance(playable, AnalysedScenario)
                else cached_analyse(playable.program, playable.content_hash))
    return analysis, [*lint_analysis(playable.scenario, playable.document, analysis, catalog),
                      *lint_expert_marks(playable.scenario, playable.document, analysis),
                      *lint_variants(playable.scenario, playable.document, analysis)]


def audit_and_lint(analysed: AnalysedScenario) -> tuple[Audit, list[Diagnostic]]:
    """The answer-cue audit of an analysed scenario and its ``answer-cue`` findings.

    Not a stage of :func:`load_scenario`: play never needs it, so only ``validate``, ``analyse``,
    ``library-doc`` and author mode run it (about a second on the largest bundled scenario, once
    the states that share their future are merged: :mod:`casesim.authoring.audit`).
    """
    audit = audit_scenario(analysed.scenario, analysed.analysis)
    return audit, lint_answer_cues(analysed.scenario, analysed.document, audit)


def analysis_findings(playable: Playable, catalog: Catalog | None) -> list[Diagnostic]:
    """What the lint over the analysis and the answer-cue audit find in ``playable``: what
    ``validate`` adds to the diagnostics of a file that loaded (:func:`load_scenario` with
    ``analyse_paths=False``). Read from the analysis cache when the same file was checked
    against the same catalog before, so a warm ``validate`` does not rebuild the analysis."""

    def compute() -> list[Diagnostic]:
        analysis, lint = analyse_and_lint(playable, catalog)
        analysed = AnalysedScenario(playable.path, playable.scenario, playable.program, playable.document,
                                    playable.content_hash, playable.warnings, analysis)
        return [*lint, *audit_and_lint(analysed)[1]]

    context = f"{playable.path}\0{'no catalog' if catalog is None else catalog_digest(catalog)}"
    return cached_findings(playable.program, playable.content_hash, context, compute)


def with_analysis(playable: Playable, catalog: Catalog | None) -> AnalysedScenario:
    """``playable`` with its analysis, and the lint over it among its warnings."""
    if isinstance(playable, AnalysedScenario):
        return playable
    analysis, lint = analyse_and_lint(playable, catalog)
    warnings = tuple(sorted([*playable.warnings, *lint], key=Diagnostic.sort_key))
    return AnalysedScenario(playable.path, playable.scenario, playable.program, playable.document,
                            playable.content_hash, warnings, analysis)


def require_scenario(path: str | Path, catalog: Catalog | None) -> AnalysedScenario:
    """Load and analyse ``path`` or raise :class:`ScenarioError` with every error in it."""
    report = load_scenario(path, catalog)
    if report.playable is None:
        raise ScenarioError(report.errors or report.diagnostics, title=f"{path} has errors")
    return with_analysis(report.playable, catalog)


SHARED_FOLDER = "shared"
"""The folder (anywhere in a library) that holds shared blocks: files brought into scenarios with
``include:``, which are not scenarios themselves."""


def find_scenario_files(paths: list[Path]) -> list[Path]:
    """The .yaml/.yml files named, or found (recursively, sorted) in the folders named.

    Files in a ``shared/`` folder under a folder named are shared blocks, not scenarios, and a
    ``locales/`` folder holds translations; both are left out (see :func:`find_shared_blocks`);
    a file named on its own is always kept.
    """
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(q for q in _yaml_files(p)
                         if not {SHARED_FOLDER, LOCALES_DIR} & set(q.relative_to(p).parts[:-1]))
        else:
            files.append(p)
    return files


def find_shared_blocks(paths: list[Path]) -> list[Path]:
    """The shared blocks (files in a ``shared/`` folder) under the folders named, sorted."""
    return [q for p in paths if p.is_dir() for q in _yaml_files(p) if SHARED_FOLDER in q.relative_to(p).parts[:-1]]


def library_root_for(file: Path, folders: Sequence[Path], *, real: Path | None = None,
                     real_folders: Mapping[Path, Path] | None = None) -> Path | None:
    """The folder named (of ``folders``) that ``file`` was found in: the library root its includes
    must stay inside. None for a file named on its own (its own folder is then the root).
    ``real``: ``file`` resolved, and ``real_folders``: each of ``folders`` that is a folder,
    resolved, when the caller has them (a report finds the root of every file of the library)."""
    real = real or _real_path(file)
    if real_folders is not None:
        return next((f for f in folders if f in real_folders and real.is_relative_to(real_folders[f])), None)
    for folder in folders:
        if folder.is_dir() and real.is_relative_to(_real_path(folder)):
            return folder
    return None


def _real_path(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # pragma: no cover - resolve(strict=False) fails only on odd file systems
        return path.absolute()


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(q for q in folder.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
