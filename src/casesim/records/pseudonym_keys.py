"""Which key names trainees in xAPI: the store's own, or a program key kept outside every store.

xAPI actors are an HMAC of the trainee id under a pseudonym key (:func:`casesim.records.export.
xapi.pseudonym`). Each store makes its own random key; ``records pseudonym-key --import`` copies
one store's key into another, so both hold it. A program that would rather keep one key outside
every store sets ``CASESIM_PSEUDONYM_KEY`` (the key itself, or ``@FILE``; at least 32 printable
ASCII characters) and switches each store to it once with ``records pseudonym-key
--use-program-key``. The store then keeps, instead of a key, a *marker*: ``program-key:`` and an
HMAC of a fixed text under the key. The marker names no key and cannot be used as one, and it
goes through the same recorded change as an imported key (a note in every trainee's chain, the
roster and store head recomputed).

**Never silently different pseudonyms.** :func:`pseudonym_key` decides which key an export
uses, and refuses rather than guess:

* a store switched to a program key, without ``CASESIM_PSEUDONYM_KEY``: refused (the key is
  needed); with a different key: refused (its marker does not match);
* a store with its own key while ``CASESIM_PSEUDONYM_KEY`` holds another: refused (the variable
  would be silently ignored otherwise); with the same key (imported earlier): used.

Live statements (the outbox) are built by every process that writes to the store, players
included, so a store whose outbox is on keeps its own key: switching is refused while the outbox
is on, and so is turning the outbox on for a store that uses a program key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from casesim.errors import StoreError

__all__ = ["ENV_PSEUDONYM_KEY", "PROGRAM_KEY", "PseudonymKey", "PseudonymKeyError", "in_use", "load_program_key",
           "program_marker", "pseudonym_key", "uses_program_key"]

ENV_PSEUDONYM_KEY = "CASESIM_PSEUDONYM_KEY"
PROGRAM_KEY = "program-key:"
"""What the stored pseudonym key of a store switched to a program key starts with."""
_MIN = 32
_HINT = (f"set {ENV_PSEUDONYM_KEY} to the program's pseudonym key (the key itself, or @FILE); make one with: "
         'python3 -c "import secrets; print(secrets.token_hex(32))" > pseudonym.key')


class PseudonymKeyError(StoreError):
    """The pseudonym key an export would use is missing or not the one the store was set to use."""


@dataclass(frozen=True, slots=True)
class PseudonymKey:
    """The key an export names trainees with, and where it came from."""

    key: str
    program: bool
    """From ``CASESIM_PSEUDONYM_KEY`` (the store keeps only its marker); False: the store's own key."""

    @property
    def fingerprint(self) -> str:
        """The first 16 digits of the key's SHA-256: enough to compare keys by eye, useless to guess one."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:16]

    def describe(self) -> str:
        if self.program:
            return f"a program key kept outside the store ({ENV_PSEUDONYM_KEY}, SHA-256 {self.fingerprint}…)"
        return f"the store's own key (SHA-256 {self.fingerprint}…)"


def load_program_key(env_value: str) -> str:
    """The program key ``CASESIM_PSEUDONYM_KEY`` holds (the key, or ``@FILE`` to read it)."""
    where = ENV_PSEUDONYM_KEY
    value = env_value
    if env_value.startswith("@"):
        file = Path(env_value[1:]).expanduser()
        where = str(file)
        try:
            value = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PseudonymKeyError(f"cannot read the pseudonym key file {file}: {getattr(exc, 'strerror', None) or exc}",
                                    title="records: bad pseudonym key", hint=_HINT) from exc
    key = value.strip()
    if len(key) < _MIN or not key.isascii() or not key.isprintable():
        raise PseudonymKeyError(f"the pseudonym key from {where} is not at least {_MIN} printable ASCII characters",
                                title="records: bad pseudonym key", hint=_HINT)
    return key


def program_marker(key: str) -> str:
    """What a store switched to the program key ``key`` keeps instead of it."""
    return PROGRAM_KEY + hmac.new(key.encode(), b"casesim:program-pseudonym-key", hashlib.sha256).hexdigest()


def uses_program_key(stored: str) -> bool:
    """Whether a store's stored pseudonym key is a program key's marker (not a key)."""
    return stored.startswith(PROGRAM_KEY)


def pseudonym_key(stored: str, env_value: str | None) -> PseudonymKey:
    """The key to name trainees with, for a store whose stored pseudonym key is ``stored``, given
    what ``CASESIM_PSEUDONYM_KEY`` holds (None: not set); refuses as the module docstring says."""
    given = load_program_key(env_value) if env_value else None
    if uses_program_key(stored):
        if given is None:
            raise PseudonymKeyError("this store names trainees in xAPI with a program key kept outside it, and "
                                    f"{ENV_PSEUDONYM_KEY} is not set", title="records: pseudonym key needed",
                                    hint=_HINT)
        if not hmac.compare_digest(program_marker(given), stored):
            raise PseudonymKeyError(f"{ENV_PSEUDONYM_KEY} is not the program key this store was switched to: its "
                                    "statements would name every trainee differently",
                                    title="records: wrong pseudonym key",
                                    hint=f"set {ENV_PSEUDONYM_KEY} to the key the program's stores were switched to "
                                         "with `casesim records pseudonym-key --use-program-key`")
        return PseudonymKey(given, True)
    if not stored:
        raise PseudonymKeyError("this store has no pseudonym key", title="records: pseudonym key needed",
                                hint="run `casesim records verify`: the store's meta table is damaged")
    if given is not None and not hmac.compare_digest(given, stored):
        raise PseudonymKeyError(f"{ENV_PSEUDONYM_KEY} is set, but this store names trainees with its own key: the "
                                "variable's key would not be used", title="records: pseudonym key mismatch",
                                hint="switch the store to the program key with `casesim records pseudonym-key "
                                     f"--use-program-key` (recorded in its chain), or unset {ENV_PSEUDONYM_KEY}")
    return PseudonymKey(stored, False)


def in_use(stored: str, env_value: str | None) -> str:
    """Which pseudonym key the store's xAPI statements use, in words, and whether an export would
    run now (for ``records verify``; never raises)."""
    try:
        found: PseudonymKey | None = pseudonym_key(stored, env_value)
        problem = ""
    except StoreError as exc:
        found, problem = None, exc.message
    if found is not None:
        return found.describe()
    if uses_program_key(stored):
        return f"a program key kept outside the store ({ENV_PSEUDONYM_KEY}); exports refuse now: {problem}"
    return f"the store's own key; exports refuse now: {problem}"
