"""Checksummed cache entries (issue 13): one entry per scenario file and kind is kept, so an
edited file no longer leaves its old entries in the cache folder forever."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casesim.authoring import analysis_cache, cache_entries, scenario_cache
from casesim.scoring.catalog import Catalog
from support.paths import SCENARIOS


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    analysis_cache.configure(folder)
    yield folder
    analysis_cache.configure(None)


def test_an_edited_scenario_replaces_its_parsed_entry_and_leaves_the_others(
        cache: Path, catalog: Catalog, tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    first = library / "first.yaml"
    second = library / "second.yaml"
    shutil.copy(SCENARIOS / "example-check-in.yaml", first)
    shutil.copy(SCENARIOS / "example-check-in.yaml", second)
    for file in (first, second):
        assert scenario_cache.load_parsed(file, catalog, library_root=library) is not None
    before = sorted(p.name for p in cache.glob("*.parsed.json"))
    assert len(before) == 2
    first.write_text(first.read_text(encoding="utf-8").replace("\ntitle: \"", "\ntitle: \"Edited ", 1), encoding="utf-8")
    report = scenario_cache.load_parsed(first, catalog, library_root=library)
    assert report is not None and report.playable is not None
    assert report.playable.scenario.title.startswith("Edited ")
    after = sorted(p.name for p in cache.glob("*.parsed.json"))
    assert len(after) == 2, "the old entry of the edited file is gone, the other file's is kept"
    scope = cache_entries.scope_of(first)
    (new,) = [name for name in after if name.startswith(scope)]
    assert new not in before
    assert [name for name in before if not name.startswith(scope)] == [n for n in after if n != new]


def test_an_entry_of_another_kind_with_the_same_scope_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    scope = cache_entries.scope_of(tmp_path / "scenario.yaml")
    parsed = cache_entries.entry_file(folder, "parsed", "a" * 64, scope)
    view = cache_entries.entry_file(folder, "view", "b" * 64, scope)
    cache_entries.write_entry(parsed, {"x": 1}, "a" * 64)
    cache_entries.write_entry(view, {"x": 2}, "b" * 64)
    newer = cache_entries.entry_file(folder, "parsed", "c" * 64, scope)
    cache_entries.write_entry(newer, {"x": 3}, "c" * 64)
    assert sorted(p.name for p in folder.iterdir()) == sorted([newer.name, view.name])
    assert cache_entries.read_entry(newer, "c" * 64, lambda data: data, "test entry") == {"x": 3}
    assert cache_entries.read_entry(view, "a" * 64, lambda data: data, "test entry") is None, "another key"


def test_a_damaged_entry_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    file = cache_entries.entry_file(tmp_path, "summary", "d" * 64)
    cache_entries.write_entry(file, {"x": 1}, "d" * 64)
    file.write_bytes(file.read_bytes().replace(b'"x":1', b'"x":2'))
    assert cache_entries.read_entry(file, "d" * 64, lambda data: data, "test entry") is None
    assert "ignoring the cached test entry" in caplog.text and "checksum" in caplog.text


def test_a_cache_folder_that_cannot_be_written_is_warned_about_once(
        catalog: Catalog, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A report on a cache folder it cannot write (here a file stands where the folder should
    be, which stops root too) warned once for every entry of every scenario; now once, and the
    report is made all the same."""
    from casesim.play.library import load_report_views

    blocked = tmp_path / "cache"
    blocked.write_text("not a folder\n", encoding="utf-8")
    analysis_cache.configure(blocked)
    try:
        wanted = {"example-check-in", "crisis-suicide-risk", "intake-er-follow-up"}
        with caplog.at_level("DEBUG", logger="casesim.authoring.analysis_cache"):
            views = load_report_views([SCENARIOS], catalog, only=wanted)
            load_report_views([SCENARIOS], catalog, only=wanted)
    finally:
        analysis_cache.configure(None)
    assert set(views) == wanted
    failed = [r for r in caplog.records if "could not write the analysis cache" in r.getMessage()]
    assert len(failed) > len(wanted)  # an entry of each kind for each scenario, twice over
    assert [r.levelname for r in failed].count("WARNING") == 1
    assert str(blocked) in failed[0].getMessage()
