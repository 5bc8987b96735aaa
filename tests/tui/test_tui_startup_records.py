"""When `casesim` opens the records (issue 15, item 7): the library lists a trainee's attempts in
progress and their standing, so with a remembered trainee the list waits for the records; with
none there is nothing of theirs to list, and the records open once the list is drawn (their
modules were a third of the wait for the list). Either way the records are open soon after the
list, and a store that will not open still stops casesim at start with the store's own error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import OptionList

from casesim.authoring.pipeline import AnalysedScenario
from casesim.errors import CaseSimError, StoreCorruptError
from casesim.play.trainee import TraineeSettings, trainee_id_for
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui import CaseSimApp, make_app
from casesim.tui.screens import LibraryScreen
from support.tui import settle


def _starting_app(catalog: Catalog, library_dir: Path, cache: Path, name: str,
                  open_records: object, events: list[str], drawn_at: list[int] | None = None) -> CaseSimApp:
    """The app as `casesim` builds it (the store given as an opener), logging when the list is
    first drawn into ``events`` (and in which frame into ``drawn_at``)."""
    drawn_at = [] if drawn_at is None else drawn_at
    app = make_app(catalog=catalog, library_paths=[library_dir], store=open_records,  # type: ignore[arg-type]
                   trainee=TraineeSettings(name=name, tour_done=True), deterministic=True, library_cache=cache)
    display = app._display
    frames = 0

    def logging_display(screen: object, renderable: object) -> None:
        nonlocal frames
        if renderable is not None:
            frames += 1
            if (isinstance(app.screen, LibraryScreen) and app.screen.library is not None
                    and "list drawn" not in events):
                events.append("list drawn")
                drawn_at.append(frames)
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = logging_display  # type: ignore[method-assign]
    return app


def _opener(db_path: Path, events: list[str], opened: list[RecordStore]) -> Callable[[], RecordStore]:
    """Opens the records at ``db_path``, noting "store" in ``events`` and the store in ``opened``."""
    def open_records() -> RecordStore:
        from casesim.records import open_store

        events.append("store")
        opened.append(open_store(db_path))
        return opened[-1]

    return open_records


async def _run_until_open(app: CaseSimApp, events: list[str]) -> tuple[LibraryScreen, str | None]:
    """Run ``app`` until its records are open: the library screen and its highlighted entry then."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(50):  # the records open in a worker thread once the list is drawn
            if "store" in events:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        listing = screen.query_one("#library-list", OptionList)
        return screen, listing.get_option_at_index(listing.highlighted or 0).id


async def test_with_no_trainee_the_list_is_drawn_before_the_records_open(
        catalog: Catalog, library_dir: Path, db_path: Path, tmp_path: Path) -> None:
    events: list[str] = []
    opened: list[RecordStore] = []
    open_records = _opener(db_path, events, opened)

    for cached in (False, True):  # listed by loading the files, then from the listing cache
        events.clear()
        drawn_at: list[int] = []
        app = _starting_app(catalog, library_dir, tmp_path / "cache", "", open_records, events, drawn_at)
        screen, _ = await _run_until_open(app, events)
        assert events == ["list drawn", "store"], events
        if cached:  # read at once after the first frame, not by a worker frames later
            assert drawn_at == [2]
        assert screen.library is not None
        assert [s.title for s in screen.library.scenarios], "the list is complete without the records"
        assert app.opened_store is opened[-1], "the records are open once the list is out"
        opened[-1].close()


async def test_with_a_trainee_the_list_waits_for_their_attempts(
        catalog: Catalog, library_dir: Path, db_path: Path, tmp_path: Path, store: RecordStore,
        example: AnalysedScenario) -> None:
    attempt = store.start_attempt(trainee_id=trainee_id_for("Ann"), scenario_id=example.scenario.id,
                                  scenario_version=example.scenario.version, content_hash=example.content_hash,
                                  mode="practice", seed=1, start_node=example.scenario.start)
    store.close()
    events: list[str] = []
    opened: list[RecordStore] = []
    open_records = _opener(db_path, events, opened)

    app = _starting_app(catalog, library_dir, tmp_path / "cache", "Ann", open_records, events)
    _, first = await _run_until_open(app, events)
    assert events == ["store", "list drawn"], events
    assert first == f"resume:{attempt}", "the attempt in progress is in the list as first drawn"
    opened[-1].close()


async def test_records_that_will_not_open_stop_casesim_after_the_list(
        catalog: Catalog, library_dir: Path, tmp_path: Path) -> None:
    events: list[str] = []

    def open_records() -> RecordStore:
        events.append("store")
        raise StoreCorruptError("records.db is not a casesim records file", title="records unreadable")

    app = _starting_app(catalog, library_dir, tmp_path / "cache", "", open_records, events)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            if app.startup_error is not None:
                break
            await pilot.pause(0.05)
    assert events == ["list drawn", "store"]
    error = app.startup_error
    assert isinstance(error, CaseSimError) and "not a casesim records file" in str(error)
