"""A state space that would explode: how long `casesim validate` takes to refuse it, and its memory.

Issue 11's acceptance figure: `validate` of a 40-line file with six 0..20 counters in a loop
answers "too large" within 10 seconds and under 500 MB (it used to explore for 40-77 s and
2 GB, then pass with a warning). Measured as a user runs it, in a fresh process, against the
same command on the bundled example in the same run (interpreter start-up and imports are
most of both).

Then the live-variable merge (:mod:`casesim.semantics.liveness`): every bundled scenario
analysed with and without it, in this process, with the states kept and the CPU seconds of
each, and their ratios. The unmerged runs get a budget large enough to finish (the ER intake
needs about 1.2 million states without the merge), so the figures compare complete analyses.

    .venv/bin/python benchmarks/bench_state_space.py             # both parts
    .venv/bin/python benchmarks/bench_state_space.py --library   # only the merge comparison
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


def library() -> int:
    """States and CPU seconds of every bundled scenario's analysis without and with the merge."""
    from casesim.authoring.pipeline import load_scenario
    from casesim.bundled import frameworks_dir, scenarios_dir
    from casesim.scoring.catalog import load_catalog
    from casesim.semantics.explore import Budget, analyse

    catalog = load_catalog(frameworks_dir())
    roomy = Budget(states=6_000_000, seconds=1800, memory_bytes=6 * 1024**3)
    print(f"{'scenario':38s} {'states before':>13s} {'after':>8s} {'ratio':>7s}  "
          f"{'CPU s before':>12s} {'after':>7s} {'ratio':>6s}")
    totals = [0, 0, 0.0, 0.0]
    same = True
    for path in sorted(scenarios_dir().glob("*.yaml")):
        report = load_scenario(path, catalog, analyse_paths=False)
        assert report.playable is not None, path
        program = report.playable.program
        runs = []
        for merge in (False, True):
            began = time.process_time()
            analysis = analyse(program, merge=merge, budget=roomy)
            runs.append((analysis, time.process_time() - began))
        (plain, plain_s), (merged, merged_s) = runs
        same = same and plain.complete and merged.complete and (plain.extremes, plain.expert_path, plain.path_count) == (
            merged.extremes, merged.expert_path, merged.path_count)
        print(f"{program.scenario.id:38s} {plain.state_count:13,d} {merged.state_count:8,d} "
              f"{plain.state_count / merged.state_count:6.1f}x  {plain_s:12.2f} {merged_s:7.2f} "
              f"{plain_s / max(merged_s, 1e-6):5.1f}x")
        totals = [totals[0] + plain.state_count, totals[1] + merged.state_count, totals[2] + plain_s, totals[3] + merged_s]
        del plain, merged, runs
    print(f"{'whole library':38s} {totals[0]:13,d} {totals[1]:8,d} {totals[0] / totals[1]:6.1f}x  "
          f"{totals[2]:12.2f} {totals[3]:7.2f} {totals[2] / totals[3]:5.1f}x")
    print("same extremes, expert paths and path counts with and without the merge:", "yes" if same else "NO")
    return 0 if same else 1


def main() -> int:
    if "--library" in sys.argv[1:]:
        return library()
    base_s, base_kib, _ = validate(EXAMPLE)
    counters_s, peak_kib, out = validate(COUNTERS)
    refused = "[state-space-too-large]" in out
    print(f"validate example-check-in:             {base_s:6.2f} s, peak RSS {base_kib / 1024:.0f} MB")
    print(f"validate six 0..20 counters (refused): {counters_s:6.2f} s  "
          f"({counters_s / base_s:.2f}x the example), peak RSS {peak_kib / 1024:.0f} MB, "
          f"refused: {refused}")
    ok = refused and counters_s < 10 and peak_kib < 500 * 1024
    print("within issue 11's budget (10 s, 500 MB):", "yes" if ok else "NO")
    merged_ok = library() == 0
    return 0 if ok and merged_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
