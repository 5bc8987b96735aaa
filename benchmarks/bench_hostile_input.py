"""Refusing hostile files: how long a refusal takes, as a ratio to loading a good file.

The tests (tests/format/test_hostile_input.py) pin the budgets: the alias expansion stops after
``Limits.max_alias_nodes`` nodes, a file over ``Limits.max_bytes`` is refused from its size
without a byte read, memory stays bounded. This script measures the time those refusals take,
against a baseline measured in the same run: reading and validating the bundled example
scenario (without the path analysis), which is what any load costs at least. A ratio near or
below 1 means a hostile file costs no more than an ordinary one.

    .venv/bin/python benchmarks/bench_hostile_input.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_loader import best_of
from casesim.authoring.pipeline import load_scenario
from casesim.scoring.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "example-check-in.yaml"


def bomb(levels: int) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for i in range(levels):
        text += f"k{i}: &k{i} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = f"k{i}"
    return text


def main() -> int:
    catalog = load_catalog(ROOT / "scoring")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_bomb = folder / "bomb-9.yaml"
        small_bomb.write_text(bomb(9))
        big_bomb = folder / "bomb-30.yaml"
        big_bomb.write_text(bomb(30))
        huge = folder / "huge.yaml"
        with huge.open("wb") as handle:
            handle.write(b"format: 1\n")
            handle.truncate(100 * 1024 * 1024)
        cases = {"alias bomb, 9**10 nodes if expanded": small_bomb, "alias bomb, 9**31 nodes if expanded": big_bomb,
                 "100 MB file (refused by size)": huge}
        for path in cases.values():  # each is refused, or this is not measuring a refusal
            codes = [d.code for d in load_scenario(path, catalog).diagnostics]
            if codes not in (["alias-bomb"], ["file-too-large"]):
                print(f"{path.name}: expected a refusal, got {codes}", file=sys.stderr)
                return 1
        baseline = best_of(lambda: load_scenario(EXAMPLE, catalog, analyse_paths=False), repeat=7)
        print(f"baseline: load + validate {EXAMPLE.name} (no path analysis) {baseline * 1000:.1f} ms")
        for label, path in cases.items():
            took = best_of(lambda path=path: load_scenario(path, catalog), repeat=7)
            print(f"    {label:<40} ratio {took / baseline:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
