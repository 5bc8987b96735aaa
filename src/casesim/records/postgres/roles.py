"""The GRANTs for the roles a program's casesim processes connect to PostgreSQL as.

Three roles, least privilege first (``docs/records.md`` prints these statements; a test runs them
on a real server and checks what each role can and cannot do):

* **player** — what a process that plays scenarios needs (``casesim play``, the TUI, each
  session of ``casesim serve``): read the records, add trainees, attempts, events, results and
  links, and move the heads in ``trainees``, ``attempts`` and the roster row of ``meta``. It
  cannot UPDATE or DELETE events, results or links (the record is append-only for it), cannot
  change accommodations, and is not granted the ``casesim_private`` schema, so it cannot read
  the pseudonym key that unmasks trainees in xAPI exports.
* **instructor** — reports, exports (xAPI pseudonyms need the key), ``records verify`` (the
  roster and store head cover the key's hash) and accommodations: everything the player may,
  plus ``casesim_private`` and writing ``accommodations``.
* the **owner** of the database (or of the ``casesim`` schema) creates and migrates the schema on
  first open; run casesim as it once after an upgrade. It needs no statements here.

Run them as the owner after the schema exists (open the store once as the owner), and again after
an upgrade that adds a table.
"""

from __future__ import annotations

import re
from typing import Literal

from casesim.records.postgres.schema import PRIVATE, SCHEMA

__all__ = ["ROLE_KINDS", "RoleKind", "grant_statements"]

RoleKind = Literal["player", "instructor"]
ROLE_KINDS: tuple[RoleKind, ...] = ("player", "instructor")

_APPEND_ONLY = ("events", "criterion_results", "competency_results", "links")
_HEADS = ("trainees", "attempts", "meta")


def grant_statements(role: str, kind: RoleKind) -> list[str]:
    """The SQL that gives ``role`` (an existing role) what a ``kind`` process needs."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower-case letters, digits, _)")
    if kind not in ROLE_KINDS:
        raise ValueError(f"unknown role kind {kind!r}; use one of {', '.join(ROLE_KINDS)}")
    who = f'"{role}"'
    statements = [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {who}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {who}",
        f"GRANT INSERT ON {', '.join(f'{SCHEMA}.{t}' for t in ('trainees', 'attempts', *_APPEND_ONLY))} TO {who}",
        f"GRANT UPDATE ON {', '.join(f'{SCHEMA}.{t}' for t in _HEADS)} TO {who}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {who}",
    ]
    if kind == "instructor":
        statements += [
            f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.accommodations TO {who}",
            f"GRANT USAGE ON SCHEMA {PRIVATE} TO {who}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {PRIVATE} TO {who}",
        ]
    return statements
