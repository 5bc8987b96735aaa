"""Author mode as a workbench: edit state, time out, score so far, checks, tests on save, graph, focus, debrief."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, SelectionList, TabbedContent

from casesim.records.api import RecordStore
from casesim.semantics.program import variables
from casesim.tui import CaseSimApp, OpenAuthor
from casesim.tui.screens import AuthorScreen, DebriefScreen, PauseScreen
from casesim.tui.screens.edit_state import EditHistoryScreen, EditValueScreen
from casesim.tui.widgets.choice_list import ChoiceList
from casesim.tui.widgets.workbench import ChecksPane, GraphPane, TestsPane
from support.paths import EXAMPLE
from support.tui import EXPERT, AppFactory, choose, play_area, settle, shown_ids, shown_texts

N_TESTS = len(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["tests"])
"""The example's embedded tests (the library's clinical edits add some; the panes count them)."""


def _draft(tmp_path: Path, old: str = "", new: str = "") -> Path:
    draft = tmp_path / "draft.yaml"
    shutil.copy(EXAMPLE, draft)
    if old:
        draft.write_text(draft.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return draft


def _author(app: CaseSimApp) -> AuthorScreen:
    screen = app.screen
    assert isinstance(screen, AuthorScreen)
    return screen


async def _select(pilot: Pilot[object], list_id: str, option_id: str) -> None:
    """Highlight ``option_id`` in the pane list ``list_id`` and press enter, as a trainer would."""
    options = pilot.app.screen.query_one(list_id, OptionList)
    options.focus()
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_variable_is_edited_in_the_inspector_checked_against_its_range(make_test_app: AppFactory,
                                                                               tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        jump = app.screen.query_one("#jump-nodes", OptionList)
        jump.highlighted = jump.get_option_index("next-steps")
        await pilot.press("enter")
        await pilot.pause()
        assert "agree-visit-with-aunt" not in shown_ids(app), "rapport 4 keeps it closed"
        await pilot.press("v")
        await _select(pilot, "#state-pane", "var:rapport")
        assert isinstance(app.screen, EditValueScreen)
        assert app.screen.query_one(Input).value == "4"
        await pilot.press(*"12", "enter")  # the value shown is selected: typing replaces it
        await pilot.pause()
        assert isinstance(app.screen, EditValueScreen), "a value out of range is explained, not applied"
        assert "12 is outside rapport's range 0..10: type a number from 0 to 10" in shown_texts(app)
        app.screen.query_one(Input).value = "8"
        await pilot.press("enter")
        await pilot.pause()
        _author(app)
        attempt = play_area(app).attempt
        assert variables(attempt.program, attempt.session.state)["rapport"] == 8
        assert "agree-visit-with-aunt" in shown_ids(app), "the play state follows the edit"
        assert "rapport = 8 (0..10)" in shown_texts(app)
        assert "rapport 4 → 8 (after 0)" in shown_texts(app)
        assert "practice · edited" in shown_texts(app), "the title bar says the state was edited"


async def test_the_history_is_edited_as_the_engine_keeps_it(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await _select(pilot, "#state-pane", "history")
        assert isinstance(app.screen, EditHistoryScreen)
        visited = app.screen.query_one("#history-visited", SelectionList)
        assert list(visited.selected) == ["opening"]
        visited.deselect("opening")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditHistoryScreen)
        assert "opening is the node being played" in shown_texts(app)
        visited.select("opening")
        app.screen.query_one("#history-chosen", SelectionList).select("ask-method-anyway")
        await pilot.press("ctrl+s")
        await pilot.pause()
        _author(app)
        assert play_area(app).attempt.session.state.chosen == {"ask-method-anyway"}
        assert "Chosen (1) ask-method-anyway" in shown_texts(app)


async def test_x_lets_the_timer_run_out_as_the_engine_does(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert play_area(app).attempt.session.node_id == "opening", "no timer here: nothing happens"
        await choose(pilot, EXPERT[:2])
        await pilot.press("x")
        await pilot.pause()
        session = play_area(app).attempt.session
        assert session.node_id == "dana-goes-quiet"
        assert session.path[-1] == "timeout:how-are-you" and session.history[-1].timed_out
        assert "The line is quiet for a long moment. Dana sighs." in shown_texts(app)


async def test_the_score_so_far_follows_each_choice(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "pane-score"
        expert = re.search(r"Points \+0 \(expert path (\d+)\)", shown_texts(app))
        assert expert is not None
        await choose(pilot, EXPERT[:1])
        text = shown_texts(app)
        # the first expert choice's points, as the scenario gives them, against the expert path's
        first = next(c for c in yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["nodes"]["opening"]["choices"]
                     if c["id"] == EXPERT[0])
        points = sum(first["scores"].values())
        assert f"Points +{points} (expert path {expert[1]})" in text
        assert f"Share {round(100 * points / int(expert[1]))}% · the pass rule needs 70% ✗" in text
        assert f"SAMHSA14-P5 +{first['scores']['SAMHSA14-P5']} (expert +" in text and "SEEK 1" in text
        await choose(pilot, ["promise-total-secrecy"])
        assert "Critical actions (1)" in shown_texts(app)


async def test_choosing_a_diagnostic_plays_from_its_node(make_test_app: AppFactory, tmp_path: Path) -> None:
    draft = _draft(tmp_path, "  next-steps:\n", "  orphan:\n    client: Hello?\n    choices:\n"
                   "      - {id: orphan-bye, say: Bye., goto: lost-contact}\n\n  next-steps:\n")
    app = make_test_app(start=OpenAuthor(draft), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        checks = _author(app).query_one(ChecksPane)
        assert [d.code for d in checks.diagnostics] == ["unreachable-node", "no-feedback"]
        await pilot.press("d")
        await _select(pilot, "#checks-list", "diag:1")
        attempt = play_area(app).attempt
        assert attempt.session.start == "orphan" and attempt.session.node_id == "orphan"
        assert isinstance(app.focused, ChoiceList)


async def test_saving_runs_the_tests_and_a_load_error_never_crashes(make_test_app: AppFactory,
                                                                      tmp_path: Path) -> None:
    draft = _draft(tmp_path)
    app = make_test_app(start=OpenAuthor(draft), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _author(app)
        assert f"{N_TESTS} tests · 0 failed" in shown_texts(app)
        await choose(pilot, EXPERT[:3])
        draft.write_text(draft.read_text(encoding="utf-8").replace("scores: {total: {min: 17}}",
                                                                   "scores: {total: {min: 40}}"), encoding="utf-8")
        screen.check_file()
        await settle(pilot)
        assert f"{N_TESTS} tests · 1 failed" in shown_texts(app)
        assert re.search(r"total scored \d+, expected at least 40", shown_texts(app))
        assert play_area(app).attempt.session.path == EXPERT[:3], "the position is kept"

        draft.write_text("nodes: [\n\tbroken", encoding="utf-8")
        screen.check_file()
        await settle(pilot)
        assert screen.loads == 3
        assert screen.query_one(ChecksPane).diagnostics[0].is_error
        assert "The tests did not run: the last save has errors" in shown_texts(app)
        assert play_area(app).attempt.session.path == EXPERT[:3], "the last good version keeps playing"

        draft.unlink()
        screen.check_file()
        await settle(pilot)
        assert screen.loads == 4 and screen.query_one(ChecksPane).diagnostics[0].is_error

        shutil.copy(EXAMPLE, draft)
        screen.check_file()
        await settle(pilot)
        assert f"{N_TESTS} tests · 0 failed" in shown_texts(app)
        assert play_area(app).attempt.session.path == EXPERT[:3]


async def test_a_reload_keeps_an_edited_state_and_the_place_when_the_choices_no_longer_fit(
        make_test_app: AppFactory, tmp_path: Path) -> None:
    draft = _draft(tmp_path)
    app = make_test_app(start=OpenAuthor(draft), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _author(app)
        await choose(pilot, EXPERT[:3])
        await pilot.press("v")
        await _select(pilot, "#state-pane", "var:distress")
        app.screen.query_one(Input).value = "9"
        await pilot.press("enter")
        await pilot.pause()
        # a touch to the text: the same choices replay and the edit is carried over
        draft.write_text(draft.read_text(encoding="utf-8").replace("Dana's voice drops.", "Dana's voice drops low."),
                         encoding="utf-8")
        screen.check_file()
        await settle(pilot)
        attempt = play_area(app).attempt
        assert attempt.session.path == EXPERT[:3]
        assert variables(attempt.program, attempt.session.state)["distress"] == 9
        # the first choice renamed: the path no longer fits, but the node being played still exists
        draft.write_text(draft.read_text(encoding="utf-8").replace("introduce-and-ask-time", "introduce-yourself"),
                         encoding="utf-8")
        screen.check_file()
        await settle(pilot)
        attempt = play_area(app).attempt
        assert attempt.session.node_id == "ask-screen" and attempt.session.start == "ask-screen"
        assert variables(attempt.program, attempt.session.state)["distress"] == 9
        assert "kept your place at ask-screen" in shown_texts(app)


async def test_a_test_can_be_played_from_the_tests_pane(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await _select(pilot, "#tests-list", "test:0")
        attempt = play_area(app).attempt
        assert attempt.session.path == list(attempt.program.scenario.tests[0].choose)
        assert attempt.finished


async def test_the_graph_pane_marks_here_and_plays_from_a_node(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        graph = _author(app).query_one(GraphPane)
        assert "▶ opening (start, here)" in [line.text for line in graph.lines]
        expert = next(line for line in graph.lines if "introduce-and-ask-time" in line.text)
        assert expert.expert and expert.text.startswith("★")
        await choose(pilot, EXPERT[:1])
        assert "▶ role-and-limits (here)" in [line.text for line in graph.lines]
        await pilot.press("g", "w")
        await pilot.pause()
        scenario = play_area(app).attempt.program.scenario
        assert graph.whole
        assert sum(1 for line in graph.lines if not line.indent) == len(scenario.nodes) + len(scenario.endings)
        index = next(i for i, line in enumerate(graph.lines) if line.text.startswith("● ask-q6"))
        await _select(pilot, "#graph-list", f"graph:{index}")
        assert play_area(app).attempt.session.node_id == "ask-q6"


async def test_tab_cycles_through_every_pane_and_escape_comes_back_to_the_choices(make_test_app: AppFactory,
                                                                                  tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panes = app.screen.query_one(TabbedContent)
        seen = []
        for _ in range(7):
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused is not None
            seen.append((app.focused.id, panes.active))
        assert seen == [("state-pane", "pane-state"), ("score-pane", "pane-score"), ("checks-list", "pane-checks"),
                        ("tests-list", "pane-tests"), ("graph-list", "pane-graph"), ("transcript", "pane-graph"),
                        ("choices", "pane-graph")]
        await pilot.press("shift+tab", "shift+tab")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "graph-list"
        await pilot.press("2")  # the choosing keys work from a pane too
        await pilot.pause()
        assert len(play_area(app).attempt.session.path) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, ChoiceList), "escape comes back to the choices"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PauseScreen), "from the choices, escape pauses as before"


async def test_a_debrief_after_a_jump_says_so_and_nothing_is_recorded(make_test_app: AppFactory, tmp_path: Path,
                                                                      store: RecordStore) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        jump = app.screen.query_one("#jump-nodes", OptionList)
        jump.highlighted = jump.get_option_index("screen-done")
        await pilot.press("enter")
        await pilot.pause()
        await choose(pilot, ["affirm-and-plan", "offer-appointment"])
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        text = shown_texts(app)
        assert "Author mode. This run began mid-scenario, at node 'screen-done'" in text
        assert "It is not an attempt and was not recorded." in text
        assert list(store.attempts()) == [], "author mode records nothing, even with a store open"


async def test_a_debrief_after_an_edit_says_the_state_was_edited(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(start=OpenAuthor(_draft(tmp_path)), with_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose(pilot, EXPERT[:5])
        await pilot.press("v")
        await _select(pilot, "#state-pane", "var:rapport")
        app.screen.query_one(Input).value = "9"
        await pilot.press("enter")
        await pilot.pause()
        await choose(pilot, EXPERT[5:])
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        text = shown_texts(app)
        assert "began mid-scenario" not in text
        assert "The state was edited during this run: rapport" in text and "(at ask-q6, after 5 steps)" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AuthorScreen)
        assert isinstance(app.screen.query_one(TestsPane), TestsPane)
