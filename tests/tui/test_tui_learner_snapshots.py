"""Snapshots of the screens issue 15 items 2-4 added, at 80×24 and 120×40: the before-you-start
screen with the case file, the case file over play, the debrief's first screen, the glossary.
Deterministic as test_tui_snapshots.py: fixed clock and seed, no animation, no blink."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from casesim.tui.screens import BeforeStartScreen, PlayScreen
from support.tui import CRITICAL, EXPERT, AppFactory, choice_key, settle, until_screen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _steps(*, mode: str = "practice", path: tuple[str, ...] = (), then: tuple[str, ...] = (),
           start: bool = True) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await until_screen(pilot, BeforeStartScreen)
        if start:
            if mode == "assessment":
                await pilot.press("tab", "down")
            await pilot.press("enter")
            await until_screen(pilot, PlayScreen)
        for step_id in path:
            await pilot.press(choice_key(pilot.app, step_id))
            await pilot.pause()
        for key in then:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()

    return run


@pytest.mark.parametrize("size", SIZES)
def test_before_you_start_with_the_case_file(snap_compare: Any, make_test_app: AppFactory,
                                             size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_steps(start=False))


@pytest.mark.parametrize("size", SIZES)
def test_case_file_over_play(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size,
                        run_before=_steps(mode="assessment", path=tuple(EXPERT[:2]), then=("c",)))


@pytest.mark.parametrize("size", SIZES)
def test_debrief_first_screen_teaches(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size,
                        run_before=_steps(mode="assessment", path=tuple(CRITICAL), then=("1",)))


@pytest.mark.parametrize("size", SIZES)
def test_debrief_glossary(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size,
                        run_before=_steps(mode="assessment", path=tuple(CRITICAL), then=("1", "g")))


@pytest.mark.parametrize("size", SIZES)
def test_guided_first_run_callout(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    """The second callout of the guided first run (the meters), over the example's first moment."""
    assert snap_compare(make_test_app(tour_done=False), terminal_size=size, run_before=_steps(then=("enter",)))
