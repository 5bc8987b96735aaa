"""Snapshots of the screens issue 15 item 5 added: the theme picker over play and play in the
high-contrast theme at 80×24 and 120×40, and the "window too small" notice (below 80×24, so at
60×18 and 79×23, as casesim starts there). Deterministic as test_tui_learner_snapshots.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from support.tui import EXPERT, AppFactory, choice_key, open_and_start, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _in_play(*then: str) -> Callable[[Pilot[Any]], Any]:
    """An assessment at its timed moment (a countdown on screen), then ``then``."""
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await open_and_start(pilot, assessment=True)
        await pilot.pause()
        for step_id in EXPERT[:2]:
            await pilot.press(choice_key(pilot.app, step_id))
            await pilot.pause()
        for key in then:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()

    return run


@pytest.mark.parametrize("size", SIZES)
def test_theme_picker_over_play(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_in_play("ctrl+t"))


@pytest.mark.parametrize("size", SIZES)
def test_play_in_the_high_contrast_theme(snap_compare: Any, make_test_app: AppFactory,
                                         size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(theme="casesim-high-contrast"), terminal_size=size, run_before=_in_play())


async def _started(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", [pytest.param((60, 18), id="60x18"), pytest.param((79, 23), id="79x23")])
def test_window_too_small_notice(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    """casesim started in a window below 80×24: the notice, not a squeezed library."""
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_started)
