"""A state space that would explode: how long `casesim validate` takes to refuse it, and its memory.

Issue 11's acceptance figure: `validate` of a 40-line file with six 0..20 counters in a loop
answers "too large" within 10 seconds and under 500 MB (it used to explore for 40-77 s and
2 GB, then pass with a warning). Measured as a user runs it, in a fresh process, against the
same command on the bundled example in the same run (interpreter start-up and imports are
most of both).

    .venv/bin/python benchmarks/bench_state_space.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTERS = ROOT / "tests" / "data" / "broken" / "state-space-too-large.yaml"
EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"
_CHILD = (
    "import resource, sys\n"
    "from casesim.cli.main import main\n"
    "code = main(['validate', sys.argv[1]])\n"
    "print('peak-kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
"""`casesim validate PATH` in a fresh interpreter that reports its own peak resident memory
(RUSAGE_CHILDREN would give the largest of every child this process ever waited for)."""


def validate(path: Path) -> tuple[float, int, str]:
    """Seconds and peak resident KiB of `casesim validate PATH` in a child process, and its output."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    seconds = time.perf_counter() - began
    return seconds, int(done.stderr.split("peak-kib ")[1].split()[0]), done.stdout


def main() -> int:
    base_s, base_kib, _ = validate(EXAMPLE)
    counters_s, peak_kib, out = validate(COUNTERS)
    refused = "[state-space-too-large]" in out
    print(f"validate example-check-in:             {base_s:6.2f} s, peak RSS {base_kib / 1024:.0f} MB")
    print(f"validate six 0..20 counters (refused): {counters_s:6.2f} s  "
          f"({counters_s / base_s:.2f}x the example), peak RSS {peak_kib / 1024:.0f} MB, "
          f"refused: {refused}")
    ok = refused and counters_s < 10 and peak_kib < 500 * 1024
    print("within issue 11's budget (10 s, 500 MB):", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
