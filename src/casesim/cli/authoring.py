"""Trainer commands: validate, test, analyse, graph, schema, library-doc, new, review."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import rich_click as click

from casesim.cli.library import catalog_dirs, load_catalog_for
from casesim.cli.options import (
    GraphFormat,
    LazyChoice,
    OutputFormat,
    cache_options,
    choice,
    pass_settings,
    path_option,
)
from casesim.errors import CaseSimError
from casesim.format.diagnostics import Diagnostic, Severity, diagnostics_to_json, format_diagnostics
from casesim.format.text import visible
from casesim.settings import Settings

# The domain is imported inside each command: `casesim` alone (the library) must not wait for
# the scenario models, the analysis and the lint just to declare these commands (issue 15, item 7).
if TYPE_CHECKING:
    from casesim.authoring.pipeline import AnalysedScenario
    from casesim.format.schema import SchemaKind

__all__ = ["COMMANDS"]

_existing = click.Path(exists=True, path_type=Path)
_scenario_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_output_file = click.Path(dir_okay=False, writable=True, path_type=Path)


def _schema_kind() -> object:
    from casesim.format.schema import SchemaKind

    return SchemaKind


def _bundled_kinds() -> list[str]:
    from casesim.format.kinds import bundled_kinds

    return list(bundled_kinds())


@click.command("validate")
@click.argument("paths", nargs=-1, type=_existing, metavar="[PATH]...")
@click.option("--format", "output_format", type=choice(OutputFormat), default="text", show_default=True,
              help="json for editors and CI")
@click.option("--strict", is_flag=True, help="treat warnings as failures")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="check up to N scenario files at once in separate processes (default: one per CPU)")
@cache_options()
@pass_settings
def validate_command(settings: Settings, paths: tuple[Path, ...], output_format: OutputFormat, strict: bool,
                     jobs: int | None) -> int:
    """Check scenario and framework files and report every problem.

    Each file is recognised by its shape: a scenario, or a framework file (a framework with
    criteria, a screener protocol, never-events.yaml, the competency map), which is checked as
    part of its catalog. Folders may hold both. Prints path:line:col: severity: message for
    every problem. Exit 0 clean, 1 problems, 2 usage or I/O errors. With no PATH, checks what
    this installation ships (the bundled scenarios and framework catalog) and the --catalog
    folders.
    """
    from casesim.authoring.framework_files import catalog_context, check_framework_files, file_kind
    from casesim.authoring.pipeline import (
        find_scenario_files,
        find_shared_blocks,
        library_root_for,
        load_scenario,
    )
    from casesim.authoring.validate_files import FileCheck, check_files, duplicate_ids
    from casesim.format.locale import LOCALES_DIR
    from casesim.scoring.catalog import check_catalog_dirs

    configured = catalog_dirs(settings)
    targets = list(paths) or [settings.scenarios_dir, *configured]
    found = find_scenario_files(targets)
    scenario_paths = targets
    blocks = find_shared_blocks(targets)
    if not found and not blocks:
        raise CaseSimError("no .yaml files found in " + ", ".join(map(str, targets)), title="nothing to validate",
                           hint="give scenario or framework files, or folders that hold them")
    kinds = {file: file_kind(file) for file in found}
    frameworks = [f for f in found if kinds[f] == "framework"]
    files = [f for f in found if kinds[f] == "scenario"]
    diagnostics: list[Diagnostic] = check_framework_files(frameworks, configured)
    if files:
        # The scenarios see the framework folders validated with them (a program's catalog
        # checked together with its scenarios), unless those folders have errors of their own.
        context = catalog_context(configured, frameworks)
        catalog = check_catalog_dirs(context)[0] if len(context) > len(configured) else None
        catalog = catalog or load_catalog_for(settings)
        by_file: dict[Path, FileCheck] = {}
        to_check = [(file, library_root_for(file, scenario_paths)) for file in files if file.parent.name != LOCALES_DIR]
        # Independent files are checked in parallel worker processes (the analysis stages come
        # from the analysis cache when a file was checked before: see analysis_findings); the
        # results are taken in the order of the files, so the output is the same.
        for (file, _), check in zip(to_check, check_files(to_check, catalog, jobs=jobs), strict=True):
            by_file[file] = check
        for file in files:
            if file.parent.name == LOCALES_DIR:
                diagnostics.append(Diagnostic(str(file), 1, 1, Severity.ERROR, "locale-file",
                                              "this is a locale file (it is in a locales folder): validate the "
                                              "scenario it translates, which checks its locale files too"))
            else:
                diagnostics.extend(by_file[file].diagnostics)
        diagnostics.extend(duplicate_ids(list(by_file.values())))
    if blocks:  # shared blocks in the folders named are checked on their own, never as scenarios
        catalog = load_catalog_for(settings)
        for block in blocks:
            block_report = load_scenario(block, catalog, library_root=library_root_for(block, scenario_paths))
            diagnostics.extend(d for d in block_report.diagnostics if d.code != "shared-block")
    failing = [d for d in diagnostics if d.is_error or (strict and d.severity is Severity.WARNING)]
    if output_format == "json":
        click.echo(diagnostics_to_json(diagnostics))
    else:
        if diagnostics:
            click.echo(format_diagnostics(diagnostics))
        errors = sum(d.is_error for d in diagnostics)
        warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
        notes = len(diagnostics) - errors - warnings
        checked = " and ".join(part for part in (f"{len(files)} scenario(s)" if files else "",
                                                 f"{len(blocks)} shared block(s)" if blocks else "",
                                                 f"{len(frameworks)} framework file(s)" if frameworks else "") if part)
        click.echo(f"{checked} checked: {errors} error(s), {warnings} warning(s)"
                   + (f", {notes} note(s)" if notes else ""), err=True)
    return 1 if failing else 0


@click.command("test")
@click.argument("paths", nargs=-1, type=_existing, metavar="[PATH]...")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@pass_settings
def test_command(settings: Settings, paths: tuple[Path, ...]) -> int:
    """Run the pedagogical tests embedded in scenarios (default: the library)."""
    from casesim.authoring.embedded_tests import run_tests
    from casesim.authoring.pipeline import find_scenario_files, library_root_for, load_scenario

    catalog = load_catalog_for(settings)
    folders = list(paths) or [settings.scenarios_dir]
    files = find_scenario_files(folders)
    passed = failed = 0
    for file in files:
        report = load_scenario(file, catalog, library_root=library_root_for(file, folders))
        loaded = report.analysed
        if loaded is None:
            click.echo(f"{visible(str(file), one_line=True)}: cannot run tests, the scenario has errors:")
            click.echo(format_diagnostics(report.errors))
            failed += 1
            continue
        if not loaded.scenario.tests:
            click.echo(f"{visible(str(file), one_line=True)}: no tests")
            continue
        for outcome in run_tests(loaded, catalog):
            mark = "PASS" if outcome.ok else "FAIL"
            click.echo(f"{mark} {loaded.scenario.id}: {outcome.name}")
            for problem in outcome.problems:
                click.echo(f"     {problem}")
            if outcome.ok:
                passed += 1
            else:
                failed += 1
    click.echo(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


@click.command("schema")
@click.option("--output", "-o", type=_output_file, default=None, metavar="FILE",
              help="write to this file instead of stdout")
@click.option("--check", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="exit 1 if FILE differs from the generated schema")
@click.option("--kind", type=LazyChoice(lambda: get_args(_schema_kind())), default="scenario", show_default=True)
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def schema_command(settings: Settings, output: Path | None, check: Path | None, kind: SchemaKind) -> int:
    """Write the JSON Schema of the scenario (or framework, shared block, locale...) format.

    The scenario and shared-block schemas list the catalog's criterion ids, MI codes, never-event classes,
    protocol steps and competencies as enums, so an editor completes them: the bundled catalog
    and any --catalog folders (a program writes its own schema with its catalog added).
    """
    from casesim.format.schema import schema_text

    with_names = kind in ("scenario", "shared-block")
    text = schema_text(kind, load_catalog_for(settings).names() if with_names else None)
    if check is not None:
        try:
            current = check.read_text(encoding="utf-8")
        except OSError as exc:
            raise CaseSimError(f"cannot read {check}: {exc.strerror}", title="schema check failed") from exc
        if current != text:
            click.echo(f"{check} is out of date; regenerate it with: casesim schema --kind {kind} -o {check}",
                       err=True)
            return 1
        return 0
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _analysed_or_report(scenario: Path, settings: Settings) -> AnalysedScenario | None:
    """``scenario`` loaded and analysed, or None after printing its errors to stderr."""
    from casesim.authoring.pipeline import load_scenario

    report = load_scenario(scenario, load_catalog_for(settings))
    if report.analysed is None:
        click.echo(format_diagnostics(report.errors), err=True)
    return report.analysed


@click.command("graph")
@click.argument("scenario", type=_scenario_file, metavar="SCENARIO")
@click.option("--format", "output_format", type=choice(GraphFormat), default="mermaid", show_default=True,
              help="svg draws the picture with Mermaid (needs Node.js, Chromium and `make mermaid`)")
@click.option("-o", "--output", type=_output_file, help="write to this file instead of standard output")
@click.option("--chromium", type=click.Path(dir_okay=False, path_type=Path), envvar="CASESIM_CHROMIUM",
              show_envvar=True, metavar="FILE", help="the browser --format svg uses (default: chromium on PATH)")
@click.option("--mermaid-dir", type=click.Path(file_okay=False, path_type=Path), envvar="CASESIM_MERMAID_DIR",
              show_envvar=True, metavar="DIR", help="a folder prepared like tools/mermaid (npm ci) for --format svg")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@cache_options()
@pass_settings
def graph_command(settings: Settings, scenario: Path, output_format: GraphFormat, output: Path | None,
                  chromium: Path | None, mermaid_dir: Path | None) -> int:
    """Print the scenario as a Mermaid or Graphviz DOT graph, or draw it as SVG.

    Marks the start, endings (with their outcome), guards, timeouts (dotted), never-event
    choices (red) and the expert path (thick). --format svg renders the Mermaid graph with
    Mermaid itself in headless Chromium; without them it says what to install (exit 2).
    """
    from casesim.authoring.graph import (
        MERMAID_MAX_EDGES,
        MERMAID_MAX_TEXT,
        mermaid_size,
        scenario_graph,
    )

    renderer = None
    if output_format == "svg":
        from casesim.authoring.mermaid_render import find_renderer

        renderer = find_renderer(chromium=chromium, folder=mermaid_dir)  # before the analysis: a missing renderer is found in a moment
    loaded = _analysed_or_report(scenario, settings)
    if loaded is None:
        return 1
    text = scenario_graph(loaded.program, loaded.analysis, fmt="dot" if output_format == "dot" else "mermaid")
    if output_format != "dot":
        size, edges = mermaid_size(text)
        if size > MERMAID_MAX_TEXT or edges > MERMAID_MAX_EDGES:
            click.echo(f"warning: this graph has {edges} edges and {size} characters; Mermaid draws at most "
                       f"{MERMAID_MAX_EDGES} edges and {MERMAID_MAX_TEXT} characters unless configured "
                       "otherwise; --format dot has no such limit", err=True)
    if renderer is not None:
        (result,) = renderer.render([text])
        if result.svg is None:
            click.echo(f"{scenario}: Mermaid could not draw this graph: {result.error}", err=True)
            return 1
        text = result.svg + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return 0


@click.command("analyse")
@click.argument("scenario", type=_scenario_file, metavar="SCENARIO")
@click.option("--format", "output_format", type=choice(OutputFormat), default="text", show_default=True)
@click.option("--audit", "per_decision", is_flag=True, help="also list the answer-cue audit decision by decision")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@cache_options()
@pass_settings
def analyse_command(settings: Settings, scenario: Path, output_format: OutputFormat, per_decision: bool) -> int:
    """What the path analysis proves about a scenario.

    Prints the distinct states analysed, distinct paths, the score range and the expert path the
    exhaustive analysis finds, and the answer-cue audit: can a random or naive chooser pass
    (--format json for tools). Also spelled `analyze`.
    """
    import json

    from casesim.authoring.audit import audit_text
    from casesim.authoring.pipeline import audit_and_lint
    from casesim.semantics.explore import points_text

    loaded = _analysed_or_report(scenario, settings)
    if loaded is None:
        return 1
    analysis = loaded.analysis
    audit, _ = audit_and_lint(loaded)
    total = analysis.total
    # "unbounded" (a scoring loop) in words, in JSON too: null already means "no ending can be reached".
    criteria = {cid: {"worst": _points(e.worst), "best": _points(e.best)}
                for cid, e in analysis.extremes.items() if cid != "total"}
    summary: dict[str, object] = {
        "scenario": loaded.scenario.id,
        "states": analysis.state_count,
        "complete": analysis.complete,
        "paths": analysis.path_count,
        "reachable_nodes": len(analysis.reachable_nodes),
        "nodes": len(loaded.scenario.nodes),
        "reachable_endings": sorted(analysis.reachable_endings),
        "worst_total": _points(total.worst) if total else None,
        "best_total": _points(total.best) if total else None,
        "expert_total": analysis.expert_total,
        "expert_path": analysis.expert_path,
        "criteria": criteria,
        "audit": audit.to_json(),
    }
    if output_format == "json":
        click.echo(json.dumps(summary, indent=2))
        return 0
    paths_text = "unbounded (the scenario has loops)" if analysis.path_count < 0 else f"{analysis.path_count:,}"
    # After the live-variable merge the count is of states analysed (states differing only in
    # variables nothing later reads are one), not of every reachable state.
    states = "distinct states analysed" if analysis.merged else "reachable states"
    click.echo(f"{loaded.scenario.id}: {analysis.state_count:,} {states}"
               + ("" if analysis.complete else " (limit reached: incomplete)"))
    click.echo(f"  nodes reached: {len(analysis.reachable_nodes)} of {len(loaded.scenario.nodes)}; "
               f"endings reached: {', '.join(sorted(analysis.reachable_endings)) or 'none'}")
    click.echo(f"  distinct complete paths: {paths_text}")
    if total is not None:
        click.echo(f"  total points: worst {points_text(total.worst)}, best {points_text(total.best)}, "
                   f"expert (no critical action) {summary['expert_total']}")
        if total.worst is None or total.best is None:
            click.echo("  (unbounded: points can be earned or lost on a loop again and again; "
                       "see the scoring-cycle error of `casesim validate`)")
    click.echo("  expert path: " + (" -> ".join(analysis.expert_path) or "none (every path has a critical action)"))
    for cid, bounds in criteria.items():
        click.echo(f"    {cid:<16} worst {bounds['worst']:>4}  best {bounds['best']:>4}")
    click.echo("\n".join(audit_text(audit, per_decision=per_decision)))
    return 0


def _points(value: int | None) -> int | str:
    """An extreme for the JSON summary: its points, or "unbounded"."""
    from casesim.semantics.explore import points_text

    return points_text(value) if value is None else value


@click.command("library-doc")
@click.argument("paths", nargs=-1, type=_existing, metavar="[PATH]...")
@click.option("--output", "-o", type=_output_file, default=None, metavar="FILE",
              help="write to this file instead of stdout")
@click.option("--check", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="exit 1 if FILE differs")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@cache_options()
@pass_settings
def library_doc_command(settings: Settings, paths: tuple[Path, ...], output: Path | None, check: Path | None) -> int:
    """Write the scenario library page (docs/scenarios.md)."""
    from casesim.authoring.library_doc import library_markdown
    from casesim.authoring.pipeline import find_scenario_files, load_scenario

    catalog = load_catalog_for(settings)
    files = find_scenario_files(list(paths) or [settings.scenarios_dir])
    reports = [load_scenario(f, catalog) for f in files]
    problems = [item for item in reports if not item.ok]
    for item in problems:
        click.echo(format_diagnostics(item.errors), err=True)
    text = library_markdown([item.analysed for item in reports if item.analysed is not None], catalog)
    if check is not None:
        current = check.read_text(encoding="utf-8") if check.exists() else ""
        if current != text:
            click.echo(f"{check} is out of date; regenerate it with: make docs", err=True)
            return 1
        return 1 if problems else 0
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if problems else 0


@click.command("new")
@click.argument("scenario_id", metavar="ID")
@click.option("--kind", type=LazyChoice(_bundled_kinds), required=True,
              help="the kind of conversation (the kinds in scoring/kinds.yaml)")
@click.option("--output", "-o", type=_output_file, default=None, metavar="FILE",
              help="file to write (default: ID.yaml in the current folder)")
@click.option("--force", is_flag=True, help="overwrite an existing file")
def new_command(scenario_id: str, kind: str, output: Path | None, force: bool) -> int:
    """Write a valid, commented starter scenario.

    ID is the scenario id, kebab-case (e.g. intake-housing-loss).
    """
    from casesim.authoring.starter import starter_scenario

    target = output or Path(f"{scenario_id}.yaml")
    text = starter_scenario(scenario_id, kind, str(target))
    if target.exists() and not force:
        raise CaseSimError(f"{target} already exists", title="not overwritten",
                           hint="pass --force to overwrite it, or -o to write elsewhere")
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}; check it with: casesim validate {target}")
    return 0


@click.group("review")
def review_group() -> None:
    """Clinical sign-off of scenarios: sign one, or list where each stands.

    Only attempts on a scenario with a valid sign-off count as competency evidence; the others
    are trials. Editing a signed scenario voids its sign-off.
    """


@review_group.command("sign")
@click.argument("scenario", type=_scenario_file, metavar="FILE")
@click.option("--by", "by", required=True, help='the reviewer\'s name, e.g. "J. Doe"')
@click.option("--credential", required=True, help="the reviewer's clinical credential, e.g. LCSW")
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD", help="the review date (default: today)")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@pass_settings
def review_sign_command(settings: Settings, scenario: Path, by: str, credential: str, on: str | None) -> int:
    """Write a clinician's sign-off into FILE's `reviewed:` block.

    Records who, with which credential, when, and the hash of the content signed. Only the
    `reviewed:` block is rewritten; the rest of the file is left byte for byte. Refuses a file
    that does not validate. Run it only for a clinician who has read the whole scenario.
    """
    from casesim.authoring.signoff import sign_file

    result = sign_file(scenario, by=by, credential=credential, on=on, catalog=load_catalog_for(settings))
    click.echo(f"{result.path}: signed off by {result.signoff.describe()}, content {result.signoff.content_hash}")
    return 0


@review_group.command("status")
@click.argument("paths", nargs=-1, type=_existing, metavar="[PATH]...")
@path_option("frameworks_dir")
@path_option("catalog_dirs")
@path_option("scenarios_dir")
@pass_settings
def review_status_command(settings: Settings, paths: tuple[Path, ...]) -> int:
    """List each scenario's sign-off: signed by whom and when, voided, unsigned or draft.

    With no PATH, the scenario library. Exit 1 when a sign-off is void or a file does not load.
    """
    from casesim.authoring.pipeline import find_scenario_files
    from casesim.authoring.signoff import signoff_of_file

    files = find_scenario_files(list(paths) or [settings.scenarios_dir])
    if not files:
        raise CaseSimError("no .yaml files found", title="nothing to list",
                           hint="give scenario files, or folders that hold them")
    catalog = load_catalog_for(settings)
    bad = 0
    for file in files:
        state, why = signoff_of_file(file, catalog)
        if state is None:
            click.echo(f"{file}: does not load ({why})")
            bad += 1
            continue
        click.echo(f"{file}: {state.describe()}")
        bad += state.status == "voided"
    return 1 if bad else 0


def _alias(command: click.Command, name: str) -> click.Command:
    """``command`` under another name, hidden from the help (``analyze`` for ``analyse``)."""
    alias = copy.copy(command)
    alias.name, alias.hidden = name, True
    return alias


COMMANDS = [validate_command, test_command, analyse_command, _alias(analyse_command, "analyze"), graph_command,
            new_command, schema_command, library_doc_command, review_group]
