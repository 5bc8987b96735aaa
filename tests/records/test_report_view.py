"""The cohort report reads report views (issue 13, benchmarks): the same report whether the
scenarios are loaded from YAML, from a cold cache or from a warm one, and a warm one validates
and compiles nothing."""

from __future__ import annotations

import gc
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from casesim.authoring import analysis_cache, cache_entries, pipeline, scenario_cache
from casesim.authoring import report_view as report_view_module
from casesim.authoring.pipeline import AnalysedScenario, require_scenario
from casesim.authoring.report_view import ReportView
from casesim.format import reader
from casesim.format.scenario import Scenario
from casesim.play.library import load_report_views, load_scenarios_by_id
from casesim.play.session import Session
from casesim.records import decisions
from casesim.records.render import cohort_text, report_json
from casesim.records.reports import CohortReport, cohort_report
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE
from support.records import EXPERT, LOST, SECRECY, play, random_step

ID = "example-check-in"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    analysis_cache.configure(folder)
    return folder


def _random_path(loaded: AnalysedScenario, rng: random.Random) -> list[str]:
    session = Session(loaded.program, mode="practice")
    path: list[str] = []
    while (step := random_step(session, rng)) is not None:
        if path and rng.random() < 0.15:
            session.undo()
            path.append("undo")
            continue
        if step.startswith("timeout:"):
            session.expire_timer()
        else:
            session.choose(step)
        path.append(step)
    session.close()
    return path


@pytest.fixture
def class_store(store: SQLiteStore, library: Path, catalog: Catalog) -> SQLiteStore:
    """A class on the example: fixed paths, random ones with undos and timeouts, one unfinished
    attempt, and one attempt on an older version of the file."""
    loaded = require_scenario(library / EXAMPLE.name, catalog)
    rng = random.Random(13)
    for i in range(6):
        store.upsert_trainee(f"t{i}", f"Trainee {i}", "fall")
        play(store, loaded, catalog, f"t{i}", [EXPERT, SECRECY, LOST][i % 3], mode="assessment")
        for _ in range(3):
            play(store, loaded, catalog, f"t{i}", _random_path(loaded, rng))
    play(store, loaded, catalog, "t0", EXPERT[:3], finish=False)
    older = library / "older.yaml"
    older.write_text((library / EXAMPLE.name).read_text(encoding="utf-8") + "\n# an older version\n",
                     encoding="utf-8")
    play(store, require_scenario(older, catalog), catalog, "t1", SECRECY)
    older.unlink()
    return store


def _report(store: SQLiteStore, library: dict[str, object], catalog: Catalog) -> CohortReport:
    return cohort_report(store, "fall", library=library, catalog=catalog)  # type: ignore[arg-type]


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> object:
        raise AssertionError("a warm report read YAML, validated a scenario or compiled a program")

    monkeypatch.setattr(pipeline, "read_yaml_bytes", refuse)
    monkeypatch.setattr(reader, "read_yaml_bytes", refuse)
    monkeypatch.setattr(Scenario, "model_validate", refuse)
    monkeypatch.setattr(scenario_cache, "compile_program", refuse)
    monkeypatch.setattr(pipeline, "compile_program", refuse)


