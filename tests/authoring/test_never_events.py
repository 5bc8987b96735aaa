"""The library's never-event policy (scoring/never-events.yaml): it loads, validate enforces it
with exact, positioned messages, and the bundled library applies it consistently."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import load_scenario_bytes
from casesim.format.diagnostics import Diagnostic
from casesim.scoring.catalog import NEVER_EVENTS_FILE, Catalog, check_catalog_dir
from support.paths import ROOT, VALID

BASE = (VALID / "minimal.yaml").read_text(encoding="utf-8")
IGNORE = "      - id: ignore\n        say: \"...\"\n        goto: middle\n"


def diagnostics(text: str, catalog: Catalog, code: str) -> list[Diagnostic]:
    loaded = load_scenario_bytes(text.encode(), "s.yaml", catalog)
    return [d for d in loaded.diagnostics if d.code == code]


def with_ignore(extra: str) -> str:
    """The minimal scenario with ``extra`` (indented fields) added to its `ignore` choice."""
    assert IGNORE in BASE
    return BASE.replace(IGNORE, IGNORE + extra)


# --- the policy as data ------------------------------------------------------------------


def test_the_policy_loads_with_every_class_the_issue_names(catalog: Catalog) -> None:
    classes = catalog.never_events
    for expected in ("confidentiality-beyond-law", "dual-relationship", "client-at-risk-left-alone",
                     "disclosure-without-consent", "mandated-report-not-made"):
        assert expected in classes
    assert catalog.never_event_policy is not None
    assert [c.id for c in catalog.never_event_policy.classes] == list(classes)
    for cls in classes.values():
        assert cls.title and cls.description and cls.source
        for cid in cls.cites:
            assert catalog.criteria[cid].verified, (cls.id, cid)


def test_only_a_secrecy_promise_may_be_corrected(catalog: Catalog) -> None:
    """A friend request or leaving a client at risk alone is never undone by a later repair."""
    correctable = {c.id for c in catalog.never_events.values() if c.criticality == "fails-unless-corrected"}
    assert correctable == {"confidentiality-beyond-law"}


def _catalog_with_policy(tmp_path: Path, policy: str) -> list[Diagnostic]:
    for source in (ROOT / "scoring").glob("*.yaml"):
        if source.name != NEVER_EVENTS_FILE:
            (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / NEVER_EVENTS_FILE).write_text(policy, encoding="utf-8")
    _, found = check_catalog_dir(tmp_path)
    return found


POLICY = """format: 1
id: never-events
title: T
summary: S
classes:
  - id: a-class
    title: A class
    criticality: fails-attempt
    description: D
    cites: [{cite}]
    source: S
