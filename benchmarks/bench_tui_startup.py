"""Start-up to first frame: casesim (the library, as ``casesim`` opens it) against a bare
Textual hello-world. Each run is a fresh interpreter; the clock starts at the first line of the
program (interpreter boot is the same for both and left out) and stops at the app's first frame.
casesim's time includes importing casesim, loading the framework catalog, opening the records
database and building the app. It also reports when the library list is filled (the scenario
files are read in a worker thread after the first frame). Prints medians and their ratio.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9

FRAME_HOOK = '''
import time as _t
_frames = []
def _hook(app):
    original = app._display
    def display(screen, renderable):
        if renderable is not None and not _frames:
            _frames.append(_t.perf_counter())
        original(screen, renderable)
    app._display = display
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
_hook(app)
async def pilot(p):
    await p.pause()
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=pilot)
import json; print(json.dumps({{"frame": _frames[0] - T0}}))
'''

CASESIM = f'''
import time; T0 = time.perf_counter()
{FRAME_HOOK}
import sys
from casesim.cli.main import cli
from casesim.cli.authoring import load_catalog_for
from casesim.records import open_store
from casesim.settings import resolve_settings
from casesim.tui import OpenLibrary, make_app
from casesim.play.trainee import load_trainee
settings = resolve_settings(db=sys.argv[1])
catalog = load_catalog_for(settings)
store = open_store(settings.db)
app = make_app(catalog=catalog, library_paths=[settings.scenarios_dir], store=store,
               trainee=load_trainee(None), start=OpenLibrary())
_hook(app)
listed = []
async def pilot(p):
    await app.workers.wait_for_complete()
    listed.append(time.perf_counter())
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=pilot)
store.close()
import json; print(json.dumps({{"frame": _frames[0] - T0, "listed": listed[0] - T0}}))
'''


def run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    hello: list[float] = []
    frame: list[float] = []
    listed: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            hello.append(run(HELLO)["frame"])
            result = run(CASESIM, str(Path(tmp) / f"records-{i}.db"))
            frame.append(result["frame"])
            listed.append(result["listed"])
    h, f, lst = statistics.median(hello), statistics.median(frame), statistics.median(listed)
    print(f"start-up to first frame (headless, 80x24), median of {RUNS} fresh processes", file=sys.stderr)
    print(f"  Textual hello-world:       {h * 1000:7.1f} ms", file=sys.stderr)
    print(f"  casesim library:           {f * 1000:7.1f} ms  (list filled at {lst * 1000:.1f} ms)", file=sys.stderr)
    print(f"ratio casesim/hello-world: first frame {f / h:.2f}x   library listed {lst / h:.2f}x")


if __name__ == "__main__":
    main()
