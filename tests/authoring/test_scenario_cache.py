"""The parsed-scenario cache (issue 13 benchmarks): a warm report reads no YAML, and a changed
file or included block, a damaged entry or another catalog is never read back."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from casesim.authoring import analysis_cache, pipeline, scenario_cache
from casesim.format import reader
from casesim.play.library import load_scenarios_by_id
from casesim.scoring.catalog import Catalog
from support.paths import DATA, SCENARIOS


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    analysis_cache.configure(folder)
    yield folder
    analysis_cache.configure(None)


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> object:
        raise AssertionError("a YAML file was parsed although the cache is warm")

    monkeypatch.setattr(pipeline, "read_yaml_bytes", refuse)
    monkeypatch.setattr(reader, "read_yaml_bytes", refuse)


def _library(tmp_path: Path) -> Path:
    """A library folder holding a scenario that includes the shared C-SSRS block."""
    library = tmp_path / "library"
    (library / "shared").mkdir(parents=True)
    shutil.copy(SCENARIOS / "shared" / "cssrs-screen.yaml", library / "shared" / "cssrs-screen.yaml")
    text = (DATA / "include" / "cssrs-demo.yaml").read_text(encoding="utf-8")
    (library / "demo.yaml").write_text(text.replace("../../../scenarios/shared/", "shared/"), encoding="utf-8")
    return library


def test_every_bundled_scenario_comes_back_equal_without_reading_yaml(
        cache: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    files = pipeline.find_scenario_files([SCENARIOS])
    first = {f: scenario_cache.load_parsed(f, catalog, library_root=SCENARIOS) for f in files}
    entries = list(cache.glob("*.parsed.json"))
    assert len(entries) == len(files)
    assert all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)
    _no_yaml(monkeypatch)
    for file, cold in first.items():
        warm = scenario_cache.load_parsed(file, catalog, library_root=SCENARIOS)
        assert cold is not None and cold.playable is not None
        assert warm is not None and warm.playable is not None
        assert warm.playable.scenario == cold.playable.scenario, file
        assert warm.playable.content_hash == cold.playable.content_hash
        assert warm.playable.warnings == cold.playable.warnings
        assert set(warm.playable.program.steps) == set(cold.playable.program.steps)


def test_a_warm_report_library_restores_only_the_scenarios_asked_for(
        cache: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # every file gets its parsed entry; the example its analysis summary
    load_scenarios_by_id([SCENARIOS], catalog, only={"example-check-in"}, summary=True)
    _no_yaml(monkeypatch)
    validated: list[str] = []
    real = scenario_cache.Scenario.model_validate

    def count(data: object) -> object:
        validated.append(str(data["id"]))  # type: ignore[index]
        return real(data)

    monkeypatch.setattr(scenario_cache.Scenario, "model_validate", count)
    loaded = load_scenarios_by_id([SCENARIOS], catalog, only={"example-check-in"}, summary=True)
    assert list(loaded) == ["example-check-in"]
    assert validated == ["example-check-in"]
    assert loaded["example-check-in"].summary.expert_path  # type: ignore[attr-defined]


def test_an_edited_file_or_included_block_is_loaded_again(tmp_path: Path, cache: Path, catalog: Catalog) -> None:
    library = _library(tmp_path)
    demo = library / "demo.yaml"
    first = scenario_cache.load_parsed(demo, catalog, library_root=library)
    assert first is not None and first.playable is not None
    assert first.includes, "the entry knows which block it includes"

    block = library / "shared" / "cssrs-screen.yaml"
    block.write_text(block.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after_block = scenario_cache.load_parsed(demo, catalog, library_root=library)
    assert after_block is not None and after_block.playable is not None
    assert after_block.playable.content_hash != first.playable.content_hash
    assert after_block.playable.content_hash == pipeline.load_scenario(demo, catalog, analyse_paths=False,
                                                                       library_root=library).content_hash

    demo.write_text(demo.read_text(encoding="utf-8").replace("Came in about a benefits renewal",
                                                             "Came in about a housing renewal"), encoding="utf-8")
    edited = scenario_cache.load_parsed(demo, catalog, library_root=library)
    assert edited is not None and edited.playable is not None
    assert "housing renewal" in json.dumps(edited.playable.scenario.model_dump(mode="json"))


@pytest.mark.parametrize("how", ["garbage", "flipped", "wrong-hash", "unknown-field"])
def test_a_damaged_entry_is_ignored_and_rebuilt(cache: Path, catalog: Catalog, how: str) -> None:
    example = SCENARIOS / "example-check-in.yaml"
    cold = scenario_cache.load_parsed(example, catalog, library_root=SCENARIOS)
    assert cold is not None and cold.playable is not None
    (entry,) = cache.glob("*.parsed.json")
    raw = entry.read_bytes()
    head, _, body = raw.partition(b"\n")
    if how == "garbage":
        entry.write_bytes(b"\x80\x04 not json")
    elif how == "flipped":
        at = len(head) + 1 + len(body) // 2
        entry.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])
    else:
        import hashlib

        data = json.loads(body)
        if how == "wrong-hash":
            data["content_hash"] = "0" * 63
        else:
            data["scenario"]["not_a_field"] = 1
        new_body = json.dumps(data).encode()
        header = json.loads(head)
        header["sha256"] = hashlib.sha256(new_body).hexdigest()
        entry.write_bytes(json.dumps(header).encode() + b"\n" + new_body)
    again = scenario_cache.load_parsed(example, catalog, library_root=SCENARIOS)
    assert again is not None and again.playable is not None
    assert again.playable.scenario == cold.playable.scenario
    assert again.playable.content_hash == cold.playable.content_hash


def test_another_catalog_or_no_cache_loads_the_file(tmp_path: Path, cache: Path, catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    example = SCENARIOS / "example-check-in.yaml"
    scenario_cache.load_parsed(example, catalog, library_root=SCENARIOS)
    parsed: list[str] = []
    real = pipeline.read_yaml_bytes

    def count(raw: bytes, path: str, **kw: object) -> object:
        parsed.append(path)
        return real(raw, path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "read_yaml_bytes", count)
    scenario_cache.load_parsed(example, None, library_root=SCENARIOS)
    assert parsed, "a scenario checked against another catalog is loaded again"
    parsed.clear()
    analysis_cache.configure(None)
    scenario_cache.load_parsed(example, catalog, library_root=SCENARIOS)
    assert parsed, "with no cache folder the file is read"
