"""Loader and analysis benchmarks: ratios measured in one run (absolute times are noisy).

(a) load + validate of a generated 5,000-node scenario, and of the whole scenarios/ folder,
    against a bare ``yaml.load`` with ``CSafeLoader`` on the same bytes (aim: <= 1.5x), in CPU
    time, the two measured alternately: on a shared machine wall time measures the neighbours;
(b) analysis throughput in states per second on a generated scenario with several variables,
    and the time ratio between 1,000 and 10,000 nodes (close to 10 means linear growth);
(c) the CPU time of the full analysis of each bundled scenario as scoring needs it, every
    criterion's extremes included.

``python benchmarks/bench_loader.py bundled`` runs (c) only.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casesim.authoring.pipeline import load_scenario_bytes
from casesim.scoring.catalog import load_catalog
from casesim.semantics.explore import analyse
from casesim.semantics.program import compile_program
from generate import generated_scenario

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times)


def ratio_of(bare: Callable[[], object], checked: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """The best CPU time of each, run alternately so a busy spell on the machine hits both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, into in ((bare, times[0]), (checked, times[1])):
            started = time.process_time()
            fn()
            into.append(time.process_time() - started)
    return min(times[0]), min(times[1])


def main() -> None:
    catalog = load_catalog(ROOT / "scoring")
    big = generated_scenario(5000).encode()
    bare, checked = ratio_of(lambda: yaml.load(big, Loader=yaml.CSafeLoader),
                             lambda: load_scenario_bytes(big, "gen.yaml", catalog, analyse_paths=False))
    full = best_of(lambda: load_scenario_bytes(big, "gen.yaml", catalog), repeat=3)
    print(f"(a) 5,000-node scenario ({len(big) / 1e6:.1f} MB): bare CSafeLoader {bare * 1000:.0f} ms CPU")
    print(f"    load + validate (shape, names, expressions)      ratio {checked / bare:.2f}x (aim <= 1.5x)")
    print(f"    load + validate + full path analysis and lint     ratio {full / bare:.2f}x")

    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    blobs = [(p.name, p.read_bytes()) for p in files]
    bare_lib, checked_lib = ratio_of(lambda: [yaml.load(b, Loader=yaml.CSafeLoader) for _, b in blobs],
                                     lambda: [load_scenario_bytes(b, n, catalog, analyse_paths=False) for n, b in blobs])
    full_lib = best_of(lambda: [load_scenario_bytes(b, n, catalog) for n, b in blobs], repeat=1)
    print(f"(a) scenarios/ folder ({len(files)} files): bare CSafeLoader {bare_lib * 1000:.0f} ms")
    print(f"    load + validate                                   ratio {checked_lib / bare_lib:.2f}x")
    print(f"    load + validate + analysis and lint               ratio {full_lib / bare_lib:.2f}x")

    rates = []
    times = {}
    for n in (1000, 10000):
        loaded = load_scenario_bytes(generated_scenario(n, variables=2).encode(), "gen.yaml", catalog, analyse_paths=False)
        assert loaded.model is not None
        program = compile_program(loaded.model)
        runs = []
        states = 0
        for _ in range(3):
            started = time.process_time()
            result = analyse(program)
            runs.append(time.process_time() - started)
            states = result.state_count
        times[n] = statistics.median(runs)
        rates.append(states / times[n])
        print(f"(b) {n:>6,} nodes, 3 variables: {states:,} states, {states / times[n]:,.0f} states/s (CPU)")
    print(f"(b) time ratio 10,000 / 1,000 nodes: {times[10000] / times[1000]:.1f} (10 = linear)")


def bundled() -> None:
    """(c): CPU time, not wall time: the analysis is single-threaded, and CPU time is what stays
    comparable on a shared machine."""
    catalog = load_catalog(ROOT / "scoring")
    overall = 0.0
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        loaded = load_scenario_bytes(path.read_bytes(), path.name, catalog, analyse_paths=False)
        assert loaded.scenario is not None
        program = compile_program(loaded.scenario, catalog.protocols)
        started = time.process_time()
        result = analyse(program)
        extremes = result.extremes  # every criterion, as score_path reads them
        cpu = time.process_time() - started
        overall += cpu
        print(f"(c) {path.stem:<34} {result.state_count:>8,} states {len(extremes) - 1:>3} criteria  "
              f"analysis with every criterion's extremes {cpu:6.2f} s CPU")
    print(f"(c) all bundled scenarios: {overall:.1f} s CPU")


if __name__ == "__main__":
    if sys.argv[1:] == ["bundled"]:
        bundled()
    else:
        main()
        bundled()
