"""Run ``casesim`` in process with click's CliRunner, as a user would type it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from casesim.cli.main import cli
from support.backends import (  # noqa: F401 - the hook and fixtures that run a test on both backends
    backend,
    database,
    open_records,
    pytest_generate_tests,
    raw_sql,
    records_db,
    sql_rows,
)
from support.cli import ROOT, Casesim


@pytest.fixture
def casesim(monkeypatch: pytest.MonkeyPatch) -> Casesim:
    """Run ``casesim ARGS...`` from the checkout's root (so relative paths like ``scenarios/`` work)."""
    monkeypatch.chdir(ROOT)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), prog_name="casesim", env=env)

    return run
