"""Snapshot tests: one screen state per test, at 80×24, deterministic (no blink, no animation,
fixed clock, temporary library and records, no dates, host names or versions on screen).

Sync tests only here (pytest-textual-snapshot runs its own event loop); Pilot tests are in
test_tui_play_pilot.py. Update with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``
after reviewing the report.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from casesim.tui import OpenAuthor
from casesim.tui.screens.debrief import DebriefScreen
from support.paths import EXAMPLE
from support.tui import CRITICAL, EXPERT, AppFactory, choice_key, copy_markup_fixture, settle

SIZE = (80, 24)
Snap = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def snap(snap_compare: Snap) -> Callable[[Any, RunBefore | None], bool]:
    """``snap(app, run_before)``: fixed size; waits for workers and animations before the shot."""

    def take(app: Any, run_before: RunBefore | None = None) -> bool:
        async def before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            if run_before is not None:
                await run_before(pilot)
            await settle(pilot)
            await pilot.wait_for_scheduled_animations()

        return snap_compare(app, terminal_size=SIZE, run_before=before)

    return take


def keys(*pressed: str) -> RunBefore:
    async def run(pilot: Pilot[Any]) -> None:
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()

    return run


def say(path: Sequence[str]) -> RunBefore:
    """Say the choices ``path`` by id, each with the number it has on screen (author mode)."""

    async def run(pilot: Pilot[Any]) -> None:
        for step_id in path:
            await pilot.press(choice_key(pilot.app, step_id))
            await pilot.pause()

    return run


def play(path: Sequence[str], *, mode: str = "practice", then: Sequence[str] = ()) -> RunBefore:
    """From the library: open the first scenario, pick ``mode``, say ``path``, press ``then``."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("enter")
        if mode == "assessment":
            await pilot.press("tab", "down")
        await pilot.press("enter")
        await pilot.pause()
        await say(path)(pilot)
        for key in then:
            await pilot.press(key)
            await pilot.pause()

    return run


def test_library(snap: Any, make_test_app: AppFactory, library_dir: Path) -> None:
    copy_markup_fixture(library_dir)
    assert snap(make_test_app())


def test_before_you_start(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), keys("enter"))


def test_play_practice_with_feedback(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT[:1]))


def test_play_assessment_with_countdown(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT[:2], mode="assessment"))


def test_play_at_an_ending(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT))


def test_pause_screen(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT[:2], then=["p"]))


def test_keys_screen(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT[:1], then=["question_mark"]))


def test_debrief_pass(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(EXPERT, mode="assessment", then=["1"]))


def test_debrief_fail_by_critical_action(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), play(CRITICAL, mode="assessment", then=["1"]))


def test_debrief_decision_with_better_choice(snap: Any, make_test_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await play(CRITICAL, mode="assessment", then=["1"])(pilot)
        await pilot.press("tab", "tab")

    assert snap(make_test_app(), run)


def _scroll_to(section: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, DebriefScreen)
        screen.query_one("#debrief-body").scroll_to_widget(screen.query_one(f"#{section}-heading"), animate=False,
                                                           top=True)
        await pilot.pause()

    return run


def test_debrief_mi_metrics(snap: Any, make_test_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await play(CRITICAL, mode="assessment", then=["1"])(pilot)
        await _scroll_to("debrief-mi")(pilot)

    assert snap(make_test_app(), run)


def test_debrief_protocols_and_competencies(snap: Any, make_test_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await play(CRITICAL, mode="assessment", then=["1"])(pilot)
        await _scroll_to("debrief-protocols")(pilot)

    assert snap(make_test_app(), run)


def test_debrief_scores_by_framework(snap: Any, make_test_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await play(CRITICAL, mode="assessment", then=["1"])(pilot)
        await _scroll_to("debrief-frameworks")(pilot)

    assert snap(make_test_app(), run)


def test_progress(snap: Any, make_test_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        for path in (CRITICAL, EXPERT):
            await play(path, then=["1", "escape"])(pilot)
            await settle(pilot)
        await pilot.press("g")

    assert snap(make_test_app(), run)


def test_author_mode(snap: Any, make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, tmp_path / "draft.yaml")
    assert snap(make_test_app(start=OpenAuthor(Path("draft.yaml")), with_store=False), say(EXPERT[:2]))


def test_markup_and_escapes_are_shown_literally(snap: Any, make_test_app: AppFactory, tmp_path: Path) -> None:
    folder = tmp_path / "markup-library"
    folder.mkdir()
    copy_markup_fixture(folder)
    assert snap(make_test_app(library=[folder]), play(["introduce-and-ask-time"]))


def test_open_a_file_by_path(snap: Any, make_test_app: AppFactory) -> None:
    assert snap(make_test_app(), keys("o", *"scenarios/mine.yaml"))


def test_author_jump_to_node(snap: Any, make_test_app: AppFactory, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, tmp_path / "draft.yaml")
    assert snap(make_test_app(start=OpenAuthor(Path("draft.yaml")), with_store=False), keys("j", "down"))


def test_author_score_pane(snap: Any, make_test_app: AppFactory, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, tmp_path / "draft.yaml")

    async def run(pilot: Pilot[Any]) -> None:
        await say(EXPERT[:2])(pilot)
        await keys("c")(pilot)

    assert snap(make_test_app(start=OpenAuthor(Path("draft.yaml")), with_store=False), run)


def test_author_graph_pane_wide(snap_compare: Snap, make_test_app: AppFactory, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench at 160×48: the side panes widen, the graph near the node being played."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, tmp_path / "draft.yaml")

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await say(EXPERT[:3])(pilot)
        await keys("g")(pilot)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(make_test_app(start=OpenAuthor(Path("draft.yaml")), with_store=False),
                        terminal_size=(160, 48), run_before=run)
