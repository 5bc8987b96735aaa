"""Start Ralph LRS 5.1.0 (fs backend) on loopback: ``python ralph_launcher.py HOST PORT``.

Started by :mod:`support.ralph_lrs`, never imported. Two workarounds for ralph-malph 5.1.0's fs
backend (shared/reference/ralph_test_lrs.py, xapi-lrs-serve.md 2.2):

1. It writes with operation_type CREATE, so only the first POST succeeds and later ones answer
   HTTP 500 "Statements bulk indexation failed": write with APPEND instead.
2. Its ``verb``/``activity`` GET filters compare a pydantic IRI with a str and never match: pass
   plain strings.
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
_query = FSLRSBackend.query_statements


def _query_statements(self: Any, params: Any, target: Any = None) -> Any:
    update = {k: str(getattr(params, k)) for k in ("verb", "activity") if getattr(params, k)}
    return _query(self, params.model_copy(update=update), target)


FSLRSBackend.query_statements = _query_statements  # type: ignore[method-assign]

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
