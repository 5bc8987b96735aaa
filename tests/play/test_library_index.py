"""The library listing cache (casesim.play.library_index): what `casesim` lists without loading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casesim import bundled
from casesim.play.library import Library, load_library
from casesim.play.library_index import (
    Listing,
    cached_listing,
    listing_key,
    listing_of,
    read_listing,
    write_listing,
)
from casesim.scoring.catalog import Catalog


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("example-check-in.yaml", "crisis-suicide-risk.yaml"):
        shutil.copy(bundled.scenarios_dir() / name, folder / name)
    (folder / "broken.yaml").write_text("format: 2\nid: broken\n", encoding="utf-8")
    return folder


def _loader(folder: Path, catalog: Catalog, calls: list[int]):  # type: ignore[no-untyped-def]
    def load() -> tuple[Library, Catalog]:
        calls.append(1)
        return load_library([folder], catalog), catalog
    return load


def test_the_listing_says_what_the_loaded_library_says(library_dir: Path, catalog: Catalog) -> None:
    library = load_library([library_dir], catalog)
    listing = listing_of(library, catalog)
    example = listing.by_id("example-check-in")
    loaded = library.by_id("example-check-in")
    assert example is not None and loaded is not None
    assert (example.title, example.kind, example.content_hash) == (loaded.scenario.title, loaded.scenario.kind,
                                                                   loaded.content_hash)
    assert example.objectives == tuple(loaded.scenario.objectives)
    assert example.languages[0].tag == "en"
    assert [p.path for p in listing.broken] == [str(library_dir / "broken.yaml")]
    assert listing.broken[0].errors  # line, column, message and code of each error
    # grouped by kind label, searchable as the library's own search
    assert [title for _, entries in listing.grouped("check-in") for title in (e.title for e in entries)] == [
        loaded.scenario.title]
    assert listing.grouped("no such words anywhere") == []


def test_a_listing_round_trips_through_its_file(library_dir: Path, catalog: Catalog, tmp_path: Path) -> None:
    listing = listing_of(load_library([library_dir], catalog), catalog)
    write_listing(tmp_path / "cache", "k1", listing)
    assert read_listing(tmp_path / "cache", "k1") == listing
    assert read_listing(tmp_path / "cache", "another key") is None


@pytest.mark.parametrize("damage", ["not json", '{"magic": "casesim-library-listing", "key": "k1"}',
                                    '{"magic": "casesim-library-listing", "key": "k1", "scenarios": [{"id": 3}], '
                                    '"broken": []}', "[]"])
def test_a_damaged_listing_is_ignored(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "library-listing.json").write_text(damage, encoding="utf-8")
    assert read_listing(folder, "k1") is None


def test_the_second_start_lists_from_the_cache_and_a_changed_file_is_listed_afresh(
        library_dir: Path, catalog: Catalog, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    catalog_dirs = [bundled.frameworks_dir()]
    calls: list[int] = []
    first, library = cached_listing(cache, [library_dir], catalog_dirs, _loader(library_dir, catalog, calls))
    assert library is not None and calls == [1]
    second, library = cached_listing(cache, [library_dir], catalog_dirs, _loader(library_dir, catalog, calls))
    assert library is None and calls == [1] and second == first  # read back, nothing loaded
    path = library_dir / "example-check-in.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: \"", "title: \"Renamed ", 1), encoding="utf-8")
    third, library = cached_listing(cache, [library_dir], catalog_dirs, _loader(library_dir, catalog, calls))
    assert library is not None and calls == [1, 1]
    entry = third.by_id("example-check-in")
    assert entry is not None and entry.title.startswith("Renamed ")


def test_the_key_covers_the_scenarios_their_translations_and_the_catalog(library_dir: Path, tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(bundled.frameworks_dir(), catalog_dir)
    key = listing_key([library_dir], [catalog_dir])
    assert listing_key([library_dir], [catalog_dir]) == key
    (library_dir / "locales").mkdir()
    (library_dir / "locales" / "example-check-in.es.yaml").write_text("lang: es\n", encoding="utf-8")
    with_locale = listing_key([library_dir], [catalog_dir])
    assert with_locale != key
    next(catalog_dir.glob("*.yaml")).write_text("changed: true\n", encoding="utf-8")
    assert listing_key([library_dir], [catalog_dir]) != with_locale


def test_no_cache_folder_loads_every_time(library_dir: Path, catalog: Catalog) -> None:
    calls: list[int] = []
    for _ in range(2):
        listing, library = cached_listing(None, [library_dir], [], _loader(library_dir, catalog, calls))
        assert isinstance(listing, Listing) and library is not None
    assert calls == [1, 1]
