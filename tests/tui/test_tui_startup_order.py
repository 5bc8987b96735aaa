"""What the library does after its first frame (issue 15, item 7): the key footer is rebuilt once
per burst of binding changes and still shows every key; the list is read only once the first
frame is out."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets._footer import FooterKey

from casesim.play.trainee import TraineeSettings
from casesim.records.api import RecordStore
from casesim.scoring.catalog import Catalog
from casesim.tui import make_app
from casesim.tui.messages import LibraryLoaded
from casesim.tui.screens import LibraryScreen
from casesim.tui.widgets.footer import Footer
from support.tui import AppFactory, settle


async def test_the_footer_is_rebuilt_once_for_a_burst_of_binding_changes(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        footer = screen.query_one(Footer)

        def shown() -> dict[str, str]:
            return {str(key.description): key.key_display for key in footer.query(FooterKey)}

        assert {"Search", "Open file", "Progress", "Quit"} <= set(shown())
        before = footer.rebuilds
        for _ in range(5):  # signals that change nothing shown (as after every focus change)
            screen.refresh_bindings()
        await settle(pilot)
        assert footer.rebuilds == before
        for key in ("f3", "f4", "f5"):  # a burst of real changes: one rebuild, showing the last
            app.update_keymap({"library-open": key})
        await settle(pilot)
        assert footer.rebuilds == before + 1
        assert shown()["Open file"] == app.get_key_display(next(
            b for _, b, _, _ in screen.active_bindings.values() if b.id == "library-open"))
        assert shown()["Open file"].lower() == "f5"
        app.update_keymap({"library-open": "f6"})  # a change after the rebuild asks for one of its own
        await settle(pilot)
        assert footer.rebuilds == before + 2 and shown()["Open file"].lower() == "f6"


async def test_the_list_is_read_after_the_first_frame(make_test_app: AppFactory, library_dir: Path) -> None:
    messages: list[Message] = []
    frames_before_load: list[int] = []
    app = make_test_app()
    drawn = 0
    display = app._display

    def counting_display(screen: object, renderable: object) -> None:
        nonlocal drawn
        if renderable is not None:
            drawn += 1
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = counting_display  # type: ignore[method-assign]
    load = LibraryScreen.load

    def counted_load(self: LibraryScreen) -> object:
        frames_before_load.append(drawn)
        return load(self)

    LibraryScreen.load = counted_load  # type: ignore[method-assign, assignment]
    try:
        async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
            await settle(pilot)
            assert [m for m in messages if isinstance(m, LibraryLoaded)], "the list is read all the same"
    finally:
        LibraryScreen.load = load  # type: ignore[method-assign]
    assert frames_before_load and frames_before_load[0] >= 1, "the first frame comes before the list is read"


async def test_from_the_listing_cache_the_records_open_and_the_catalog_loads_after_the_list(
        catalog: Catalog, library_dir: Path, db_path: Path, tmp_path: Path) -> None:
    """As `casesim` starts: the store and the catalog are given as openers. With the listing
    cached, the list is drawn without the catalog; the store opens in the library's worker (after
    the first frame) and the catalog loads only once the list is on screen."""
    from casesim.records import open_store

    events: list[str] = []
    frames = 0

    def load_catalog() -> Catalog:
        events.append(f"catalog after {frames} frames")
        return catalog

    opened: list[RecordStore] = []

    def open_records() -> RecordStore:
        events.append(f"store after {frames} frames")
        opened.append(open_store(db_path))
        return opened[-1]

    async def start(cache: Path) -> list[str]:
        nonlocal frames
        events.clear()
        frames = 0
        app = make_app(catalog=load_catalog, library_paths=[library_dir], store=open_records,
                       trainee=TraineeSettings(name="Ann", tour_done=True), deterministic=True,
                       library_cache=cache)
        display = app._display
        listed_at: list[int] = []

        def counting_display(screen: object, renderable: object) -> None:
            nonlocal frames
            if renderable is not None:
                frames += 1
                if not listed_at and isinstance(app.screen, LibraryScreen) and app.screen.library is not None:
                    listed_at.append(frames)
                    events.append(f"list drawn at frame {frames}")
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = counting_display  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for _ in range(50):  # the preload runs in a thread
                if any(e.startswith("catalog") for e in events):
                    break
                await pilot.pause(0.05)
            assert app.opened_store is opened[-1]
        opened[-1].close()
        return list(events)

    first = await start(tmp_path / "cache")  # no listing yet: the library is loaded with the catalog
    assert first[0].startswith("store after") and not first[0].endswith(" 0 frames")
    second = await start(tmp_path / "cache")  # listed from the cache
    assert second[0].startswith("store after") and not second[0].endswith(" 0 frames")
    drawn = next(i for i, e in enumerate(second) if e.startswith("list drawn"))
    catalog_at = next(i for i, e in enumerate(second) if e.startswith("catalog after"))
    assert drawn < catalog_at, second
