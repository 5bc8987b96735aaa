"""Trainer commands: validate, test, schema, graph, new."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from casesim import paths
from casesim.authoring.audit import audit_text
from casesim.authoring.pipeline import audit_and_lint, find_scenario_files, load_scenario
from casesim.errors import CaseSimError
from casesim.format.diagnostics import Diagnostic, Severity, diagnostics_to_json, format_diagnostics
from casesim.scoring.catalog import COMPETENCY_MAP_FILE, Catalog, check_catalog_dir, load_catalog

__all__ = ["register", "catalog_from_args"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("validate", help="check scenario or framework files and report every problem",
                       description="Check scenario files (or the scoring/ framework folder) and print "
                                   "path:line:col: severity: message for every problem. Exit 0 clean, 1 problems, 2 usage/I-O errors.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="files or folders (default: the bundled scenarios and framework catalog)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (json for editors and CI)")
    p.add_argument("--strict", action="store_true", help="treat warnings as failures")
    add_common(p)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("test", help="run the pedagogical tests embedded in scenarios")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: the bundled library)")
    add_common(p)
    p.set_defaults(handler=cmd_test)

    p = sub.add_parser("schema", help="write the JSON Schema of the scenario format")
    p.add_argument("--output", "-o", type=Path, default=None, help="write to this file instead of stdout")
    p.add_argument("--check", type=Path, default=None, metavar="FILE", help="exit 1 if FILE differs from the generated schema")
    p.add_argument("--kind", choices=("scenario", "framework", "competency-map"), default="scenario")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("graph", help="print the scenario as a Mermaid or Graphviz DOT graph")
    p.add_argument("scenario", type=Path, metavar="SCENARIO")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    add_common(p)
    p.set_defaults(handler=cmd_graph)

    p = sub.add_parser("analyse", aliases=["analyze"], help="what the path analysis proves about a scenario",
                       description="Print the reachable states, distinct paths, the score range and the expert "
                                   "path the exhaustive analysis finds, and the answer-cue audit: can a random or "
                                   "naive chooser pass (--format json for tools).")
    p.add_argument("scenario", type=Path, metavar="SCENARIO")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--audit", action="store_true", help="also list the answer-cue audit decision by decision")
    add_common(p)
    p.set_defaults(handler=cmd_analyse)

    p = sub.add_parser("library-doc", help="write the scenario library page (docs/scenarios.md)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: the bundled library)")
    p.add_argument("--output", "-o", type=Path, default=None, help="write to this file instead of stdout")
    p.add_argument("--check", type=Path, default=None, metavar="FILE", help="exit 1 if FILE differs")
    add_common(p)
    p.set_defaults(handler=cmd_library_doc)

    p = sub.add_parser("new", help="write a valid, commented starter scenario")
    p.add_argument("id", metavar="ID", help="the scenario id, kebab-case (e.g. intake-housing-loss)")
    p.add_argument("--kind", required=True, help="intake, crisis, de-escalation, relapse, boundaries, home-visit, duty-to-protect, family, other")
    p.add_argument("--output", "-o", type=Path, default=None, help="file to write (default: ID.yaml in the current folder)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(handler=cmd_new)


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    """The framework catalog named by ``--scoring`` (or the bundled one)."""
    directory = getattr(args, "scoring", None) or paths.scoring_dir()
    if not Path(directory).is_dir():
        raise CaseSimError(f"the framework folder {directory} does not exist", title="no scoring catalog",
                           hint="pass --scoring DIR, or set CASESIM_SCORING")
    return load_catalog(directory)


def _is_catalog_dir(path: Path) -> bool:
    return path.is_dir() and (path / COMPETENCY_MAP_FILE).exists()


def cmd_validate(args: argparse.Namespace) -> int:
    diagnostics: list[Diagnostic] = []
    scenario_paths: list[Path] = []
    # No path: check what this installation ships (in a wheel, its package data).
    targets: list[Path] = args.paths or [paths.scenarios_dir(), paths.scoring_dir()]
    for path in targets:
        if not path.exists():
            print(f"casesim: {path}: no such file or folder", file=sys.stderr)
            return 2
        if _is_catalog_dir(path):
            _, problems = check_catalog_dir(path)
            diagnostics.extend(problems)
        else:
            scenario_paths.append(path)
    files = find_scenario_files(scenario_paths)
    if scenario_paths and not files:
        print("casesim: no .yaml files found in " + ", ".join(map(str, scenario_paths)), file=sys.stderr)
        return 2
    if files:
        catalog = catalog_from_args(args)
        for file in files:
            report = load_scenario(file, catalog)
            diagnostics.extend(report.diagnostics)
            if report.analysed is not None:
                diagnostics.extend(audit_and_lint(report.analysed)[1])
    failing = [d for d in diagnostics if d.is_error or (args.strict and d.severity is Severity.WARNING)]
    if args.format == "json":
        print(diagnostics_to_json(diagnostics))
    else:
        if diagnostics:
            print(format_diagnostics(diagnostics))
        errors = sum(d.is_error for d in diagnostics)
        warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
        notes = len(diagnostics) - errors - warnings
        checked = len(files) + sum(_is_catalog_dir(p) for p in targets)
        print(f"{checked} checked: {errors} error(s), {warnings} warning(s)" + (f", {notes} note(s)" if notes else ""),
              file=sys.stderr)
    return 1 if failing else 0


def cmd_test(args: argparse.Namespace) -> int:
    from casesim.authoring.embedded_tests import run_tests

    catalog = catalog_from_args(args)
    files = find_scenario_files(args.paths or [paths.scenarios_dir()])
    passed = failed = 0
    for file in files:
        report = load_scenario(file, catalog)
        loaded = report.analysed
        if loaded is None:
            print(f"{file}: cannot run tests, the scenario has errors:")
            print(format_diagnostics(report.errors))
            failed += 1
            continue
        if not loaded.scenario.tests:
            print(f"{file}: no tests")
            continue
        for outcome in run_tests(loaded, catalog):
            mark = "PASS" if outcome.ok else "FAIL"
            print(f"{mark} {loaded.scenario.id}: {outcome.name}")
            for problem in outcome.problems:
                print(f"     {problem}")
            if outcome.ok:
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from casesim.format.schema import schema_text

    text = schema_text(args.kind)
    if args.check is not None:
        try:
            current = args.check.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"casesim: cannot read {args.check}: {exc.strerror}", file=sys.stderr)
            return 2
        if current != text:
            print(f"{args.check} is out of date; regenerate it with: casesim schema --kind {args.kind} -o {args.check}",
                  file=sys.stderr)
            return 1
        return 0
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from casesim.authoring.graph import scenario_graph

    catalog = catalog_from_args(args)
    report = load_scenario(args.scenario, catalog)
    loaded = report.analysed
    if loaded is None:
        print(format_diagnostics(report.errors), file=sys.stderr)
        return 1
    print(scenario_graph(loaded.program, loaded.analysis, fmt=args.format))
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    import json

    catalog = catalog_from_args(args)
    report = load_scenario(args.scenario, catalog)
    loaded = report.analysed
    if loaded is None:
        print(format_diagnostics(report.errors), file=sys.stderr)
        return 1
    analysis = loaded.analysis
    audit, _ = audit_and_lint(loaded)
    total = analysis.total
    criteria = {cid: {"worst": e.worst, "best": e.best} for cid, e in analysis.extremes.items() if cid != "total"}
    summary: dict[str, object] = {
        "scenario": loaded.scenario.id,
        "states": analysis.state_count,
        "complete": analysis.complete,
        "paths": analysis.path_count,
        "reachable_nodes": len(analysis.reachable_nodes),
        "nodes": len(loaded.scenario.nodes),
        "reachable_endings": sorted(analysis.reachable_endings),
        "worst_total": total.worst if total else None,
        "best_total": total.best if total else None,
        "expert_total": analysis.expert_total,
        "expert_path": analysis.expert_path,
        "criteria": criteria,
        "audit": audit.to_json(),
    }
    if args.format == "json":
        print(json.dumps(summary, indent=2))
        return 0
    paths_text = "unbounded (the scenario has loops)" if analysis.path_count < 0 else f"{analysis.path_count:,}"
    print(f"{loaded.scenario.id}: {analysis.state_count:,} reachable states"
          + ("" if analysis.complete else " (limit reached: incomplete)"))
    print(f"  nodes reached: {len(analysis.reachable_nodes)} of {len(loaded.scenario.nodes)}; "
          f"endings reached: {', '.join(sorted(analysis.reachable_endings)) or 'none'}")
    print(f"  distinct complete paths: {paths_text}")
    if total is not None:
        print(f"  total points: worst {total.worst}, best {total.best}, expert (no critical action) "
              f"{summary['expert_total']}")
    print("  expert path: " + (" -> ".join(analysis.expert_path) or "none (every path has a critical action)"))
    for cid, bounds in criteria.items():
        print(f"    {cid:<16} worst {bounds['worst']:>4}  best {bounds['best']:>4}")
    print("\n".join(audit_text(audit, per_decision=args.audit)))
    return 0


def cmd_library_doc(args: argparse.Namespace) -> int:
    from casesim.authoring.library_doc import library_markdown

    catalog = catalog_from_args(args)
    files = find_scenario_files(args.paths or [paths.scenarios_dir()])
    reports = [load_scenario(f, catalog) for f in files]
    for item in reports:
        if not item.ok:
            print(format_diagnostics(item.errors), file=sys.stderr)
    text = library_markdown([item.analysed for item in reports if item.analysed is not None], catalog)
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check} is out of date; regenerate it with: make docs", file=sys.stderr)
            return 1
        return 1 if any(not item.ok for item in reports) else 0
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if any(not item.ok for item in reports) else 0


def cmd_new(args: argparse.Namespace) -> int:
    from casesim.authoring.starter import starter_scenario

    text = starter_scenario(args.id, args.kind)
    target: Path = args.output or Path(f"{args.id}.yaml")
    if target.exists() and not args.force:
        print(f"casesim: {target} already exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}; check it with: casesim validate {target}")
    return 0
