"""Load the framework catalog: the bundled ``scoring/`` folder, plus any folders a program adds.

A catalog is one or more framework folders merged into one set of names. The first folder is
the base (the bundled one, or ``--scoring DIR``); each ``--catalog DIR`` adds a program's own
frameworks, criteria, never-event classes and protocols to it. A name defined twice (a
criterion, a framework, a never-event class, an MI code, a second competency map) is an error
at the second definition naming the first, never a silent override: a scenario's points must
mean one thing. Each folder has a catalog name (see :func:`catalog_name`) that a scenario can
list under ``catalog:`` to say it needs that folder.

:func:`check_framework_file` checks one framework file on its own (``casesim validate FILE``),
recognising its kind by its keys, against the other folders of the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from casesim import bundled
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
from casesim.format.schema import CatalogNames
from casesim.format.validation import validate_model

__all__ = ["BUNDLED_CATALOG", "COMPETENCY_MAP_FILE", "Catalog", "FrameworkFileKind", "NEVER_EVENTS_FILE",
           "catalog_name", "check_catalog_dir", "check_catalog_dirs", "check_framework_file",
           "framework_file_kind", "load_catalog", "load_catalogs"]

COMPETENCY_MAP_FILE = "competency-map.yaml"
NEVER_EVENTS_FILE = "never-events.yaml"
"""The library's never-event policy: optional, so a trainer's own catalog without one still loads
(its scenarios then cannot name classes, and validate says so)."""
BUNDLED_CATALOG = "casesim"
"""The catalog name of the frameworks that ship with casesim."""

FrameworkFileKind = Literal["framework", "competency-map", "never-events", "kinds"]
"""The four kinds of file a framework folder holds (``kinds.yaml``: the scenario kinds)."""


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
    folders: Mapping[str, str] = field(default_factory=dict)
    """Catalog name -> its folder, in load order (the base first)."""
    catalog_of: Mapping[str, str] = field(default_factory=dict)
    """Framework id -> the name of the catalog (folder) it came from."""

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

    def names(self) -> CatalogNames:
        """The ids scenarios may cite, with a short description each, for the JSON Schema."""
        def titled(cid: str) -> str:
            return f"{self.criteria[cid].title} ({self.framework_of[cid]})"

        steps = self.protocol_steps()
        return CatalogNames(
            criteria={cid: titled(cid) for cid in self.criteria},
            mi_codes={code: titled(mi.criterion) if mi.criterion in self.criteria else code
                      for code, mi in self.mi_codes.items()},
            never_events={cid: cls.title for cid, cls in self.never_events.items()},
            steps={sid: titled(sid) if sid in self.criteria else fid for sid, fid in steps.items()},
            protocols={fid: self.frameworks[fid].title for fid in self.protocols},
            competencies={cid: self.criteria[cid].title for cid in self.competencies},
            catalogs={name: f"the framework folder {Path(folder).name}" for name, folder in self.folders.items()},
        )


def catalog_name(folder: str | Path) -> str:
    """The name a scenario uses for a framework folder in ``catalog:``.

    ``casesim`` for the bundled folder; otherwise the folder's name, or its parent's when the
    folder is called ``scoring`` or ``frameworks`` (so ``my-program/scoring`` is ``my-program``).
    """
    path = Path(folder)
    try:
        if path.resolve() == bundled.frameworks_dir().resolve():
            return BUNDLED_CATALOG
    except OSError:
        pass
    absolute = path.absolute()
    if absolute.name in ("scoring", "frameworks") and absolute.parent.name:
        return absolute.parent.name
    return absolute.name


def load_catalog(directory: str | Path) -> Catalog:
    """Load every framework in ``directory``; raises :class:`CatalogError` listing every problem."""
    return load_catalogs([directory])


def load_catalogs(directories: Sequence[str | Path]) -> Catalog:
    """Load and merge the framework folders in order (the base first); raises
    :class:`CatalogError` listing every problem, name clashes between folders included."""
    catalog, diagnostics = check_catalog_dirs(directories)
    errors = [d for d in diagnostics if d.is_error]
    if errors or catalog is None:
        where = ", ".join(str(d) for d in directories)
        raise CatalogError(errors or diagnostics, title=f"the scoring catalog in {where} has problems")
    return catalog


def check_catalog_dir(directory: str | Path) -> tuple[Catalog | None, list[Diagnostic]]:
    """Validate the catalog in ``directory``; return it (None on errors) and every diagnostic."""
    return check_catalog_dirs([directory])


def framework_file_kind(data: object, file_name: str = "") -> FrameworkFileKind | None:
    """Which kind of framework file ``data`` is, by its keys (or its file name); None for
    anything else (a scenario, or a file that is neither).

    A framework lists ``criteria:``; a never-event policy has ``id: never-events`` or lists
    ``classes:``; a competency map has ``id: competency-map`` or ``competencies:`` with ``scale:``
    or ``bands:``. A scenario has ``nodes:``, which none of them has.
    """
    if file_name == COMPETENCY_MAP_FILE:
        return "competency-map"
    if file_name == NEVER_EVENTS_FILE:
        return "never-events"
    if file_name == KINDS_FILE:
        return "kinds"
    if not isinstance(data, dict) or "nodes" in data:
        return None
    if "kinds" in data and "criteria" not in data:
        return "kinds"
    if data.get("id") == "never-events" or "classes" in data:
        return "never-events"
    if data.get("id") == "competency-map" or ("competencies" in data and ("scale" in data or "bands" in data)):
        return "competency-map"
    if "criteria" in data:
        return "framework"
    return None


@dataclass
class _Gathered:
    """What the framework files of one or more folders hold, before the cross-file checks."""

    frameworks: dict[str, tuple[Framework, SourceDocument]] = field(default_factory=dict)
    catalog_of: dict[str, str] = field(default_factory=dict)
    maps: list[tuple[CompetencyMap, SourceDocument]] = field(default_factory=list)
    policies: list[tuple[NeverEventPolicy, SourceDocument]] = field(default_factory=list)
    folders: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, KindInfo] = field(default_factory=dict)
    """Kinds from the folders' ``kinds.yaml`` files (a program's folder may add its own)."""


def _read_file(path: Path, name: str, into: _Gathered, diagnostics: list[Diagnostic],
               data: tuple[SourceDocument, list[Diagnostic]] | None = None) -> None:
    """Read and validate one framework file into ``into``; its problems into ``diagnostics``."""
    if path.name == KINDS_FILE:
        kinds, kind_problems = read_kinds(path)
        diagnostics.extend(kind_problems)
        for kid, info in (kinds or {}).items():
            into.kinds.setdefault(kid, info)
        return
    doc, problems = data if data is not None else read_yaml(path)
    diagnostics.extend(problems)
    if doc is None or any(p.is_error for p in problems):
        return
    kind = framework_file_kind(doc.data, path.name) or "framework"
    if kind == "competency-map":
        cmap, problems = validate_model(CompetencyMap, doc)
        diagnostics.extend(problems)
        if cmap is not None:
            if into.maps:
                diagnostics.append(_err(doc, ("id",), "catalog-clash",
                                        f"a second competency map; the first is {into.maps[0][1].path}: a catalog "
                                        "has one competency map, so keep the one your program uses and remove "
                                        "the other (or replace the whole base catalog with --scoring DIR)"))
            else:
                into.maps.append((cmap, doc))
        return
    if kind == "never-events":
        policy, problems = validate_model(NeverEventPolicy, doc)
        diagnostics.extend(problems)
        if policy is not None:
            into.policies.append((policy, doc))
        return
    fw, problems = validate_model(Framework, doc)
    diagnostics.extend(problems)
    if fw is None:
        return
    if fw.id != path.stem:
        pos = doc.position(("id",))
        diagnostics.append(Diagnostic(str(path), pos.line, pos.col, Severity.ERROR, "id-mismatch",
                                      f"framework id {fw.id!r} does not match the file name {path.stem!r}"))
    earlier = into.frameworks.get(fw.id)
    if earlier is not None:
        diagnostics.append(_err(doc, ("id",), "catalog-clash",
                                f"the framework {fw.id!r} is already loaded from {earlier[1].path} (catalog "
                                f"{into.catalog_of[fw.id]!r}); framework ids must be unique across catalogs: "
                                f"rename this file and its id, e.g. {name}-{fw.id}"))
        return
    into.frameworks[fw.id] = (fw, doc)
    into.catalog_of[fw.id] = name


def check_catalog_dirs(directories: Sequence[str | Path]) -> tuple[Catalog | None, list[Diagnostic]]:
    """Validate and merge the framework folders; return the catalog (None on errors) and every
    diagnostic, clashes between folders included."""
    diagnostics: list[Diagnostic] = []
    gathered = _Gathered()
    for directory in directories:
        root = Path(directory)
        name = catalog_name(root)
        files = sorted(root.glob("*.yaml"))
        if not files:
            diagnostics.append(Diagnostic(str(root), 1, 1, Severity.ERROR, "no-frameworks",
                                          "no framework files (*.yaml) in this folder"))
            continue
        if name in gathered.folders:
            diagnostics.append(Diagnostic(str(root), 1, 1, Severity.ERROR, "catalog-clash",
                                          f"this folder's catalog name is {name!r}, the same as "
                                          f"{gathered.folders[name]}: scenarios name a catalog by its folder, so "
                                          "rename one of the two folders"))
            continue
        gathered.folders[name] = str(root)
        for path in files:
            _read_file(path, name, gathered, diagnostics)
    catalog = _assemble(gathered, diagnostics)
    return (None if any(d.is_error for d in diagnostics) else catalog), diagnostics


def _assemble(gathered: _Gathered, diagnostics: list[Diagnostic]) -> Catalog:
    """The cross-file checks over what was gathered, and the merged catalog."""
    frameworks = gathered.frameworks
    criteria, framework_of = _index_criteria(frameworks, diagnostics)
    mi_codes: dict[str, MiCode] = {}
    mi_where: dict[str, str] = {}
    protocols: dict[str, Protocol] = {}
    for fid, (fw, doc) in frameworks.items():
        _check_framework(fw, doc, diagnostics)
        for i, code in enumerate(fw.mi_codes):
            if code.code in mi_codes and mi_where[code.code] != fid:
                diagnostics.append(_err(doc, ("mi_codes", i, "code"), "catalog-clash",
                                        f"the MI code {code.code} is already defined by the framework "
                                        f"{mi_where[code.code]!r}; a catalog codes each MITI behaviour once"))
                continue
            mi_codes[code.code] = code
            mi_where[code.code] = fid
        if fw.protocol is not None:
            protocols[fid] = fw.protocol
    cmap = gathered.maps[0] if gathered.maps else None
    if cmap is not None:
        _check_map(cmap[0], cmap[1], criteria, diagnostics)
    classes: dict[str, NeverEventClass] = {}
    class_where: dict[str, str] = {}
    for policy, doc in gathered.policies:
        _check_policy(policy, doc, criteria, diagnostics)
        for i, cls in enumerate(policy.classes):
            here = f"{doc.path}:{doc.position(('classes', i, 'id')).line}"
            if cls.id in class_where and not class_where[cls.id].startswith(f"{doc.path}:"):
                diagnostics.append(_err(doc, ("classes", i, "id"), "catalog-clash",
                                        f"never-event class {cls.id!r} is already defined at "
                                        f"{class_where[cls.id]}; give your program's class its own id"))
                continue
            classes.setdefault(cls.id, cls)
            class_where.setdefault(cls.id, here)
    return Catalog(
        frameworks={fid: fw for fid, (fw, _) in frameworks.items()},
        criteria=criteria,
        framework_of=framework_of,
        mi_codes=mi_codes,
        protocols=protocols,
        competency_map=cmap[0] if cmap else None,
        sources={fid: doc.path for fid, (_, doc) in frameworks.items()},
        never_events=classes,
        never_event_policy=gathered.policies[0][0] if gathered.policies else None,
        folders=dict(gathered.folders),
        catalog_of=dict(gathered.catalog_of),
        kinds=dict(gathered.kinds) if gathered.kinds else bundled_kinds(),
    )


def check_framework_file(path: str | Path, context: Sequence[str | Path] = (),
                         data: tuple[SourceDocument, list[Diagnostic]] | None = None) -> list[Diagnostic]:
    """Check one framework file as part of the catalog made of the ``context`` folders.

    The file takes the place of the file of the same name in its own folder, if that folder is
    one of ``context``; the other folders are loaded as they are, so a citation of a criterion
    of another framework, or a clash with one, is found. Only the diagnostics in this file are
    returned (the other folders are checked when they are validated themselves).
    """
    target = Path(path)
    diagnostics: list[Diagnostic] = []
    gathered = _Gathered()
    try:
        own = target.resolve()
    except OSError:
        own = target
    for directory in context:
        root = Path(directory)
        name = catalog_name(root)
        gathered.folders.setdefault(name, str(root))
        for other in sorted(root.glob("*.yaml")):
            try:
                same = other.resolve() == own or (other.name == target.name and other.parent.resolve() == own.parent)
            except OSError:
                same = False
            if not same:
                _read_file(other, name, gathered, [])
    # this file last, so a clash is reported here, where the reader is looking
    _read_file(target, catalog_name(target.parent), gathered, diagnostics, data)
    _assemble(gathered, diagnostics)
    mine = {str(target)}
    return [d for d in diagnostics if d.path in mine]


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
                                              f"criterion {criterion.id!r} is already defined at {where[criterion.id]}; "
                                              "a criterion id is defined once across all catalogs: give this "
                                              "one its own id, or cite the existing one"))
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
