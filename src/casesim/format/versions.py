"""Which keys belong to which version of the scenario format.

Format 2 adds keys that a format-1 reader would not understand (a `cast`, speakers, authoring
intent, branching timer expiries). A file that says `format: 1` but uses one of them is told
so at the key, with the command that upgrades the file, rather than having the key silently
accepted: the `format:` line is the author's promise of which documentation the file follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casesim.format.diagnostics import Diagnostic, Severity
from casesim.format.lines import format2_text_features
from casesim.format.reader import SourceDocument
from casesim.format.scenario import Scenario

__all__ = ["FORMATS", "LATEST_FORMAT", "format_2_keys", "format_problems", "needs_format_2_message",
           "text_format_problems"]

FORMATS = (1, 2)
"""Every format version this casesim reads."""
LATEST_FORMAT = 2
"""The version `casesim new` writes and `casesim migrate` upgrades to."""

PathKey = tuple[str | int, ...]

_CHOICE_KEYS = ("expert", "neutral", "notes")
_LINE_KEYS = ("speaker", "original", "lines")


def format_2_keys(data: Any) -> Iterator[PathKey]:
    """The path of every format-2-only key in the raw data of a scenario file, in file order.

    A `reply` or a `client` variant written as a mapping with a speaker, and a timer `expire`
    written as a list of branches, are format 2 too: the path then names that value. So are an
    embedded test's `given:` and its `visited`, `not_visited` and `unreachable` expectations.
    """
    if not isinstance(data, dict):
        return
    yield from ((key,) for key in ("cast", "include", "choice_sets") if key in data)
    nodes = data.get("nodes")
    if not isinstance(nodes, dict):
        return
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        base: PathKey = ("nodes", node_id)
        if "notes" in node:
            yield (*base, "notes")
        client = node.get("client")
        if isinstance(client, list):
            for i, line in enumerate(client):
                if isinstance(line, dict):
                    yield from ((*base, "client", i, key) for key in _LINE_KEYS if key in line)
        choices = node.get("choices")
        if isinstance(choices, list):
            for i, choice in enumerate(choices):
                if not isinstance(choice, dict):
                    continue
                yield from ((*base, "choices", i, key) for key in _CHOICE_KEYS if key in choice)
                if isinstance(choice.get("reply"), dict):
                    yield (*base, "choices", i, "reply")
        timer = node.get("timer")
        if isinstance(timer, dict) and isinstance(timer.get("expire"), list):
            yield (*base, "timer", "expire")
    yield from _test_keys(data.get("tests"))


_EXPECT_KEYS = ("visited", "not_visited", "unreachable")


def _test_keys(tests: Any) -> Iterator[PathKey]:
    """Format 2's keys in embedded tests: a `given:` state to start from, and the expectations
    about where the path went (`visited`, `not_visited`) and what it can no longer reach."""
    if not isinstance(tests, list):
        return
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            continue
        if "given" in test:
            yield ("tests", i, "given")
        expect = test.get("expect")
        if isinstance(expect, dict):
            yield from (("tests", i, "expect", key) for key in _EXPECT_KEYS if key in expect)


def needs_format_2_message(key: str, path: str) -> str:
    """What a format-1 file that uses the format-2 key ``key`` is told."""
    return f"`{key}`: this key needs `format: 2` (run `casesim migrate {path}`)"


def _says_format_1(doc: SourceDocument) -> bool:
    return isinstance(doc.data, dict) and doc.data.get("format") == 1 and not isinstance(doc.data.get("format"), bool)


_TEXT_FEATURES = {
    "variants": "a list of variants with `when` (format 1 has them only for a node's `client`)",
    "one_of": "`one_of` (wordings drawn per attempt)",
    "placeholders": "a `{placeholder}` in the text",
}


def text_format_problems(scenario: Scenario, doc: SourceDocument) -> list[Diagnostic]:
    """An error at every text feature of format 2 (variants beyond a node's `client`, `one_of`,
    placeholders) in a file that says `format: 1`. Read from the checked model rather than the raw
    keys, since a plain string and a `{placeholder}` are the same key; a place already reported by
    :func:`format_problems` (a `reply` written as a mapping) is not reported twice."""
    if not _says_format_1(doc):
        return []
    keyed = list(format_2_keys(doc.data))
    out, seen = [], set()
    for path, feature in format2_text_features(scenario):
        if (path, feature) in seen or any(path[:len(k)] == k for k in keyed):
            continue
        seen.add((path, feature))
        pos = doc.position(path, key=True)
        out.append(Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, "needs-format-2",
                              f"{_TEXT_FEATURES[feature]} needs `format: 2` (run `casesim migrate {doc.path}`)"))
    return out


def format_problems(doc: SourceDocument) -> list[Diagnostic]:
    """An error at every format-2-only key of a file that says `format: 1`."""
    if not _says_format_1(doc):
        return []
    out = []
    for path in format_2_keys(doc.data):
        pos = doc.position(path, key=True)
        out.append(Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, "needs-format-2",
                              needs_format_2_message(str(path[-1]), doc.path)))
    return out
