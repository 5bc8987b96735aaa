"""Semantic checks of a scenario beyond its shape: names, expressions, ranges, catalog ids.

Every problem is reported at its source position, all at once. Checks that need the
exhaustive analysis (reachability, dead ends, guards never true) live in ``lint.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casesim.errors import ExpressionError
from casesim.format.cast import CLIENT_ID
from casesim.format.diagnostics import Diagnostic, Severity, suggest
from casesim.format.expressions import Env, Type, constant_int, parse_expression, type_of
from casesim.format.kinds import bundled_kinds
from casesim.format.lines import Value, field_lines
from casesim.format.reader import Position, SourceDocument
from casesim.format.scenario import Choice, Given, Review, Scenario, Timer, timeout_id
from casesim.format.signoff import signoff_state
from casesim.scoring.catalog import Catalog
from casesim.semantics.protocols import protocol_requirement_ids

__all__ = ["Unchecked", "check_scenario"]

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Unchecked:
    """Names from parts of a file that failed validation: they exist, so references to them
    are not reported as missing while the broken parts are reported on their own."""

    targets: frozenset[str] = frozenset()
    choices: frozenset[str] = frozenset()
    variables: Mapping[str, Type] = field(default_factory=dict)
    start_broken: bool = False


@dataclass
class _Checker:
    scenario: Scenario
    doc: SourceDocument
    catalog: Catalog | None
    out: list[Diagnostic]
    unchecked: Unchecked = field(default_factory=Unchecked)

    def report(self, path: PathKey, code: str, message: str, *, severity: Severity = Severity.ERROR,
               key: bool = False, offset: int = 0) -> None:
        self.out.append(self.doc.diagnostic(self.doc.position(path, key=key), severity, code, message, offset=offset))

    # --- names --------------------------------------------------------------------------

    def __post_init__(self) -> None:
        self.targets: frozenset[str] = (frozenset(self.scenario.nodes) | frozenset(self.scenario.endings)
                                        | self.unchecked.targets)
        self.warned_catalogs: set[str] = set()

    def env(self) -> Env:
        choices = {c.id for node in self.scenario.nodes.values() for c in node.choices}
        variables: dict[str, Type] = dict(self.unchecked.variables)
        variables.update({name: v.type for name, v in self.scenario.variables.items()})
        return Env(
            variables=variables,
            nodes=frozenset(self.targets),
            choices=frozenset(choices) | self.unchecked.choices,
        )

    def check_speaker(self, path: PathKey, speaker: str | None) -> None:
        """A `speaker` names the client or someone under `cast`."""
        cast = getattr(self.scenario, "cast", None) or {}  # absent from a salvaged partial scenario
        written = self.doc.data.get("cast") if isinstance(self.doc.data, dict) else None
        if isinstance(written, dict) and speaker in written:
            return  # a cast member whose own entry is broken: reported there, not at every line
        if speaker is None or speaker == CLIENT_ID or speaker in cast:
            return
        known = [CLIENT_ID, *cast]
        extra = suggest(speaker, known, f"; the speakers are: {', '.join(known)}")
        if not cast:
            extra += "; add the people who speak under `cast:` (id, name, role)"
        self.report(path, "unknown-speaker", f"unknown speaker {speaker!r}{extra}")

    def check_speakers(self, path: PathKey, value: Value | None) -> None:
        """Every `speaker` written in a spoken field (a node's or an ending's `client`, a choice's
        `reply`): on a line, on a variant, on one of several speakers in a row, or on a single
        `one_of` wording. Each written key is checked once, however many wordings it covers."""
        lines = field_lines("", path, "client", value)
        if lines is None:
            return
        seen: set[PathKey] = set()
        for alt in lines.alternatives():
            if alt.speaker_at is not None and alt.speaker_at not in seen:
                seen.add(alt.speaker_at)
                self.check_speaker(alt.speaker_at, alt.speaker)

    def check_goto(self, path: PathKey, target: str) -> None:
        if target not in self.targets:
            extra = suggest(target, self.targets, "; add it under `nodes:` or `endings:`")
            self.report(path, "goto-missing", f"goto {target!r}: there is no node or ending with that id{extra}")

    def check_expression(self, path: PathKey, text: str, env: Env, want: Type | None) -> Type | None:
        try:
            tree = parse_expression(text)
            got = type_of(tree, env)
        except ExpressionError as exc:
            self.report(path, "expression", f"in {text!r}: {exc.message}", offset=exc.offset)
            return None
        if want is not None and got != want:
            words = {"int": "a number", "bool": "true or false", "str": "text"}
            self.report(path, "expression-type", f"{text!r} gives {words[got]}, but {words[want]} is needed here")
            return None
        return got

    def check_criteria(self, path: PathKey, ids: Iterable[str], *, key: bool) -> None:
        if self.catalog is None:
            return
        for cid in ids:
            where = (*path, cid) if key else path
            criterion = self.catalog.criteria.get(cid)
            if criterion is None:
                missing = self.missing_catalogs()
                extra = (f"; it may come from the catalog {missing[0]!r}, which is not loaded" if missing
                         else suggest(cid, self.catalog.criteria, "; see the frameworks in scoring/"))
                self.report(where, "unknown-criterion", f"unknown criterion {cid!r}{extra}", key=key)
                continue
            self.check_catalog_named(where, cid, key=key)
            if not criterion.verified:
                self.report(where, "unverified-criterion",
                            f"criterion {cid!r} is marked unverified in scoring/ and cannot be scored", key=key)

    def missing_catalogs(self) -> list[str]:
        """The catalogs the scenario's ``catalog:`` names that are not loaded."""
        loaded = self.catalog.folders if self.catalog is not None else {}
        return [name for name in self.scenario.catalog if name not in loaded]

    def check_catalog_names(self) -> None:
        if self.catalog is None:
            return
        loaded = ", ".join(self.catalog.folders) or "none"
        for i, name in enumerate(self.scenario.catalog):
            if name not in self.catalog.folders:
                self.report(("catalog", i), "catalog-missing",
                            f"this scenario needs the catalog {name!r}, which is not loaded (loaded: {loaded}); "
                            f"add its framework folder with `--catalog DIR` (or CASESIM_CATALOG, or `catalogs:` "
                            "in config.yaml)")

    def check_catalog_named(self, where: PathKey, cid: str, *, key: bool) -> None:
        """A criterion from a program's own catalog is cited by a scenario that says it needs
        that catalog, so loading it elsewhere fails with the catalog's name, not with a list of
        unknown criteria. Warned once per catalog."""
        assert self.catalog is not None
        base = next(iter(self.catalog.folders), None)
        name = self.catalog.catalog_of.get(self.catalog.framework_of.get(cid, ""))
        if name is None or name == base or name in self.scenario.catalog or name in self.warned_catalogs:
            return
        self.warned_catalogs.add(name)
        self.report(where, "catalog-not-named",
                    f"criterion {cid!r} comes from the catalog {name!r}; add `catalog: [{name}]` to the "
                    "scenario, so that loading it without that folder says which catalog is missing",
                    severity=Severity.WARNING, key=key)

    def known_never_event(self, path: PathKey, class_id: str) -> bool:
        """Whether ``class_id`` is a class of the never-event policy; reports it when not."""
        if self.catalog is None:
            return False
        classes = self.catalog.never_events
        if class_id in classes:
            return True
        if not classes:
            self.report(path, "unknown-never-event",
                        f"never-event class {class_id!r} cannot be checked: the scoring catalog has no "
                        "never-events.yaml; add one, or remove `never_event`")
            return False
        extra = suggest(class_id, classes, f"; the classes are: {', '.join(classes)}")
        self.report(path, "unknown-never-event", f"unknown never-event class {class_id!r}{extra}")
        return False

    def check_never_event(self, base: PathKey, what: str, class_id: str | None, critical: bool) -> None:
        """Criticality comes from the class: a choice (or timer) that names a class is critical,
        unless the class may be corrected and a requirement of the same class judges the harm;
        a critical one names its class, so the policy covers every never-event in the library."""
        if class_id is None:
            if critical and self.catalog is not None and self.catalog.never_events:
                self.report((*base, "critical"), "critical-without-class",
                            f"{what} is critical but names no never-event class: add `never_event:` with its class "
                            "from scoring/never-events.yaml, so the library treats the same act alike everywhere",
                            severity=Severity.WARNING)
            return
        where = (*base, "never_event")
        if not self.known_never_event(where, class_id) or critical:
            return
        assert self.catalog is not None
        cls = self.catalog.never_events[class_id]
        if cls.criticality == "fails-attempt":
            self.report(where, "never-event-not-critical",
                        f"{what} names never-event class {class_id!r} ({cls.title}), which fails an attempt, "
                        "but is not critical: add `critical:` with the reason it fails here")
        elif not any(r.never_event == class_id for r in self.scenario.requirements):
            self.report(where, "never-event-not-critical",
                        f"{what} names never-event class {class_id!r} ({cls.title}) but is not critical: add "
                        f"`critical:` with the reason it fails here or, if the trainee can still correct it before "
                        f"harm is done, a requirement with `never_event: {class_id}` whose `holds` fails only "
                        "when harm was done")

    def check_effects(self, path: PathKey, effects: Mapping[str, Any], env: Env) -> None:
        variables = self.scenario.variables
        for name, value in effects.items():
            where = (*path, name)
            var = variables.get(name)
            if var is None and name in self.unchecked.variables:
                continue
            if var is None:
                extra = suggest(name, variables, "; declare it under `variables:`")
                self.report(where, "unknown-variable", f"effect on unknown variable {name!r}{extra}", key=True)
                continue
            if var.type == "bool":
                if isinstance(value, str):
                    self.check_expression(where, value, env, "bool")
                elif not isinstance(value, bool):
                    self.report(where, "effect-type", f"{name!r} is true/false; set it with true or false, not {value!r}")
                continue
            assert var.min is not None and var.max is not None
            if isinstance(value, bool):
                self.report(where, "effect-type", f"{name!r} is a number; change it by a number like +1 or -2, not {value}")
            elif isinstance(value, int):
                span = var.max - var.min
                if value == 0:
                    self.report(where, "effect-range", f"changing {name!r} by 0 does nothing", severity=Severity.WARNING)
                elif abs(value) > span:
                    self.report(where, "effect-range",
                                f"changing {name!r} by {value:+d} goes outside its range {var.min}..{var.max} "
                                f"from any value; the largest change that can take effect is {span}")
            else:
                got = self.check_expression(where, value, env, "int")
                if got == "int":
                    # The expression parsed, so read its value from the tree (`"--1"` is 1).
                    number = constant_int(parse_expression(value))
                    if number is not None and not var.min <= number <= var.max:
                        self.report(where, "effect-range",
                                    f"setting {name!r} to {number} is outside its range {var.min}..{var.max}")

    def _alias_copy(self, path: PathKey) -> tuple[str, Position] | None:
        """The anchor and alias site when ``path`` lies inside a copy made with a YAML alias."""
        for end in range(len(path), 0, -1):
            found = self.doc.aliases.get(path[:end])
            if found is not None:
                return found
        return None

    def check_answers(self, path: PathKey, answers: Mapping[str, bool], step_protocol: Mapping[str, str],
                      used: set[str]) -> None:
        """Answers name steps (not triage levels) of a protocol the scenario declares."""
        if self.catalog is None:
            return
        levels = {lv.level for p in self.catalog.protocols.values() for lv in p.levels}
        for step in answers:
            protocol = step_protocol.get(step)
            if protocol is None or step in levels:
                self.report((*path, step), "unknown-step",
                            f"{step!r} is not a question of any protocol in scoring/; answers are given to steps "
                            "such as CSSRS-Q2", key=True)
            elif protocol not in used:
                self.report((*path, step), "protocol-not-declared",
                            f"{step!r} belongs to protocol {protocol!r}; declare it under `protocols:`", key=True)

    # --- the whole scenario ----------------------------------------------------------------

    def run(self) -> None:
        sc = self.scenario
        env = self.env()
        self.check_signoff()
        self.check_kind()
        if not self.unchecked.start_broken and sc.start not in sc.nodes and sc.start not in self.unchecked.targets:
            extra = suggest(sc.start, sc.nodes)
            self.report(("start",), "start-missing", f"start node {sc.start!r} is not under `nodes:`{extra}")
        if CLIENT_ID in getattr(sc, "cast", {}):
            self.report(("cast", CLIENT_ID), "id-clash",
                        "the client is always in the cast as `client`; describe them under `client:` and give "
                        "this cast member another id", key=True)
        for ending_id, ending in sc.endings.items():
            self.check_speakers(("endings", ending_id, "client"), ending.client)
            if ending_id in sc.nodes:
                self.report(("endings", ending_id), "id-clash",
                            f"{ending_id!r} is both a node and an ending; rename one", key=True)
        first_choice: dict[str, PathKey] = {}
        step_protocol = self.catalog.protocol_steps() if self.catalog else {}
        used_protocols = {p.protocol for p in sc.protocols}
        for node_id, node in sc.nodes.items():
            # Variants and placeholders of every text are checked in authoring.text_checks; who speaks here.
            self.check_speakers(("nodes", node_id, "client"), node.client)
            for i, choice in enumerate(node.choices):
                base: PathKey = ("nodes", node_id, "choices", i)
                if choice.id in first_choice:
                    other = self.doc.position((*first_choice[choice.id], "id"))
                    copy = self._alias_copy(base)
                    if copy is not None:
                        anchor, site = copy
                        self.out.append(self.doc.diagnostic(
                            site, Severity.ERROR, "duplicate-choice",
                            f"the alias *{anchor} copies the choice {choice.id!r} from line {other.line}, id and all, "
                            "and choice ids must be unique; YAML anchors can reuse values such as effects or scores, "
                            "not whole choices or nodes: to offer the same choices at several nodes, put them under "
                            "`choice_sets:` and write `choices: {use: NAME}` at each node (each copy gets the node's "
                            "id in front of its own); for nodes shared by several scenarios, use `include:`"))
                    else:
                        self.report((*base, "id"), "duplicate-choice",
                                    f"a second choice with the id {choice.id!r}; the first is at line {other.line}: "
                                    "rename the copy (choice ids are unique in a scenario)")
                else:
                    first_choice[choice.id] = base
                self.check_goto((*base, "goto"), choice.goto)
                self.check_speakers((*base, "reply"), choice.reply)
                if choice.when is not None:
                    self.check_expression((*base, "when"), choice.when, env, "bool")
                self.check_effects((*base, "effects"), choice.effects, env)
                self.check_criteria((*base, "scores"), choice.scores, key=True)
                if self.catalog is not None:
                    for j, code in enumerate(choice.mi):
                        if code not in self.catalog.mi_codes:
                            extra = suggest(code, self.catalog.mi_codes,
                                            f"; MITI codes: {', '.join(sorted(self.catalog.mi_codes))}")
                            self.report((*base, "mi", j), "unknown-mi-code", f"unknown MI behaviour code {code!r}{extra}")
                    for j, step in enumerate(choice.steps):
                        protocol = step_protocol.get(step)
                        if protocol is None:
                            self.report((*base, "steps", j), "unknown-step", f"{step!r} is not a step of any protocol in scoring/")
                        elif protocol not in used_protocols:
                            self.report((*base, "steps", j), "protocol-not-declared",
                                        f"{step!r} belongs to protocol {protocol!r}; declare it under `protocols:`")
                self.check_answers((*base, "answers"), choice.answers, step_protocol, used_protocols)
                if choice.critical is not None:
                    self.check_criteria((*base, "critical", "cites"), choice.critical.cites, key=False)
                self.check_never_event(base, f"choice {choice.id!r}", choice.never_event, choice.critical is not None)
                if choice.neutral:
                    self.check_neutral(base, choice)
                elif choice.feedback is None:
                    self.report(base, "no-feedback",
                                f"choice {choice.id!r} has no feedback; every choice should teach why it helps or harms",
                                severity=Severity.WARNING)
                elif not choice.scores and choice.critical is None:
                    self.report(base, "no-criterion",
                                f"choice {choice.id!r} cites no criterion: add `scores` so its feedback rests on a guideline",
                                severity=Severity.WARNING)
            self.check_answers(("nodes", node_id, "answers"), node.answers, step_protocol, used_protocols)
            if node.timer is not None:
                self.check_timer(node_id, node.timer, env)
        for i, req in enumerate(sc.requirements):
            self.check_expression(("requirements", i, "holds"), req.holds, env, "bool")
            self.check_criteria(("requirements", i, "cites"), req.cites, key=False)
            if req.never_event is not None:
                self.known_never_event(("requirements", i, "never_event"), req.never_event)
        self.check_catalog_names()
        self.check_catalog_refs()
        self.check_tests(env)

    def check_timer(self, node_id: str, timer: Timer, env: Env) -> None:
        """Each branch of the expiry like a choice; in the branching form every branch but the
        last has a `when`, and the last has none, so the clock running out always leads somewhere."""
        branching = isinstance(timer.expire, list)
        last = len(timer.branches()) - 1
        for i, expire in enumerate(timer.branches()):
            base: PathKey = ("nodes", node_id, "timer", "expire", *((i,) if branching else ()))
            when = getattr(expire, "when", None)
            if branching and i < last and when is None:
                self.report(base, "expire-shadows",
                            "a timer branch without `when` always applies, so the branches after it are never used; "
                            "give it a `when`, or move it to the end as the default")
            elif branching and i == last and when is not None:
                self.report((*base, "when"), "expire-no-default",
                            "the last timer branch has a `when`, so in some states the clock could run out with "
                            "nowhere to go: remove the `when` from the last branch to make it the default", key=True)
            if when is not None:
                self.check_expression((*base, "when"), when, env, "bool")
            self.check_goto((*base, "goto"), expire.goto)
            self.check_effects((*base, "effects"), expire.effects, env)
            self.check_criteria((*base, "scores"), expire.scores, key=True)
            if expire.critical is not None:
                self.check_criteria((*base, "critical", "cites"), expire.critical.cites, key=False)
            self.check_never_event(base, f"the timer of {node_id!r}", expire.never_event, expire.critical is not None)

    def check_neutral(self, base: PathKey, choice: Choice) -> None:
        """A neutral choice is unscored on purpose: nothing that scores, and feedback that teaches."""
        for key, present in (("scores", bool(choice.scores)), ("mi", bool(choice.mi)),
                             ("critical", choice.critical is not None), ("never_event", choice.never_event is not None)):
            if present:
                self.report((*base, key), "neutral-scored",
                            f"choice {choice.id!r} is `neutral: true` (unscored), so it cannot have `{key}`: "
                            f"remove `{key}`, or remove `neutral: true`", key=True)
        if choice.feedback is None:
            self.report((*base, "neutral"), "neutral-without-feedback",
                        f"choice {choice.id!r} is `neutral: true` but has no `feedback`; a neutral choice still "
                        "teaches: say why it neither helps nor harms", key=True)

    def check_catalog_refs(self) -> None:
        sc = self.scenario
        if self.catalog is None:
            return
        competencies = self.catalog.competencies
        for i, comp in enumerate(sc.competencies):
            if comp not in competencies:
                extra = suggest(comp, competencies, "; use EPAS22-C1 ... EPAS22-C9")
                self.report(("competencies", i), "unknown-competency", f"unknown competency {comp!r}{extra}")
        for i, use in enumerate(sc.protocols):
            protocol = self.catalog.protocols.get(use.protocol)
            if protocol is None:
                extra = suggest(use.protocol, self.catalog.protocols, f"; protocols: {', '.join(sorted(self.catalog.protocols))}")
                self.report(("protocols", i, "protocol"), "unknown-protocol", f"unknown protocol {use.protocol!r}{extra}")
                continue
            steps = {s.step for s in protocol.steps}
            for answer in use.answers:
                if answer not in steps:
                    self.report(("protocols", i, "answers", answer), "unknown-step",
                                f"{answer!r} is not a step of {use.protocol}", key=True)
            if use.answers:
                self.report(("protocols", i, "answers"), "protocol-answers-table",
                            "a fixed answer table counts an answer only when a choice asks that step, and cannot say "
                            "where the client gives it; move each answer onto the node where the client gives it "
                            "(`answers: {CSSRS-Q2: true}` on the node the question leads to), or onto the choice "
                            "whose reply gives it, and delete this table", severity=Severity.WARNING, key=True)
        self.check_unanswered()
        own = {r.id: i for i, r in enumerate(sc.requirements)}
        for rid in protocol_requirement_ids(sc, self.catalog.protocols):
            if rid in own:
                self.report(("requirements", own[rid], "id"), "id-clash",
                            f"requirement id {rid!r} is the id of a duty of a protocol this scenario uses; rename it")

    def check_unanswered(self) -> None:
        """A choice that asks a screener item should say what the client answers: on the choice,
        on the node it leads to, or (old form) in the protocol's table. Otherwise the answer is
        never heard, and the skip logic and triage treat the item as not answered yes."""
        sc = self.scenario
        assert self.catalog is not None
        screened: set[str] = set()
        in_table: set[str] = set()
        for use in sc.protocols:
            protocol = self.catalog.protocols.get(use.protocol)
            if protocol is not None and protocol.levels:
                screened.update(item.step for item in protocol.steps)
                in_table.update(use.answers)
        if not screened:
            return
        for node_id, node in sc.nodes.items():
            for i, choice in enumerate(node.choices):
                target = sc.nodes.get(choice.goto)
                given = set(choice.answers) | (set(target.answers) if target is not None else set())
                for j, step in enumerate(choice.steps):
                    if step in screened and step not in given and step not in in_table:
                        self.report(("nodes", node_id, "choices", i, "steps", j), "answer-missing",
                                    f"choice {choice.id!r} asks {step} but no answer to it is given: add "
                                    f"`answers: {{{step}: true}}` (or false) to the node {choice.goto!r} if the client "
                                    "answers there on every way in, or to this choice", severity=Severity.WARNING)

    def check_kind(self) -> None:
        """The kind is one the catalog lists (kinds.yaml), so the library can title and group it."""
        kind = getattr(self.scenario, "kind", None)  # absent from a salvaged partial scenario
        kinds = self.catalog.kinds if self.catalog is not None else bundled_kinds()
        if not isinstance(kind, str) or not kinds or kind in kinds:
            return
        extra = suggest(kind, kinds, ".")
        self.report(("kind",), "unknown-kind",
                    f"unknown kind {kind!r}{extra} The kinds are: {', '.join(kinds)} (a program adds its own "
                    "in kinds.yaml in its scoring folder)")

    def check_signoff(self) -> None:
        """A sign-off that no longer covers the content (or was never signed) does not count:
        say so, by name, so the author knows to have it re-reviewed."""
        review = getattr(self.scenario, "reviewed", None)  # absent from a salvaged partial scenario
        if not isinstance(review, Review):
            return
        state = signoff_state(review, self.doc.data)
        sign = (f"`casesim review sign {self.doc.path} --by \"NAME\" --credential CREDENTIAL`")
        if state.status == "voided":
            self.report(("reviewed",), "signoff-voided",
                        f"the sign-off by {review.by} ({review.credential}) on {review.on} is void: the content "
                        f"changed after it was signed ({review.content_hash} signed, {state.current_hash} now), "
                        f"so attempts count as trials; have a clinician re-review it and re-sign with {sign}",
                        severity=Severity.WARNING, key=True)
        elif state.status == "unsigned":
            self.report(("reviewed",), "signoff-missing",
                        f"`reviewed` says {review.by} reviewed it, but there is no signed credential and content "
                        f"hash, so attempts count as trials; the reviewer signs with {sign}",
                        severity=Severity.WARNING, key=True)

    def check_tests(self, env: Env) -> None:
        sc = self.scenario
        choice_ids = set(env.choices) | {timeout_id(n) for n, node in sc.nodes.items() if node.timer}
        choice_ids |= {sid for n, node in sc.nodes.items() if node.timer for sid in node.timer.step_ids(n)}
        requirement_ids = {r.id for r in sc.requirements}
        if self.catalog is not None:
            requirement_ids.update(protocol_requirement_ids(sc, self.catalog.protocols))
        for i, test in enumerate(sc.tests):
            base: PathKey = ("tests", i)
            if test.start is not None and test.start not in sc.nodes:
                self.report((*base, "start"), "unknown-node", f"test starts at unknown node {test.start!r}")
            for j, cid in enumerate(test.choose):
                if cid not in choice_ids:
                    extra = suggest(cid, choice_ids, "; use the id of a choice under `nodes:`, or timeout:NODE")
                    self.report((*base, "choose", j), "unknown-choice", f"unknown choice {cid!r}{extra}")
            expect = test.expect
            if expect.ending is not None and expect.ending not in sc.endings:
                self.report((*base, "expect", "ending"), "unknown-ending", f"unknown ending {expect.ending!r}")
            for name, value in expect.flags.items():
                var = sc.variables.get(name)
                if var is None:
                    self.report((*base, "expect", "flags", name), "unknown-variable", f"unknown variable {name!r}", key=True)
                elif isinstance(value, bool) != (var.type == "bool"):
                    self.report((*base, "expect", "flags", name), "wrong-type",
                                f"{name!r} is {'true/false' if var.type == 'bool' else 'a number'}")
            criteria = [c for c in expect.scores if c != "total"]
            self.check_criteria((*base, "expect", "scores"), criteria, key=True)
            for j, cid in enumerate(expect.critical or []):
                if cid not in choice_ids and cid not in requirement_ids:
                    self.report((*base, "expect", "critical", j), "unknown-choice",
                                f"{cid!r} is neither a choice nor a requirement")
            for field_name in ("visited", "not_visited"):
                for j, place in enumerate(getattr(expect, field_name)):
                    if place not in sc.nodes and place not in sc.endings:
                        extra = suggest(place, self.targets, "")
                        self.report((*base, "expect", field_name, j), "unknown-node",
                                    f"there is no node or ending {place!r}{extra}")
            for j, ending in enumerate(expect.unreachable):
                if ending not in sc.endings:
                    extra = suggest(ending, sc.endings, f"; endings: {', '.join(sc.endings)}")
                    self.report((*base, "expect", "unreachable", j), "unknown-ending",
                                f"`unreachable` lists endings, and there is no ending {ending!r}{extra}")
            if test.given is not None:
                self.check_given((*base, "given"), test.given, choice_ids)

    def check_given(self, base: PathKey, given: Given, choice_ids: set[str]) -> None:
        """The names in a test's ``given:`` exist, and each value fits its variable."""
        sc = self.scenario
        for name, value in given.variables.items():
            where = (*base, "variables", name)
            var = sc.variables.get(name)
            if var is None:
                extra = suggest(name, sc.variables, "; declare it under `variables:`")
                self.report(where, "unknown-variable", f"there is no variable {name!r}{extra}", key=True)
            elif isinstance(value, bool) != (var.type == "bool"):
                if var.type == "bool":
                    self.report(where, "wrong-type", f"{name!r} is true or false, not the number {value}: "
                                                     "give it true or false")
                else:
                    self.report(where, "wrong-type", f"{name!r} is a number, not {str(value).lower()}: give it a "
                                                     f"number from {var.min} to {var.max}")
            elif not isinstance(value, bool) and var.min is not None and var.max is not None \
                    and not var.min <= value <= var.max:
                self.report(where, "out-of-range",
                            f"{name!r} goes from {var.min} to {var.max}, so it can never be {value}; "
                            f"give a value from {var.min} to {var.max}")
        for j, node in enumerate(given.visited):
            if node not in sc.nodes:
                extra = suggest(node, sc.nodes, "")
                self.report((*base, "visited", j), "unknown-node", f"there is no node {node!r}{extra}")
        for j, cid in enumerate(given.chose):
            if cid not in choice_ids:
                extra = suggest(cid, choice_ids, "; use the id of a choice under `nodes:`, or timeout:NODE")
                self.report((*base, "chose", j), "unknown-choice", f"unknown choice {cid!r}{extra}")


def check_scenario(scenario: Scenario, doc: SourceDocument, catalog: Catalog | None,
                   unchecked: Unchecked | None = None) -> list[Diagnostic]:
    """Every semantic problem in ``scenario`` (errors and warnings), positioned in ``doc``."""
    out: list[Diagnostic] = []
    _Checker(scenario, doc, catalog, out, unchecked or Unchecked()).run()
    return out
