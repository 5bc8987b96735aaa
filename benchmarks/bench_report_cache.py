"""``records report cohort`` over the bundled library with a warm analysis cache, against a bare
SQL aggregate over the same events (issue 13, item 9).

Builds (in a temporary folder) a store where every trainee of one cohort plays the expert path
of every bundled scenario, then measures, in one run and one process:

* the bare SQL aggregate: the cohort's events counted per scenario, node and choice, the least
  any cohort report must do;
* the report as ``casesim records report cohort`` makes it (the report views of the scenarios
  the cohort played, read from the cache: :mod:`casesim.authoring.report_view`, then the
  report, with the cyclic collector paused as the command pauses it: :mod:`casesim.collector`),
  with the caches warm; and of that, the store's queries and the loading alone;
* the same report with each scenario restored from the parsed-scenario cache with its analysis
  summary (as before the report views), and read from its YAML (as before the parsed cache);
* with ``--slow``: the report from each full analysis read back from the warm cache and linted
  (before the summaries), and with no cache at all (every analysis computed again).

Prints seconds (best of ``--repeat``), the ratios to the SQL aggregate and the warm report's
ratio to the store's own queries (the target: within about 2x), each in wall-clock time and in
this process's CPU time (the store is SQLite, in this process: CPU time leaves out what the
machine's other work takes, which on a shared virtual machine moves wall-clock figures by a third);
then the median over the runs of the two ratios taken within one run (the aggregate and the report
back to back, the store's share within the report), which a machine whose speed drifts moves least. ``--cache DIR`` keeps
the analyses between runs (the first run computes them: minutes for the bundled library).

    .venv/bin/python benchmarks/bench_report_cache.py [--trainees N] [--repeat N] [--cache DIR] [--slow]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from casesim.authoring import analysis_cache  # noqa: E402
from casesim.authoring.analysis_summary import with_summary  # noqa: E402
from casesim.collector import paused  # noqa: E402
from casesim.play.library import load_library, load_report_views, load_scenarios_by_id  # noqa: E402
from casesim.play.recorder import AttemptRecorder  # noqa: E402
from casesim.play.session import Session  # noqa: E402
from casesim.records import open_store  # noqa: E402
from casesim.records.api import RecordStore  # noqa: E402
from casesim.records.reports import cohort_report  # noqa: E402
from casesim.scoring.catalog import Catalog, load_catalog  # noqa: E402
from casesim.scoring.engine import score_path  # noqa: E402

SCENARIOS = ROOT / "scenarios"
COHORT = "bench"
AGGREGATE = """SELECT a.scenario_id, e.node, e.choice, count(*) FROM events e
               JOIN attempts a ON a.n = e.attempt_n JOIN trainees t ON t.id = a.trainee_id
               WHERE t.cohort = ? GROUP BY a.scenario_id, e.node, e.choice"""


def _fill(store: RecordStore, catalog: Catalog, trainees: int, only: list[str] | None = None) -> int:
    """Every trainee plays every bundled scenario's expert path (or those in ``only``); returns
    the attempts recorded."""
    library = load_scenarios_by_id([SCENARIOS], catalog, only=only)
    count = 0
    for i in range(trainees):
        trainee = f"trainee-{i:03d}"
        store.upsert_trainee(trainee, f"Trainee {i}", COHORT)
        for loaded in library.values():
            analysis = getattr(loaded, "analysis", None)
            assert analysis is not None
            session = Session(loaded.program, mode="practice")
            recorder = AttemptRecorder.start(store, loaded, session, trainee_id=trainee)
            for step_id in analysis.expert_path:
                if loaded.program.steps[step_id].is_timeout:
                    session.expire_timer()
                else:
                    session.choose(step_id)
                recorder.step()
            recorder.finish(score_path(loaded.program, analysis, catalog, session.path, mode=session.mode))
            session.close()
            count += 1
    return count


def _best(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The best wall-clock time and the best CPU time of this process, over ``repeat`` runs."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        work()
        wall, cpu = min(wall, time.perf_counter() - began), min(cpu, time.process_time() - began_cpu)
    return wall, cpu


def _least(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return min(a[0], b[0]), min(a[1], b[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=None, help="keep the analysis cache here between runs")
    parser.add_argument("--slow", action="store_true", help="also the full analyses and no cache (minutes)")
    parser.add_argument("--only", nargs="+", default=None, metavar="ID", help="only these bundled scenarios")
    options = parser.parse_args()
    catalog = load_catalog(ROOT / "scoring")
    with tempfile.TemporaryDirectory(prefix="casesim-bench-report-") as folder:
        analysis_cache.configure(options.cache or Path(folder) / "cache")
        db = Path(folder) / "records.db"
        store = open_store(db)
        attempts = _fill(store, catalog, options.trainees, options.only)  # also fills the cache

        def report() -> None:  # as `casesim records report cohort` makes it (the collector paused)
            with paused():
                attempts = store.attempts(cohort=COHORT)
                library = load_report_views([SCENARIOS], catalog, only={a.scenario_id for a in attempts})
                cohort_report(store, COHORT, library=library, catalog=catalog, attempts=attempts)

        def report_parsed(summary: bool = True) -> None:  # as before the report views
            wanted = {a.scenario_id for a in store.attempts(cohort=COHORT)}
            library = load_scenarios_by_id([SCENARIOS], catalog, only=wanted, summary=summary)
            cohort_report(store, COHORT, library=library, catalog=catalog)

        played = {a.scenario_id for a in store.attempts(cohort=COHORT)}

        def load_only() -> None:  # the report's loading alone (the attempts it reads for `played` are a query)
            load_report_views([SCENARIOS], catalog, only=played)

        def report_from_yaml() -> None:  # as before the parsed-scenario cache
            wanted = {a.scenario_id for a in store.attempts(cohort=COHORT)}
            library = {e.scenario.id: with_summary(e) for e in load_library([SCENARIOS], catalog).playable
                       if e.scenario.id in wanted}
            cohort_report(store, COHORT, library=library, catalog=catalog)

        queries = [0.0, 0.0]  # wall clock, CPU time

        def timed_queries() -> None:
            """The store's own time inside one warm report (every RecordStore call it makes)."""
            originals = {}
            for name in ("attempts", "trainees", "competency_points", "competency_groups", "decision_paths",
                         "assignments", "cohort_details"):
                method = getattr(store, name)
                originals[name] = method

                def wrapper(*a: object, _m: Callable[..., object] = method, **k: object) -> object:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    try:
                        return _m(*a, **k)
                    finally:
                        queries[0] += time.perf_counter() - began
                        queries[1] += time.process_time() - began_cpu

                setattr(store, name, wrapper)
            try:
                report()
            finally:
                for name in originals:
                    delattr(store, name)

        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        report()  # the report views are written by the first report
        report_parsed()  # and the parsed-scenario entries by the first report from them
        # The aggregate and the warm report run back to back, and the store's share is taken within
        # each report: the speed of a shared virtual machine drifts by a fifth from one second to
        # the next, so ratios of times taken in one run are steadier than ratios of best times.
        sql = warm = best_queries = (float("inf"), float("inf"))
        per_run: list[tuple[float, float]] = []  # (warm report / bare SQL, the store's share), CPU time
        for _ in range(options.repeat):
            aggregate = _best(1, lambda: connection.execute(AGGREGATE, (COHORT,)).fetchall())
            queries[:] = [0.0, 0.0]
            whole = _best(1, timed_queries)
            sql, warm = _least(sql, aggregate), _least(warm, whole)
            best_queries = _least(best_queries, (queries[0], queries[1]))
            per_run.append((whole[1] / aggregate[1], queries[1] / whole[1]))
        loading = _best(options.repeat, load_only)
        parsed = _best(options.repeat, report_parsed)
        yaml = _best(options.repeat, report_from_yaml)
        if options.slow:
            full = _best(1, lambda: report_parsed(summary=False))[0]
            analysis_cache.configure(None)
            uncached = _best(1, lambda: report_parsed(summary=False))[0]
        connection.close()
    scenarios = attempts // max(1, options.trainees)
    print(f"records report cohort: {options.trainees} trainees x {scenarios} scenarios = {attempts} attempts, "
          f"{events} events")
    print(f"{'':<34}{'seconds':>10}{'x SQL':>10}{'CPU s':>10}{'x SQL':>10}")
    for name, (wall, cpu) in (("bare SQL aggregate", sql), ("report, warm report views", warm),
                              ("  of which the store queries", best_queries),
                              ("  of which loading the scenarios", loading), ("report, parsed scenarios", parsed),
                              ("report, scenarios read from YAML", yaml)):
        print(f"{name:<34}{wall:>10.4f}{wall / sql[0]:>10.1f}{cpu:>10.4f}{cpu / sql[1]:>10.1f}")
    for name, i in (("wall clock", 0), ("CPU time", 1)):
        print(f"{name}: warm report / store queries: {warm[i] / best_queries[i]:.2f} (the store's queries are "
              f"{best_queries[i] / warm[i]:.0%} of it); warm report / bare SQL: {warm[i] / sql[i]:.2f}; "
              f"warm report / YAML report: {warm[i] / yaml[i]:.3f}")
    ratios, shares = sorted(r for r, _ in per_run), sorted(share for _, share in per_run)
    print(f"per run, CPU time (median, range over {len(per_run)} runs): warm report / bare SQL "
          f"{statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}); the store's queries "
          f"{statistics.median(shares):.0%} of the report ({shares[0]:.0%}-{shares[-1]:.0%})")
    if options.slow:
        print(f"{'report, warm full analyses':<34}{full:>10.3f}{full / sql[0]:>10.1f}")
        print(f"{'report, no cache':<34}{uncached:>10.3f}{uncached / sql[0]:>10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
