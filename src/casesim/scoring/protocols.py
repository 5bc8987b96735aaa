"""What an ordered protocol requires for the answers heard (skip logic and triage).

The rules live in :mod:`casesim.semantics.protocols`, where the compiled scenario turns a
protocol's duties into must-do requirements; they are re-exported here for scoring code.
"""

from __future__ import annotations

from casesim.semantics.protocols import ProtocolFacts, required_steps, triage_level

__all__ = ["ProtocolFacts", "required_steps", "triage_level"]