"""


def test_a_class_citing_an_unknown_criterion_is_an_error(tmp_path: Path) -> None:
    found = _catalog_with_policy(tmp_path, POLICY.format(cite="NASW-1.07(x)"))
    [d] = [d for d in found if d.code == "unknown-criterion"]
    assert (d.line, d.col) == (10, 13)
    assert d.message.startswith("class 'a-class' cites 'NASW-1.07(x)', which no framework file defines; did you mean")


def test_a_class_citing_an_unverified_criterion_is_an_error(tmp_path: Path) -> None:
    found = _catalog_with_policy(tmp_path, POLICY.format(cite="CCMC-R1"))
    [d] = [d for d in found if d.code == "unverified-criterion"]
    assert d.message == ("class 'a-class' cites 'CCMC-R1', which is marked unverified; "
                         "a never-event must rest on a verified criterion")


def test_a_class_with_an_unknown_criticality_is_rejected(tmp_path: Path) -> None:
    found = _catalog_with_policy(tmp_path, POLICY.format(cite="NASW-1.01").replace("fails-attempt", "instant"))
    assert any(d.is_error and d.line == 8 for d in found)


# --- validate ----------------------------------------------------------------------------


def test_a_critical_choice_with_its_class_is_clean(catalog: Catalog) -> None:
    text = with_ignore("        never_event: dual-relationship\n        critical: {reason: Accepted a friend request.}\n")
    loaded = load_scenario_bytes(text.encode(), "s.yaml", catalog)
    assert [d.code for d in loaded.diagnostics if d.code.startswith(("never", "critical-without", "unknown-never"))] == []


def test_a_choice_naming_a_fails_attempt_class_that_is_not_critical_is_an_error(catalog: Catalog) -> None:
    [d] = diagnostics(with_ignore("        never_event: dual-relationship\n"), catalog, "never-event-not-critical")
    assert d.is_error
    assert (d.line, d.col) == (28, 22)
    assert d.message == ("choice 'ignore' names never-event class 'dual-relationship' (A personal or financial "
                         "relationship with a client), which fails an attempt, but is not critical: add `critical:` "
                         "with the reason it fails here")


def test_a_correctable_class_without_critical_or_a_harm_requirement_is_an_error(catalog: Catalog) -> None:
    [d] = diagnostics(with_ignore("        never_event: confidentiality-beyond-law\n"), catalog, "never-event-not-critical")
    assert (d.line, d.col) == (28, 22)
    assert d.message == ("choice 'ignore' names never-event class 'confidentiality-beyond-law' (Confidentiality "
                         "promised beyond the law) but is not critical: add `critical:` with the reason it fails "
                         "here or, if the trainee can still correct it before harm is done, a requirement with "
                         "`never_event: confidentiality-beyond-law` whose `holds` fails only when harm was done")


def test_a_correctable_class_judged_by_a_harm_requirement_is_accepted(catalog: Catalog) -> None:
    text = with_ignore("        never_event: confidentiality-beyond-law\n").replace(
        "endings:", "requirements:\n  - id: no-harm\n    holds: \"not told\"\n    reason: R.\n"
                    "    never_event: confidentiality-beyond-law\nendings:")
    assert diagnostics(text, catalog, "never-event-not-critical") == []
    assert diagnostics(text, catalog, "unknown-never-event") == []


def test_a_fails_attempt_class_cannot_be_softened_by_a_requirement(catalog: Catalog) -> None:
    text = with_ignore("        never_event: dual-relationship\n").replace(
        "endings:", "requirements:\n  - id: no-harm\n    holds: \"not told\"\n    reason: R.\n"
                    "    never_event: dual-relationship\nendings:")
    assert len(diagnostics(text, catalog, "never-event-not-critical")) == 1


def test_an_unknown_class_is_an_error_with_a_suggestion(catalog: Catalog) -> None:
    text = with_ignore("        never_event: dual-relationships\n        critical: {reason: R.}\n")
    [d] = diagnostics(text, catalog, "unknown-never-event")
    assert d.is_error
    assert (d.line, d.col) == (28, 22)
    assert d.message == "unknown never-event class 'dual-relationships'; did you mean 'dual-relationship'?"


def test_an_unknown_class_far_from_any_lists_the_classes(catalog: Catalog) -> None:
    text = with_ignore("        never_event: zzz\n        critical: {reason: R.}\n")
    [d] = diagnostics(text, catalog, "unknown-never-event")
    assert d.message == f"unknown never-event class 'zzz'; the classes are: {', '.join(catalog.never_events)}"


def test_an_unknown_class_on_a_requirement_is_an_error(catalog: Catalog) -> None:
    text = BASE.replace("endings:", "requirements:\n  - id: r\n    holds: \"told\"\n    reason: R.\n"
                                    "    never_event: confidentiality-beyond-lw\nendings:")
    [d] = diagnostics(text, catalog, "unknown-never-event")
    assert (d.line, d.col) == (43, 18)
    assert d.message == ("unknown never-event class 'confidentiality-beyond-lw'; "
                         "did you mean 'confidentiality-beyond-law'?")


def test_a_critical_choice_naming_no_class_is_a_warning(catalog: Catalog) -> None:
    [d] = diagnostics(with_ignore("        critical: {reason: R.}\n"), catalog, "critical-without-class")
    assert not d.is_error
    assert (d.line, d.col) == (28, 19)
    assert d.message == ("choice 'ignore' is critical but names no never-event class: add `never_event:` with its "
                         "class from scoring/never-events.yaml, so the library treats the same act alike everywhere")


def test_a_critical_timer_naming_no_class_is_a_warning(catalog: Catalog) -> None:
    text = BASE.replace("  middle:\n    client: \"Okay.\"\n",
                        "  middle:\n    client: \"Okay.\"\n    timer:\n      seconds: 30\n      expire:\n"
                        "        goto: done\n        narration: N.\n        critical: {reason: R.}\n")
    [d] = diagnostics(text, catalog, "critical-without-class")
    assert d.message.startswith("the timer of 'middle' is critical but names no never-event class")


def test_without_a_policy_a_named_class_says_what_is_missing(tmp_path: Path, catalog: Catalog) -> None:
    from dataclasses import replace

    bare = replace(catalog, never_events={}, never_event_policy=None)
    text = with_ignore("        never_event: dual-relationship\n        critical: {reason: R.}\n")
    [d] = diagnostics(text, bare, "unknown-never-event")
    assert d.message == ("never-event class 'dual-relationship' cannot be checked: the scoring catalog has no "
                         "never-events.yaml; add one, or remove `never_event`")
    assert diagnostics(with_ignore("        critical: {reason: R.}\n"), bare, "critical-without-class") == []


# --- the library applies one policy ------------------------------------------------------


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> list[tuple[str, object]]:
    from casesim.authoring.pipeline import load_scenario

    out = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        report = load_scenario(path, catalog, analyse_paths=False)
        assert report.model is not None, path
        out.append((path.name, report.model))
    return out


def test_every_critical_choice_in_the_library_names_a_class(library: list[tuple[str, object]]) -> None:
    from casesim.format.scenario import Scenario

    missing = []
    for name, sc in library:
        assert isinstance(sc, Scenario)
        for node_id, node in sc.nodes.items():
            missing += [f"{name}:{c.id}" for c in node.choices if c.critical is not None and c.never_event is None]
            if node.timer is None:
                continue
            # A format-2 timer may branch on the state: every branch that is critical names a class.
            branches = node.timer.expire if isinstance(node.timer.expire, list) else [node.timer.expire]
            missing += [f"{name}:timeout:{node_id}" for b in branches if b.critical is not None and b.never_event is None]
    assert missing == []


def test_every_choice_with_a_class_is_critical_or_judged_by_a_harm_requirement(
        library: list[tuple[str, object]], catalog: Catalog) -> None:
    from casesim.format.scenario import Scenario

    judged: list[str] = []
    for name, sc in library:
        assert isinstance(sc, Scenario)
        harm = {r.never_event for r in sc.requirements if r.never_event}
        for node in sc.nodes.values():
            for c in node.choices:
                if c.never_event is None or c.critical is not None:
                    continue
                cls = catalog.never_events[c.never_event]
                assert cls.criticality == "fails-unless-corrected" and c.never_event in harm, f"{name}:{c.id}"
                judged.append(f"{name}:{c.id}")
    assert judged == ["intake-er-follow-up.yaml:promise-total-confidentiality"]


def test_every_secrecy_promise_in_the_library_names_the_same_class(library: list[tuple[str, object]]) -> None:
    from casesim.format.scenario import Scenario

    promises = {}
    for name, sc in library:
        assert isinstance(sc, Scenario)
        for node in sc.nodes.values():
            for c in node.choices:
                if c.never_event == "confidentiality-beyond-law":
                    promises[f"{name.removesuffix('.yaml')}:{c.id}"] = c.critical is not None
    assert promises == {
        "cultural-humility-interpreter:promise-all-private": True,
        "duty-to-protect-threat:promise-secret": True,
        "example-check-in:promise-total-secrecy": True,
        "first-episode-psychosis-family:promise-vy-secrecy": True,
        "home-visit-older-adult-self-neglect:promise-never-report": True,
        "home-visit-possible-neglect:promise-no-report": True,
        "intake-er-follow-up:promise-total-confidentiality": False,
        "relapse-return-to-use:promise-secret": True,
        "telehealth-ipv-video-drops:promise-no-report": True,
    }


def test_the_boundary_breaches_are_all_dual_relationships(library: list[tuple[str, object]]) -> None:
    from casesim.format.scenario import Scenario

    sc = dict(library)["boundaries-gift-friend-request.yaml"]
    assert isinstance(sc, Scenario)
    index = sc.choice_index()
    for cid in ("accept-friend-request", "give-personal-cell", "promise-weekly-anyway", "overdisclose",
                "accept-barter", "accept-cash"):
        choice = index[cid][1]
        assert choice.never_event == "dual-relationship" and choice.critical is not None, cid


# --- the documentation ---------------------------------------------------------------------


def test_docs_scoring_lists_exactly_the_classes_in_the_data(catalog: Catalog) -> None:
    from casesim.authoring.policy_doc import END, START, never_event_markdown, replace_section

    page = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert replace_section(page, catalog) == page, (
        "docs/scoring.md's never-event section is out of date; regenerate it with: "
        ".venv/bin/python -m casesim.authoring.policy_doc docs/scoring.md")
    section = page.split(START)[1].split(END)[0]
    assert section.strip() == never_event_markdown(catalog).strip()
    for cls in catalog.never_events.values():
        assert f"| `{cls.id}` | {cls.title} |" in section


def test_the_generated_section_follows_an_edit_of_the_data(catalog: Catalog) -> None:
    from dataclasses import replace

    from casesim.authoring.policy_doc import never_event_markdown

    policy = catalog.never_event_policy
    assert policy is not None
    renamed = policy.model_copy(update={"classes": [policy.classes[0].model_copy(update={"title": "Renamed"})]})
    text = never_event_markdown(replace(catalog, never_event_policy=renamed))
    assert "| `confidentiality-beyond-law` | Renamed |" in text
    assert "dual-relationship" not in text


def test_a_page_without_the_markers_is_a_clear_error(catalog: Catalog) -> None:
    from casesim.authoring.policy_doc import replace_section

    with pytest.raises(ValueError, match="has no never-event section"):
        replace_section("# Scoring\n", catalog)


def test_a_timer_naming_a_class_must_be_critical_too(catalog: Catalog) -> None:
    timer = ("  middle:\n    client: \"Okay.\"\n    timer:\n      seconds: 30\n      expire:\n"
             "        goto: done\n        narration: N.\n        never_event: client-at-risk-left-alone\n")
    text = BASE.replace("  middle:\n    client: \"Okay.\"\n", timer)
    [d] = diagnostics(text, catalog, "never-event-not-critical")
    assert (d.line, d.col) == (37, 22)
    assert d.message.startswith("the timer of 'middle' names never-event class 'client-at-risk-left-alone' "
                                "(A client at imminent risk left alone), which fails an attempt, but is not critical")
    critical = text.replace("        never_event: client-at-risk-left-alone\n",
                            "        never_event: client-at-risk-left-alone\n        critical: {reason: R.}\n")
    assert diagnostics(critical, catalog, "never-event-not-critical") == []
