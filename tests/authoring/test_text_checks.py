"""Variants and placeholders are checked where they are written: the exact line and column,
in a trainer's words, in every field that can vary; the analysis adds what it can prove."""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.format.diagnostics import Diagnostic
from casesim.scoring.catalog import Catalog

HEAD = """\
format: 2
id: texts
version: 1.0.0
title: Texts
kind: other
summary: Checks of text.
estimated_minutes: 2
objectives: [Practise one choice.]
reviewed: {status: draft}
client: {name: Test Client, age: 30, pronouns: she/her, background: A fictional client.}
variables:
  rapport: {start: 5, min: 0, max: 10}
  told: {start: false}
start: hello
"""


def _scenario(nodes: str, endings: str = "  done: {outcome: success, title: Done, summary: It went fine.}\n") -> bytes:
    return (HEAD + "nodes:\n" + nodes + "endings:\n" + endings).encode()


def _choice(extra: str = "") -> str:
    return ("    choices:\n      - id: greet\n        say: Hello.\n        goto: done\n"
            "        scores: {SAMHSA14-P2: 1}\n        feedback: Fine.\n" + extra)


def _found(raw: bytes, catalog: Catalog, code: str) -> list[Diagnostic]:
    report = load_scenario_bytes(raw, "t.yaml", catalog)
    return [d for d in report.diagnostics if d.code == code]


def _where(raw: bytes, needle: str, *, after: str = "") -> tuple[int, int]:
    """The 1-based line and column of ``needle`` (after ``after``) in ``raw``."""
    text = raw.decode()
    at = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def test_a_bad_placeholder_in_a_quoted_line_is_reported_at_its_column(catalog: Catalog) -> None:
    raw = _scenario('  hello:\n    narration: "Rapport is {rapport} and {nope}."\n' + _choice())
    [d] = _found(raw, catalog, "text-placeholder")
    assert (d.line, d.col) == _where(raw, "nope}")
    assert d.message == ("in 'Rapport is {rapport} and {nope}.': unknown variable 'nope'; "
                         "declared variables: rapport, told")


def test_a_placeholder_error_in_a_folded_text_is_reported_on_the_right_line(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    client: >-\n      Long words that wrap here,\n      then {rapport +} and more.\n"
                    + _choice())
    [d] = _found(raw, catalog, "text-placeholder")
    assert (d.line, d.col) == _where(raw, "}", after="then {rapport +")
    assert "the expression ends too early" in d.message


