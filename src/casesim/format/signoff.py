"""Clinical sign-off as data: what a reviewer signed, and whether it still holds.

A sign-off (the ``reviewed:`` block written by ``casesim review sign``) names the reviewer, their
credential, the date, and the hash of the content they read. The **content hash** is defined as

    ``"sha256:" + sha256(canonical JSON of the parsed scenario without its top-level reviewed key)``

where the parsed scenario is the plain data :mod:`casesim.format.reader` builds (mappings,
sequences, strings, integers, floats, booleans and nulls; dates stay strings), and canonical JSON
is ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` encoded as
UTF-8 (floats in Python's shortest round-trip form). So:

* re-signing (rewriting only the ``reviewed:`` block) never changes what is signed;
* any change to what a trainee sees or what is scored (a line of dialogue, a score, a guard, a
  node, the order of choices) changes the hash and voids the sign-off;
* comments, blank lines, quoting style and key order do not: they change no content.

Pure functions over parsed data; the file editing lives in :mod:`casesim.authoring.signoff`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the records import this module; the scenario models are not needed to read a sign-off
    from casesim.format.scenario import Review

__all__ = ["SignOff", "SignOffState", "SignOffStatus", "content_hash", "signoff_state"]

SignOffStatus = Literal["signed", "voided", "unsigned", "draft"]
"""``signed``: a complete sign-off whose hash matches the content; ``voided``: the content changed
after it was signed; ``unsigned``: marked reviewed by hand, without a credential or content hash;
``draft``: not reviewed."""


@dataclass(frozen=True, slots=True)
class SignOff:
    """A valid sign-off as the record keeps it with each attempt: who, with which credential,
    when, and which content."""

    by: str
    credential: str
    on: str
    content_hash: str

    def as_dict(self) -> dict[str, str]:
        return {"by": self.by, "credential": self.credential, "on": self.on, "content_hash": self.content_hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignOff:
        """The inverse of :meth:`as_dict`; raises ``ValueError`` for anything else."""
        values = {key: data.get(key) for key in ("by", "credential", "on", "content_hash")}
        if set(data) != set(values) or not all(isinstance(v, str) and v for v in values.values()):
            raise ValueError("a sign-off has exactly the text fields by, credential, on and content_hash")
        return cls(**values)  # type: ignore[arg-type]

    def describe(self) -> str:
        return f"{self.by} ({self.credential}) on {self.on}"


@dataclass(frozen=True, slots=True)
class SignOffState:
    """Where a scenario's sign-off stands, and the hash of its content now."""

    status: SignOffStatus
    current_hash: str | None
    """The content hash of the file as it is now (None when it cannot be computed)."""
    review: Review | None
    """The ``reviewed:`` block as written."""

    @property
    def signoff(self) -> SignOff | None:
        """The sign-off, only when it is valid (it is absent otherwise)."""
        r = self.review
        if self.status != "signed" or r is None or r.by is None or r.credential is None or r.on is None \
                or r.content_hash is None:
            return None
        return SignOff(r.by, r.credential, r.on, r.content_hash)

    def describe(self) -> str:
        """One line for people: who signed, or why the sign-off does not count."""
        r = self.review
        who = f"{r.by}" + (f" ({r.credential})" if r and r.credential else "") + (f" on {r.on}" if r and r.on else "") \
            if r is not None and r.by else "nobody"
        if self.status == "signed":
            return f"signed off by {who}"
        if self.status == "voided":
            return f"sign-off by {who} VOIDED: the content changed after it was signed"
        if self.status == "unsigned":
            return f"marked reviewed by {who}, but not signed (no credential or content hash)"
        return "draft: not signed off by a clinician"


def content_hash(data: Mapping[str, Any]) -> str:
    """The hash a sign-off covers (see the module docstring for the exact definition).

    Raises ``ValueError`` for data that has no canonical JSON form (a non-text mapping key, NaN),
    which a valid scenario never has.
    """
    content = {key: value for key, value in data.items() if key != "reviewed"}
    try:
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the scenario has no canonical form to hash: {exc}") from exc
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def signoff_state(review: Review | None, data: Any) -> SignOffState:
    """Whether ``review`` (the scenario's ``reviewed:`` block) is a valid sign-off of ``data``
    (the parsed file it came from)."""
    try:
        current = content_hash(data) if isinstance(data, Mapping) else None
    except ValueError:
        current = None
    if review is None or review.status == "draft":
        return SignOffState("draft", current, review)
    if review.content_hash is None or review.credential is None:
        return SignOffState("unsigned", current, review)
    if current is None or review.content_hash != current:
        return SignOffState("voided", current, review)
    return SignOffState("signed", current, review)
