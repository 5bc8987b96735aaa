"""Author mode watches the shared blocks a draft includes, not only the draft: saving a block
reloads the scenario, and the watch list follows the includes as they are edited."""

from __future__ import annotations

from pathlib import Path

from casesim.authoring.workbench import watched_files
from casesim.tui import OpenAuthor
from casesim.tui.screens import AuthorScreen
from support.tui import AppFactory, settle, shown_texts

SCENARIO = """format: 2
id: uses-a-block
version: 1.0.0
title: Uses a block
kind: other
summary: A scenario that brings in a shared block.
estimated_minutes: 5
objectives: [Say something useful.]
reviewed: {status: draft}
client: {name: Kim Lee, age: 30, pronouns: she/her, background: A test client.}
include:
  - {file: shared/block.yaml, prefix: blk-, with: {exit: done}}
start: blk-first
nodes:
  spare:
    client: "Spare."
    choices:
      - id: spare-go
        say: "On we go."
        goto: blk-first
        scores: {SAMHSA14-P2: 1}
        feedback: Going on (SAMHSA principle 2).
endings:
  done: {outcome: success, title: Done, summary: It ended.}
"""

BLOCK = """about: A one-node block for tests.
parameters:
  exit: Where the block leaves to.
nodes:
  first:
    client: "Hello from the block."
    choices:
      - id: greet
        say: "Hi there."
        goto: $exit
        scores: {SAMHSA14-P2: 1}
        feedback: A greeting (SAMHSA principle 2).
"""


def _library(tmp_path: Path) -> tuple[Path, Path]:
    block = tmp_path / "shared" / "block.yaml"
    block.parent.mkdir()
    block.write_text(BLOCK, encoding="utf-8")
    main = tmp_path / "scenario.yaml"
    main.write_text(SCENARIO, encoding="utf-8")
    return main, block


def test_the_watch_list_is_the_scenario_and_its_blocks(tmp_path: Path) -> None:
    main, block = _library(tmp_path)
    assert watched_files(main) == (main, block.resolve())
    inner = tmp_path / "shared" / "inner.yaml"  # a block included by a block, and not there yet
    block.write_text(BLOCK + "include:\n  - {file: inner.yaml, prefix: in-, with: {exit: $exit}}\n")
    assert watched_files(main) == (main, block.resolve(), inner.resolve())
    main.write_text(SCENARIO.replace("include:\n  - {file: shared/block.yaml, prefix: blk-, with: {exit: done}}\n", ""))
    assert watched_files(main) == (main,)
    main.write_text("format: 2\nid: [unclosed\n")
    assert watched_files(main) == (main,)


async def test_saving_an_included_block_reloads_the_draft(make_test_app: AppFactory, tmp_path: Path) -> None:
    main, block = _library(tmp_path)
    app = make_test_app(start=OpenAuthor(main), with_store=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuthorScreen)
        assert "Hello from the block." in shown_texts(app)
        screen.check_file()
        await settle(pilot)
        assert screen.loads == 1, "nothing changed: no reload"

        block.write_text(BLOCK.replace("Hello from the block.", "Hello again, from the edited block."))
        screen.check_file()
        await settle(pilot)
        assert screen.loads == 2
        assert "Hello again, from the edited block." in shown_texts(app)
