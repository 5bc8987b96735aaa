"""Recording a choice durably: p50 and p99 against a bare sqlite3 INSERT + COMMIT.

Both sides run in this process on the same disk, interleaved commit by commit, in WAL mode with synchronous=FULL (what the
store uses), then with synchronous=NORMAL for comparison. The store's side is what the TUI does
after each choice: one commit holding the choice (with its state snapshot, hash-chained) and the
node it leads to. The bare side inserts one row of the same size and commits. A third side is
the store with its xAPI outbox on (``casesim lrs enable``): the same commit also builds the
choice's ``answered`` statement against the bundled example scenario and queues it; the ratio
"outbox on / off" is the price of queuing statements in the event's own transaction.

    .venv/bin/python benchmarks/bench_records_write.py [N]
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from casesim.authoring.pipeline import Playable, require_scenario  # noqa: E402
from casesim.records.api import OutboxSettings  # noqa: E402
from casesim.records.outbox import remember_scenario  # noqa: E402
from casesim.records.sqlite import SQLiteStore  # noqa: E402
from casesim.scoring.catalog import load_catalog  # noqa: E402

PAYLOAD = {"node": "how-are-you", "choice": "reflect-tiredness", "seconds": 12.345,
           "state": {"node": "ask-screen", "vars": {"rapport": 6, "distress": 5, "limits_explained": True,
                                                   "plan_points": 0},
                     "visited": ["opening", "role-and-limits", "how-are-you", "ask-screen"],
                     "chosen": ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness"]}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def example() -> Playable:
    scenario = require_scenario(ROOT / "scenarios" / "example-check-in.yaml", load_catalog(ROOT / "scoring"))
    remember_scenario(scenario)
    return scenario


def bench(folder: Path, n: int, synchronous: str,
          scenario: Playable) -> tuple[list[float], list[float], list[float]]:
    """Store, bare and outbox commits interleaved, so all see the same disk and the same noise."""
    import json

    store = SQLiteStore(folder / f"store-{synchronous}.db", synchronous=synchronous)  # type: ignore[arg-type]
    outbox = SQLiteStore(folder / f"outbox-{synchronous}.db", synchronous=synchronous)  # type: ignore[arg-type]
    outbox.configure_outbox(OutboxSettings("https://sim.example.edu", "https://sim.example.edu"))
    outbox_times: list[float] = []
    outbox_attempt = ""
    conn = sqlite3.connect(folder / f"bare-{synchronous}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, attempt TEXT, kind TEXT, at TEXT, "
                 "payload TEXT)")
    text = json.dumps(PAYLOAD)
    store_times: list[float] = []
    bare_times: list[float] = []
    attempt = ""
    for i in range(n):
        if i % 40 == 0:  # a new attempt now and then, as in class
            attempt = store.start_attempt(trainee_id="t", scenario_id="s", scenario_version="1.0.0",
                                          content_hash="h" * 64, mode="practice", seed=0, start_node="opening")
            outbox_attempt = outbox.start_attempt(
                trainee_id="t", scenario_id=scenario.scenario.id, scenario_version=scenario.scenario.version,
                content_hash=scenario.content_hash, mode="practice", seed=0, start_node="opening")
        start = time.perf_counter()
        store.record_events(attempt, [("choice", PAYLOAD), ("node-entered", {"node": "ask-screen"})])
        store_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events(attempt, kind, at, payload) VALUES (?, ?, ?, ?)",
                     ("a" * 36, "choice", "2026-11-22T10:00:00.000000Z", text))
        conn.execute("COMMIT")
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        outbox.record_events(outbox_attempt, [("choice", PAYLOAD), ("node-entered", {"node": "ask-screen"})])
        outbox_times.append(time.perf_counter() - start)
    queued = outbox.outbox_counts().pending
    assert queued >= n, f"the outbox store queued {queued} statements for {n} choices"
    store.close()
    outbox.close()
    conn.close()
    return store_times, bare_times, outbox_times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks") as tmp:
        folder = Path(tmp)
        print(f"durable choice recording, {n} commits each (ms; ratio = store / bare, same run)")
        results = {}
        scenario = example()
        for sync in ("FULL", "NORMAL"):
            bench(folder, 20, sync, scenario)  # warm up
            store, bare, outbox = bench(folder, n, sync, scenario)
            results[sync] = (store, bare)
            for label, q in (("p50", 0.50), ("p99", 0.99)):
                s, b = percentile(store, q) * 1000, percentile(bare, q) * 1000
                print(f"  synchronous={sync:<6} {label}: store {s:7.3f}  bare {b:7.3f}  ratio {s / b:5.2f}")
            print(f"  synchronous={sync:<6} mean: store {statistics.mean(store) * 1000:7.3f}  "
                  f"bare {statistics.mean(bare) * 1000:7.3f}")
            for label, q in (("p50", 0.50), ("p99", 0.99)):
                o, s = percentile(outbox, q) * 1000, percentile(store, q) * 1000
                print(f"  synchronous={sync:<6} {label}: outbox on {o:7.3f}  off {s:7.3f}  ratio {o / s:5.2f}")
        full, normal = results["FULL"][0], results["NORMAL"][0]
        print(f"  the store's FULL / NORMAL p50 ratio: {percentile(full, 0.5) / percentile(normal, 0.5):.2f} "
              "(the price of surviving a power cut)")


if __name__ == "__main__":
    main()
