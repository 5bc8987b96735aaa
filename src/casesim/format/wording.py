"""How a message names a value a file gave: :func:`describe`.

Shared by the scenario checks (:mod:`casesim.format.validation`) and the config file's
(:mod:`casesim.config_file`), so a trainer reads the same words for the same mistake in either.
It imports nothing: the config file is checked before casesim's first frame, where pydantic and
YAML are not loaded yet.
"""

from __future__ import annotations

__all__ = ["describe"]


def describe(value: object) -> str:
    """``value`` as a trainer would name it: "the number 3", "the text 'abc'", "a list"."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
