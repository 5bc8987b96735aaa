"""`casesim review sign`: a sign-off is data (who, credential, date, content hash) that an edit voids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casesim.authoring.pipeline import load_scenario
from casesim.authoring.signoff import playable_signoff, sign_file, signoff_of_file
from casesim.cli.main import cli
from casesim.errors import CaseSimError, ScenarioError
from casesim.format.signoff import content_hash
from casesim.scoring.catalog import Catalog


def casesim(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="casesim")

EXAMPLE = Path(__file__).parents[2] / "scenarios" / "example-check-in.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "example-check-in.yaml"
    shutil.copyfile(EXAMPLE, target)
    return target


def _outside_review(text: str) -> tuple[str, str]:
    """The file's text before and after its top-level `reviewed:` block."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("reviewed:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n"))
    return "".join(lines[:start]), "".join(lines[end:])


def test_signing_rewrites_only_the_review_block_and_records_the_content_hash(copy: Path, catalog: Catalog) -> None:
    before = copy.read_text(encoding="utf-8")
    result = sign_file(copy, by="J. Doe", credential="LCSW", on="2026-12-01", catalog=catalog)
    after = copy.read_text(encoding="utf-8")
    assert _outside_review(after) == _outside_review(before)
    assert after != before
    report = load_scenario(copy, catalog, analyse_paths=False)
    assert report.playable is not None and report.document is not None
    review = report.playable.scenario.reviewed
    assert (review.status, review.by, review.credential, review.on) == ("reviewed", "J. Doe", "LCSW", "2026-12-01")
    assert review.notes is not None and review.notes.startswith("Written as a format example")
    # The hash covers everything but the review block, so it is the same before and after signing.
    original = load_scenario(EXAMPLE, catalog, analyse_paths=False)
    assert original.document is not None
    assert review.content_hash == content_hash(original.document.data) == result.signoff.content_hash
    assert playable_signoff(report.playable) == result.signoff
    assert not [d for d in report.diagnostics if d.code.startswith("signoff")]


def test_signing_again_does_not_change_what_is_signed(copy: Path, catalog: Catalog) -> None:
    first = sign_file(copy, by="J. Doe", credential="LCSW", on="2026-12-01", catalog=catalog)
    second = sign_file(copy, by="A. Roe", credential="LICSW", on="2026-12-02", catalog=catalog)
    assert first.signoff.content_hash == second.signoff.content_hash
    assert second.signoff.describe() == "A. Roe (LICSW) on 2026-12-02"


def test_editing_the_content_voids_the_signoff_and_validate_names_the_reviewer(copy: Path, catalog: Catalog) -> None:
    sign_file(copy, by="J. Doe", credential="LCSW", on="2026-12-01", catalog=catalog)
    copy.write_text(copy.read_text(encoding="utf-8").replace("Sorry, I'm on a bus", "Sorry, I'm on a train"),
                    encoding="utf-8")
    state, _ = signoff_of_file(copy, catalog)
    assert state is not None and state.status == "voided" and state.signoff is None
    report = load_scenario(copy, catalog, analyse_paths=False)
    assert report.playable is not None and playable_signoff(report.playable) is None
    result = casesim("validate", str(copy))
    assert "the sign-off by J. Doe (LCSW) on 2026-12-01 is void" in result.output
    assert "re-sign" in result.output and "[signoff-voided]" in result.output
    assert casesim("validate", "--strict", str(copy)).exit_code == 1
    status = casesim("review", "status", str(copy))
    assert status.exit_code == 1 and "VOIDED" in status.output


def test_a_comment_is_not_content(copy: Path, catalog: Catalog) -> None:
    sign_file(copy, by="J. Doe", credential="LCSW", on="2026-12-01", catalog=catalog)
    copy.write_text("# a trainer's note\n" + copy.read_text(encoding="utf-8"), encoding="utf-8")
    state, _ = signoff_of_file(copy, catalog)
    assert state is not None and state.status == "signed"


def test_a_file_that_does_not_validate_is_refused_with_its_diagnostics(copy: Path, catalog: Catalog) -> None:
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("\nstart: ", "\nstart: no-such-node #", 1), encoding="utf-8")
    broken = copy.read_bytes()
    with pytest.raises(ScenarioError) as caught:
        sign_file(copy, by="J. Doe", credential="LCSW", catalog=catalog)
    assert any("no-such-node" in d.message for d in caught.value.diagnostics)
    assert copy.read_bytes() == broken


def test_a_bad_date_is_refused(copy: Path, catalog: Catalog) -> None:
    with pytest.raises(CaseSimError, match="YYYY-MM-DD"):
        sign_file(copy, by="J. Doe", credential="LCSW", on="1 Dec 2026", catalog=catalog)


def test_review_sign_and_status_from_the_command_line(copy: Path) -> None:
    assert "draft: not signed off" in casesim("review", "status", str(copy)).output
    signed = casesim("review", "sign", str(copy), "--by", "J. Doe", "--credential", "LCSW", "--on", "2026-12-01")
    assert signed.exit_code == 0, signed.output
    assert "signed off by J. Doe (LCSW) on 2026-12-01" in signed.output
    status = casesim("review", "status", str(copy))
    assert status.exit_code == 0 and "signed off by J. Doe (LCSW) on 2026-12-01" in status.output


def test_a_hand_written_reviewed_status_is_not_a_signoff(copy: Path, catalog: Catalog) -> None:
    text = copy.read_text(encoding="utf-8").replace("  status: draft\n", "  status: reviewed\n  by: J. Doe\n"
                                                                         "  on: 2026-11-01\n", 1)
    copy.write_text(text, encoding="utf-8")
    state, _ = signoff_of_file(copy, catalog)
    assert state is not None and state.status == "unsigned" and state.signoff is None
    report = load_scenario(copy, catalog, analyse_paths=False)
    assert [d.code for d in report.diagnostics if d.code.startswith("signoff")] == ["signoff-missing"]
