"""A session ``casesim serve`` signed in: the id is the sign-in's, shown and never typed, and
nothing opens a file on the server's disk."""

from __future__ import annotations

from textual.widgets import Input

from casesim.records.api import RecordStore
from casesim.tui.screens import BeforeStartScreen, LibraryScreen, PlayScreen
from support.tui import AppFactory, settle, shown_texts


async def test_a_signed_in_session_has_no_name_field_and_records_under_the_sign_in(
        make_test_app: AppFactory, store: RecordStore) -> None:
    app = make_test_app(trainee="s1001", signed_in=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, BeforeStartScreen)
        assert not app.screen.query(Input)  # nothing to type another id into
        assert "Signed in as s1001" in shown_texts(app)
        await pilot.press("enter")  # the mode list has the focus: start
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
    (attempt,) = store.attempts()
    assert attempt.trainee_id == "s1001"


async def test_a_signed_in_session_does_not_open_files_by_path(make_test_app: AppFactory) -> None:
    app = make_test_app(trainee="s1001", signed_in=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert "Open file" not in shown_texts(app)
