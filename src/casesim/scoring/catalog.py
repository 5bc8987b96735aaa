"""Load the framework catalog from the ``scoring/`` folder, with cross-file checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from casesim.errors import CatalogError
from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.framework import (
    CompetencyMap,
    Criterion,
    Framework,
    MiCode,
    NeverEventClass,
    NeverEventPolicy,
    Protocol,
)
from casesim.format.kinds import KINDS_FILE, KindInfo, bundled_kinds, read_kinds
from casesim.format.reader import SourceDocument, read_yaml
from casesim.format.validation import validate_model

__all__ = ["Catalog", "load_catalog", "check_catalog_dir", "COMPETENCY_MAP_FILE", "NEVER_EVENTS_FILE"]

COMPETENCY_MAP_FILE = "competency-map.yaml"
NEVER_EVENTS_FILE = "never-events.yaml"
"""The library's never-event policy: optional, so a trainer's own catalog without one still loads
(its scenarios then cannot name classes, and validate says so)."""


@dataclass(frozen=True)
class Catalog:
    """Every criterion, MI code and protocol a scenario may cite, and the competency map."""

    frameworks: Mapping[str, Framework]
    criteria: Mapping[str, Criterion]
    framework_of: Mapping[str, str]
    """Criterion id -> the id of the framework that defines it."""
    mi_codes: Mapping[str, MiCode]
    protocols: Mapping[str, Protocol]
    """Framework id -> its protocol, for frameworks that have one."""
    competency_map: CompetencyMap | None
    sources: Mapping[str, str] = field(default_factory=dict)
    """Framework id -> the file it came from."""
    never_events: Mapping[str, NeverEventClass] = field(default_factory=dict)
    """Never-event class id -> the class, from ``never-events.yaml`` (in the policy's order)."""
    never_event_policy: NeverEventPolicy | None = None
    """The whole policy file, for the documentation; None when the catalog has none."""
    kinds: Mapping[str, KindInfo] = field(default_factory=bundled_kinds)
    """The kinds a scenario may name, from the catalog's ``kinds.yaml`` (the bundled list when it has none)."""

    @property
    def competencies(self) -> set[str]:
        """Competency ids: the EPAS criteria (ids starting EPAS22-)."""
        return {cid for cid in self.criteria if cid.startswith("EPAS22-")}

    def protocol_steps(self) -> dict[str, str]:
        """Step or level criterion id -> the id of the protocol it belongs to."""
        out: dict[str, str] = {}
        for fid, protocol in self.protocols.items():
            for step in protocol.steps:
                out[step.step] = fid
            for level in protocol.levels:
                out[level.level] = fid
        return out


def load_catalog(directory: str | Path) -> Catalog:
    """Load every framework in ``directory``; raises :class:`CatalogError` listing every problem."""
    catalog, diagnostics = check_catalog_dir(directory)
    errors = [d for d in diagnostics if d.is_error]
    if errors or catalog is None:
        raise CatalogError(errors or diagnostics, title=f"the scoring catalog in {directory} has problems")
    return catalog


def check_catalog_dir(directory: str | Path) -> tuple[Catalog | None, list[Diagnostic]]:
    """Validate the catalog in ``directory``; return it (None on errors) and every diagnostic."""
    root = Path(directory)
    files = sorted(root.glob("*.yaml"))
    if not files:
        return None, [Diagnostic(str(root), 1, 1, Severity.ERROR, "no-frameworks",
                                 "no framework files (*.yaml) in this folder")]
    diagnostics: list[Diagnostic] = []
    frameworks: dict[str, tuple[Framework, SourceDocument]] = {}
    cmap: tuple[CompetencyMap, SourceDocument] | None = None
    policy: tuple[NeverEventPolicy, SourceDocument] | None = None
    kinds: Mapping[str, KindInfo] | None = None
    for path in files:
        if path.name == KINDS_FILE:
            kinds, problems = read_kinds(path)
            diagnostics.extend(problems)
            continue
        doc, problems = read_yaml(path)
        diagnostics.extend(problems)
        if doc is None or any(p.is_error for p in problems):
            continue
        if path.name == COMPETENCY_MAP_FILE:
            model, problems = validate_model(CompetencyMap, doc)
            diagnostics.extend(problems)
            if model is not None:
                cmap = (model, doc)
            continue
        if path.name == NEVER_EVENTS_FILE:
            model_policy, problems = validate_model(NeverEventPolicy, doc)
            diagnostics.extend(problems)
            if model_policy is not None:
                policy = (model_policy, doc)
            continue
        fw, problems = validate_model(Framework, doc)
        diagnostics.extend(problems)
        if fw is None:
            continue
        if fw.id != path.stem:
            pos = doc.position(("id",))
            diagnostics.append(Diagnostic(str(path), pos.line, pos.col, Severity.ERROR, "id-mismatch",
                                          f"framework id {fw.id!r} does not match the file name {path.stem!r}"))
        frameworks[fw.id] = (fw, doc)
    criteria, framework_of = _index_criteria(frameworks, diagnostics)
    mi_codes: dict[str, MiCode] = {}
    protocols: dict[str, Protocol] = {}
    for fid, (fw, doc) in frameworks.items():
        _check_framework(fw, doc, diagnostics)
        for code in fw.mi_codes:
            mi_codes[code.code] = code
        if fw.protocol is not None:
            protocols[fid] = fw.protocol
    if cmap is not None:
        _check_map(cmap[0], cmap[1], criteria, diagnostics)
    if policy is not None:
        _check_policy(policy[0], policy[1], criteria, diagnostics)
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    catalog = Catalog(
        frameworks={fid: fw for fid, (fw, _) in frameworks.items()},
        criteria=criteria,
        framework_of=framework_of,
        mi_codes=mi_codes,
        protocols=protocols,
        competency_map=cmap[0] if cmap else None,
        sources={fid: doc.path for fid, (_, doc) in frameworks.items()},
        never_events={c.id: c for c in policy[0].classes} if policy else {},
        never_event_policy=policy[0] if policy else None,
        kinds=kinds if kinds is not None else bundled_kinds(),
    )
    return catalog, diagnostics


def _index_criteria(frameworks: Mapping[str, tuple[Framework, SourceDocument]],
                    diagnostics: list[Diagnostic]) -> tuple[dict[str, Criterion], dict[str, str]]:
    criteria: dict[str, Criterion] = {}
    framework_of: dict[str, str] = {}
    where: dict[str, str] = {}
    for fid, (fw, doc) in frameworks.items():
        for i, criterion in enumerate(fw.criteria):
            pos = doc.position(("criteria", i, "id"))
            if criterion.id in criteria:
                diagnostics.append(Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, "duplicate-criterion",
                                              f"criterion {criterion.id!r} is already defined at {where[criterion.id]}"))
                continue
            criteria[criterion.id] = criterion
            framework_of[criterion.id] = fid
            where[criterion.id] = f"{doc.path}:{pos.line}:{pos.col}"
    return criteria, framework_of


