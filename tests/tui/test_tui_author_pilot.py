"""Author mode (play, reload on save, jump, inspect) and scoring that waits for a slow analysis."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from textual.message import Message

from casesim.play.analyses import Analyses
from casesim.play.trainee import TraineeSettings
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program
from casesim.tui import OpenAuthor, make_app
from casesim.tui.messages import AttemptFinished
from casesim.tui.screens import AuthorScreen, DebriefScreen, JumpScreen, PlayScreen
from casesim.tui.widgets.workbench import ChecksPane
from support.paths import EXAMPLE
from support.tui import (
    EXPERT,
    TEST_SEED,
    AppFactory,
    choose,
    open_and_start,
    play_area,
    screen_text,
    settle,
    shown_texts,
)


async def test_author_mode_reloads_on_save_keeps_the_path_and_shows_diagnostics(
        make_test_app: AppFactory, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    shutil.copy(EXAMPLE, draft)
    app = make_test_app(start=OpenAuthor(draft), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuthorScreen)
        await choose(pilot, EXPERT[:2])
        assert play_area(app).attempt.session.path == EXPERT[:2]
        assert "Node how-are-you" in shown_texts(app)

        draft.write_text(draft.read_text().replace("goto: ask-q2\n", "goto: ask-q9\n"))
        screen.check_file()
        await settle(pilot)
        panel = shown_texts(app)
        assert "goto" in panel and "ask-q9" in panel
        assert "Still playing the last version that loaded" in panel
        assert play_area(app).attempt.session.path == EXPERT[:2]

        draft.write_text(draft.read_text().replace("goto: ask-q9\n", "goto: ask-q2\n").replace(
            "Dana's voice drops.", "Dana's voice drops to a whisper."))
        screen.check_file()
        await settle(pilot)
        assert screen.loads == 3
        assert "✓ No problems." in shown_texts(app)
        assert play_area(app).attempt.session.path == EXPERT[:2], "the same choices are replayed"
        assert "Dana's voice drops to a whisper." in shown_texts(app)
        assert screen.query_one(ChecksPane).diagnostics == ()


async def test_author_mode_jumps_to_a_node_and_shows_the_debrief(make_test_app: AppFactory,
                                                                 tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    shutil.copy(EXAMPLE, draft)
    app = make_test_app(start=OpenAuthor(draft), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        assert isinstance(app.screen, JumpScreen)
        nodes = list(app.screen.query_one("#jump-nodes").options)  # type: ignore[attr-defined]
        await pilot.press(*["down"] * [o.id for o in nodes].index("ask-q6"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuthorScreen)
        attempt = play_area(app).attempt
        assert attempt.session.start == "ask-q6" and attempt.session.node_id == "ask-q6"
        assert "Node ask-q6" in shown_texts(app)
        # from ask-q6 the expert's agree-visit-with-aunt is not open (rapport is too low)
        await choose(pilot, ["ask-q6", "affirm-and-plan", "offer-appointment"])
        assert play_area(app).attempt.finished
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AuthorScreen)


async def test_the_debrief_waits_for_a_slow_analysis(catalog: Catalog, library_dir: Path, store: RecordStore,
                                                     tmp_path: Path) -> None:
    release = threading.Event()

    def slow_analysis(program: Program) -> Analysis:
        release.wait(timeout=30)
        return analyse(program)

    messages: list[Message] = []
    app = make_app(catalog=catalog, library_paths=[library_dir], store=store, clock=lambda: 0.0,
                   trainee=TraineeSettings(name="Patient Trainee", tour_done=True), deterministic=True,
                   analyses=Analyses(slow_analysis), new_seed=lambda: TEST_SEED, choice_settle_seconds=0.0)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        await open_and_start(pilot)
        assert isinstance(app.screen, PlayScreen)
        await choose(pilot, EXPERT)
        await pilot.pause()
        assert "Scoring your attempt…" in screen_text(app)
        attempt = play_area(app).attempt
        assert store.attempt(attempt.attempt_id or "").status == "in-progress"
        await pilot.press("1")
        assert isinstance(app.screen, PlayScreen), "nothing to continue to until it is scored"
        release.set()
        await settle(pilot)
        assert "See your debrief" in screen_text(app)
        assert store.attempt(attempt.attempt_id or "").status == "completed"
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        assert [m for m in messages if isinstance(m, AttemptFinished)]
