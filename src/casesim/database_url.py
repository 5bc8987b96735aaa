"""A PostgreSQL URL given as ``--db`` or ``CASESIM_DB``, which never shows its password.

The records database is a file path or a ``postgresql://`` URL. A URL may carry a password
(``postgresql://casesim:secret@db.example/records``); casesim logs where its records are, puts it
in error messages and crash reports, and prints it in ``records verify``, so the URL is kept in a
:class:`DatabaseUrl` whose ``str()`` and ``repr()`` replace the password with ``***``. Only the
PostgreSQL backend asks for the real text (:attr:`DatabaseUrl.secret_url`), to connect.

A module of its own (like :mod:`casesim.errors`) so that settings and the records layer both use
it without importing each other.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SCHEMES", "DatabaseUrl", "is_database_url", "redact"]

SCHEMES = ("postgresql://", "postgres://")

_SECRET_PARAMS = {"password", "sslpassword"}


def is_database_url(value: object) -> bool:
    """Whether ``value`` names a PostgreSQL database rather than a file."""
    return isinstance(value, str | DatabaseUrl) and str(value).startswith(SCHEMES)


def redact(url: str) -> str:
    """``url`` with any password (in the authority or as a query parameter) replaced by ``***``.

    Never raises: text that does not parse as a URL has everything between ``://`` and ``@``
    hidden, so a malformed URL with a password in it is not shown either."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            auth, host = netloc.rsplit("@", 1)
            if ":" in auth:
                auth = auth.split(":", 1)[0] + ":***"
            netloc = f"{auth}@{host}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in pairs], safe="/:")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return re.sub(r"://[^/?#]*@", "://***@", url)


class DatabaseUrl:
    """A PostgreSQL URL; ``str()`` and ``repr()`` hide its password (see the module's text)."""

    __slots__ = ("_url",)
    _url: str

    def __init__(self, url: str) -> None:
        if not url.startswith(SCHEMES):
            raise ValueError(f"not a PostgreSQL URL: {redact(url)} (it must start with postgresql://)")
        object.__setattr__(self, "_url", url)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a DatabaseUrl cannot be changed")

    @property
    def secret_url(self) -> str:
        """The URL as given, password included: for connecting only, never for a message."""
        return str(self._url)

    def __str__(self) -> str:
        return redact(self._url)

    def __repr__(self) -> str:
        return f"DatabaseUrl({redact(self._url)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatabaseUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)
