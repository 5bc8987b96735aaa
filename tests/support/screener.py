"""A scenario that is only the C-SSRS screener, for tests of protocol scoring on elicited answers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from casesim.authoring.pipeline import AnalysedScenario, load_scenario_bytes
from casesim.scoring.catalog import Catalog
from casesim.scoring.debrief import Debrief, ProtocolResult

__all__ = ["ITEMS", "TRIAGE", "critical_ids", "cssrs", "full_path", "load", "screener"]

ITEMS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q6a"]
TRIAGE = {"high": "CSSRS-RISK-HIGH", "mod": "CSSRS-RISK-MOD", "low": "CSSRS-RISK-LOW"}


def _choice(cid: str, goto: str, *, steps: Sequence[str] = (), answers: Mapping[str, bool] | None = None,
            points: Mapping[str, int] | None = None) -> dict[str, object]:
    out: dict[str, object] = {"id": cid, "say": f"({cid})", "goto": goto, "feedback": "Why.",
                              "scores": dict(points or {"CSSRS-Q1": 0})}
    if steps:
        out["steps"] = list(steps)
    if answers:
        out["answers"] = dict(answers)
    return out


def screener(answers: Mapping[str, bool], *, table: bool = False, skip_points: int = 0) -> str:
    """A scenario that is only the C-SSRS screener, each item with an `ask-` choice and a `skip-`
    choice, then a triage node. The client's answers are on the asking choices (or, with
    ``table``, in the old fixed `protocols: answers:` table)."""
    def heard(item: str) -> dict[str, bool] | None:
        return None if table else {f"CSSRS-{item}": answers.get(item, False)}

    after_q2 = "q3" if answers.get("Q2") else "q6"
    after_q6 = "q6a" if answers.get("Q6") else "triage"
    skip = {"CSSRS-Q1": skip_points}
    nodes = {
        "q1": {"client": "Go on.", "choices": [
            _choice("ask-q1", "q2", steps=["CSSRS-Q1"], answers=heard("Q1"), points={"CSSRS-Q1": 1}),
            _choice("skip-screen", "triage")]},
        "q2": {"client": "Mm.", "choices": [
            _choice("ask-q2", after_q2, steps=["CSSRS-Q2"], answers=heard("Q2"), points={"CSSRS-Q2": 1}),
            _choice("skip-q2", "q6")]},
        "q3": {"client": "Mm.", "choices": [
            _choice("ask-q3", "q4", steps=["CSSRS-Q3"], answers=heard("Q3"), points={"CSSRS-Q3": 1}),
            _choice("skip-q3-to-q5", "q6", points=skip)]},
        "q4": {"client": "Mm.", "choices": [
            _choice("ask-q4", "q5", steps=["CSSRS-Q4"], answers=heard("Q4"), points={"CSSRS-Q4": 1})]},
        "q5": {"client": "Mm.", "choices": [
            _choice("ask-q5", "q6", steps=["CSSRS-Q5"], answers=heard("Q5"), points={"CSSRS-Q5": 1})]},
        "q6": {"client": "Mm.", "choices": [
            _choice("ask-q6", after_q6, steps=["CSSRS-Q6"], answers=heard("Q6"), points={"CSSRS-Q6": 1}),
            _choice("skip-q6", "triage")]},
        "q6a": {"client": "Mm.", "choices": [
            _choice("ask-q6a", "triage", steps=["CSSRS-Q6a"], answers=heard("Q6a"), points={"CSSRS-Q6a": 1}),
            _choice("skip-q6a", "triage")]},
        "triage": {"client": "Well?", "choices": [
            *[_choice(f"triage-{k}", "end", steps=[v]) for k, v in TRIAGE.items()],
            _choice("no-triage", "end")]},
    }
    protocol: dict[str, object] = {"protocol": "cssrs-screener"}
    if table:
        protocol["answers"] = {f"CSSRS-{k}": v for k, v in answers.items()}
    doc = {
        "format": 1, "id": "screen", "version": "1.0.0", "title": "Screen", "kind": "crisis",
        "summary": "A screen.", "estimated_minutes": 5, "objectives": ["Ask the screener."],
        "reviewed": {"status": "draft"},
        "client": {"name": "A. Client", "age": 40, "pronouns": "they/them", "background": "A client."},
        "start": "q1", "nodes": nodes,
        "endings": {"end": {"outcome": "success", "title": "End", "summary": "The end."}},
        "protocols": [protocol],
    }
    return json.dumps(doc)  # JSON is YAML


def load(catalog: Catalog, text: str) -> AnalysedScenario:
    report = load_scenario_bytes(text.encode(), "screen.yaml", catalog)
    assert report.analysed is not None, report.errors
    return report.analysed


def full_path(answers: Mapping[str, bool]) -> list[str]:
    """Every item the skip logic calls for, asked in order."""
    path = ["ask-q1", "ask-q2"]
    if answers.get("Q2"):
        path += ["ask-q3", "ask-q4", "ask-q5"]
    path.append("ask-q6")
    if answers.get("Q6"):
        path.append("ask-q6a")
    return path


def cssrs(debrief: Debrief) -> ProtocolResult:
    return next(p for p in debrief.protocols if p.id == "cssrs-screener")


def critical_ids(debrief: Debrief) -> set[str]:
    return {c.id for c in debrief.critical}


