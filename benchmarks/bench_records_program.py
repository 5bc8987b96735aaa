"""The audit log under a class's load: 6 processes recording disclosures at once, PostgreSQL beside
SQLite, and ``records verify`` of the resulting store (audit chain included) on both.

Each writer is its own process with its own store (as each instructor's report or export is), and
appends audit entries as fast as it can: every append queues on the audit head (PostgreSQL: the
``audit_count`` row lock; SQLite: the file lock), so this measures the one serial point of the
program's tables. Printed: durable appends per second over the run, p50 / p99 append latency, the
time ``verify`` takes on the store afterwards (40 trainees with one attempt each, plus the log),
and PostgreSQL / SQLite as ratios. The PostgreSQL server is a real one this script starts in a
temporary folder (benchmarks/_pg.py, as tests/support/postgres.py does) and stops at the end.

    .venv/bin/python benchmarks/bench_records_program.py [APPENDS_PER_WRITER]
"""

from __future__ import annotations

import json
import sys
import time

from _pg import both_backends, main_or_worker, percentile, run_writers, wait_for_start

WRITERS = 6
TRAINEES = 40


def worker(db: str, index: int, appends: int, start_at: float) -> None:
    """One writer: print one JSON line of append latencies (seconds) and its end time."""
    from casesim.records import open_store
    from casesim.records.api import AuditEntry

    store = open_store(db)
    latencies: list[float] = []
    wait_for_start(start_at)
    for n in range(appends):
        t = time.perf_counter()
        store.record_audit(AuditEntry(actor=f"prof-{index}", action="report", trainees=(f"t{n % TRAINEES:02d}",),
                                      cohort="c1", purpose="benchmark", detail={"command": "report trainee"}))
        latencies.append(time.perf_counter() - t)
    store.close()
    print(json.dumps({"latencies": latencies, "end": time.time()}))


def fill(db: str) -> None:
    from casesim.records import open_store

    with open_store(db) as store:
        for i in range(TRAINEES):
            tid = f"t{i:02d}"
            store.upsert_trainee(tid, tid.upper(), "c1")
            attempt = store.start_attempt(trainee_id=tid, scenario_id="bench", scenario_version="1.0.0",
                                          content_hash="0" * 64, mode="practice", seed=i, start_node="a")
            store.record_events(attempt, [("choice", {"node": "a", "choice": "x"}), ("node-entered", {"node": "b"})])
            store.finish_attempt(attempt, "left", None)


def run(db: str, appends: int) -> dict[str, float]:
    from casesim.records import open_store

    fill(db)
    start_at = time.time() + 2.0
    results = run_writers(__file__, db, WRITERS, appends, start_at)
    latencies = [x for r in results for x in r["latencies"]]
    wall = max(r["end"] for r in results) - start_at
    with open_store(db, readonly=True) as store:
        t = time.perf_counter()
        problems = store.verify()
        verify_s = time.perf_counter() - t
        entries = len(store.audit_log())
    assert problems == [] and entries == WRITERS * appends, (problems[:3], entries)
    return {"appends_per_s": len(latencies) / wall, "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000, "verify_ms": verify_s * 1000}


def main() -> None:
    appends = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with both_backends() as (pg_url, sqlite_path):
        pg = run(pg_url, appends)
        lite = run(sqlite_path, appends)
    print(f"{WRITERS} writers x {appends} audit appends, then verify ({TRAINEES} trainees + the log)")
    for name, r in (("PostgreSQL", pg), ("SQLite", lite)):
        print(f"  {name:<10} {r['appends_per_s']:7.1f} appends/s  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms"
              f"  verify {r['verify_ms']:7.1f} ms")
    print(f"  PostgreSQL / SQLite: appends/s {pg['appends_per_s'] / lite['appends_per_s']:.2f}, "
          f"p50 {pg['p50_ms'] / lite['p50_ms']:.2f}, p99 {pg['p99_ms'] / lite['p99_ms']:.2f}, "
          f"verify {pg['verify_ms'] / lite['verify_ms']:.2f}")


if __name__ == "__main__":
    main_or_worker(worker, main)
