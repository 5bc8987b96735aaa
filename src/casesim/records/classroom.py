"""A class's roster and its sign-in codes: what ``casesim class`` writes and ``casesim serve`` reads.

Identity in a served classroom comes from sign-in, never from a typed name (program review F3).
An instructor makes a roster from a CSV (``id,name``); every member gets a **sign-in code**:

- 16 characters in four groups of four (``K7QM-3XTR-9HWD-C4PN``) from a 29-symbol alphabet with no
  look-alikes (no 0/O, 1/I/L, U/V), so it can be read off a slip of paper and typed;
  ``secrets`` draws it: 29**16, about 77.7 bits, far beyond guessing through a rate-limited form.
- kept only as its SHA-256 digest. A slow password hash is not needed for a random 79-bit secret
  (nobody can try 2**78 digests), and a plain digest lets sign-in find the member by the code.
- one-time: the first successful sign-in consumes it. The browser then holds a session cookie
  (see ``casesim.cli.serve_web``) that lasts a class day; a lost or expired session needs
  ``casesim class reissue``, which also ends every session the old code opened.

Everything here is pure: the store keeps the rows (:class:`~casesim.records.api.RecordStore`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from casesim.errors import CaseSimError
from casesim.format.text import visible
from casesim.records.labels import label_problem

__all__ = ["CODE_ALPHABET", "ROLES", "ClassRole", "RosterEntry", "RosterError", "code_digest", "code_slips", "new_code",
           "normalise_code", "read_roster_csv"]

ClassRole = Literal["student", "instructor"]
ROLES: tuple[ClassRole, ...] = ("student", "instructor")

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
"""Digits and capitals without the ones read as others (0/O, 1/I/L, U/V): 29 symbols; 16 of them
carry 77.7 bits."""

_GROUPS, _GROUP = 4, 4


class RosterError(CaseSimError):
    """A roster file or entry casesim will not keep, with the line it is on."""


def new_code() -> str:
    """A fresh sign-in code, ``XXXX-XXXX-XXXX-XXXX``, from :data:`CODE_ALPHABET` (``secrets``)."""
    chars = [secrets.choice(CODE_ALPHABET) for _ in range(_GROUPS * _GROUP)]
    return "-".join("".join(chars[i:i + _GROUP]) for i in range(0, len(chars), _GROUP))


def normalise_code(typed: str) -> str | None:
    """The code as issued from what a student typed (case, spaces and dashes ignored), or None when
    it cannot be a code (wrong length, a symbol the alphabet leaves out), so a typo is refused
    without a store lookup."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if len(cleaned) != _GROUPS * _GROUP or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i:i + _GROUP] for i in range(0, len(cleaned), _GROUP))


def code_digest(code: str) -> str:
    """What the store keeps of a code: the hex SHA-256 of its normal form (see the module doc)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One row of a roster CSV: the student's id (their records' key) and display name."""

    trainee_id: str
    name: str
    line: int
    """The CSV line it came from (1 is the header), for messages."""


def _check(value: str, what: str, line: int, source: str) -> str:
    problem = label_problem(value)
    if problem is not None:
        raise RosterError(f"{source} line {line}: the {what} {visible(value, one_line=True)!r} cannot be recorded: "
                          f"{problem}", title="bad roster row",
                          hint="fix that row (printable characters only, 1-120 of them) and run the command again")
    return " ".join(value.split())


def read_roster_csv(text: str, *, source: str = "the roster") -> list[RosterEntry]:
    """The rows of a roster CSV with the columns ``id`` and ``name`` (others are ignored).

    Checked with the store's own id and name rule (:func:`~casesim.records.labels.label_problem`);
    an empty or repeated id, a missing column or an empty file raises :class:`RosterError` naming
    the line, so the instructor fixes the file once instead of meeting one error per run.
    """
    if text.startswith("\ufeff"):  # a spreadsheet's UTF-8 BOM
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "id" not in header or "name" not in header:
        raise RosterError(f"{source} line 1: the header must have the columns id and name (it has "
                          f"{', '.join(map(repr, header)) or 'nothing'})", title="bad roster file",
                          hint="make the first line `id,name`, then one student per line: s1001,Ana Ruiz")
    reader.fieldnames = header
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if all(not (v or "").strip() for k, v in row.items() if k is not None):
            continue  # a blank line
        trainee_id = _check(row.get("id") or "", "id", line, source)
        name = _check(row.get("name") or "", "name", line, source)
        if trainee_id in seen:
            raise RosterError(f"{source} line {line}: the id {trainee_id!r} is already on line {seen[trainee_id]}",
                              title="repeated roster id", hint="each student once: remove or correct one of the two")
        seen[trainee_id] = line
        entries.append(RosterEntry(trainee_id, name, line))
    if not entries:
        raise RosterError(f"{source} has a header but no students", title="empty roster",
                          hint="add one student per line after the header: s1001,Ana Ruiz")
    return entries


def code_slips(rows: Iterable[tuple[str, str, str]]) -> str:
    """``id,name,code`` CSV text for the issued codes (``rows``: id, name, code), to print or mail merge."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "code"])
    writer.writerows(rows)
    return out.getvalue()
