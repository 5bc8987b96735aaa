"""The GRANTs for the roles a program's casesim processes connect to PostgreSQL as.

Three roles, least privilege first (``docs/records.md`` prints these statements; a test runs them
on a real server and checks what each role can and cannot do):

* **player** — what a process that plays scenarios needs (``casesim play``, the TUI, each
  session of ``casesim serve``): read the records, add trainees, attempts, events, results and
  links, and move the heads in ``trainees``, ``attempts`` and the roster row of ``meta``. It
  cannot UPDATE or DELETE events, results or links (the record is append-only for it), cannot
  change accommodations, and is not granted the ``casesim_private`` schema, so it cannot read
  the pseudonym key that unmasks trainees in xAPI exports. Of the classroom tables it reads the
  rosters but not the sign-in codes' digests, signs a member in only through the function
  ``redeem_sign_in_code`` (which stamps the server's time), signs no one out (that moves a
  member's session epoch, an UPDATE of ``class_members``), and may add statements to the
  xAPI outbox but not read it (the outbox's trigger fills in each statement's pseudonym, so
  reading it back would reveal them). It reads the roles, assignments and cohort details (a new
  attempt is tied to its assignment and stamped with its cohort's section and term; the CLI checks
  what a student may see) but cannot change them, and cannot read or write the audit log at all
  (it names who looked at whose records).
* **instructor** — reports, exports (xAPI pseudonyms need the key), ``records verify`` (the
  roster and store head cover the key's hash), accommodations, assignments, cohort details and
  the audit log (each report or export appends its entry; the log is append-only for it, and so
  are the links of the chain): everything the player may, plus ``casesim_private`` (read only),
  writing ``accommodations``, ``cohort_details`` and ``assignments``, and appending to ``audit``;
  class rosters (``casesim class``: creating them, adding members, reissuing codes, signing
  members out; still not reading the digests); forwarding the outbox (``casesim lrs sync``, ``status``, ``prune``).
  ``casesim serve`` connects as this kind: its instructor pages write audit entries, its sign-out
  ends a student's sessions and its LRS forwarder reads the outbox. Turning the outbox on or off (``casesim lrs enable``/``disable``)
  writes the store's settings in ``meta``: run it as the owner.
* the **owner** of the database (or of the ``casesim`` schema) creates and migrates the schema on
  first open; run casesim as it once after an upgrade. It needs no statements here. It alone
  grants and revokes casesim roles (``casesim class grant``: only it may write ``roles``) and
  imports a pseudonym key (only it may write ``casesim_private``): a program's casesim
  administrators run those commands as the owner.

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
_MEMBER_COLUMNS = "cohort, trainee_id, display_name, role, code_issued_at, code_used_at, session_epoch"
"""Every column of ``class_members`` but ``code_digest``."""
_HIDDEN_FROM_PLAYERS = ("audit",)
"""Tables a player may not even read: the audit log names who looked at whose records."""


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
        # Class rosters and the outbox (see the module's text): no digests, no reading the outbox.
        f"REVOKE SELECT ON {SCHEMA}.class_members, {SCHEMA}.outbox FROM {who}",
        f"GRANT SELECT ({_MEMBER_COLUMNS}) ON {SCHEMA}.class_members TO {who}",
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.redeem_sign_in_code(text) TO {who}",
        f"GRANT INSERT ON {SCHEMA}.outbox TO {who}",
    ]
    if kind == "player":
        statements += [f"REVOKE ALL ON {SCHEMA}.{t} FROM {who}" for t in _HIDDEN_FROM_PLAYERS]
    if kind == "instructor":
        statements += [
            f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.accommodations TO {who}",
            f"GRANT INSERT, UPDATE, DELETE ON {SCHEMA}.cohort_details TO {who}",
            f"GRANT INSERT, UPDATE ON {SCHEMA}.assignments TO {who}",
            f"GRANT INSERT ON {SCHEMA}.audit TO {who}",
            f"GRANT USAGE ON SCHEMA {PRIVATE} TO {who}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {PRIVATE} TO {who}",
            f"GRANT INSERT, UPDATE ON {SCHEMA}.class_rosters, {SCHEMA}.class_members TO {who}",
            f"GRANT SELECT, UPDATE, DELETE ON {SCHEMA}.outbox TO {who}",
        ]
    return statements
