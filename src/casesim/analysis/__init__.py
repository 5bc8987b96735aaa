"""Exhaustive analysis of every reachable state of a scenario."""

from __future__ import annotations

from casesim.analysis.explore import Analysis, Extremes, analyse, project

__all__ = ["Analysis", "Extremes", "analyse", "project"]
