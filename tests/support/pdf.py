"""Reading a rendered PDF back as text (pdftotext from poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_text(path: Path) -> str:
    """The PDF's text in reading order; skips the test when pdftotext is not installed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def reads_in_order(line: str, text: str) -> bool:
    """Whether ``line``'s words appear in ``text`` in order: a table cell wraps, and pdftotext
    interleaves its lines with the neighbouring cells'."""
    words = iter(text.split())
    return all(any(w == x for x in words) for w in line.split())
