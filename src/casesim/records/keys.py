"""The record key of a *keyed* store, and how heads are printed and read back.

A keyed store computes every hash of its chain as HMAC-SHA256 with a key that is never written
into the database: whoever can edit the file but does not hold the key cannot compute a hash that
verifies, so ``records verify`` alone shows any edit, insertion or forged trainee (it cannot show
a whole file put back to an earlier state; only a head kept outside the file shows that).

The key comes from ``--key-file FILE`` or the ``CASESIM_RECORD_KEY`` environment variable (the key
itself, or ``@FILE`` to read it from a file). It is at least 32 characters; generate one with
``python3 -c "import secrets; print(secrets.token_hex(32))"``. The store keeps only a check value
(an HMAC of its own id), so a wrong key is told apart from a tampered record.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from casesim.errors import StoreError

__all__ = ["ENV_KEY", "KeyNeededError", "KEYED", "MIN_KEY_LENGTH", "UNKEYED", "format_head", "key_check", "load_key", "parse_head"]

ENV_KEY = "CASESIM_RECORD_KEY"
MIN_KEY_LENGTH = 32
KEYED = "hmac-sha256"
"""``meta.chain_mode`` of a keyed store."""
UNKEYED = "sha256"
"""``meta.chain_mode`` of a store without a key (and of every store made before keys existed)."""

class KeyNeededError(StoreError):
    """A keyed store was asked for something only its key allows (verify, a head), without it."""


_HINT = ('make one with: python3 -c "import secrets; print(secrets.token_hex(32))" > record.key '
         "(keep it outside the records folder, readable by you only)")


def _check(key: bytes, where: str) -> bytes:
    key = key.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise StoreError(f"the record key from {where} is {len(key)} characters long; a key needs at least "
                         f"{MIN_KEY_LENGTH}", title="records: bad key", hint=_HINT)
    return key


def load_key(key_file: Path | None = None, *, env_value: str | None = None) -> bytes | None:
    """The record key from ``key_file``, else from ``env_value`` (what ``CASESIM_RECORD_KEY`` holds,
    bound by the CLI: the key itself, or ``@FILE``), else None (no key)."""
    if key_file is None:
        if not env_value:
            return None
        if not env_value.startswith("@"):
            return _check(env_value.encode("utf-8"), ENV_KEY)
        key_file = Path(env_value[1:]).expanduser()
    try:
        data = key_file.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read the record key file {key_file}: {exc.strerror}", title="records: bad key",
                         hint="check the path given with --key-file or CASESIM_RECORD_KEY=@FILE") from exc
    return _check(data, str(key_file))


def key_check(key: bytes, store_id: str) -> str:
    """What a keyed store keeps to recognise its key (reveals nothing usable about the key)."""
    return hmac.new(key, f"casesim:key-check:{store_id}".encode(), hashlib.sha256).hexdigest()


def format_head(head: str) -> str:
    """A 64-digit head in eight groups of eight, easy to copy from paper and compare by eye."""
    return " ".join(head[i:i + 8] for i in range(0, len(head), 8))


_SEPARATORS = re.compile(r"[\s:\-_.]+")


def parse_head(text: str) -> str:
    """A head typed or pasted back from a PDF: spaces, line breaks, ``-``/``:`` grouping and case
    do not matter. Raises ValueError saying what is wrong."""
    value = _SEPARATORS.sub("", text).lower()
    if not re.fullmatch(r"[0-9a-f]*", value):
        bad = next(c for c in value if c not in "0123456789abcdef")
        raise ValueError(f"a head holds only the digits 0-9 and letters a-f; {bad!r} is not one of them")
    if len(value) != 64:
        raise ValueError(f"a head has 64 digits; this one has {len(value)} (was part of it left out?)")
    return value
