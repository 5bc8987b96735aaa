"""Program commands: ``records`` (list, verify, trainee), ``report`` (trainee, cohort) and ``export``.

Every command takes ``--db PATH`` (default: ``CASESIM_DB``, else ``casesim.db`` in the data
folder). Reports and exports open the database read-only. Exit codes: 0 success, 1 ``records
verify`` found problems, 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from casesim import paths
from casesim.errors import CaseSimError
from casesim.records import open_store
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog

__all__ = ["add_db_option", "register"]

def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="PATH",
                        help="the records database (default: CASESIM_DB, else casesim.db in your data folder)")


def _select(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--trainee", default=None, metavar="ID", help="only this trainee's attempts")
    group.add_argument("--cohort", default=None, metavar="NAME", help="only this cohort's attempts")


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                        help="write to FILE (created readable by you only) instead of standard output")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    records = sub.add_parser("records", help="list, verify and manage the practicum records",
                             description="The record of every attempt: list it, check that nothing was edited, "
                                         "set a trainee's name and cohort.")
    rsub = records.add_subparsers(dest="records_command", metavar="SUBCOMMAND", required=True)

    p = rsub.add_parser("list", help="list attempts (newest last)")
    _select(p)
    p.add_argument("--status", choices=("in-progress", "completed", "abandoned"), default=None)
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_option(p)
    p.set_defaults(handler=cmd_list)

    p = rsub.add_parser("verify", help="check the hash chains: say which attempt and event was altered",
                        description="Check every attempt and event against the hash chains. Exit 0 when the "
                                    "record is intact, 1 when something was edited, deleted or reordered.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_option(p)
    p.set_defaults(handler=cmd_verify)

    p = rsub.add_parser("trainee", help="add a trainee or set their display name and cohort")
    p.add_argument("id", metavar="ID", help="the trainee's id (what they type when they play)")
    p.add_argument("--name", default=None, help="the display name on reports (default: keep, or the id)")
    p.add_argument("--cohort", default=None, help="the cohort (class) for cohort reports")
    add_db_option(p)
    p.set_defaults(handler=cmd_trainee)

    p = rsub.add_parser("trainees", help="list trainees with their cohort and number of attempts")
    p.add_argument("--cohort", default=None, metavar="NAME")
    add_db_option(p)
    p.set_defaults(handler=cmd_trainees)

    report = sub.add_parser("report", help="reports by trainee or cohort, by competency",
                            description="Reports from the record, as text or JSON.")
    psub = report.add_subparsers(dest="report_command", metavar="KIND", required=True)
    p = psub.add_parser("trainee", help="one trainee: attempts and competency ratings over time")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_option(p)
    add_common(p)
    p.set_defaults(handler=cmd_report_trainee)
    p = psub.add_parser("cohort", help="a cohort: roster by competency, and what the class chose at each decision")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--scenario", default=None, metavar="ID", help="only this scenario's item analysis")
    p.add_argument("--mode", choices=("practice", "assessment"), default=None, help="only attempts in this mode")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--scenarios", type=Path, default=None, metavar="DIR",
                   help="where the scenario files are (default: the bundled library)")
    add_db_option(p)
    add_common(p)
    p.set_defaults(handler=cmd_report_cohort)

    export = sub.add_parser("export", help="export records as CSV, JSON Lines, xAPI statements or a PDF summary")
    esub = export.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    p = esub.add_parser("csv", help="a CSV table: one row per attempt, per criterion or per competency")
    p.add_argument("--table", choices=("attempts", "criteria", "competencies"), default="attempts")
    _select(p)
    _output(p)
    add_db_option(p)
    p.set_defaults(handler=cmd_export_csv)
    p = esub.add_parser("jsonl", help="JSON Lines: one attempt per line with its events and debrief")
    _select(p)
    _output(p)
    add_db_option(p)
    p.set_defaults(handler=cmd_export_jsonl)
    p = esub.add_parser("xapi", help="xAPI 1.0.3 statements (lifecycle plus one per decision)")
    _select(p)
    _output(p)
    p.add_argument("--format", choices=("jsonl", "json"), default="jsonl",
                   help="one statement per line, or one JSON array (to POST to an LRS)")
    p.add_argument("--base-iri", default=None, metavar="URL",
                   help="your program's URL, the root of activity ids (default: https://casesim.invalid)")
    p.add_argument("--home-page", default=None, metavar="URL", help="the account homePage (default: --base-iri)")
    p.add_argument("--scenarios", type=Path, default=None, metavar="DIR")
    add_db_option(p)
    add_common(p)
    p.set_defaults(handler=cmd_export_xapi)
    p = esub.add_parser("pdf", help="a practicum summary of one trainee, to sign")
    p.add_argument("trainee", metavar="TRAINEE_ID")
    p.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                   help="the PDF file (default: practicum-TRAINEE_ID.pdf)")
    p.add_argument("--program", default=None, help="the program's name, printed at the top")
    p.add_argument("--instructor", default=None, help="the field instructor's name, printed on the signature line")
    p.add_argument("--page", choices=("Letter", "A4"), default="Letter")
    add_db_option(p)
    add_common(p)
    p.set_defaults(handler=cmd_export_pdf)


# --- helpers ------------------------------------------------------------------------------------


def _reader(args: argparse.Namespace) -> RecordStore:
    return open_store(args.db, readonly=True)


def _catalog(args: argparse.Namespace) -> Catalog | None:
    from casesim.cli.authoring import catalog_from_args

    try:
        return catalog_from_args(args)
    except CaseSimError as exc:
        print(f"casesim: note: {exc.message}; titles and feedback will be missing", file=sys.stderr)
        return None


def _library(args: argparse.Namespace, catalog: Catalog | None, store: RecordStore, *, analyse: bool,
             trainee_id: str | None = None, cohort: str | None = None) -> Any:
    """The scenario files the selected attempts were played on (analysed only when needed)."""
    from casesim.play.report_library import load_library

    wanted = {a.scenario_id for a in store.attempts(trainee_id=trainee_id, cohort=cohort)}
    return load_library(catalog, getattr(args, "scenarios", None) or paths.scenarios_dir(), only=wanted,
                        analyse=analyse)


@contextlib.contextmanager
def _out(target: Path | None) -> Iterator[TextIO]:
    if target is None:
        yield sys.stdout
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise CaseSimError(f"cannot write {target}: {exc.strerror}", title="export failed") from exc
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# --- records ------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    store = _reader(args)
    try:
        rows = [a for a in store.attempts(trainee_id=args.trainee, cohort=args.cohort)
                if args.status is None or a.status == args.status]
    finally:
        store.close()
    if args.format == "json":
        _print_json([{"id": a.id, "trainee_id": a.trainee_id, "scenario_id": a.scenario_id,
                      "scenario_version": a.scenario_version, "mode": a.mode, "status": a.status,
                      "started_at": a.started_at, "ended_at": a.ended_at, "passed": a.passed, "share": a.share}
                     for a in rows])
        return 0
    if not rows:
        print("no attempts recorded" + (" for this selection" if args.trainee or args.cohort or args.status else ""))
        return 0
    for a in rows:
        result = ("passed" if a.passed else "not passed") if a.status == "completed" else a.status
        share = f"{round(a.share * 100)}%" if a.share is not None else "-"
        print(f"{a.started_at[:16].replace('T', ' ')}  {a.id}  {a.trainee_id:<14} {a.scenario_id:<28} "
              f"{a.mode:<10} {result:<11} {share:>4}")
    print(f"{len(rows)} attempt(s)", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from casesim.records.render import verify_text

    store = _reader(args)
    try:
        problems = list(store.verify())
        heads = dict(store.chain_heads())
    finally:
        store.close()
    if args.format == "json":
        _print_json({"database": store.location, "intact": not problems,
                     "problems": [{"kind": p.kind, "trainee_id": p.trainee_id, "attempt_id": p.attempt_id,
                                   "seq": p.seq, "message": p.message} for p in problems],
                     "heads": {t: {"attempts": n, "head": h} for t, (n, h) in heads.items()}})
    else:
        sys.stdout.write(verify_text(problems, heads, store.location))
    return 1 if problems else 0


def cmd_trainee(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        current = store.trainee(args.id)
        name = args.name or (current.display_name if current else args.id)
        store.upsert_trainee(args.id, name, args.cohort)
        row = store.trainee(args.id)
    finally:
        store.close()
    assert row is not None
    print(f"{row.id}: {row.display_name}, cohort {row.cohort or '-'}, {row.attempt_count} attempt(s)")
    return 0


def cmd_trainees(args: argparse.Namespace) -> int:
    store = _reader(args)
    try:
        rows = store.trainees(args.cohort)
    finally:
        store.close()
    for t in rows:
        print(f"{t.id:<16} {t.display_name:<28} {t.cohort or '-':<16} {t.attempt_count:>4} attempt(s)")
    if not rows:
        print("no trainees recorded")
    return 0


# --- reports ------------------------------------------------------------------------------------


def cmd_report_trainee(args: argparse.Namespace) -> int:
    from casesim.records.render import report_json, trainee_text
    from casesim.records.reports import trainee_report

    catalog = _catalog(args)
    store = _reader(args)
    try:
        library = _library(args, catalog, store, analyse=False, trainee_id=args.id)
        report = trainee_report(store, args.id, catalog=catalog, library=library)
    finally:
        store.close()
    if args.format == "json":
        _print_json(report_json(report))
    else:
        sys.stdout.write(trainee_text(report))
    return 0


def cmd_report_cohort(args: argparse.Namespace) -> int:
    from casesim.records.render import cohort_text, report_json
    from casesim.records.reports import cohort_report

    catalog = _catalog(args)
    store = _reader(args)
    try:
        if args.name not in store.cohorts():
            known = ", ".join(store.cohorts()) or "none yet"
            raise CaseSimError(f"there is no cohort {args.name!r} in {store.location} (cohorts: {known})",
                               title="no such cohort", hint="set one with: casesim records trainee ID --cohort NAME")
        library = _library(args, catalog, store, analyse=True, cohort=args.name)
        report = cohort_report(store, args.name, library=library, catalog=catalog,
                               scenario_id=args.scenario, mode=args.mode)
    finally:
        store.close()
    if args.format == "json":
        _print_json(report_json(report))
    else:
        sys.stdout.write(cohort_text(report))
    return 0


# --- exports ------------------------------------------------------------------------------------


def cmd_export_csv(args: argparse.Namespace) -> int:
    from casesim.records.export.csv import write_csv

    store = _reader(args)
    try:
        with _out(args.output) as out:
            count = write_csv(store, out, args.table, trainee_id=args.trainee, cohort=args.cohort)
    finally:
        store.close()
    print(f"{count} row(s)" + (f" written to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def cmd_export_jsonl(args: argparse.Namespace) -> int:
    from casesim.records.export.jsonl import write_jsonl

    store = _reader(args)
    try:
        with _out(args.output) as out:
            count = write_jsonl(store, out, trainee_id=args.trainee, cohort=args.cohort)
    finally:
        store.close()
    print(f"{count} attempt(s)" + (f" written to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def cmd_export_xapi(args: argparse.Namespace) -> int:
    from casesim.records.export.xapi import DEFAULT_BASE, statements

    catalog = _catalog(args)
    store = _reader(args)
    count = 0
    try:
        library = _library(args, catalog, store, analyse=True, trainee_id=args.trainee, cohort=args.cohort)
        base = args.base_iri or DEFAULT_BASE
        items = statements(store, trainee_id=args.trainee, cohort=args.cohort, library=library, base_iri=base,
                           home_page=args.home_page or base)
        with _out(args.output) as out:
            if args.format == "json":
                collected = list(items)
                count = len(collected)
                out.write(json.dumps(collected, indent=2, ensure_ascii=False) + "\n")
            else:
                for statement in items:
                    out.write(json.dumps(statement, ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
    finally:
        store.close()
    print(f"{count} statement(s)" + (f" written to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from casesim.records.export.pdf import PdfOptions, render_pdf
    from casesim.records.reports import trainee_report

    catalog = _catalog(args)
    store = _reader(args)
    try:
        library = _library(args, catalog, store, analyse=False, trainee_id=args.trainee)
        report = trainee_report(store, args.trainee, catalog=catalog, library=library)
        problems = list(store.verify(trainee_id=args.trainee))
        head = store.chain_heads().get(args.trainee)
    finally:
        store.close()
    target = args.output or Path(f"practicum-{args.trainee}.pdf")
    render_pdf(report, target, catalog=catalog, problems=problems, chain_head=head,
               options=PdfOptions(program=args.program, instructor=args.instructor, page_format=args.page))
    with contextlib.suppress(OSError):
        os.chmod(target, 0o600)
    print(f"wrote {target}" + (f" (WARNING: verify found {len(problems)} problem(s))" if problems else ""),
          file=sys.stderr)
    return 0
