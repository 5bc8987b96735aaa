"""What the audit log costs a report, on a large store, as ratios in one run.

Every report and export now writes one audit entry, through a store opened just for it. This
times, on a generated store (``bench_records_report.generate``: N attempts in 20 cohorts, copied
so the audit entries land in a scratch file):

* one cohort's report (``cohort_report``), the baseline;
* one audit entry written as the CLI writes it (open the store for writing, append, close);
* the same with the whole-file ``quick_check`` a first write otherwise runs, to show why the
  append skips it;
* the store head, and ``store_heads_since`` for a head printed before all the entries (what
  ``records verify --against`` does), after ``--entries`` entries.

    .venv/bin/python benchmarks/bench_audit.py [--attempts 20000] [--entries 2000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_records_report as base  # noqa: E402
from casesim.records.api import AuditEntry  # noqa: E402
from casesim.records.reports import cohort_report  # noqa: E402
from casesim.records.sqlite import SQLiteStore  # noqa: E402


def timed(fn: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=2_000)
    args = parser.parse_args()
    base.OUT.mkdir(parents=True, exist_ok=True)
    source = base.OUT / f"records-{args.attempts}.db"
    if not source.exists():
        base.generate(source, args.attempts)
    path = base.OUT / f"audit-{args.attempts}.db"
    shutil.copyfile(source, path)
    loaded, catalog = base.example()
    library = {"example-check-in": loaded}
    entry = AuditEntry(actor="prof", action="report", cohort="c", trainees=tuple(f"t{i}" for i in range(100)),
                       purpose="benchmark", detail={"command": "report cohort"})
    with SQLiteStore(path, readonly=True) as reader:
        cohort = list(reader.cohorts())[0]
        t_report = timed(lambda: cohort_report(reader, cohort, library=library, catalog=catalog))  # type: ignore[arg-type]

    def append() -> None:
        with SQLiteStore(path) as store:
            store.record_audit(entry)

    def append_checked() -> None:
        with SQLiteStore(path) as store:
            store.damage()  # what a first ordinary write runs before it
            store.record_audit(entry)

    t_append = timed(append)
    t_checked = timed(append_checked)
    with SQLiteStore(path) as store:
        before = store.store_head()
        for _ in range(args.entries):
            store.record_audit(entry)
        t_head = timed(store.store_head)
        t_since = timed(lambda: store.store_heads_since(before), repeat=1)
        found = store.store_heads_since(before)
        entries = len(store.audit_log())
    print(f"store: {args.attempts} attempts; one cohort's report: {t_report:.3f} s (baseline)")
    print(f"  one audit entry, as the CLI writes it:        {t_append:.4f} s  ratio {t_append / t_report:5.3f}")
    print(f"  the same after a whole-file quick_check:      {t_checked:.4f} s  ratio {t_checked / t_report:5.3f}")
    print(f"  store head with {entries} audit entries:      {t_head:.4f} s  ratio {t_head / t_report:5.3f}")
    print(f"  verify --against a head {found} entries old:  {t_since:.4f} s  ratio {t_since / t_report:5.3f}")


if __name__ == "__main__":
    main()