def test_a_true_false_value_must_choose_a_phrase(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    client: Hi.\n" + _choice("        reply: 'It is {told}.'\n"))
    [d] = _found(raw, catalog, "text-placeholder")
    assert (d.line, d.col) == _where(raw, "told}.")
    assert 'choose a phrase instead, like {if ...: "yes" else: "no"}' in d.message


def test_an_unclosed_brace_says_how_to_write_a_brace(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    hint: Use { carefully.\n" + _choice())
    [d] = _found(raw, catalog, "text-placeholder")
    assert (d.line, d.col) == _where(raw, "{ carefully")
    assert d.message.endswith("a `{` with no `}` to close it; to show a brace, write `{{`")


def test_braces_where_text_is_shown_as_written_are_pointed_out(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    client: Hi.\n" + _choice()).replace(b"title: Texts", b"title: Texts {rapport}")
    [d] = _found(raw, catalog, "placeholder-not-shown")
    assert (d.line, d.col) == _where(raw, "{rapport}") and not d.is_error


def test_a_variant_condition_is_checked_at_its_column(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    narration:\n      - when: \"rapport = 5\"\n        text: Calm.\n"
                    "      - text: Tense.\n" + _choice())
    [d] = _found(raw, catalog, "expression")
    assert (d.line, d.col) == _where(raw, "= 5")
    assert "use `==` to compare" in d.message


def test_a_variant_without_when_before_others_shadows_them(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    client: Hi.\n" + _choice("        feedback:\n          - text: Always.\n"
                                                             "          - when: told\n            text: Never.\n")
                    .replace("        feedback: Fine.\n", ""))
    [d] = _found(raw, catalog, "variant-shadows")
    assert (d.line, d.col) == _where(raw, "text: Always.")


def test_a_required_text_with_only_conditional_variants_needs_a_fallback(catalog: Catalog) -> None:
    endings = "  done:\n    outcome: success\n    title: Done\n    summary:\n      - when: told\n        text: Told.\n"
    raw = _scenario("  hello:\n    client: Hi.\n" + _choice(), endings)
    [d] = _found(raw, catalog, "variant-no-fallback")
    assert (d.line, d.col) == _where(raw, "- when: told") and d.is_error


@pytest.mark.parametrize(("fragment", "message"), [
    ("    client: {one_of: Hi}\n", "'one_of' should be a list, not the text 'Hi'"),
    ("    client: {one_of: [Hi]}\n", "'one_of' needs at least 2 items"),
    ("    client: [{text: Hi}]\n", "unknown key 'text'; allowed keys here: lines, one_of, original, say, speaker, when"),
    ("    client: [{say: Hi, one_of: [a, b]}]\n",
     "a client line has exactly one of `say` (one text), `one_of` (a list of texts) or `lines` (several speakers in a row)"),
    ("    narration: [{say: Hi}]\n", "unknown key 'say'; allowed keys here: text, when"),
])
def test_a_wrong_shape_of_variants_gets_one_plain_message(catalog: Catalog, fragment: str, message: str) -> None:
    raw = _scenario("  hello:\n" + fragment + _choice())
    report = load_scenario_bytes(raw, "t.yaml", catalog)
    messages = [d.message for d in report.errors]
    assert any(message in m for m in messages), messages
    assert not any("ClientAlternatives" in m or "TextVariant" in m or "function-after" in m for m in messages)


def test_a_reachable_state_where_no_variant_holds_is_a_warning_naming_the_state(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    narration:\n      - when: told\n        text: Told.\n" + _choice())
    [d] = _found(raw, catalog, "variant-gap")
    assert (d.line, d.col) == _where(raw, "- when: told")
    assert d.message.startswith("when rapport=5, told=false, which can happen, no variant of this text holds")


def test_a_variant_no_reachable_state_shows_is_a_note(catalog: Catalog) -> None:
    raw = _scenario("  hello:\n    narration:\n      - when: rapport >= 0\n        text: Always.\n"
                    "      - when: told\n        text: Never.\n      - text: Fallback.\n" + _choice())
    [d] = _found(raw, catalog, "variant-never-shown")
    assert (d.line, d.col) == _where(raw, "told\n        text: Never.") and d.severity.value == "note"


def test_reply_variants_are_read_in_the_state_after_the_choice(catalog: Catalog) -> None:
    # The choice sets told, so in the state its reply is read in, `told` always holds: the
    # fallback is not a gap and the first variant is shown.
    raw = _scenario("  hello:\n    client: Hi.\n" + _choice("        effects: {told: true}\n"
                                                             "        reply:\n          - when: told\n"
                                                             "            say: Thanks.\n"))
    report = load_scenario_bytes(raw, "t.yaml", catalog)
    assert report.ok and not [d for d in report.diagnostics if d.code.startswith("variant-")]


@pytest.mark.parametrize(("node", "words"), [
    ("  hello:\n    narration:\n      - {text: Warm., when: told}\n      - {text: Cold.}\n" + _choice(),
     "a list of variants with `when`"),
    ("  hello:\n    client: {one_of: [Hi., Hello.]}\n" + _choice(), "`one_of`"),
    ("  hello:\n    narration: Rapport is {rapport}.\n" + _choice(), "a `{placeholder}`"),
])
def test_a_format_1_file_using_a_text_feature_of_format_2_is_told_to_migrate(catalog: Catalog, node: str,
                                                                             words: str) -> None:
    raw = _scenario(node).replace(b"format: 2", b"format: 1", 1)
    found = _found(raw, catalog, "needs-format-2")
    assert len(found) == 1 and found[0].line == 17 and found[0].message.startswith(words), found
    assert "casesim migrate t.yaml" in found[0].message
    assert _found(_scenario(node), catalog, "needs-format-2") == []


def test_format_1_keeps_its_plain_client_variants_with_when(catalog: Catalog) -> None:
    node = "  hello:\n    client:\n      - {say: Oh hi., when: told}\n      - {say: Hello?}\n" + _choice()
    report = load_scenario_bytes(_scenario(node).replace(b"format: 2", b"format: 1", 1), "t.yaml", catalog)
    assert report.ok, report.diagnostics
