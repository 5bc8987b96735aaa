"""The live class view's costs: a change check, and a read of the class, beside the cohort report
an instructor would otherwise re-run under ``watch -n 10`` (ux review §4).

Builds (into a temporary folder) one store per class size: the watched cohort of N trainees and
another cohort of the same size, each trainee with two finished attempts and one in progress on
the example scenario, recorded through the real session layer. Then prints, per size:

* a change check with nothing committed (``ClassWatch.changed``, what the view does every second),
* a read of the class with the item analysis (what it does after a commit), and
* ``report cohort`` (roster and item analysis) for the same cohort,

as ratios to the read, so the figures mean the same on a busy machine.

With ``--backend postgresql`` (or ``both``) the same store is copied (``migrate_store``) into a
database on a PostgreSQL server started in a temporary folder (as the tests start one) and
measured there too: the check is then a round trip on the view's LISTEN connection.

    .venv/bin/python benchmarks/bench_class_watch.py [--sizes 25,120,400] [--backend both]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from casesim.authoring.pipeline import require_scenario  # noqa: E402
from casesim.play.recorder import AttemptRecorder  # noqa: E402
from casesim.play.session import Session  # noqa: E402
from casesim.records.api import RecordStore  # noqa: E402
from casesim.records.class_watch import ClassWatch  # noqa: E402
from casesim.records.reports import cohort_report  # noqa: E402
from casesim.records.sqlite import SQLiteStore  # noqa: E402
from casesim.scoring.catalog import load_catalog  # noqa: E402
from casesim.scoring.engine import score_path  # noqa: E402


def build(path: Path, size: int) -> None:
    catalog = load_catalog(ROOT / "scoring")
    loaded = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", catalog)
    assert loaded.analysis is not None
    rng = random.Random(size)
    with SQLiteStore(path, synchronous="OFF") as store:
        for cohort in ("watched", "other"):
            for i in range(size):
                tid = f"{cohort}-{i:04d}"
                store.upsert_trainee(tid, tid, cohort)
                for attempt in range(3):
                    session = Session(loaded.program, mode=rng.choice(["practice", "assessment"]))
                    recorder = AttemptRecorder.start(store, loaded, session, trainee_id=tid)
                    for _ in range(rng.randint(2, 8) if attempt == 2 else 99):
                        if session.finished:
                            break
                        step = rng.choice([s.id for s in session.open_choices()])
                        session.choose(step)
                        recorder.step()
                    if attempt < 2:
                        if session.finished:
                            recorder.finish(score_path(loaded.program, loaded.analysis, catalog, session.path,
                                                       mode=session.mode))
                        else:
                            recorder.leave()
                    session.close()


def timed(fn: object, repeat: int) -> float:
    """The median seconds of ``repeat`` calls."""
    assert callable(fn)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,120,400")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "scoring")
    loaded = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", catalog)
    library = {loaded.scenario.id: loaded}
    server = None
    if args.backend != "sqlite":
        sys.path.insert(0, str(ROOT / "tests"))
        from support.postgres import PostgresServer

        server = PostgresServer().start()
    print(f"{'backend':>10}  {'trainees':>8}  {'check':>10}  {'read':>9}  {'report':>9}  {'read/check':>10}  "
          f"{'report/read':>11}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            for size in (int(s) for s in args.sizes.split(",")):
                path = Path(folder) / f"class-{size}.db"
                build(path, size)
                stores: list[tuple[str, RecordStore]] = []
                if args.backend != "postgresql":
                    stores.append(("sqlite", SQLiteStore(path, readonly=True)))
                if server is not None:
                    from casesim.database_url import DatabaseUrl
                    from casesim.records.postgres import PostgresStore
                    from casesim.records.postgres.migrate import migrate_store

                    url = DatabaseUrl(server.url(server.create_database("watch")))
                    migrate_store(path, url)
                    stores.append(("postgresql", PostgresStore(url, readonly=True)))
                for backend, store in stores:
                    with store, ClassWatch(store, "watched", library) as watch:
                        view = watch.read()
                        assert len(view.now.trainees) == size and view.items is not None
                        check = timed(watch.changed, 2000 if backend == "sqlite" else 300)
                        read = timed(watch.read, 15)
                        report = timed(lambda s=store: cohort_report(s, "watched", library=library,
                                                                     catalog=catalog), 5)
                    print(f"{backend:>10}  {size:>8}  {check * 1e6:>8.1f}µs  {read * 1e3:>7.1f}ms  "
                          f"{report * 1e3:>7.1f}ms  {read / check:>10.0f}  {report / read:>11.1f}", flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