def test_the_report_from_views_cold_and_warm_is_the_report_from_the_loaded_scenarios(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_scenarios_by_id([library], catalog, only={ID}, summary=True)
    expected = _report(class_store, dict(loaded), catalog)
    (items,) = expected.items
    assert items.other_versions == 1 and expected.departures
    assert any(o.expert for n in items.nodes for o in n.options)
    assert any(o.offered and o.offered < n.decisions for n in items.nodes for o in n.options), "guards are replayed"
    assert any(o.choice.startswith("timeout:") and o.count for n in items.nodes for o in n.options)
    cold = load_report_views([library], catalog, only={ID})
    assert isinstance(cold[ID], ReportView)
    assert _report(class_store, dict(cold), catalog) == expected
    assert len(list(cache.glob("*.view.json"))) == 1
    _no_validation(monkeypatch)
    warm = load_report_views([library], catalog, only={ID})
    assert warm[ID].rules is not loaded[ID].program, "read back from the cache"
    report = _report(class_store, dict(warm), catalog)
    assert report == expected
    assert report_json(report) == report_json(expected) and cohort_text(report) == cohort_text(expected)
    # an option (a named tuple) is an object with its names in the JSON, as when it was a dataclass
    (option, *_) = json.loads(json.dumps(report_json(report)))["items"][0]["nodes"][0]["options"]
    assert option == {**report.items[0].nodes[0].options[0]._asdict()} and {"choice", "offered"} <= set(option)
    assert load_report_views([library], catalog, only={"another"}) == {}


def test_a_damaged_or_forged_view_is_ignored_and_rebuilt(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    expected = _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
    (entry,) = cache.glob("*.view.json")
    entry.write_bytes(entry.read_bytes().replace(b'"expert":{', b'"expert":{"x":"y",', 1))
    assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected
    assert "ignoring the cached report view" in caplog.text and "checksum" in caplog.text
    caplog.clear()
    # a well-formed entry (its checksum right) naming an expert step at the wrong node
    head, _, body = entry.read_bytes().partition(b"\n")
    key = json.loads(head)["key"]
    data = json.loads(body)
    node, sid = next(iter(data["expert"].items()))
    data["expert"] = {"somewhere-else": sid}
    entry.write_bytes(analysis_cache._wrap(data, key))
    assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected
    assert "is not a step at node" in caplog.text
    assert node
    # well-formed entries whose nodes or options (a column per field, checked a column at a time) do not check
    good = json.loads(body)
    forgeries: dict[str, Callable[[dict[str, Any]], object]] = {
        "points that are true or false": lambda d: d["options"][3].__setitem__(0, True),
        "an id that is a number": lambda d: d["options"][0].__setitem__(0, 7),
        "a say that is a list": lambda d: d["options"][1].__setitem__(0, ["x"]),
        "a flag that is a number": lambda d: d["options"][5].__setitem__(0, 0),
        "a column cut short": lambda d: d["options"][2].pop(),
        "a column missing": lambda d: d["options"].pop(),
        "a node with more options than listed": lambda d: d["nodes"][3].__setitem__(0, d["nodes"][3][0] + 1),
        "a node with a negative count": lambda d: d["nodes"][3].__setitem__(0, -1),
        "a node's count that is true": lambda d: d["nodes"][3].__setitem__(0, True),
        "a node id that is a number": lambda d: d["nodes"][0].__setitem__(0, 3),
        "a node's flag that is text": lambda d: d["nodes"][1].__setitem__(0, "yes"),
        "a node column cut short": lambda d: d["nodes"][2].pop(),
        "the nodes as rows": lambda d: d.__setitem__("nodes", [list(row) for row in zip(*d["nodes"], strict=True)]),
        "one id at two nodes": lambda d: d["options"][0].__setitem__(1, d["options"][0][0]),
    }
    for what, forge in forgeries.items():
        data = json.loads(json.dumps(good))
        forge(data)
        entry.write_bytes(analysis_cache._wrap(data, key))
        caplog.clear()
        assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected, what
        assert "ignoring the cached report view" in caplog.text, what
        assert json.loads(entry.read_bytes().partition(b"\n")[2]) == good, f"{what}: rebuilt as it was"


def test_an_edited_scenario_gets_a_new_view_and_its_old_one_is_removed(
        library: Path, catalog: Catalog, cache: Path) -> None:
    file = library / EXAMPLE.name
    first = load_report_views([library], catalog, only={ID})[ID]
    (old,) = cache.glob("*.view.json")
    file.write_text(file.read_text(encoding="utf-8").replace('\ntitle: "', '\ntitle: "Edited ', 1), encoding="utf-8")
    second = load_report_views([library], catalog, only={ID})[ID]
    assert second.title == "Edited " + first.title and second.content_hash != first.content_hash
    (new,) = cache.glob("*.view.json")
    assert new != old and new.name.startswith(cache_entries.scope_of(file))


def _no_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report that needs the rules or a replay from here on fails."""
    def refuse(*_: object, **__: object) -> object:
        raise AssertionError("a report rebuilt the rules or replayed a path the known walks cover")

    monkeypatch.setattr(report_view_module, "rules_from_data", refuse)
    for name in ("initial_state", "open_choices", "replay", "apply"):
        monkeypatch.setattr(decisions, name, refuse)


def _walks(cache: Path) -> tuple[Path, str, dict[str, Any]]:
    (entry,) = cache.glob("*.walks.json")
    head, _, body = entry.read_bytes().partition(b"\n")
    return entry, json.loads(head)["key"], json.loads(body)


def test_a_warm_report_takes_the_paths_earlier_reports_replayed_without_the_rules(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _report(class_store, dict(load_scenarios_by_id([library], catalog, only={ID}, summary=True)), catalog)
    assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected
    _, _, known = _walks(cache)
    assert known["starts"] == [["opening", False]] and len(known["rows"]) > 10
    with monkeypatch.context() as patched:
        _no_validation(patched)
        _no_replay(patched)
        report = _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
    assert report == expected and cohort_text(report) == cohort_text(expected)
    # a path the walks do not cover: replayed with the rules rebuilt from the view, and kept
    loaded = require_scenario(library / EXAMPLE.name, catalog)
    rng = random.Random(99)
    paths = {tuple(p) for p in (_random_path(loaded, rng) for _ in range(40))}
    for i, path in enumerate(sorted(paths)[:8]):
        play(class_store, loaded, catalog, f"t{i % 6}", list(path))
    expected = _report(class_store, dict(load_scenarios_by_id([library], catalog, only={ID}, summary=True)), catalog)
    with monkeypatch.context() as patched:
        _no_validation(patched)
        assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected
    _, _, grown = _walks(cache)
    assert len(grown["rows"]) > len(known["rows"]) and grown["rows"][:len(known["rows"])] == known["rows"]
    with monkeypatch.context() as patched:
        _no_validation(patched)
        _no_replay(patched)
        assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected


def test_forged_walks_are_ignored_and_the_paths_replayed_again(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    expected = _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
    entry, key, known = _walks(cache)
    view = json.loads(next(cache.glob("*.view.json")).read_bytes().partition(b"\n")[2])
    ids, _, _, counts = view["nodes"]
    at = dict(zip(view["options"][0], [node for node, count in zip(ids, counts, strict=True) for _ in range(count)],
                  strict=True))
    first = next(i for i, row in enumerate(known["rows"]) if row[2])
    elsewhere = next(sid for sid, node in at.items() if node != at[known["rows"][first][1]])
    forgeries = {
        "an option of another node offered": lambda rows: rows[first][2].append(elsewhere),
        "a step that is no option": lambda rows: rows[first].__setitem__(1, "made-up"),
        "a parent after its child": lambda rows: rows.__setitem__(0, [len(rows), rows[0][1], rows[0][2]]),
        "a start node not listed": lambda rows: rows[0].__setitem__(0, -7),
    }
    for what, forge in forgeries.items():
        rows = json.loads(json.dumps(known["rows"]))
        forge(rows)
        entry.write_bytes(analysis_cache._wrap({**known, "rows": rows}, key))
        caplog.clear()
        assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected, what
        assert "ignoring the cached list of replayed paths" in caplog.text, what
        assert _walks(cache)[2] == known, f"{what}: the walks are written again as replayed"


def test_rules_that_do_not_check_count_paths_without_what_was_offered_and_the_view_is_rebuilt(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    expected = _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)

    def forge(data: dict[str, Any]) -> None:
        guarded = next(row for row in data["rules"]["steps"] if row[3])
        guarded[3] = f"({guarded[3]}) + 1"  # a number where a condition is wanted

    for damage in ("forged", "missing"):
        _walks(cache)[0].unlink()  # so the next report needs the rules
        (view,) = cache.glob("*.view.json")
        (entry,) = cache.glob("*.rules.json")
        if damage == "forged":
            head, _, body = entry.read_bytes().partition(b"\n")
            key, data = json.loads(head)["key"], json.loads(body)
            forge(data)
            entry.write_bytes(analysis_cache._wrap(data, key))
        else:
            entry.unlink()
        caplog.clear()
        report = _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
        assert "has no rules that check" in caplog.text and not entry.exists() and not view.exists(), damage
        (items,) = report.items
        assert items.attempts == expected.items[0].attempts and not report.departures
        assert all(o.offered == 0 for n in items.nodes for o in n.options), "what was offered is not known"
        assert not list(cache.glob("*.walks.json")), "nothing replayed, nothing kept"
        assert _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog) == expected


def test_walks_past_the_limit_are_not_kept(class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_view_module, "MAX_WALK_ROWS", 5)
    _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
    assert list(cache.glob("*.view.json")) and not list(cache.glob("*.walks.json"))


def test_a_library_named_through_a_link_reads_the_same_views(library: Path, catalog: Catalog, cache: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A report resolves each file once and keys its entries by the resolved paths, as every
    other reader of the cache does: the same entries, however the folder is named."""
    first = load_report_views([library], catalog, only={ID})[ID]
    entries = sorted(cache.iterdir())
    link = library.parent / "linked-library"
    link.symlink_to(library, target_is_directory=True)
    _no_validation(monkeypatch)
    again = load_report_views([link], catalog, only={ID})[ID]
    assert again.content_hash == first.content_hash and sorted(cache.iterdir()) == entries
    assert scenario_cache.parsed_key(b"x", str(link / EXAMPLE.name), link, catalog) == scenario_cache.parsed_key(
        b"x", str((library / EXAMPLE.name).resolve()), library.resolve(), catalog, resolved=True)


def test_loading_and_the_report_run_with_the_collector_paused_and_leave_it_on(
        class_store: SQLiteStore, library: Path, catalog: Catalog, cache: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The views and the report are thousands of acyclic rows: collection passes over them took
    9 of about 60 ms of a warm report (casesim.collector). Paused inside, on again after."""
    seen: dict[str, bool] = {}
    real_read, real_paths = cache_entries.read_entry, class_store.decision_paths

    def read_entry(*args: Any, **kwargs: Any) -> Any:
        seen["loading"] = gc.isenabled()
        return real_read(*args, **kwargs)

    def decision_paths(*args: Any, **kwargs: Any) -> Any:
        seen["report"] = gc.isenabled()
        return real_paths(*args, **kwargs)

    monkeypatch.setattr(cache_entries, "read_entry", read_entry)
    monkeypatch.setattr(class_store, "decision_paths", decision_paths)
    load_report_views([library], catalog, only={ID})  # cold: writes the view
    assert gc.isenabled()
    _report(class_store, dict(load_report_views([library], catalog, only={ID})), catalog)
    assert seen == {"loading": False, "report": False}
    assert gc.isenabled()
