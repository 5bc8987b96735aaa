"""``casesim review sign`` and ``review status``: write a clinician's sign-off into a scenario file.

Signing rewrites only the text of the top-level ``reviewed:`` block; every other byte of the file
(comments, formatting, line endings) stays as it was. The sign-off records the content hash of
everything but that block (:func:`casesim.format.signoff.content_hash`), so editing the scenario
afterwards voids it, and signing again does not change what is signed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casesim.authoring.pipeline import Playable, load_scenario, load_scenario_bytes
from casesim.errors import CaseSimError, ScenarioError
from casesim.format.reader import SourceDocument
from casesim.format.signoff import SignOff, SignOffState, signoff_state
from casesim.scoring.catalog import Catalog

__all__ = ["SignResult", "playable_signoff", "replace_review_block", "sign_file", "signoff_of_file"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def playable_signoff(playable: Playable) -> SignOff | None:
    """The valid sign-off of a loaded scenario (None when it is draft, unsigned or voided): what an
    attempt records when it begins."""
    return signoff_state(playable.scenario.reviewed, playable.document.data).signoff


def _quote(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, whatever it contains.
    return json.dumps(value, ensure_ascii=False)


def replace_review_block(text: str, document: SourceDocument, lines: list[tuple[str, str]]) -> str:
    """``text`` with its top-level ``reviewed:`` block replaced by ``key: value`` lines (values
    already YAML), every other line untouched."""
    position = document.positions.get(("reviewed",))
    if position is None:
        raise CaseSimError(f"{document.path} has no `reviewed:` block to sign", title="cannot sign",
                           hint="add `reviewed: {status: draft}` at the top level, then sign")
    key = position[0]
    if key.col != 1:
        raise CaseSimError(f"{document.path}:{key.line}:{key.col}: `reviewed:` must be a top-level key at the "
                           "start of its line to be signed", title="cannot sign")
    source = text.splitlines(keepends=True)
    newline = "\r\n" if source and source[0].endswith("\r\n") else "\n"
    start = key.line - 1
    end = start + 1
    last = start + 1  # one past the last line that belongs to the block
    indent = "  "
    while end < len(source):
        line = source[end]
        if not line.strip():
            end += 1
            continue
        if line[0] not in " \t":
            break
        if last == start + 1 and line.lstrip(" ").strip():
            indent = line[: len(line) - len(line.lstrip(" "))] or indent
        end += 1
        last = end
    block = "reviewed:" + newline + "".join(f"{indent}{k}: {v}{newline}" for k, v in lines)
    if last == len(source) and not source[-1].endswith(("\n", "\r")):
        block = block.removesuffix(newline)
    return "".join(source[:start]) + block + "".join(source[last:])


@dataclass(frozen=True, slots=True)
class SignResult:
    path: Path
    signoff: SignOff


def sign_file(path: str | Path, *, by: str, credential: str, on: str | None = None,
              catalog: Catalog | None = None, today: date | None = None) -> SignResult:
    """Sign ``path`` off as reviewed by ``by`` (``credential``) on ``on`` (default: today).

    Refuses (:class:`ScenarioError`, with every diagnostic) a file that does not validate: a
    clinician signs a scenario that loads, not one that cannot be played.
    """
    target = Path(path)
    by, credential = by.strip(), credential.strip()
    if not by or not credential:
        raise CaseSimError("a sign-off needs the reviewer's name and credential", title="cannot sign",
                           hint='--by "J. Doe" --credential LCSW')
    on = on or (today or date.today()).isoformat()
    if not _DATE.match(on):
        raise CaseSimError(f"the date {on!r} is not YYYY-MM-DD", title="cannot sign", hint="--on 2026-12-01")
    report = load_scenario(target, catalog, analyse_paths=False)
    if report.playable is None or report.document is None:
        raise ScenarioError(report.errors or report.diagnostics,
                            title=f"{target} does not validate, so it cannot be signed (fix the errors, have "
                                  "it reviewed, then sign)")
    state = signoff_state(report.playable.scenario.reviewed, report.document.data)
    if state.current_hash is None:
        raise CaseSimError(f"{target}: its content has no canonical form to hash", title="cannot sign")
    raw = target.read_bytes()
    text = raw.decode("utf-8")
    notes = report.playable.scenario.reviewed.notes
    lines = [("status", "reviewed"), ("by", _quote(by)), ("credential", _quote(credential)), ("on", _quote(on)),
             ("content_hash", _quote(state.current_hash))]
    if notes is not None:
        lines.append(("notes", _quote(notes)))
    updated = replace_review_block(text, report.document, lines)
    check = load_scenario_bytes(updated.encode("utf-8"), str(target), catalog, analyse_paths=False)
    signed = signoff_state(check.model.reviewed, check.document.data) if check.model and check.document else None
    if check.playable is None or signed is None or signed.signoff is None:
        raise CaseSimError(f"{target}: the signed file would not validate or verify; it was left unchanged",
                           title="cannot sign", hint="report this as a casesim bug")
    target.write_bytes(updated.encode("utf-8"))
    return SignResult(target, signed.signoff)


def signoff_of_file(path: str | Path, catalog: Catalog | None = None) -> tuple[SignOffState | None, str | None]:
    """A file's sign-off state, or (None, why) when the file does not load."""
    report = load_scenario(path, catalog, analyse_paths=False)
    if report.model is None or report.document is None:
        first = report.errors[0].format() if report.errors else "it cannot be read"
        return None, first
    return signoff_state(report.model.reviewed, report.document.data), None
