"""The Textual terminal UI of casesim: a thin layer over the domain packages."""

from __future__ import annotations

from casesim.tui.app import (
    CaseSimApp,
    OpenAuthor,
    OpenLibrary,
    OpenScenario,
    ResumeAttempt,
    StartRequest,
    make_app,
)

__all__ = ["CaseSimApp", "OpenAuthor", "OpenLibrary", "OpenScenario", "ResumeAttempt", "StartRequest", "make_app"]
