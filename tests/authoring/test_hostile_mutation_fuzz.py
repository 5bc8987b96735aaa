"""A mutation fuzz of the bundled scenarios with hostile tokens: no exception escapes the loader.

The red team's mutator found 60 uncaught exceptions in 5,000 cases (8 distinct) by putting
tokens like ``0x_``, ``!!int two``, ``"--1"`` and U+2028 into real scenarios. This test does
the same with Hypothesis, and asserts more than "nothing raised": the pipeline's backstop turns
any exception into an ``internal-error`` diagnostic, so a case that reaches the backstop is a
failure too. Every diagnostic must also be positioned inside the file and printable on one line.

The budget is kept small for CI (a few hundred cases, parse and check only; the example
scenario with its path analysis as well). Set ``CASESIM_FUZZ_EXAMPLES`` for a longer local run.
"""

from __future__ import annotations

import os
import re
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.bundled import frameworks_dir, scenarios_dir
from casesim.scoring.catalog import Catalog, load_catalog
from support.paths import EXAMPLE

TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(scenarios_dir().glob("*.yaml"))}
EXAMPLES = int(os.environ.get("CASESIM_FUZZ_EXAMPLES", "150"))

HOSTILE = [
    # numbers PyYAML resolves but cannot convert, forced conversions, huge and odd numbers
    "0x_", "0b_", "0o_", "!!int two", "!!int ''", "!!float two", "!!bool maybe", "!!null x", "9" * 5000,
    "0x" + "f" * 400, "-0b" + "1" * 200, "1_000_000", "1:2:3", "190:20:30", "1e400", ".inf", "-.inf", ".nan",
    "0o777", "+12", "-0", "1000000000000001", "!!int 0x_",
    # expressions: valid but odd, deep, long, non-ASCII look-alikes, other languages' operators
    '"--1"', '"---1"', '"- -1"', '"+1"', '"rapport + \u0666"', '"rapport\u00a0>= 1"', '"\uff16"',
    '"' + "+".join(["1"] * 500) + ' > 0"', '"' + "(" * 120 + "1" + ")" * 120 + '"', '"not ' * 30 + 'true"',
    '"rapport = 1"', '"a && b"', '"a || b"', '"!a"', '"\u201crapport\u201d"', '"visited("', '"chose(x)"',
    '"visited(start)"', '"rapport >= 99999999999999999999"', '"1 < 2 < 3"', '"true + 1"', '""',
    # YAML structure: tabs, hidden line breaks, anchors, merges, tags, flow brackets, documents
    "\t", "\u2028", "\u2029", "\x85", "\r", "\r\n", "\ufeff", "&a", "*a", "*nope", "&a [1, *a]", "<<: *a",
    "<<", "!!python/object/apply:os.system ['true']", "!custom", "!!set {a}", "!!omap [a: 1]", "!!binary aGk=",
    "%TAG ! tag:example.com,2000:", "%YAML 1.1", "---", "...", "? ", "- ", "|", ">-", "~", "null", "yes",
    "no", "on", "[", "]", "{", "}", ",", ": ", " #", "'", '"', "\u201c", "\u2019", "[quietly]", "{a: 1,, b}",
    "@", "`", "2026-11-01", "2026-13-45T25:61:61Z",
    # control characters, invisible characters, escapes
    "\x1b[31m", "\x1b]52;c;Y3VybA==\x07", "\x00", "\x7f", "\u200b", "\u202e", '"\\e[2J"', '"\\x85"', '"\\u2028"',
    '"\\ud800"', '"\\N"',
]


@st.composite
def mutated(draw: st.DrawFn, names: list[str]) -> tuple[str, bytes]:
    """A bundled scenario with one to three hostile edits: a value replaced, a token inserted
    into a line, a line replaced, duplicated or deleted."""
    name = draw(st.sampled_from(names))
    lines = TEXTS[name].split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        token = draw(st.sampled_from(HOSTILE))
        edit = draw(st.sampled_from(["value", "insert", "line", "duplicate", "delete"]))
        line = lines[i]
        if edit == "value" and ": " in line:
            lines[i] = line[:line.index(": ") + 2] + token
        elif edit == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + token + line[at:]
        elif edit == "line":
            lines[i] = line[:len(line) - len(line.lstrip())] + token
        elif edit == "duplicate":
            lines.insert(i, line)
        elif edit == "delete" and len(lines) > 1:
            del lines[i]
    return name, "\n".join(lines).encode("utf-8", errors="surrogatepass")


@cache
def _catalog() -> Catalog:
    """The bundled catalog (not the fixture: Hypothesis would print all of it with each failing case)."""
    return load_catalog(frameworks_dir())


def _check(raw: bytes, name: str, *, analyse_paths: bool) -> None:
    report = load_scenario_bytes(raw, name, _catalog(), analyse_paths=analyse_paths)
    # Lines as an editor counts them: \n, \r\n and a lone \r each end one (U+2028 and the like
    # do not; outside quotes they are errors).
    line_count = len(re.findall(rb"\r\n|\r|\n", raw)) + 1
    for diag in report.diagnostics:
        assert diag.code != "internal-error", diag.message
        assert 1 <= diag.line <= line_count and diag.col >= 1, diag
        assert diag.message and "\n" not in diag.format()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.data_too_large])
@given(case=mutated(sorted(TEXTS)))
def test_no_exception_escapes_loading_any_mutated_bundled_scenario(case: tuple[str, bytes]) -> None:
    name, raw = case
    _check(raw, name, analyse_paths=False)


@settings(max_examples=max(EXAMPLES // 3, 20), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                     HealthCheck.data_too_large])
@given(case=mutated([EXAMPLE.name]))
def test_no_exception_escapes_the_full_pipeline_with_path_analysis(case: tuple[str, bytes]) -> None:
    name, raw = case
    _check(raw, name, analyse_paths=True)
