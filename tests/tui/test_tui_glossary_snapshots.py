"""Snapshots of the debrief's glossary at 80×24 and 120×40: a term's definition opened by a click
on the term, and opened from the keyboard through the g list. Deterministic as the other
snapshot modules: fixed clock and seed, no animation, fixed size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from support.glossary import click_term
from support.tui import AppFactory, assessment_debrief, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _debrief_then(then: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await assessment_debrief(pilot)
        await then(pilot)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()

    return run


async def _click_nasw(pilot: Pilot[Any]) -> None:
    await click_term(pilot, "gloss-nasw")


async def _list_then_miti(pilot: Pilot[Any]) -> None:
    await pilot.press("g", "down", "enter")


@pytest.mark.parametrize("size", SIZES)
def test_term_opened_by_a_click(snap_compare: Any, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_debrief_then(_click_nasw))


@pytest.mark.parametrize("size", SIZES)
def test_term_opened_from_the_glossary_list(snap_compare: Any, make_test_app: AppFactory,
                                            size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=_debrief_then(_list_then_miti))
