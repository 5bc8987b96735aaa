"""A class writing at once: 12 writer processes on 48 trainees, PostgreSQL beside SQLite.

Each writer is its own process with its own store, as each student's casesim (or each ``serve``
session) is. Every writer plays attempts of trainees drawn at random from the 48, so writers
often meet on the same trainee and queue on its row lock (PostgreSQL) or the file lock (SQLite).
An attempt is what the TUI commits: a start, one commit per choice holding the choice and the
node it leads to, and the seal. Every commit is durable when it returns (PostgreSQL:
``synchronous_commit = on`` with fsync; SQLite: WAL with ``synchronous = FULL``).

Printed: durable events per second over the whole run (wall time from the common start to the
last writer's end), and p50 / p99 commit latency, for both backends in the same run on the same
machine, and PostgreSQL / SQLite as ratios. The PostgreSQL server is a real one this script starts
in a temporary folder (benchmarks/_pg.py, as tests/support/postgres.py does for the tests) and stops at
the end.

    .venv/bin/python benchmarks/bench_records_pg.py [ATTEMPTS_PER_WRITER]
"""

from __future__ import annotations

import json
import random
import sys
import time

from _pg import ROOT, both_backends, main_or_worker, percentile, run_writers, wait_for_start

WRITERS = 12
TRAINEES = 48
CHOICES = 6
PAYLOAD = {"node": "how-are-you", "choice": "reflect-tiredness", "seconds": 12.345,
           "state": {"node": "ask-screen", "vars": {"rapport": 6, "distress": 5, "limits_explained": True,
                                                   "plan_points": 0},
                     "visited": ["opening", "role-and-limits", "how-are-you", "ask-screen"],
                     "chosen": ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness"]}}


def worker(db: str, index: int, attempts: int, start_at: float) -> None:
    """One writer: print one JSON line of commit latencies (seconds), events written and end time."""
    from casesim.records import open_store

    rng = random.Random(index)
    store = open_store(db)
    latencies: list[float] = []
    events = 0
    wait_for_start(start_at)
    for _ in range(attempts):
        trainee = f"trainee-{rng.randrange(TRAINEES):02d}"
        t = time.perf_counter()
        attempt = store.start_attempt(trainee_id=trainee, scenario_id="bench", scenario_version="1.0.0",
                                      content_hash="h" * 64, mode="practice", seed=index, start_node="opening")
        latencies.append(time.perf_counter() - t)
        for _ in range(CHOICES):
            t = time.perf_counter()
            store.record_events(attempt, [("choice", PAYLOAD), ("node-entered", {"node": "ask-screen"})])
            latencies.append(time.perf_counter() - t)
            events += 2
        t = time.perf_counter()
        store.finish_attempt(attempt, "left", None)
        latencies.append(time.perf_counter() - t)
    store.close()
    print(json.dumps({"latencies": latencies, "events": events, "end": time.time()}), flush=True)


def run(db: str, attempts: int) -> tuple[float, list[float], int]:
    """All writers at once against ``db``: (durable events per second, commit latencies, events)."""
    from casesim.records import open_store

    with open_store(db) as store:  # create the store and the trainees first: the run measures recording
        for i in range(TRAINEES):
            store.upsert_trainee(f"trainee-{i:02d}", f"Trainee {i}", "bench")
    start_at = time.time() + 4.0  # every writer has imported casesim and connected by then
    latencies: list[float] = []
    events = 0
    end = start_at
    for result in run_writers(__file__, db, WRITERS, attempts, start_at):
        latencies.extend(result["latencies"])
        events += int(result["events"])
        end = max(end, float(result["end"]))
    with open_store(db, readonly=True) as store:
        problems = store.verify()
        if problems:
            raise SystemExit(f"the store does not verify after the run: {problems[0].message}")
        if sum(t.attempt_count for t in store.trainees()) != WRITERS * attempts:
            raise SystemExit("attempts were lost")
    return events / (end - start_at), latencies, events


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"{WRITERS} writer processes on {TRAINEES} trainees, {attempts} attempts each "
          f"({CHOICES} choice commits + start + seal per attempt); durable commits on both sides")
    results: dict[str, tuple[float, list[float], int]] = {}
    with both_backends(ROOT / "benchmarks") as (pg_url, sqlite_path):
        results["PostgreSQL"] = run(pg_url, attempts)
        results["SQLite"] = run(sqlite_path, attempts)
    for label, (rate, latencies, events) in results.items():
        print(f"  {label:<10} {rate:7.0f} events/s ({events} events, {len(latencies)} commits)  "
              f"p50 {percentile(latencies, 0.5) * 1000:6.1f} ms  p99 {percentile(latencies, 0.99) * 1000:6.1f} ms")
    pg, lite = results["PostgreSQL"], results["SQLite"]
    print(f"  PostgreSQL / SQLite: events/s {pg[0] / lite[0]:.2f}  "
          f"p50 {percentile(pg[1], 0.5) / percentile(lite[1], 0.5):.2f}  "
          f"p99 {percentile(pg[1], 0.99) / percentile(lite[1], 0.99):.2f}")


if __name__ == "__main__":
    main_or_worker(worker, main)
