"""What author mode checks after each save, and where each finding sits in the scenario.

A saved draft goes through the stages ``casesim validate`` runs, in the order their cost allows:
:func:`~casesim.authoring.pipeline.load_scenario` without the path analysis (so play can start
at once), then :func:`analyse_draft` (the analysis and the lint over it, which
``load_scenario`` runs by default), then :func:`audit_draft` (the answer-cue audit that
``validate`` adds). Together they report exactly what ``casesim validate FILE`` prints for the
file; a test pins that. :func:`test_draft` then runs the embedded tests, as ``casesim test`` does.

:func:`jump_target` tells which node a diagnostic is about, so choosing it can play from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casesim.authoring.embedded_tests import TestOutcome, run_tests
from casesim.authoring.pipeline import AnalysedScenario, Playable, analyse_and_lint, audit_and_lint
from casesim.format.diagnostics import Diagnostic
from casesim.format.include import expand_reuse
from casesim.format.reader import SourceDocument, read_source, read_yaml_bytes
from casesim.scoring.catalog import Catalog
from casesim.semantics.program import Program

__all__ = ["JumpTarget", "analyse_draft", "audit_draft", "included_files", "jump_target", "section_at_line",
           "test_draft", "watched_files"]


def included_files(path: Path) -> tuple[Path, ...]:
    """Every shared block file the scenario at ``path`` includes, directly or through another
    block (resolved; also one that is missing, so creating it reloads the draft). Empty when the
    file cannot be read or parsed: its own errors are what the author sees then."""
    try:
        raw, _ = read_source(path)
        doc = read_yaml_bytes(raw, str(path))[0] if raw is not None else None
        return tuple(expand_reuse(doc).files) if doc is not None else ()
    except Exception:
        return ()


def watched_files(path: Path) -> tuple[Path, ...]:
    """What author mode polls: the scenario file, then each file it includes."""
    return (path, *(p for p in included_files(path) if p != path.resolve()))


def analyse_draft(playable: Playable, catalog: Catalog | None) -> tuple[AnalysedScenario, list[Diagnostic]]:
    """The draft with its path analysis, and what the lint over the analysis finds."""
    analysis, lint = analyse_and_lint(playable, catalog)
    warnings = tuple(sorted([*playable.warnings, *lint], key=Diagnostic.sort_key))
    analysed = AnalysedScenario(playable.path, playable.scenario, playable.program, playable.document,
                                playable.content_hash, warnings, analysis)
    return analysed, lint


def audit_draft(analysed: AnalysedScenario) -> list[Diagnostic]:
    """The answer-cue findings ``validate`` adds (seconds on a large scenario: run it last)."""
    return audit_and_lint(analysed)[1]


def test_draft(analysed: AnalysedScenario, catalog: Catalog) -> list[TestOutcome]:
    """Every embedded test of the draft, in file order."""
    return list(run_tests(analysed, catalog))


test_draft.__test__ = False  # type: ignore[attr-defined]  # pytest: a function, not a test


def section_at_line(document: SourceDocument, line: int) -> tuple[str, str] | None:
    """(``"nodes"`` or ``"endings"``, id) of the entry whose text holds ``line``, or None when
    the line is elsewhere (the header, variables, tests)."""
    # Every top-level key and every entry of a top-level section starts a stretch of the file
    # that runs to the next one; the stretch holding ``line`` is the last to start at or before it.
    best: tuple[int, int, tuple[str, str] | None] | None = None
    for path, (key, _) in document.positions.items():
        if len(path) not in (1, 2) or key.line > line:
            continue
        entry = None
        if len(path) == 2 and path[0] in ("nodes", "endings") and isinstance(path[1], str):
            entry = (str(path[0]), path[1])
        rank = (key.line, len(path))
        if best is None or rank >= best[:2]:
            best = (*rank, entry)
    return best[2] if best is not None else None


@dataclass(frozen=True, slots=True)
class JumpTarget:
    """Where to play from for a diagnostic: a node, and why it is that node."""

    node: str
    note: str | None = None
    """Set when the diagnostic is about an ending, which cannot be played from: the node chosen leads to it."""


def jump_target(document: SourceDocument | None, program: Program, diagnostic: Diagnostic) -> JumpTarget | None:
    """The node of ``program`` to play from for ``diagnostic``, or None when it is not about a
    node or ending that ``program`` (the version playing) has."""
    if document is None or diagnostic.path != document.path:
        return None  # no document, or a finding in another file (an included one)
    found = section_at_line(document, diagnostic.line)
    if found is None:
        return None
    section, name = found
    if section == "nodes":
        return JumpTarget(name) if name in program.scenario.nodes else None
    if name not in program.scenario.endings:
        return None
    for step in program.steps.values():
        if step.goto == name:
            return JumpTarget(step.node, f"{name} is an ending, which cannot be played from; playing {step.node}, "
                                         "which leads to it")
    return None
