"""Speakers: a cast, `speaker:` on lines and replies, interpreter lines; checked and shown by name."""

from __future__ import annotations

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.scoring.catalog import Catalog
from support.paths import VALID

FAMILY = (VALID / "family-call.yaml").read_text(encoding="utf-8")


def test_a_cast_with_speakers_and_an_interpreter_loads_clean(catalog: Catalog) -> None:
    report = load_scenario_bytes(FAMILY.encode(), "family.yaml", catalog)
    assert report.errors == []
    assert report.playable is not None
    [variant] = report.playable.scenario.nodes["call"].client  # type: ignore[misc]
    assert [(line.speaker, line.original) for line in variant.spoken()] == [
        ("mother", None), ("interpreter", "¿Cómo está mi hijo?"), (None, None)]


def test_unknown_speaker_is_reported_at_the_speaker_with_a_suggestion(catalog: Catalog) -> None:
    text = FAMILY.replace("{speaker: psychiatrist,", "{speaker: psychiatrst,")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    [error] = report.errors
    assert (error.line, error.code) == (27, "unknown-speaker")
    assert error.message == "unknown speaker 'psychiatrst'; did you mean 'psychiatrist'?"


def test_unknown_speaker_without_a_cast_lists_the_client_and_says_to_add_a_cast(catalog: Catalog) -> None:
    text = FAMILY.replace("{speaker: psychiatrist,", "{speaker: nurse,")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    [error] = report.errors
    assert error.message.startswith("unknown speaker 'nurse'; the speakers are: client, mother, interpreter, psychiatrist")


def test_the_client_cannot_be_listed_in_the_cast(catalog: Catalog) -> None:
    text = FAMILY.replace("cast:\n", "cast:\n  client: {name: Jordan, role: client}\n")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    assert [(e.line, e.code) for e in report.errors] == [(12, "id-clash")]


def test_a_cast_in_a_format_one_file_says_to_migrate(catalog: Catalog) -> None:
    text = FAMILY.replace("format: 2", "format: 1")
    report = load_scenario_bytes(text.encode(), "old.yaml", catalog)
    assert {(e.line, e.code) for e in report.errors} == {(11, "needs-format-2"), (19, "needs-format-2"),
                                                         (27, "needs-format-2")}
    assert all(e.message.endswith("(run `casesim migrate old.yaml`)") for e in report.errors)


def test_a_variant_needs_say_or_lines_not_both(catalog: Catalog) -> None:
    text = FAMILY.replace("      - lines:\n", "      - say: Hi.\n        lines:\n")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    assert any("exactly one of `say` (one text), `one_of` (a list of texts) or `lines`" in e.message for e in report.errors)


def test_a_mistake_inside_a_reply_mapping_is_reported_once_in_plain_words(catalog: Catalog) -> None:
    text = FAMILY.replace("reply: {speaker: psychiatrist, say:", "reply: {speaker: psychiatrist, sya:")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    assert [(e.line, e.code, e.message) for e in report.errors] == [
        (27, "missing-key", "missing required key 'say'"),
        (27, "unknown-key", "unknown key 'sya'; did you mean 'say'?")]


def test_a_broken_cast_entry_is_reported_there_and_not_at_every_line_it_speaks(catalog: Catalog) -> None:
    text = FAMILY.replace("  interpreter: {name: Ana, role: interpreter}\n", "  interpreter: {name: Ana}\n")
    report = load_scenario_bytes(text.encode(), "family.yaml", catalog)
    assert [(e.line, e.code) for e in report.errors] == [(13, "missing-key")]
