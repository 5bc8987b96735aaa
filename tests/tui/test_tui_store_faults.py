"""A full disk or read-only database is reported in the TUI, and no step is silently lost."""

from __future__ import annotations

from typing import Any

from casesim.errors import StoreError
from casesim.records.api import RecordStore
from casesim.tui.screens.notice import NoticeScreen
from casesim.tui.screens.play import PlayScreen
from support.tui import EXPERT, choice_key, play_area, screen_text, settle


class FailingStore:
    """A real store whose event writes fail while ``failing`` is set (as on a full disk)."""

    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self.failing = False

    def _check(self) -> None:
        if self.failing:
            raise StoreError("cannot write the records database: database or disk is full",
                             title="the disk is full", hint="free some disk space, then choose again")

    def record_event(self, *args: Any, **kwargs: Any) -> Any:
        self._check()
        return self._store.record_event(*args, **kwargs)

    def record_events(self, *args: Any, **kwargs: Any) -> Any:
        self._check()
        return self._store.record_events(*args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def test_a_failed_write_is_reported_and_the_choice_is_not_taken(make_test_app: Any, store: RecordStore) -> None:
    failing = FailingStore(store)
    app = make_test_app(use_store=failing)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press("enter")
        assert isinstance(app.screen, PlayScreen)
        await pilot.press(choice_key(app, EXPERT[0]))
        await pilot.pause()
        session = play_area(app).attempt.session
        attempt_id = play_area(app).attempt.attempt_id
        assert session.path == [EXPERT[0]]

        failing.failing = True
        await pilot.press(choice_key(app, EXPERT[1]))
        await pilot.pause()
        assert isinstance(app.screen, NoticeScreen)
        text = screen_text(app)
        assert "not saved" in text and "disk is full" in text
        await pilot.press("enter")
        assert isinstance(app.screen, PlayScreen)
        assert session.path == [EXPERT[0]], "the unsaved choice was taken back"
        assert session.node_id == "role-and-limits"

        failing.failing = False
        await pilot.press(choice_key(app, EXPERT[1]))
        await pilot.pause()
        assert session.path == EXPERT[:2]
    assert attempt_id is not None
    recorded = [e.payload["choice"] for e in store.events(attempt_id) if e.kind == "choice"]
    assert recorded == EXPERT[:2]
