"""A keyed store from the command line: the key from CASESIM_RECORD_KEY or --key-file, never argv."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import AnalysedScenario
from casesim.records.sqlite import SQLiteStore
from casesim.scoring.catalog import Catalog
from support.cli import Casesim
from support.records import EXPERT, play

KEY = "0123456789abcdef" * 4


@pytest.fixture
def keyed_db(tmp_path: Path, catalog: Catalog, example: AnalysedScenario) -> Path:
    path = tmp_path / "keyed.db"
    with SQLiteStore(path, key=KEY.encode()) as store:
        play(store, example, catalog, "ann", EXPERT)
    return path


def test_verify_refuses_a_keyed_store_without_its_key(casesim: Casesim, keyed_db: Path) -> None:
    result = casesim("records", "verify", "--db", str(keyed_db))
    assert result.exit_code == 2
    assert "keyed" in result.stderr and "CASESIM_RECORD_KEY" in result.stderr
    assert casesim("records", "list", "--db", str(keyed_db)).exit_code == 0  # reading needs no key


def test_verify_takes_the_key_from_the_environment_or_a_file(casesim: Casesim, keyed_db: Path,
                                                             tmp_path: Path) -> None:
    result = casesim("records", "verify", "--db", str(keyed_db), env={"CASESIM_RECORD_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert "Chain: keyed (HMAC-SHA256" in result.stdout
    key_file = tmp_path / "record.key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    assert casesim("records", "verify", "--db", str(keyed_db), "--key-file", str(key_file)).exit_code == 0
    result = casesim("records", "verify", "--db", str(keyed_db), env={"CASESIM_RECORD_KEY": f"@{key_file}"})
    assert result.exit_code == 0
    result = casesim("records", "verify", "--db", str(keyed_db), env={"CASESIM_RECORD_KEY": "f" * 64})
    assert result.exit_code == 2 and "not the key" in result.stderr


def test_a_key_on_the_command_line_is_refused(casesim: Casesim, keyed_db: Path) -> None:
    result = casesim("--record-key", KEY, "records", "verify", "--db", str(keyed_db))
    assert result.exit_code == 2
    assert "command line" in result.output


def test_a_short_key_is_refused_with_how_to_make_one(casesim: Casesim, keyed_db: Path) -> None:
    result = casesim("records", "verify", "--db", str(keyed_db), env={"CASESIM_RECORD_KEY": "short"})
    assert result.exit_code == 2
    assert "at least 32" in result.stderr and "secrets.token_hex" in result.stderr


def test_the_pdf_of_a_keyed_store_without_its_key_says_not_verified(casesim: Casesim, keyed_db: Path,
                                                                   tmp_path: Path) -> None:
    from support.pdf import pdf_text

    target = tmp_path / "ann.pdf"
    result = casesim("export", "pdf", "ann", "--db", str(keyed_db), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "not verified" in result.stderr
    text = " ".join(pdf_text(target).split())
    assert "Do not sign" in text and "was not verified" in text and "keyed" in text
