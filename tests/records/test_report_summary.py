"""Reports and exports read each scenario's cached analysis summary, not its full analysis:
the same figures, a cold/warm/damaged summary that behaves (issue 13, item 9)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from casesim.authoring import analysis_cache, analysis_summary
from casesim.authoring.analysis_summary import (
    SummarisedScenario,
    cached_summary,
    summarise,
    with_summary,
)
from casesim.authoring.pipeline import AnalysedScenario, Playable, load_scenario
from casesim.play.library import load_scenarios_by_id
from casesim.records.export.csv import write_csv
from casesim.records.export.xapi import statements
from casesim.records.render import cohort_text, report_json
from casesim.records.reports import cohort_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program
from support.paths import EXAMPLE, SCENARIOS
from support.records import EXPERT, LOST, SECRECY, play


def _refuse(program: Program) -> Analysis:
    raise AssertionError(f"{program.scenario.id} was analysed instead of its summary read from the cache")


def _playable(catalog: Catalog) -> Playable:
    report = load_scenario(EXAMPLE, catalog, analyse_paths=False)
    assert report.playable is not None, report.diagnostics
    return report.playable


@pytest.fixture
def cohort_store(store: SQLiteStore, example: AnalysedScenario, catalog: Catalog) -> SQLiteStore:
    store.upsert_trainee("ann", "Ann Lee", "fall")
    store.upsert_trainee("bo", "Bo Chen", "fall")
    play(store, example, catalog, "ann", SECRECY, mode="assessment")
    play(store, example, catalog, "ann", EXPERT, mode="assessment")
    play(store, example, catalog, "bo", LOST)
    return store


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    analysis_cache.configure(folder)
    return folder


def test_the_summary_agrees_with_the_analysis(example: AnalysedScenario) -> None:
    summary = summarise(example.analysis)
    assert summary.expert_path == example.analysis.expert_path
    assert summary.expert_total == example.analysis.expert_total
    assert summary.total == example.analysis.total
    assert dict(summary.extremes) == example.analysis.extremes
    assert (summary.complete, summary.stopped) == (example.analysis.complete, example.analysis.stopped)


def test_reports_and_exports_from_the_summary_are_those_from_the_full_analysis(
        cohort_store: SQLiteStore, example: AnalysedScenario, catalog: Catalog, cache: Path) -> None:
    full = {"example-check-in": example}
    summarised = {"example-check-in": with_summary(_playable(catalog))}
    before = cohort_report(cohort_store, "fall", library=full, catalog=catalog)
    after = cohort_report(cohort_store, "fall", library=summarised, catalog=catalog)
    assert before.departures, "the store has departures from the expert: the expert path is read"
    assert any(option.expert for item in before.items for node in item.nodes for option in node.options)
    assert report_json(after) == report_json(before)
    assert cohort_text(after) == cohort_text(before)
    for library in (full, summarised):
        out = io.StringIO()
        write_csv(cohort_store, out, "decisions", cohort="fall", library=library)
        library_xapi = list(statements(cohort_store, cohort="fall", library=library))
        if library is full:
            csv_full, xapi_full = out.getvalue(), library_xapi
    assert out.getvalue() == csv_full
    assert library_xapi == xapi_full


def test_loading_for_a_report_neither_rebuilds_the_analysis_nor_lints(
        catalog: Catalog, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_scenarios_by_id([SCENARIOS], catalog, only={"example-check-in"}, summary=True)  # cold: fills the cache
    from casesim.authoring import pipeline

    def refuse(*_: object, **__: object) -> object:
        raise AssertionError("a warm report loaded the full analysis or ran the lint")

    monkeypatch.setattr(analysis_cache, "cached_analyse", refuse)
    monkeypatch.setattr(pipeline, "analyse_and_lint", refuse)
    loaded = load_scenarios_by_id([SCENARIOS], catalog, only={"example-check-in"}, summary=True)
    entry = loaded["example-check-in"]
    assert isinstance(entry, SummarisedScenario) and not isinstance(entry, AnalysedScenario)
    assert entry.summary.expert_path


def test_a_cold_summary_is_written_privately_and_a_warm_one_read_back(catalog: Catalog, cache: Path,
                                                                      example: AnalysedScenario) -> None:
    playable = _playable(catalog)
    cold = cached_summary(playable.program, playable.content_hash)
    (file,) = cache.glob("*.summary.json")
    assert file.stat().st_mode & 0o777 == 0o600
    assert len(list(cache.glob("*.json"))) == 2, "the full analysis it came from is cached too"
    warm = cached_summary(playable.program, playable.content_hash, compute=_refuse)
    assert warm == cold
    assert warm.expert_path == example.analysis.expert_path


def test_without_a_cache_the_summary_is_computed_and_nothing_written(catalog: Catalog, tmp_path: Path) -> None:
    analysis_cache.configure(None)
    playable = _playable(catalog)
    calls: list[str] = []

    def count(program: Program) -> Analysis:
        calls.append(program.scenario.id)
        return analyse(program)

    cached_summary(playable.program, playable.content_hash, compute=count)
    cached_summary(playable.program, playable.content_hash, compute=count)
    assert calls == ["example-check-in"] * 2


def _rewrite(file: Path, change: str) -> None:
    raw = file.read_bytes()
    head, _, body = raw.partition(b"\n")
    if change == "truncated":
        file.write_bytes(raw[: len(raw) - 10])
        return
    if change == "flipped":
        at = len(head) + 1 + len(body) // 2
        file.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])
        return
    if change == "garbage":
        file.write_bytes(b"\x00\xff not json")
        return
    data = json.loads(body)
    if change == "unknown-step":
        data["expert_path"] = [*data["expert_path"], "not-a-choice"]
    elif change == "wrong-type":
        data["expert_total"] = "lots"
    elif change == "bad-range":
        data["total"] = [1]
    else:  # pragma: no cover
        raise AssertionError(change)
    # A consistent checksum: the checks of the content must catch it, not the digest.
    header = json.loads(head)
    new_body = json.dumps(data).encode()
    header["sha256"] = hashlib.sha256(new_body).hexdigest()
    file.write_bytes(json.dumps(header).encode() + b"\n" + new_body)


@pytest.mark.parametrize("change", ["truncated", "flipped", "garbage", "unknown-step", "wrong-type", "bad-range"])
def test_a_damaged_summary_is_ignored_and_rebuilt_from_the_cached_analysis(
        catalog: Catalog, cache: Path, change: str, caplog: pytest.LogCaptureFixture) -> None:
    playable = _playable(catalog)
    good = cached_summary(playable.program, playable.content_hash)
    (file,) = cache.glob("*.summary.json")
    _rewrite(file, change)
    # the full analysis is still cached, so nothing is analysed again
    rebuilt = cached_summary(playable.program, playable.content_hash, compute=_refuse)
    assert rebuilt == good
    assert "ignoring the cached summary" in caplog.text
    caplog.clear()
    assert cached_summary(playable.program, playable.content_hash, compute=_refuse) == good
    assert "ignoring" not in caplog.text, "the rebuilt summary was written whole"


def test_a_summary_written_for_another_key_is_not_read(catalog: Catalog, cache: Path) -> None:
    playable = _playable(catalog)
    cached_summary(playable.program, playable.content_hash)
    (file,) = cache.glob("*.summary.json")
    key = file.name.split(".")[0]
    data = json.loads(file.read_bytes().partition(b"\n")[2])
    assert analysis_summary._decode(data, playable.program, key).expert_path
    data["key"] = hashlib.sha256(b"another").hexdigest()
    with pytest.raises(ValueError, match="another scenario"):
        analysis_summary._decode(data, playable.program, key)
