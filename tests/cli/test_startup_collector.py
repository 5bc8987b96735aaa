"""The ``casesim`` command starts with the garbage collector paused and always turns it back on.

Issue 15, item 7: the collector's passes over what start-up builds were 50-70 ms of the library's
start (the full pass alone 30 ms before the list). :mod:`casesim.launch` pauses it; the library
turns it back on (freezing what start-up built) once it is listed and its preloading is done,
any other command as soon as it is chosen, and the entry point on the way out. Each run here is
its own process, as the command is: the collector's state is the process's.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from casesim.play import memory

ROOT = Path(__file__).resolve().parents[2]

# The library, headless at 80x24 through the real entry point. The pilot records the collector's
# state at the first frame and once the library's preloading (records, catalog) has finished.
LIBRARY = """
import gc, json
import textual.app as textual_app
from casesim.play import memory
seen = {}
display = textual_app.App._display
def hooked(self, screen, renderable):
    if renderable is not None and "first_frame" not in seen:
        seen["first_frame"] = {"enabled": gc.isenabled(), "paused": memory.collection_paused()}
    display(self, screen, renderable)
textual_app.App._display = hooked
run = textual_app.App.run
def headless(self, **kwargs):
    async def pilot(p):
        for _ in range(400):
            if getattr(p.app.screen, "library", None) is not None and not memory.collection_paused():
                break
            await p.pause(0.025)
        seen["listed"] = {"enabled": gc.isenabled(), "paused": memory.collection_paused(),
                          "frozen": gc.get_freeze_count()}
        p.app.exit()
    return run(self, headless=True, size=(80, 24), auto_pilot=pilot)
textual_app.App.run = headless
from casesim.launch import main
code = main([])
seen["code"] = code
seen["after"] = {"enabled": gc.isenabled(), "paused": memory.collection_paused()}
print(json.dumps(seen))
"""

COMMAND = """
import gc, json, sys
from casesim.play import memory
from casesim.launch import main
import click
during = []
invoke = click.Command.invoke
def recorded(self, ctx):
    if not isinstance(self, click.Group):  # the command itself, not the casesim group around it
        during.append(gc.isenabled())
    return invoke(self, ctx)
click.Command.invoke = recorded
code = main(sys.argv[1:])
print(json.dumps({"code": code, "during": during, "enabled": gc.isenabled(), "paused": memory.collection_paused(),
                  "frozen": gc.get_freeze_count()}))
"""


def _run(code: str, tmp_path: Path, *args: str) -> dict[str, object]:
    env = {"CASESIM_DATA": str(tmp_path / "data"), "CASESIM_DB": str(tmp_path / "records.db"),
           "CASESIM_CACHE_DIR": str(tmp_path / "cache"), "CASESIM_SCENARIOS": str(ROOT / "scenarios"),
           "CASESIM_SCORING": str(ROOT / "scoring"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    seen: dict[str, object] = json.loads(last)
    return seen


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_the_library_starts_paused_and_turns_the_collector_back_on_once_listed(tmp_path: Path, cache: str) -> None:
    if cache == "warm":  # a first start fills the cache: the second lists from it (another path)
        _run(LIBRARY, tmp_path)
    seen = _run(LIBRARY, tmp_path)
    assert seen["code"] == 0
    assert seen["first_frame"] == {"enabled": False, "paused": True}
    listed = seen["listed"]
    assert isinstance(listed, dict)
    assert listed["enabled"] is True and listed["paused"] is False
    assert listed["frozen"] > 10_000  # what start-up built (Textual, the screens, the catalog) is frozen
    assert seen["after"] == {"enabled": True, "paused": False}


def test_another_command_turns_the_collector_back_on_before_it_runs(tmp_path: Path) -> None:
    seen = _run(COMMAND, tmp_path, "validate", str(ROOT / "scenarios" / "example-check-in.yaml"))
    assert seen == {"code": 0, "during": [True], "enabled": True, "paused": False, "frozen": 0}


def test_a_failing_start_still_turns_the_collector_back_on(tmp_path: Path) -> None:
    seen = _run(COMMAND, tmp_path, "--no-such-option")
    assert seen["code"] == 2
    assert seen["enabled"] is True and seen["paused"] is False


def test_pause_and_resume_undo_only_each_other() -> None:
    assert gc.isenabled()
    try:
        memory.pause_collection()
        assert not gc.isenabled() and memory.collection_paused()
        memory.resume_collection(freeze=False)
        assert gc.isenabled() and not memory.collection_paused()
        memory.resume_collection(freeze=False)  # a second resume changes nothing
        assert gc.isenabled()
        gc.disable()  # someone else turned it off: the pause is not ours to undo
        memory.pause_collection()
        assert not memory.collection_paused()
        memory.resume_collection()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
