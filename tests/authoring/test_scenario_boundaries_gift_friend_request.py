"""Regression checks for the boundaries scenario's clinical-review items (clinical-review.md 2.7).

The review found serious breaches scored as point losses while a friend request failed (S1),
culture shown only as pressure to accept gifts (m2), no mood check or early-warning plan at a
step-down for post-bereavement depression (m3), and a client line no path could show. Each test
fails if one of those comes back.
"""

from __future__ import annotations

import pytest

from casesim.authoring.pipeline import AnalysedScenario, load_scenario, require_scenario
from casesim.scoring.catalog import Catalog
from support.paths import SCENARIOS
from support.scenarios import choices_by_id

PATH = SCENARIOS / "boundaries-gift-friend-request.yaml"


@pytest.fixture(scope="module")
def boundaries(catalog: Catalog) -> AnalysedScenario:
    return require_scenario(PATH, catalog)


def test_personal_channels_off_the_books_contact_and_barter_fail_like_a_friend_request(boundaries: AnalysedScenario) -> None:
    # 2.7 S1 and X2: one never-event class for every personal tie.
    choices = choices_by_id(boundaries)
    for cid in ("accept-friend-request", "give-personal-cell", "promise-weekly-anyway", "accept-barter", "overdisclose"):
        assert choices[cid].critical is not None, cid
        assert choices[cid].never_event == "dual-relationship", cid


def test_culture_is_not_only_pressure_to_accept_gifts(boundaries: AnalysedScenario) -> None:
    # 2.7 m2: no "where I come from, you insult a man by refusing"; church and bus-driver texture.
    text = PATH.read_text(encoding="utf-8")
    assert "Where I come from" not in text and "Where I grew up" not in text
    assert "read the lesson at church" in text and "drove the number 60" in text


def test_the_expert_path_checks_mood_and_early_signs_before_the_step_down(boundaries: AnalysedScenario) -> None:
    # 2.7 m3
    assert boundaries.analysis is not None
    expert = list(boundaries.analysis.expert_path)
    assert expert.index("plan-step-down-together") < expert.index("mood-and-early-signs")
    say = (choices_by_id(boundaries)["mood-and-early-signs"].say or "").lower()
    assert "felt down" in say and "slipping" in say


def test_every_client_line_variant_can_be_shown(catalog: Catalog) -> None:
    # The line "It's a doctor bird ... Never mind, it's silly" is shown after a rough start and a flat refusal.
    report = load_scenario(PATH, catalog)
    assert not [d for d in report.diagnostics if d.code == "variant-never-shown"]
