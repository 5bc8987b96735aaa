"""Scoring: turn a finished path into a debrief against cited guidelines."""

from __future__ import annotations

from casesim.scoring.debrief import Debrief
from casesim.scoring.engine import mi_result, protocol_result, rating_for_share, replay, score_path

__all__ = ["Debrief", "mi_result", "protocol_result", "rating_for_share", "replay", "score_path"]
