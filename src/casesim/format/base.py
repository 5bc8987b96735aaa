"""What every model of the scenario format shares: the strict frozen base and the id and text
types. Kept apart from ``scenario.py`` so the format-2 modules (``cast.py``, ``intent.py``) and
the scenario model build on the same definitions without importing each other in a circle."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ID_PATTERN", "VAR_PATTERN", "Id", "FormatModel", "ShortText", "Text"]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
VAR_PATTERN = r"^[a-z][a-z0-9_]*$"

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class FormatModel(BaseModel):
    """Strict (no coercion), closed (unknown keys are errors) and frozen (a loaded file never changes);
    each field's docstring becomes its JSON Schema description."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)
