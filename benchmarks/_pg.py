"""What the PostgreSQL-beside-SQLite benchmarks share (bench_records_pg.py, bench_records_program.py).

Each runs several writer processes at once against a store, first on a database of a real
PostgreSQL server this module starts in a temporary folder (as tests/support/postgres.py does for
the tests), then on an SQLite file, and prints the two side by side. A writer is the same script
started again with ``--worker DB INDEX COUNT START_AT``: it waits for the common start, writes,
and prints one JSON line of what it measured. Not a benchmark itself (run_all.py runs
``bench_*.py`` only). Importing it puts the checkout's src/ and tests/ on ``sys.path``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

__all__ = ["ROOT", "both_backends", "main_or_worker", "percentile", "run_writers", "wait_for_start"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_for_start(start_at: float) -> None:
    """A writer waits here until the common start (a wall-clock time every writer was given), so
    they all write at once whatever each one's import and connection took."""
    while time.time() < start_at:
        time.sleep(0.001)


def run_writers(script: str, db: str, writers: int, count: int, start_at: float) -> list[dict[str, Any]]:
    """Start ``writers`` processes of ``script`` (``--worker db index count start_at``) at once and
    return the JSON line each printed last; a writer that fails stops the benchmark."""
    procs = [subprocess.Popen([sys.executable, script, "--worker", db, str(w), str(count), repr(start_at)],
                              stdout=subprocess.PIPE, text=True) for w in range(writers)]
    results: list[dict[str, Any]] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"a writer failed ({proc.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@contextmanager
def both_backends(tmp_dir: Path | None = None) -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database's URL on a server started for the run, and an SQLite file's path
    (in a temporary folder under ``tmp_dir``, default the system's); both gone afterwards."""
    from support.postgres import PostgresServer

    with PostgresServer() as server, tempfile.TemporaryDirectory(dir=tmp_dir) as tmp:
        yield server.url(server.create_database("bench")), str(Path(tmp) / "bench.db")


def main_or_worker(worker: Callable[[str, int, int, float], None], main: Callable[[], None]) -> None:
    """The script's entry point: a writer (``--worker DB INDEX COUNT START_AT``) or the benchmark."""
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
