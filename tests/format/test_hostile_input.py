"""Hostile files are refused within their budgets (alias nodes, bytes, memory) and never run anything.

These tests assert on work done, not on time taken: how fast the refusals are is measured in
``benchmarks/bench_hostile_input.py``, against a baseline taken in the same run.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring.pipeline import SourceReport, load_scenario
from casesim.format import reader
from casesim.format.reader import Limits, read_yaml_text
from casesim.scoring.catalog import Catalog


def _load_measured(path: Path, catalog: Catalog) -> tuple[SourceReport, int]:
    """Load ``path``; return the result and the peak traced memory in bytes."""
    tracemalloc.start()
    try:
        loaded = load_scenario(path, catalog)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return loaded, peak


def _bomb(levels: int) -> str:
    """A "billion laughs" file: each anchor is a list of nine aliases of the one before."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    names = [f"k{i}" for i in range(levels)]
    previous = "a"
    for name in names:
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


class _BuildCounter:
    """Counts the nodes the reader builds (every call of its builder), and keeps the builder."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.builders: list[Any] = []
        original = reader._Builder.build

        def counting(builder: Any, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if not self.builders or self.builders[-1] is not builder:
                self.builders.append(builder)
            return original(builder, *args, **kwargs)

        monkeypatch.setattr(reader._Builder, "build", counting)


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


def test_billion_laughs_is_refused_within_the_alias_budget_in_bounded_memory(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    # How fast this is lives in benchmarks/bench_hostile_input.py; here: how much work it does.
    counter = _BuildCounter(monkeypatch)
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(9))  # 9**10 "lol"s if it were expanded
    loaded, peak = _load_measured(path, catalog)
    assert [d.code for d in loaded.diagnostics] == ["alias-bomb"]
    [builder] = counter.builders
    budget = Limits().max_alias_nodes
    # It stopped at the first node past the budget: every node built was either a node of the
    # file (built once) or one of at most budget + 1 alias expansions.
    assert builder.alias_nodes == budget + 1
    assert counter.calls <= len(builder.seen) + budget + 1
    assert peak < 50 * 1024 * 1024


def test_the_work_on_an_alias_bomb_does_not_grow_with_the_bomb(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    for levels in (9, 30):
        counter = _BuildCounter(monkeypatch)
        path = tmp_path / f"bomb-{levels}.yaml"
        path.write_text(_bomb(levels))
        assert [d.code for d in load_scenario(path, catalog).diagnostics] == ["alias-bomb"]
        calls.append(counter.calls)
        monkeypatch.undo()
    # 9**31 nodes instead of 9**10: the same nodes built before the budget stops it.
    assert calls[0] == calls[1]


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path, catalog: Catalog,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return open(file, *args, **kwargs)

    monkeypatch.setattr(reader, "open", spy, raising=False)  # the reader's own name for open()
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(b"format: 1\n")
        handle.truncate(100 * 1024 * 1024)
    loaded, peak = _load_measured(path, catalog)
    assert [(d.code, d.line, d.col) for d in loaded.diagnostics] == [("file-too-large", 1, 1)]
    assert f"{100 * 1024 * 1024:,} bytes" in loaded.diagnostics[0].message
    assert opened == []  # refused from its size alone: not one byte read
    assert peak < 10 * 1024 * 1024

    # The spy does see the reader open a file it does read.
    small = tmp_path / "small.yaml"
    small.write_text("format: 1\n")
    load_scenario(small, catalog)
    assert opened == [str(small)]


def test_a_file_that_grows_after_its_size_is_taken_is_read_whole_up_to_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader reads the size ``stat`` gave and one byte more, then on: what a file became
    between the two is read, and a file past the limit by then is still refused."""
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"format: 1\n" + b"# grown\n" * 100)

    class AsItWas:
        st_size = 10  # when its size was taken

    monkeypatch.setattr(reader.os, "stat", lambda *_, **__: AsItWas())
    raw, problems = reader.read_source(path)
    assert (raw, problems) == (path.read_bytes(), [])
    raw, problems = reader.read_source(path, limits=Limits(max_bytes=50))
    assert raw is not None and len(raw) == 51, "read to one byte past the limit, not further"
    doc, problems = reader.read_yaml(path, limits=Limits(max_bytes=50))
    assert doc is None and [d.code for d in problems] == ["file-too-large"]
    monkeypatch.undo()
    assert reader.read_source(path) == (path.read_bytes(), [])  # (a file that stays as it was)


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
