"""Keypress → next node fully drawn: casesim's play screen against a bare Textual app.

Both apps run headless under Pilot at 80×24. Pilot's own waits poll for idleness in 20 ms
steps, which would swamp the numbers, so the time is taken from the key press to the *last
frame* the app produced for it: each app's frame output (``App._display``, which receives every
compositor update) is timestamped, and Pilot is only used to press and to wait until idle. The bare app does the same visible update as
casesim does for a choice (append transcript lines, update a status panel, replace the
numbered choices) with no domain work and no records; between samples it takes its two lines
back, as casesim's undo does, so its transcript does not grow. casesim's number includes the engine
(transitions Machine + pure semantics), writing the step to SQLite (a durable commit) and the
redraw. Each sample is one choice key; an undo between samples (not timed) returns to the same
moment, so every sample does the same work. Prints median and p95 and their ratios.

``--scenario FILE --depth N`` samples N choices into another bundled scenario (first options
taken), where the transcript is longer: the bare app's transcript is given as many lines.

Both apps run at once and take turns, ``--rounds`` rounds of ``--samples`` keys each: a shared
virtual machine's speed drifts by a fifth from one second to the next, and timing all of one app
and then all of the other moved the median ratio from 0.97x to 1.57x between runs. Besides the
ratios over every sample, the median and range of the rounds' own median ratios are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 8
SAMPLES = 10
WARMUP = 5


def instrument(app: App[None]) -> list[float]:
    """Timestamp every frame the app hands to its driver (a private hook; fine for a benchmark)."""
    frames: list[float] = []
    original = app._display

    def display(screen: object, renderable: object) -> None:
        if renderable is not None:
            frames.append(time.perf_counter())
        original(screen, renderable)  # type: ignore[arg-type]

    app._display = display  # type: ignore[method-assign]
    return frames


async def timed_press(pilot: object, frames: list[float], key: str) -> float:
    """Seconds from pressing ``key`` to the last frame drawn because of it."""
    started = time.perf_counter()
    await pilot.press(key)  # type: ignore[attr-defined]  # returns once the app went idle again
    finished = time.perf_counter()
    await pilot.pause()  # type: ignore[attr-defined]  # (its own refresh is not counted)
    drawn = [t for t in frames if started <= t <= finished]
    assert drawn, "the key press drew nothing"
    return drawn[-1] - started


async def sample(pilot: object, frames: list[float], check: Callable[[], None] | None = None) -> float:
    """One timed choice key, then an undo back to the same moment (not timed): every sample of
    an app does the same work. ``check``: what must hold before the undo."""
    elapsed = await timed_press(pilot, frames, "1")
    if check is not None:
        check()
    await pilot.press("u")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class BareApp(App[None]):
    """The same widgets and the same update, with nothing behind them."""

    CSS = """
    #top { height: 1fr; }
    #transcript { width: 1fr; }
    #panel { width: 32; border: round $primary; height: auto; }
    #choices { height: auto; max-height: 11; border: round $primary; }
    """

    def __init__(self, lines: int = 0) -> None:
        super().__init__()
        self.turn = 0
        self.lines = lines
        """Transcript lines already there when sampling starts (as casesim's at ``--depth``)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield VerticalScroll(id="transcript")
            yield Static("Rapport  ████░░░░░░  4/10", id="panel")
        yield OptionList(id="choices")
        yield Footer()

    def on_mount(self) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount_all([Static(Content(f"Earlier line {n}, about as long as a line of the conversation is."))
                              for n in range(self.lines)])
        self.show()

    def show(self) -> None:
        self.turn += 1
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount_all([Static(Content(f"You: choice {self.turn}")),
                              Static(Content(f"Client: a reply at turn {self.turn}, long enough to wrap a little."))])
        transcript.anchor()
        self.query_one("#panel", Static).update(Content(f"Rapport  █████░░░░░  {self.turn % 10}/10 ▲1"))
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        choices.add_options([Option(Content(f"{i}. A thing the trainee could say at turn {self.turn}"), id=f"c{i}")
                             for i in range(1, 4)])
        choices.highlighted = 0

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key == "1":
            self.show()
        elif key == "u":  # as casesim's undo between samples: every timed key then does the same work
            transcript = self.query_one("#transcript", VerticalScroll)
            for line in list(transcript.children)[-2:]:
                line.remove()


async def interleaved(rounds: int, samples: int, scenario: str = "example-check-in.yaml",
                      depth: int = 1) -> tuple[list[list[float]], list[list[float]]]:
    """Each round's key times of the bare app and of casesim, the two apps running side by side,
    ``depth`` choices into ``scenario`` (a file in ``scenarios/``)."""
    from casesim.authoring.pipeline import require_scenario
    from casesim.play.analyses import Analyses
    from casesim.play.trainee import TraineeSettings
    from casesim.records import open_store
    from casesim.scoring.catalog import load_catalog
    from casesim.tui import OpenScenario, make_app
    from casesim.tui.widgets.play_area import PlayArea
    from casesim.tui.widgets.transcript import Transcript

    catalog = load_catalog(ROOT / "scoring")
    loaded = require_scenario(ROOT / "scenarios" / scenario, catalog)
    analyses = Analyses()
    analyses.request(loaded)
    bare: list[list[float]] = []
    case: list[list[float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "records.db")
        app = make_app(catalog=catalog, library_paths=[], store=store, trainee=TraineeSettings(name="bench", tour_done=True),
                       deterministic=True, start=OpenScenario(loaded, mode="practice"), analyses=analyses,
                       choice_settle_seconds=0)  # the settle guard ignores keys on purpose; not drawing time
        frames = instrument(app)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # start, from the before-you-start screen
            while not app.screen.query(PlayArea):
                await pilot.pause(0.05)
            for _ in range(depth):  # at least one step in, so undo stays available and the footer is steady
                await pilot.press("1")
                await pilot.pause()
            area = app.screen.query_one(PlayArea)
            here = len(area.attempt.session.history)
            assert here == depth and not area.attempt.session.finished, f"{scenario} ends before {depth + 1} choices"
            bare_app = BareApp(lines=max(0, len(area.query_one(Transcript).lines) - 2))
            bare_frames = instrument(bare_app)

            def one_step_in() -> None:  # the timed key took one choice
                assert len(area.attempt.session.history) == here + 1

            async with bare_app.run_test(size=(80, 24)) as bare_pilot:
                await bare_pilot.pause()
                await sample_rounds(pilot, frames, bare_pilot, bare_frames, one_step_in, rounds, samples, bare, case)
        store.close()
    return bare, case


async def sample_rounds(pilot: object, frames: list[float], bare_pilot: object, bare_frames: list[float],
                        one_step_in: Callable[[], None], rounds: int, samples: int,
                        bare: list[list[float]], case: list[list[float]]) -> None:
    """Warm up, then ``rounds`` rounds of ``samples`` keys per app, the apps taking turns."""
    for _ in range(WARMUP):
        await sample(bare_pilot, bare_frames)
        await sample(pilot, frames, one_step_in)
    for _ in range(rounds):
        bare.append([await sample(bare_pilot, bare_frames) for _ in range(samples)])
        case.append([await sample(pilot, frames, one_step_in) for _ in range(samples)])  # engine, record, redraw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--samples", type=int, default=SAMPLES, help="timed keys per app per round")
    parser.add_argument("--scenario", default="example-check-in.yaml", help="a file in scenarios/")
    parser.add_argument("--depth", type=int, default=1, help="choices (first options) taken before sampling")
    options = parser.parse_args()
    bare_rounds, case_rounds = asyncio.run(interleaved(options.rounds, options.samples, options.scenario,
                                                       max(1, options.depth)))
    bare = [t for r in bare_rounds for t in r]
    case = [t for r in case_rounds for t in r]
    bm, bp = statistics.median(bare), p95(bare)
    cm, cp = statistics.median(case), p95(case)
    rounds = sorted(statistics.median(c) / statistics.median(b) for b, c in zip(bare_rounds, case_rounds, strict=True))
    print(f"keypress -> next node drawn (Pilot, headless, 80x24), {options.scenario} at decision {options.depth + 1}, "
          f"{options.rounds} rounds of {options.samples} keys each, the two apps taking turns", file=sys.stderr)
    print(f"  bare Textual app: median {bm * 1000:6.2f} ms   p95 {bp * 1000:6.2f} ms", file=sys.stderr)
    print(f"  casesim play:     median {cm * 1000:6.2f} ms   p95 {cp * 1000:6.2f} ms", file=sys.stderr)
    print(f"ratio casesim/bare: median {cm / bm:.2f}x   p95 {cp / bp:.2f}x   "
          f"per round, median {statistics.median(rounds):.2f}x ({rounds[0]:.2f}-{rounds[-1]:.2f})")


if __name__ == "__main__":
    main()
