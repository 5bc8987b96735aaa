"""Helpers shared by the TUI test modules (plain functions; the fixtures are in tests/tui/conftest.py)."""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from casesim.semantics.program import Program, apply, initial_state, open_choices
from casesim.tui import CaseSimApp
from casesim.tui.screens import BeforeStartScreen, LibraryScreen, PlayScreen
from casesim.tui.widgets.choice_list import ChoiceList
from casesim.tui.widgets.play_area import PlayArea
from support.paths import MARKUP

EXPERT = ["introduce-and-ask-time", "explain-role-and-limits", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
          "affirm-and-plan", "agree-visit-with-aunt"]
AppFactory = Callable[..., CaseSimApp]
TEST_SEED = 20261201
"""Every test attempt's seed, so the choice order (and every snapshot) is fixed."""
"""The ``make_test_app`` fixture: ``make_test_app(start=..., trainee="Name", library=[...], store=...)``."""

CRITICAL = ["introduce-and-ask-time", "promise-total-secrecy", "reflect-tiredness", "ask-q1", "ask-q2", "ask-q6",
            "affirm-and-plan", "agree-visit-with-aunt"]


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())


async def settle(pilot: Pilot[object], *, seconds: float = 20.0) -> None:
    """Wait for the app's workers (library loading, file reloads) and the messages they post, and,
    on the library, until it is listed. The library is read after its first frame
    (``call_after_refresh``): on a loaded machine the workers could all be done before its loading
    worker had started, and the next Enter then reached an empty list (a CI snapshot run opened
    nothing). A start-up error (the app exiting) ends the wait too."""
    app = pilot.app
    for _ in range(int(seconds / 0.02)):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        listing = isinstance(screen, LibraryScreen) and screen.library is None
        if not listing or getattr(app, "startup_error", None) is not None or app._exit:
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the library was not listed after {seconds} s")


async def until_screen(pilot: Pilot[object], kind: type[Screen[Any]], *, seconds: float = 20.0,
                       other_than: Sequence[Screen[Any]] = ()) -> None:
    """Wait until the app has a ``kind`` screen (shown, or under a modal such as the guided first
    run's) that is none of ``other_than`` (the screens there before the key that opens it). A
    screen pushed in answer to a key (the library's Enter: Before you start; Start: play) is
    mounted on its own message loop, which one ``pilot.pause()`` does not wait for: on a loaded
    machine the next keys reached the screen before it (a snapshot run in CI opened nothing)."""
    for _ in range(int(seconds / 0.02)):
        if any(isinstance(screen, kind) and not any(screen is old for old in other_than)
               for screen in pilot.app.screen_stack):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"no {kind.__name__} after {seconds} s: the app shows {type(pilot.app.screen).__name__}")


async def open_and_start(pilot: Pilot[Any], *, assessment: bool = False) -> None:
    """From the listed library: open the highlighted scenario and start it (in practice, or as an
    assessment), each key pressed once the screen it answers is there (keys pressed at once could
    reach the library on a loaded machine, before Before you start was mounted)."""
    before = list(pilot.app.screen_stack)
    await pilot.press("enter")
    await until_screen(pilot, BeforeStartScreen, other_than=before)
    await pilot.press(*(("tab", "down", "enter") if assessment else ("enter",)))
    await until_screen(pilot, PlayScreen, other_than=before)


def play_area(app: App[object]) -> PlayArea:
    return app.screen.query_one(PlayArea)


def shown_ids(app: App[object]) -> list[str]:
    """The choice ids as the choice list numbers them on screen (1 first; play or author mode)."""
    choices = play_area(app).query_one(ChoiceList)
    return [str(choices.get_option_at_index(i).id) for i in range(choices.option_count)]


def choice_key(app: App[object], step_id: str) -> str:
    """The number key that says ``step_id`` now: its place in the displayed (shuffled) list."""
    ids = shown_ids(app)
    assert step_id in ids, (step_id, ids)
    return str(ids.index(step_id) + 1)


async def choose(pilot: Pilot[object], path: Sequence[str]) -> None:
    for step_id in path:
        await pilot.press(choice_key(pilot.app, step_id))
        await pilot.pause()


async def assessment_debrief(pilot: Pilot[object]) -> None:
    """From the library: open the first scenario (the example), start it as an assessment, play
    :data:`CRITICAL` and answer the closing question, and wait on its debrief (not passed)."""
    await settle(pilot)
    await open_and_start(pilot, assessment=True)
    await choose(pilot, CRITICAL)
    await pilot.press("1")
    await settle(pilot)


def path_to(program: Program, node: str) -> list[str]:
    """A shortest list of choices from the start to ``node`` (breadth-first over the semantics)."""
    start = initial_state(program)
    queue = deque([(start, [])])
    seen = {start.node}
    while queue:
        state, path = queue.popleft()
        if state.node == node:
            return path
        for step in open_choices(program, state):
            after = apply(program, state, step)
            if after.node not in seen:
                seen.add(after.node)
                queue.append((after, [*path, step.id]))
    raise AssertionError(f"{node} is not reachable by choices")


def copy_markup_fixture(folder: Path) -> Path:
    """Copy the markup-and-escapes fixture into ``folder``; return the copy's path."""
    target = folder / "markup-and-escapes.yaml"
    shutil.copy(MARKUP, target)
    return target


def shown_texts(app: App[object]) -> str:
    """The literal text of every Static, Prose and option on the screen, one item per line.

    Unlike :func:`screen_text`, items in side-by-side columns are not interleaved.
    """
    from textual.content import Content
    from textual.widgets import OptionList, Static

    from casesim.tui.widgets.prose import Hanging
    from casesim.tui.widgets.transcript import Transcript

    def plain(visual: object) -> str:
        if isinstance(visual, Content):
            return visual.plain
        if isinstance(visual, Hanging):
            return "\n".join(p.content.plain for p in visual.paras)
        return str(visual)

    out: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, Static):
            out.append(plain(widget.content))
        elif isinstance(widget, Transcript):
            out.append(widget.text.plain)
        elif isinstance(widget, OptionList):
            out.extend(plain(option.prompt) for option in widget.options)
        title = getattr(widget, "_border_title", None)  # the stored Content (the property gives markup)
        if title is not None:
            out.append(plain(title))
    return "\n".join(out)
