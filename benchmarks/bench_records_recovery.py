"""Starting again after a SIGKILL: time to "ready", as a ratio to a start on a closed store.

A casesim process killed while recording leaves a WAL to recover and an attempt to resume.
The test (tests/records/test_records_processes.py) checks that nothing recorded is lost; this
script measures what the recovery costs. Each round starts the records test driver on one
database, lets it record for a random moment and kills it (SIGKILL). Then, every other round,
a separate process opens and closes the store cleanly first (not timed), so the next start
finds a closed store; the other rounds start straight on the killed one's leftovers. Both
resume the attempt in progress. The time from launch to the driver's "ready" line is compared
between the two, interleaved in the same run: a ratio near 1 means a crash costs nothing extra
to recover from.

    .venv/bin/python benchmarks/bench_records_recovery.py [ROUNDS]
"""

from __future__ import annotations

import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "support" / "records_driver.py"
CLOSE = "import sys; from casesim.records import open_store; open_store(sys.argv[1]).close()"


def start(db: Path, seed: int) -> tuple[subprocess.Popen[str], float]:
    """Launch the driver; return it and the seconds until it printed "ready"."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(DRIVER), "play", str(db), "bench", str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.startswith("resumed"):
        line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise SystemExit(f"the driver did not start: {proc.communicate()[1]}")
    return proc, time.perf_counter() - started


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    rng = random.Random(1)
    after: dict[str, list[float]] = {"kill": [], "closed": []}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        proc, _ = start(db, 0)  # the first start creates the store; not measured
        for n in range(rounds * 2):
            how = "kill" if n % 2 == 0 else "closed"
            time.sleep(rng.uniform(0.05, 0.25))  # let it record something first
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            if how == "closed":
                subprocess.run([sys.executable, "-c", CLOSE, str(db)], check=True)
            proc, took = start(db, n + 1)
            after[how].append(took)
        proc.kill()
        proc.communicate()
    kill, stop = statistics.median(after["kill"]), statistics.median(after["closed"])
    print(f"baseline: start and resume on a cleanly closed store, median of {rounds}: {stop * 1000:.0f} ms")
    print(f"    start, recover and resume after SIGKILL           ratio {kill / stop:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