def _err(doc: SourceDocument, path: tuple[str | int, ...], code: str, message: str) -> Diagnostic:
    pos = doc.position(path)
    return Diagnostic(doc.path, pos.line, pos.col, Severity.ERROR, code, message)


def _check_framework(fw: Framework, doc: SourceDocument, out: list[Diagnostic]) -> None:
    own = {c.id for c in fw.criteria}
    for i, code in enumerate(fw.mi_codes):
        if code.criterion not in own:
            out.append(_err(doc, ("mi_codes", i, "criterion"), "unknown-criterion",
                            f"MI code {code.code} names criterion {code.criterion!r}, which this file does not define"))
    for i, score in enumerate(fw.summary_scores):
        if score.criterion not in own:
            out.append(_err(doc, ("summary_scores", i, "criterion"), "unknown-criterion",
                            f"summary score names criterion {score.criterion!r}, which this file does not define"))
        if score.fair is not None and score.good is not None and score.fair > score.good:
            out.append(_err(doc, ("summary_scores", i, "fair"), "invalid-value",
                            "the `fair` threshold is higher than the `good` one"))
    if fw.protocol is None:
        return
    seen: set[str] = set()
    for i, step in enumerate(fw.protocol.steps):
        if step.step not in own:
            out.append(_err(doc, ("protocol", "steps", i, "step"), "unknown-criterion",
                            f"protocol step {step.step!r} is not a criterion of this file"))
        if step.after_yes is not None and step.after_yes not in seen:
            out.append(_err(doc, ("protocol", "steps", i, "after_yes"), "invalid-value",
                            f"`after_yes: {step.after_yes}` must name an earlier step"))
        if step.step in seen:
            out.append(_err(doc, ("protocol", "steps", i, "step"), "duplicate-step",
                            f"step {step.step!r} is listed twice"))
        seen.add(step.step)
    for i, level in enumerate(fw.protocol.levels):
        if level.level not in own:
            out.append(_err(doc, ("protocol", "levels", i, "level"), "unknown-criterion",
                            f"level {level.level!r} is not a criterion of this file"))
        for j, step_id in enumerate(level.any_yes):
            if step_id not in seen:
                out.append(_err(doc, ("protocol", "levels", i, "any_yes", j), "unknown-step",
                                f"{step_id!r} is not a step of this protocol"))


def _check_map(cmap: CompetencyMap, doc: SourceDocument, criteria: Mapping[str, Criterion],
               out: list[Diagnostic]) -> None:
    for competency, evidence in cmap.competencies.items():
        if competency not in criteria or not competency.startswith("EPAS22-"):
            out.append(_err(doc, ("competencies", competency), "unknown-competency",
                            f"{competency!r} is not an EPAS 2022 competency defined in scoring/"))
        for j, cid in enumerate(evidence):
            if cid not in criteria:
                out.append(_err(doc, ("competencies", competency, j), "unknown-criterion",
                                f"criterion {cid!r} is not defined in any framework file"))


def _check_policy(policy: NeverEventPolicy, doc: SourceDocument, criteria: Mapping[str, Criterion],
                  out: list[Diagnostic]) -> None:
    """Each class id once, and each citation a verified criterion: a never-event fails an
    attempt, so what it rests on must be a checked fact, as for scoring."""
    seen: dict[str, int] = {}
    for i, cls in enumerate(policy.classes):
        if cls.id in seen:
            out.append(_err(doc, ("classes", i, "id"), "duplicate-class",
                            f"never-event class {cls.id!r} is already defined at line "
                            f"{doc.position(('classes', seen[cls.id], 'id')).line}"))
        else:
            seen[cls.id] = i
        for j, cid in enumerate(cls.cites):
            criterion = criteria.get(cid)
            if criterion is None:
                extra = suggest(cid, criteria, "; cite a criterion defined in a framework file")
                out.append(_err(doc, ("classes", i, "cites", j), "unknown-criterion",
                                f"class {cls.id!r} cites {cid!r}, which no framework file defines{extra}"))
            elif not criterion.verified:
                out.append(_err(doc, ("classes", i, "cites", j), "unverified-criterion",
                                f"class {cls.id!r} cites {cid!r}, which is marked unverified; "
                                "a never-event must rest on a verified criterion"))
