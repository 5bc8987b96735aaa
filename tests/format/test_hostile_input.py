"""Hostile files are refused quickly, in bounded memory, and never run anything."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

from casesim.authoring.pipeline import LoadedScenario, load_scenario
from casesim.format.reader import Limits, read_yaml_text
from casesim.scoring.catalog import Catalog


def _load_measured(path: Path, catalog: Catalog) -> tuple[LoadedScenario, float, int]:
    """Load ``path``; return the result, the seconds it took and the peak traced memory in bytes."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        loaded = load_scenario(path, catalog)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return loaded, elapsed, peak


def test_object_constructing_tag_is_refused_and_never_executed(tmp_path: Path, catalog: Catalog) -> None:
    marker = tmp_path / "pwned"
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(f'format: 1\nid: !!python/object/apply:os.system ["touch {marker}"]\n')
    loaded = load_scenario(scenario, catalog)
    assert [d.code for d in loaded.diagnostics] == ["yaml-tag"]
    assert not marker.exists()


def test_python_name_tag_is_refused(tmp_path: Path) -> None:
    doc, diags = read_yaml_text("x: !!python/name:os.system\n", "t.yaml")
    assert [d.code for d in diags] == ["yaml-tag"]


def test_billion_laughs_is_refused_within_a_second_in_bounded_memory(tmp_path: Path, catalog: Catalog) -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(ord("b"), ord("k")):
        text += f"{chr(i)}: &{chr(i)} [" + ",".join([f"*{chr(i - 1)}"] * 9) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    loaded, elapsed, peak = _load_measured(path, catalog)
    assert [d.code for d in loaded.diagnostics] == ["alias-bomb"]
    assert elapsed < 1.0
    assert peak < 50 * 1024 * 1024


def test_a_100_mb_file_is_refused_within_a_second_without_reading_it(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"format: 1\n")
        handle.truncate(100 * 1024 * 1024)
    loaded, elapsed, peak = _load_measured(path, catalog)
    assert [d.code for d in loaded.diagnostics] == ["file-too-large"]
    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024


def test_deep_nesting_is_refused_before_the_recursive_composer_sees_it() -> None:
    # 200,000 nested brackets crash libyaml's recursive composer; we refuse them first.
    text = "x: " + "[" * 200_000 + "]" * 200_000
    doc, diags = read_yaml_text(text, "deep.yaml")
    assert doc is None
    assert [d.code for d in diags] == ["too-deep"]


def test_depth_refusal_is_the_same_whichever_libyaml_is_installed() -> None:
    # libyaml in PyYAML >= 6.0.2 refuses nesting past 1,000 levels on its own, before our
    # parser scan reaches the limit; with a limit above 1,000 the refusal must still be ours,
    # at the bracket that crosses our limit (the top mapping is level 1), not a yaml-syntax
    # error at libyaml's.
    text = "x: " + "[" * 1_200 + "]" * 1_200
    doc, diags = read_yaml_text(text, "deep.yaml", limits=Limits(max_depth=1_100))
    assert doc is None
    assert [(d.line, d.col, d.code) for d in diags] == [(1, 3 + 1_100, "too-deep")]


def test_brackets_inside_quoted_text_are_not_mistaken_for_nesting() -> None:
    text = "a: '" + "[" * 100 + "'\nb: [1, [2, [3]]]\n"
    doc, diags = read_yaml_text(text, "ok.yaml")
    assert diags == []
    assert doc is not None and doc.data["b"] == [1, [2, [3]]]


def test_missing_file_and_directory_are_reported_not_raised(tmp_path: Path, catalog: Catalog) -> None:
    assert [d.code for d in load_scenario(tmp_path / "nope.yaml", catalog).diagnostics] == ["io-error"]
    assert [d.code for d in load_scenario(tmp_path, catalog).diagnostics] == ["io-error"]


def test_dates_stay_text_and_yes_no_are_reported_for_text_fields() -> None:
    doc, diags = read_yaml_text("on: 2026-11-01\nanswer: no\n", "t.yaml")
    assert diags == [] and doc is not None
    assert doc.data == {"on": "2026-11-01", "answer": False}
