"""The library logger: what casesim logs under ``casesim``, and that it configures no handler."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from casesim.authoring.pipeline import load_scenario
from casesim.play.analyses import Analyses
from casesim.records import open_store
from casesim.records.sqlite.schema import SCHEMA_VERSION
from casesim.scoring.catalog import Catalog
from casesim.semantics.explore import Analysis, analyse
from casesim.semantics.program import Program


def _messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    """What ``logger`` and the loggers under it (``logger.*``) said, in order."""
    return [r.getMessage() for r in caplog.records if r.name == logger or r.name.startswith(logger + ".")]


def test_the_casesim_logger_has_only_a_null_handler() -> None:
    handlers = logging.getLogger("casesim").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]
    for name in ("casesim.records.sqlite.store", "casesim.records.sqlite.schema", "casesim.semantics.explore",
                 "casesim.play.analyses"):
        assert logging.getLogger(name).handlers == []


def test_opening_a_store_logs_its_path_mode_and_the_migration_that_created_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "records.db"
    with caplog.at_level(logging.INFO, logger="casesim"):
        open_store(path).close()
        open_store(path, readonly=True).close()
    assert _messages(caplog, "casesim.records.sqlite") == [
        f"records store {path} created: schema migrated from version 0 to {SCHEMA_VERSION}",
        f"records store opened: {path} (readonly=False)",
        f"records store opened: {path} (readonly=True)",
    ]


def test_an_analysis_logs_its_state_count_and_time(catalog: Catalog, root: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    loaded = load_scenario(root / "scenarios" / "example-check-in.yaml", catalog, analyse_paths=False).playable
    assert loaded is not None
    with caplog.at_level(logging.INFO, logger="casesim"):
        analysis = analyse(loaded.program)
    [message] = _messages(caplog, "casesim.semantics.explore")
    assert message.startswith(f"analysed scenario example-check-in: {analysis.state_count} states in ")
    assert message.endswith(" s") and float(message.split(" in ")[1][:-2]) >= 0
    with caplog.at_level(logging.INFO, logger="casesim"):
        analyse(loaded.program, state_limit=3)
    assert "(stopped at the limit of 3)" in _messages(caplog, "casesim.semantics.explore")[-1]


def test_a_failed_background_analysis_is_logged_with_its_traceback(catalog: Catalog, root: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    loaded = load_scenario(root / "scenarios" / "example-check-in.yaml", catalog, analyse_paths=False).playable
    assert loaded is not None

    def broken(program: Program) -> Analysis:
        raise RuntimeError(f"no analysis of {program.scenario.id} today")

    with caplog.at_level(logging.INFO, logger="casesim"):
        failure = Analyses(broken).request(loaded).exception(timeout=30)
    assert isinstance(failure, RuntimeError)
    [record] = [r for r in caplog.records if r.name == "casesim.play.analyses"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "background analysis of scenario example-check-in failed"
    assert record.exc_info is not None and record.exc_info[1] is failure



def test_serve_leaves_the_casesim_logger_as_it_found_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve logs to stderr for the journal while it runs; a serve that stops (here: refused
    before it starts) takes its handler away, so casesim used as a library logs nowhere."""
    from click.testing import CliRunner

    from casesim.cli.main import cli

    monkeypatch.setenv("CASESIM_LRS_PASSWORD", "x")
    before = list(logging.getLogger("casesim").handlers), logging.getLogger("casesim").level
    fifo = tmp_path / "records.db"
    os.mkfifo(fifo)  # refused by the store, after serve has started logging
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--db", str(fifo), "serve", "--state-dir",
                                      str(tmp_path / "s"), "--lrs-endpoint", "http://127.0.0.1:9/xAPI",
                                      "--lrs-user", "casesim"])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert (list(logging.getLogger("casesim").handlers), logging.getLogger("casesim").level) == before
