"""The analysis cache on disk (issue 13 item 9): hits, misses, invalidation, damaged and foreign
files, and the CLI's ``--no-cache`` / ``CASESIM_CACHE_DIR``."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import casesim
from casesim.authoring import analysis_cache
from casesim.authoring.pipeline import Playable, load_scenario
from casesim.cli.main import cli
from casesim.scoring.catalog import Catalog, load_catalog
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program
from support.paths import DATA, EXAMPLE, ROOT, SCENARIOS


def _playable(path: Path, catalog: Catalog, root: Path | None = None) -> Playable:
    report = load_scenario(path, catalog, analyse_paths=False, library_root=root)
    assert report.playable is not None, report.diagnostics
    return report.playable


def _refuse(program: Program) -> Analysis:
    raise AssertionError(f"{program.scenario.id} was analysed again instead of read from the cache")


def _same(a: Analysis, b: Analysis) -> None:
    """Every field of two analyses of one program agrees (``program`` is the same object)."""
    assert a.states == b.states
    assert a.index == b.index
    assert [[(s.id, t) for s, t in out] for out in a.edges] == [[(s.id, t) for s, t in out] for out in b.edges]
    for field in ("complete", "reachable_nodes", "reachable_endings", "steps_taken", "dead_ends", "trapped",
                  "can_finish", "path_count", "scoring_cycles", "total", "extremes", "best_any_to_go",
                  "best_to_go", "clean_path_exists", "expert_path", "components", "estimate", "best_path",
                  "stopped"):
        assert getattr(a, field) == getattr(b, field), field


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    analysis_cache.configure(folder)
    return folder


def test_a_miss_computes_and_writes_a_private_file_and_a_hit_reads_it_back(cache: Path, catalog: Catalog) -> None:
    playable = _playable(EXAMPLE, catalog)
    computed = analysis_cache.cached_analyse(playable.program, playable.content_hash)
    # (the source digest's memo, code-digest.json, sits beside the analyses: not an analysis)
    files = [f for f in cache.glob("*.json") if not f.name.endswith("-digest.json")]
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert not list(cache.glob(".analysis-*")), "no temporary file is left behind"
    read = analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=_refuse)
    _same(computed, read)
    _same(analyse(playable.program), read)


def test_a_scenario_with_a_loop_and_an_include_round_trips(cache: Path, catalog: Catalog) -> None:
    for path, root in ((DATA / "audit" / "balanced.yaml", None), (DATA / "include" / "cssrs-demo.yaml", ROOT)):
        playable = _playable(path, catalog, root)
        computed = analysis_cache.cached_analyse(playable.program, playable.content_hash)
        _same(computed, analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=_refuse))


def test_nothing_is_cached_until_a_folder_is_configured(tmp_path: Path, catalog: Catalog) -> None:
    analysis_cache.configure(None)
    playable = _playable(EXAMPLE, catalog)
    calls: list[str] = []

    def count(program: Program) -> Analysis:
        calls.append(program.scenario.id)
        return analyse(program)

    analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=count)
    analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=count)
    assert calls == ["example-check-in", "example-check-in"]


def _library(tmp_path: Path) -> Path:
    """A library folder holding a scenario that includes the shared C-SSRS block."""
    library = tmp_path / "library"
    (library / "shared").mkdir(parents=True)
    shutil.copy(SCENARIOS / "shared" / "cssrs-screen.yaml", library / "shared" / "cssrs-screen.yaml")
    text = (DATA / "include" / "cssrs-demo.yaml").read_text(encoding="utf-8")
    (library / "demo.yaml").write_text(text.replace("../../../scenarios/shared/", "shared/"), encoding="utf-8")
    return library


def _key(library: Path, catalog: Catalog) -> str:
    playable = _playable(library / "demo.yaml", catalog, library)
    return analysis_cache.cache_key(playable.program, playable.content_hash)


def test_the_key_changes_with_the_scenario_an_included_block_a_protocol_and_the_version(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    library = _library(tmp_path)
    first = _key(library, catalog)
    assert _key(library, catalog) == first, "the key is stable for the same content"

    scenario = library / "demo.yaml"
    original = scenario.read_text(encoding="utf-8")
    scenario.write_text(original.replace("Came in about a benefits renewal", "Came in about a housing renewal"),
                        encoding="utf-8")
    edited_scenario = _key(library, catalog)
    scenario.write_text(original, encoding="utf-8")

    block = library / "shared" / "cssrs-screen.yaml"
    block.write_text(block.read_text(encoding="utf-8") + "\n# an edit to the shared block\n", encoding="utf-8")
    edited_block = _key(library, catalog)

    frameworks = tmp_path / "scoring"
    shutil.copytree(ROOT / "scoring", frameworks)
    screener = frameworks / "cssrs-screener.yaml"
    screener.write_text(screener.read_text(encoding="utf-8").replace(
        "Record the result and go on", "Write down the result and go on"), encoding="utf-8")
    edited_protocol = _key(library, load_catalog(frameworks))

    monkeypatch.setattr(casesim, "__version__", "99.0.0")
    monkeypatch.setattr(analysis_cache, "_code_digest", None)
    new_version = _key(library, catalog)
    monkeypatch.undo()
    analysis_cache._code_digest = None

    keys = [first, edited_scenario, edited_block, edited_protocol, new_version]
    assert len(set(keys)) == len(keys)
    assert _key(library, catalog) != first  # the block is still edited
    block.write_text((SCENARIOS / "shared" / "cssrs-screen.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _key(library, catalog) == first


def _damage(file: Path, how: str) -> None:
    raw = file.read_bytes()
    head, _, body = raw.partition(b"\n")
    header = json.loads(head)
    if how == "truncated":
        file.write_bytes(raw[: len(raw) // 2])
    elif how == "flipped":
        at = len(head) + 1 + len(body) // 2
        file.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])
    elif how == "garbage":
        file.write_bytes(b"\x00\xff not json at all")
    elif how == "empty":
        file.write_bytes(b"")
    elif how == "foreign":  # valid JSON from something else
        file.write_text('{"hello": "world"}\n[1, 2, 3]', encoding="utf-8")
    elif how == "pickle":  # what a hostile file might try: it is never unpickled
        file.write_bytes(b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00cos\nsystem\n.")
    elif how in ("negative-index", "wrong-type", "unknown-step"):
        data = json.loads(body)
        if how == "negative-index":
            data["dead_ends"] = [-1]
        elif how == "wrong-type":
            data["path_count"] = "many"
        else:
            data["expert_path"] = ["not-a-choice"]
        # A consistent checksum: the checks of the content must catch it, not the digest.
        new_body = json.dumps(data).encode()
        header["sha256"] = hashlib.sha256(new_body).hexdigest()
        file.write_bytes(json.dumps(header).encode() + b"\n" + new_body)
    else:  # pragma: no cover
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["truncated", "flipped", "garbage", "empty", "foreign", "pickle",
                                 "negative-index", "wrong-type", "unknown-step"])
def test_a_damaged_or_foreign_file_is_ignored_and_rebuilt(cache: Path, catalog: Catalog, how: str) -> None:
    playable = _playable(EXAMPLE, catalog)
    good = analysis_cache.cached_analyse(playable.program, playable.content_hash)
    (file,) = cache.glob("*.json")
    _damage(file, how)
    calls: list[str] = []

    def count(program: Program) -> Analysis:
        calls.append(program.scenario.id)
        return analyse(program)

    rebuilt = analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=count)
    assert calls == ["example-check-in"]
    _same(good, rebuilt)
    # ... and the rebuilt file is whole again
    _same(good, analysis_cache.cached_analyse(playable.program, playable.content_hash, compute=_refuse))


def test_a_file_under_another_key_is_not_read(cache: Path, catalog: Catalog) -> None:
    example = _playable(EXAMPLE, catalog)
    other = _playable(DATA / "audit" / "balanced.yaml", catalog)
    analysis_cache.cached_analyse(example.program, example.content_hash)
    (file,) = cache.glob("*.json")
    file.rename(cache / f"{analysis_cache.cache_key(other.program, other.content_hash)}.json")
    calls: list[str] = []

    def count(program: Program) -> Analysis:
        calls.append(program.scenario.id)
        return analyse(program)

    analysis_cache.cached_analyse(other.program, other.content_hash, compute=count)
    assert calls == [other.scenario.id]


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, catalog: Catalog) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    analysis_cache.configure(blocker / "cache")
    playable = _playable(EXAMPLE, catalog)
    assert analysis_cache.cached_analyse(playable.program, playable.content_hash).complete


def test_validate_uses_the_configured_folder_and_no_cache_turns_it_off(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "my-cache"
    off = runner.invoke(cli, ["--cache-dir", str(folder), "validate", "--no-cache", str(EXAMPLE)])
    assert off.exit_code == 0, off.output
    assert not folder.exists()
    cold = runner.invoke(cli, ["validate", str(EXAMPLE)], env={"CASESIM_CACHE_DIR": str(folder)})
    assert cold.exit_code == 0, cold.output
    files = sorted(f.name.split(".", 1)[1] for f in folder.glob("*.json") if not f.name.endswith("-digest.json"))
    assert files == ["findings.json", "json"], "one analysis and the validate findings"
    warm = runner.invoke(cli, ["validate", str(EXAMPLE)], env={"CASESIM_CACHE_DIR": str(folder)})
    assert (warm.exit_code, warm.output) == (cold.exit_code, cold.output) == (off.exit_code, off.output)


def test_validate_findings_are_read_back_for_the_same_file_and_catalog(
        cache: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from casesim.authoring import pipeline

    playable = _playable(EXAMPLE, catalog)
    first = pipeline.analysis_findings(playable, catalog)
    analysed = pipeline.with_analysis(playable, catalog)
    expected = [d for d in analysed.warnings if d not in playable.warnings] + pipeline.audit_and_lint(analysed)[1]
    assert first == expected

    def refuse(*_: object) -> object:
        raise AssertionError("the findings were computed again instead of read from the cache")

    monkeypatch.setattr(pipeline, "analyse_and_lint", refuse)
    assert pipeline.analysis_findings(playable, catalog) == first
    # Named by another path, the findings (which name the file) are computed afresh.
    other = tmp_copy = cache.parent / "elsewhere.yaml"
    shutil.copy(EXAMPLE, tmp_copy)
    with pytest.raises(AssertionError, match="computed again"):
        pipeline.analysis_findings(_playable(other, catalog), catalog)
