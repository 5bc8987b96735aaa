"""``casesim migrate``: rewrite a format-1 scenario file as format 2, keeping the author's text.

The rewrite edits the text, never re-dumps the YAML, so comments, blank lines, key order, quoting
and line breaks stay as the author wrote them. Two edits are made:

1. ``format: 1`` becomes ``format: 2``.
2. The old fixed answer table (``protocols: - answers: {CSSRS-Q2: true}``) is moved onto the
   choices that ask each step (``answers: {CSSRS-Q2: true}`` on every choice whose ``steps``
   carry it). That is exactly what the table means: an answer is heard when a choice carrying
   the step is taken (``semantics/protocols.py`` sets the same slots either way). The move is
   made only when every edit is a whole line in block style and the result, read back, is the
   original data with exactly those changes; otherwise the table stays where it is and
   ``validate`` keeps warning about it.

Migrating a format-2 file changes nothing, so running it twice is safe.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from casesim.format.diagnostics import Diagnostic
from casesim.format.reader import SourceDocument, read_yaml_bytes
from casesim.format.versions import LATEST_FORMAT

__all__ = ["Migration", "is_scenario_data", "migrate_text"]


@dataclass(frozen=True)
class Migration:
    """The outcome of migrating one file's text."""

    text: str
    """The migrated text (the input itself when nothing changed)."""
    changed: bool
    moved_answers: bool = False
    """Whether the old answer table was moved onto the choices."""
    note: str | None = None
    """Why the answer table was left in place, when it was."""
    problems: tuple[Diagnostic, ...] = ()
    """Why the file could not be read (then nothing changed)."""


def is_scenario_data(data: Any) -> bool:
    """Whether read YAML data looks like a scenario (and not a framework or catalog file)."""
    return isinstance(data, dict) and "nodes" in data and "format" in data


def migrate_text(text: str, path: str = "<text>") -> Migration:
    """``text`` (a scenario file) migrated to the latest format; see the module docstring."""
    doc, problems = read_yaml_bytes(text.encode("utf-8"), path)
    if doc is None or any(p.is_error for p in problems):
        return Migration(text, False, problems=tuple(problems))
    data = doc.data
    if not is_scenario_data(data) or data.get("format") != 1 or isinstance(data.get("format"), bool):
        return Migration(text, False)
    lines = text.splitlines(keepends=True)
    pos = doc.position(("format",))
    line = lines[pos.line - 1]
    match = re.compile(r"1(?![0-9.])").match(line, pos.col - 1)
    if match is None:  # written some other way (e.g. 0x1): leave the file to its author
        return Migration(text, False, note="the `format:` value is not written as 1; change it to 2 by hand")
    lines[pos.line - 1] = line[:match.start()] + str(LATEST_FORMAT) + line[match.end():]
    formatted = "".join(lines)
    review = data.get("reviewed")
    if isinstance(review, dict) and review.get("content_hash"):
        signed = ("the clinical sign-off was made on the format-1 text, so it no longer matches: have the "
                  "reviewer re-read and re-sign it with `casesim review sign`")
    else:
        signed = None
    if not any(isinstance(u, dict) and u.get("answers") for u in data.get("protocols") or []):
        return Migration(formatted, True, note=signed)
    moved, why = _move_answer_table(lines, doc)
    notes = "; ".join(n for n in (why if moved is None else None, signed) if n) or None
    if moved is None:
        return Migration(formatted, True, note=notes)
    return Migration(moved, True, moved_answers=True, note=notes)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], first: int, key_col: int) -> int:
    """The index after the last line of the value of the key on line ``first`` (0-based): the lines
    indented deeper than the key, trailing blank and comment lines left to what follows."""
    end = first + 1
    last = first
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#"):
            if _indent(lines[end]) <= key_col:
                break
            last = end
        end += 1
    return last + 1


def _move_answer_table(lines: list[str], doc: SourceDocument) -> tuple[str | None, str]:
    """The text with the answer tables moved onto the choices, or None and why it was not safe."""
    data = doc.data
    unsafe = "the old `protocols: answers:` table was left in place (validate still warns about it): "
    deletions: list[tuple[int, int]] = []
    answers: dict[str, bool] = {}
    for i, use in enumerate(data.get("protocols") or []):
        if not isinstance(use, dict) or not use.get("answers"):
            continue
        if not isinstance(use["answers"], dict):
            return None, unsafe + "it is not a mapping"
        answers.update(use["answers"])
        pos = doc.position(("protocols", i, "answers"), key=True)
        line = lines[pos.line - 1]
        if line[:pos.col - 1].strip():
            return None, unsafe + "it is not on a line of its own; move it by hand"
        deletions.append((pos.line - 1, _block_end(lines, pos.line - 1, pos.col - 1)))
    insertions: dict[int, str] = {}
    expected = copy.deepcopy(data)
    expected["format"] = LATEST_FORMAT
    for use in expected.get("protocols") or []:
        if isinstance(use, dict):
            use.pop("answers", None)
    for node_id, node in (data.get("nodes") or {}).items():
        for j, choice in enumerate(node.get("choices") or [] if isinstance(node, dict) else []):
            if not isinstance(choice, dict):
                continue
            given = {s: answers[s] for s in choice.get("steps") or [] if isinstance(s, str) and s in answers}
            own = choice.get("answers") or {}
            given = {s: v for s, v in given.items() if s not in own}  # the choice's own answer wins anyway
            if not given:
                continue
            if own:
                return None, unsafe + f"choice {choice.get('id')!r} already has `answers`; merge them by hand"
            pos = doc.position(("nodes", node_id, "choices", j, "steps"), key=True)
            line = lines[pos.line - 1]
            if line[:pos.col - 1].strip():
                return None, unsafe + f"the `steps` of choice {choice.get('id')!r} do not start their own line"
            shown = ", ".join(f"{s}: {'true' if v else 'false'}" for s, v in given.items())
            insertions[pos.line - 1] = f"{' ' * (pos.col - 1)}answers: {{{shown}}}\n"
            expected["nodes"][node_id]["choices"][j]["answers"] = given
    out: list[str] = []
    dropped = {n for start, end in deletions for n in range(start, end)}
    for n, line in enumerate(lines):
        if n in insertions:
            out.append(insertions[n])
        if n not in dropped:
            out.append(line)
    text = "".join(out)
    check, problems = read_yaml_bytes(text.encode("utf-8"), doc.path)
    if check is None or any(p.is_error for p in problems) or check.data != expected:
        return None, unsafe + "moving it would have changed more than the table; move it by hand"
    return text, ""
