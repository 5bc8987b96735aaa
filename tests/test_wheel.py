"""The wheel as a user gets it: built from this checkout, installed into a fresh venv outside it.

A source checkout finds its scenarios, frameworks and font beside the code, so only an installed
wheel shows whether they ship. The slow test installs the locked runtime dependencies and the
wheel into a new venv under tmp_path and runs casesim from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "casesim"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the locked hatchling in this venv (what `make` installs), not
    # whatever version an isolated build would fetch.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=300)
    [built] = out.glob("casesim-*.whl")
    return built


def test_the_wheel_ships_the_library_the_font_the_stylesheets_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"casesim/data/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.yaml")}
    # The shared blocks scenarios bring in with `include:` travel with them.
    expected |= {f"casesim/data/scenarios/shared/{p.name}" for p in (ROOT / "scenarios" / "shared").glob("*.yaml")}
    # So do the translations `casesim play --lang` reads, and there is at least the Spanish example.
    locales = {f"casesim/data/scenarios/locales/{p.name}" for p in (ROOT / "scenarios" / "locales").glob("*.yaml")}
    assert "casesim/data/scenarios/locales/example-check-in.es.yaml" in locales
    expected |= locales
    expected |= {f"casesim/data/frameworks/{p.name}" for p in (ROOT / "scoring").glob("*.yaml")}
    # Every file of the package that is not Python: stylesheets, py.typed, the font and its licence.
    package_data = {f"casesim/{p.relative_to(PACKAGE).as_posix()}" for p in PACKAGE.rglob("*")
                    if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts}
    assert {"casesim/py.typed", "casesim/tui/app.tcss", "casesim/fonts/DejaVuSans.ttf",
            "casesim/fonts/DejaVuSans-Bold.ttf", "casesim/fonts/LICENSE"} <= package_data
    expected |= package_data
    assert expected <= names, sorted(expected - names)


def test_the_build_backend_requirement_covers_the_metadata_it_writes(wheel: Path) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [backend] = [Requirement(r) for r in pyproject["build-system"]["requires"]]
    assert backend.name == "hatchling"
    # The SPDX `license` and `license-files` (PEP 639) are written as License-Expression and
    # License-File, which hatchling supports from 1.27 on: the requirement must not admit older.
    assert not backend.specifier.contains("1.26.3") and backend.specifier.contains("1.27.0")
    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read("casesim-0.1.0.dist-info/METADATA").decode()
        names = set(archive.namelist())
    assert f"License-Expression: {pyproject['project']['license']}" in meta
    # The font's licence travels with the distribution's metadata as well as beside the font.
    assert "License-File: src/casesim/fonts/LICENSE" in meta
    assert "casesim-0.1.0.dist-info/licenses/src/casesim/fonts/LICENSE" in names
    # The locked hatchling that built this wheel satisfies the declared requirement.
    assert backend.specifier.contains(metadata.version("hatchling"))
    dev = {Requirement(r).name: Requirement(r) for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert dev["hatchling"].specifier == backend.specifier


def _environment(home: Path) -> dict[str, str]:
    """The environment of a user who just installed casesim: no checkout on the path."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"}}
    env["HOME"] = str(home)
    # conftest points HOME at a temporary folder; keep pip's cache where it really is.
    env.setdefault("PIP_CACHE_DIR", str(Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "pip"))
    return env


def _pdf_fonts(data: bytes) -> set[str]:
    return {name.decode().split("+")[-1] for name in re.findall(rb"/BaseFont\s*/(\S+)", data)}


@pytest.mark.slow
def test_the_installed_wheel_validates_plays_to_a_debrief_and_exports_a_pdf(
        wheel: Path, tmp_path: Path) -> None:
    venv, elsewhere = tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _environment(tmp_path / "home")
    python, casesim = venv / "bin" / "python", venv / "bin" / "casesim"
    # A venv without pip of its own (ensurepip costs several seconds); this venv's pip installs
    # into it with --python. It holds the locked runtime dependencies and the wheel, nothing else.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check"]
    # --no-compile: byte-compiling every dependency up front costs ~10 s; casesim's own run
    # compiles only what it imports.
    subprocess.run([*pip, "--no-compile", "--require-hashes", "-r", str(ROOT / "requirements" / "main.lock")],
                   check=True, env=env, cwd=elsewhere, timeout=900)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, env=env, cwd=elsewhere, timeout=300)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd=elsewhere, timeout=600)

    # No path: the bundled scenarios and framework catalog, found as package data.
    result = run(str(casesim), "validate", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    scenarios = len(list((ROOT / "scenarios").glob("*.yaml")))
    # Drafts get answer-cue notes, which fail nothing.
    blocks = len(list((ROOT / "scenarios" / "shared").glob("*.yaml")))  # checked as blocks, not scenarios
    frameworks = len(list((ROOT / "scoring").glob("*.yaml")))
    assert (f"{scenarios} scenario(s) and {blocks} shared block(s) and {frameworks} framework file(s) checked: "
            "0 error(s), 0 warning(s)") in result.stderr

    # The installed library finds its translations: the plain library lists the Spanish example.
    listing = subprocess.run([str(casesim), "--plain"], input="q\n", capture_output=True, text=True,
                             env={**env, "CASESIM_DATA": str(tmp_path / "data")}, cwd=elsewhere, timeout=300)
    assert "Example: a first check-in call, about 8 minutes, in English, Español" in listing.stdout, listing.stdout

    database = tmp_path / "records.db"
    result = run(str(python), str(ROOT / "tests" / "support" / "wheel_play.py"), str(database), "t-wheel")
    assert result.returncode == 0, result.stdout + result.stderr
    played = json.loads(result.stdout)
    site = Path(played["package"])
    assert site.is_relative_to(venv) and not site.is_relative_to(ROOT)
    assert Path(played["scenarios"]) == site / "data" / "scenarios"
    assert Path(played["frameworks"]) == site / "data" / "frameworks"
    assert Path(played["font"]) == site / "fonts" / "DejaVuSans.ttf"
    assert played["scenario"] == "example-check-in" and played["finished"] and played["passed"] is True
    assert played["ending"] and played["path"]

    pdf = tmp_path / "summary.pdf"
    env["CASESIM_DB"] = str(database)
    result = run(str(casesim), "export", "pdf", "t-wheel", "-o", str(pdf))
    assert result.returncode == 0, result.stdout + result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and _pdf_fonts(data) == {"DejaVuSansBook", "DejaVuSansBold"}
    assert data.count(b"/FontFile2") == 2
