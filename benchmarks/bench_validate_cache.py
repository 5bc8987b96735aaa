"""``casesim validate`` of the bundled library with a cold and a warm analysis cache.

Runs the command four times in fresh processes, in one run: with ``--no-cache --jobs 1`` (what
every run cost before the cache and the worker processes), with ``--no-cache`` (files checked in
parallel, one worker per CPU), cold (an empty cache folder: analyse and write every scenario), and
warm (the same folder again: read every analysis back). Wall-clock figures of the parallel runs
only mean something on a machine whose CPUs are otherwise idle. Prints wall-clock and CPU seconds of
each (CPU time is the steadier figure on a busy machine) and the ratios to the ``--no-cache``
run, and checks that the three printed the same diagnostics.

    .venv/bin/python benchmarks/bench_validate_cache.py [PATH ...]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``casesim ARGS`` in a fresh process, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "casesim", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"casesim {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return wall, cpu, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["scenarios"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casesim-bench-cache-") as folder:
        base = ["--cache-dir", folder, "validate"]
        uncached = _run([*base, "--no-cache", "--jobs", "1", *options.paths])
        parallel = _run([*base, "--no-cache", *options.paths])
        cold = _run([*base, *options.paths])
        warm = _run([*base, *options.paths])
        size = sum(f.stat().st_size for f in Path(folder).glob("*.json"))
    same = uncached[2] == parallel[2] == cold[2] == warm[2]
    print(f"casesim validate {' '.join(options.paths)}  (cache files: {size / 1e6:.1f} MB)")
    print(f"{'run':<20}{'wall s':>9}{'cpu s':>9}{'wall ratio':>12}{'cpu ratio':>11}")
    for name, (wall, cpu, _) in (("--no-cache --jobs 1", uncached), ("--no-cache", parallel), ("cold", cold),
                                 ("warm", warm)):
        print(f"{name:<20}{wall:>9.2f}{cpu:>9.2f}{wall / uncached[0]:>12.2f}{cpu / uncached[1]:>11.2f}")
    print(f"warm / cold: wall {warm[0] / cold[0]:.2f}, cpu {warm[1] / cold[1]:.2f}")
    print("same diagnostics in all four runs" if same else "THE RUNS PRINTED DIFFERENT DIAGNOSTICS")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
