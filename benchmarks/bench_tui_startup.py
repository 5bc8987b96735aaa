"""Start-up: ``casesim`` (the library, run as the command runs it) against a bare Textual hello-world.

Each sample is a fresh interpreter (``python -c``), hello-world and casesim alternating so both
see the same machine load. The clock starts at the program's first line (interpreter boot is the
same for both and left out). For casesim the program calls the real entry point,
``casesim.launch.main([])`` (what the console script calls): importing the CLI, resolving the settings, opening the records
database, building the app; ``App.run`` is only made headless at 80×24 with a pilot. Two times
are taken from the frames the app hands its driver (``App._display``):

* **first frame**: the first frame drawn (the library's layout, "Loading the scenario library…");
* **list filled**: the first frame drawn once the library screen holds its list.

Each casesim sample has its own data folder and database (a first start: no trainee remembered
yet, no records);
the cache folder (the analysis cache and the library listing, :mod:`casesim.play.library_index`)
is shared and warmed once before timing, as on any start after the first. ``--cold`` also times
starts with an empty cache folder each time (the very first start, or after a change to the
scenarios). ``--trainee`` also times a returning trainee: a remembered name (``trainee.json``) and
the records database they used before, one for every sample, made by the untimed warm-up start.
With a trainee the list waits for the records (it lists their attempts in progress and how they
stand with each scenario); with none it does not (there is nothing of theirs to list), and the
records open once the list is drawn. ``--baseline SRC`` times another source tree (say a checkout of main's ``src``) in the
same run, interleaved, for a before/after on the same machine load.

Both programs run from compiled bytecode, as an installed program does (pip compiles a package's
modules when it installs it): every sample shares one bytecode folder (``PYTHONPYCACHEPREFIX``, a
temporary folder, so the source tree is left alone), filled by an untimed run of each program
first. Without it, a shell with ``PYTHONDONTWRITEBYTECODE`` set made casesim compile each of its
own modules from source on every start (half a second here), while Textual's came compiled from
its install: the ratio measured the compiler, not the start-up.

Prints medians and the ratios to the hello-world's median, then the median (and range) of each
casesim sample's ratio to the hello-world sample run just before it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9
PYCACHE = ""  # the shared bytecode folder, set by main()

FRAME_HOOK = '''
import time as _t
import textual.app as _textual_app
_frames = []
_marks = {}
_display = _textual_app.App._display
def _hooked_display(self, screen, renderable):
    if renderable is not None:
        now = _t.perf_counter()
        _frames.append(now)
        if "listed" not in _marks and getattr(self.screen, "library", None) is not None:
            _marks["listed"] = now
            self.exit()
    _display(self, screen, renderable)
_textual_app.App._display = _hooked_display
'''

HELLO = f'''
import time; T0 = time.perf_counter()
{FRAME_HOOK}
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Hello, world")
app = Hello()
async def pilot(p):
    await p.pause()
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=pilot)
import json; print(json.dumps({{"frame": _frames[0] - T0}}))
'''

CASESIM = f'''
import time; T0 = time.perf_counter()
{FRAME_HOOK}
_run = _textual_app.App.run
def _headless_run(self, **kwargs):
    async def pilot(p):
        pass  # the frame hook exits once the list is drawn
    return _run(self, headless=True, size=(80, 24), auto_pilot=pilot)
_textual_app.App.run = _headless_run
try:
    from casesim.launch import main
except ImportError:  # a --baseline tree from before the entry point moved
    from casesim.cli.main import main
code = main([])
import json; print(json.dumps({{"code": code, "frame": _frames[0] - T0, "listed": _marks["listed"] - T0}}))
'''


def run(code: str, env: dict[str, str] | None = None) -> dict[str, float]:
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**base, "PYTHONPYCACHEPREFIX": PYCACHE, **(env or {})}, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"a sample failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    if result.get("code", 0) != 0:
        raise SystemExit(f"casesim exited with {result['code']}:\n{out.stderr[-2000:]}")
    return result


def casesim_env(tmp: Path, i: int | str, cache: Path, src: Path | None) -> dict[str, str]:
    env = {"CASESIM_DATA": str(tmp / f"data-{i}"), "CASESIM_DB": str(tmp / f"records-{i}.db"),
           "CASESIM_CACHE_DIR": str(cache), "CASESIM_SCENARIOS": str(ROOT / "scenarios"),
           "CASESIM_SCORING": str(ROOT / "scoring")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def slug(name: str) -> str:
    return name.replace(", ", "-").replace(" ", "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--cold", action="store_true", help="also time starts with an empty cache folder")
    parser.add_argument("--trainee", action="store_true",
                        help="also time a returning trainee (a remembered name and their records)")
    parser.add_argument("--baseline", type=Path, default=None, metavar="SRC",
                        help="also time casesim from this source folder (e.g. main's src), interleaved")
    args = parser.parse_args()
    # (name, source folder, empty cache each time, returning trainee)
    variants: list[tuple[str, Path | None, bool, bool]] = [("casesim", None, False, False)]
    if args.cold:
        variants.append(("casesim, empty cache", None, True, False))
    baseline = args.baseline.resolve() if args.baseline is not None else None
    if baseline is not None:
        variants.append(("baseline", baseline, False, False))
    if args.trainee:
        variants.append(("casesim, trainee", None, False, True))
        if baseline is not None:
            variants.append(("baseline, trainee", baseline, False, True))
    hello: list[float] = []
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _, _, _ in variants}
    global PYCACHE
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        PYCACHE = str(tmp / "pycache")
        run(HELLO)  # untimed: compiles Textual's modules into the shared bytecode folder
        for name, src, cold, trainee in variants:
            if trainee:  # their name remembered; the warm-up start below creates their records
                data = tmp / f"data-{slug(name)}"
                data.mkdir()
                (data / "trainee.json").write_text(json.dumps({"name": "Ann", "tour_done": True}), encoding="utf-8")
            if not cold:  # warm the shared cache once, untimed
                run(CASESIM, casesim_env(tmp, slug(name) if trainee else -1, tmp / f"cache-{name}", src))
        for i in range(args.runs):
            hello.append(run(HELLO)["frame"])
            for name, src, cold, trainee in variants:
                cache = tmp / (f"cold-{i}" if cold else f"cache-{name}")
                result = run(CASESIM, casesim_env(tmp, slug(name) if trainee else i, cache, src))
                times[name][0].append(result["frame"])
                times[name][1].append(result["listed"])
    h = statistics.median(hello)
    print(f"start-up (headless, 80x24), median of {args.runs} fresh processes each, interleaved", file=sys.stderr)
    print(f"  Textual hello-world, first frame: {h * 1000:7.1f} ms", file=sys.stderr)
    for name, (frame, listed) in times.items():
        f, lst = statistics.median(frame), statistics.median(listed)
        print(f"  {name + ':':22} first frame {f * 1000:7.1f} ms   list filled {lst * 1000:7.1f} ms", file=sys.stderr)
    for name, (frame, listed) in times.items():
        f, lst = statistics.median(frame), statistics.median(listed)
        print(f"ratio {name}/hello-world: first frame {f / h:.2f}x   library listed {lst / h:.2f}x")
    # Each casesim sample against the hello-world run just before it: a shared virtual machine's speed
    # drifts by a fifth from one second to the next, which moves a ratio of medians taken over a
    # minute more than it moves these.
    for name, (frame, listed) in times.items():
        by_frame = sorted(c / hw for c, hw in zip(frame, hello, strict=True))
        by_list = sorted(c / hw for c, hw in zip(listed, hello, strict=True))
        print(f"per pair {name}/hello-world (median, range): first frame {statistics.median(by_frame):.2f}x "
              f"({by_frame[0]:.2f}-{by_frame[-1]:.2f})   library listed {statistics.median(by_list):.2f}x "
              f"({by_list[0]:.2f}-{by_list[-1]:.2f})")


if __name__ == "__main__":
    main()
