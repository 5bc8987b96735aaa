"""A program's :class:`~casesim.semantics.program.Rules` as JSON-able data, and back.

Records reports replay each recorded path to know which options were offered at each decision
(:mod:`casesim.records.decisions`). That needs the rules (conditions, effects, ranges), not the
scenario's texts, its liveness or its score vectors, yet validating and compiling whole scenarios
was most of a warm cohort report's time (issue 13, benchmarks). :func:`rules_data` writes down
what :func:`~casesim.semantics.program.replay` reads; :func:`rules_from_data` builds
:class:`Rules` from it, compiling each condition and expression effect from its source text.

**What the rebuilt rules are.** Following a path with them (:func:`initial_state`,
:func:`open_choices`, :func:`timeout_step`, :func:`replay`, :func:`apply`) gives the same states
as the program's: ``tests/semantics/test_portable.py`` walks every bundled scenario with both.
Their steps carry what following a path reads (id, node, goto, condition, effects, whether it is
a timeout), not the points, texts or marks; and they never settle protocol facts, so
``apply(..., observed_only=True)`` keeps the full protocol facts (the analysis never uses them).

**Safety.** The data may come from a cache folder someone else can write to, so it is checked:
every index in range, every value of the right type for its variable, every condition and
expression type-checked as ``validate`` checks a scenario's (:func:`type_of`); anything else
raises ValueError or TypeError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casesim.errors import ExpressionError
from casesim.format.expressions import (
    Env,
    Type,
    compile_expression,
    parse_expression,
    type_of,
)
from casesim.semantics.program import Effect, Guard, Program, Rules, Step

__all__ = ["RULES_FORMAT", "rules_data", "rules_from_data"]

RULES_FORMAT = 1
"""The version of the layout :func:`rules_data` writes; part of the key of anything storing it."""


def rules_data(program: Program) -> dict[str, Any]:
    """The rules of ``program`` as JSON-able data (:func:`rules_from_data` reads it)."""
    sources: dict[str, tuple[str | None, Mapping[str, Any]]] = {}
    for node_id, node in program.scenario.nodes.items():
        for choice in node.choices:
            sources[choice.id] = (choice.when, choice.effects)
        if node.timer is not None:
            for sid, expiry in zip(node.timer.step_ids(node_id), node.timer.branches(), strict=True):
                sources[sid] = (getattr(expiry, "when", None), expiry.effects)
    steps = []
    for step in program.steps.values():
        when, raw = sources[step.id]
        effects = []
        for effect in step.effects:
            if effect.is_expr:
                text = raw[program.var_names[effect.index]]
                effects.append([effect.index, "expr", text])
            else:
                effects.append([effect.index, effect.mode, effect.value])
        steps.append([step.id, step.node, step.goto, when, effects, step.is_timeout])
    return {
        "format": RULES_FORMAT,
        "start": program.start,
        "vars": list(program.var_names),
        "bounds": [list(b) if b is not None else None for b in program.bounds],
        "start_values": list(program.start_values),
        "steps": steps,
        "nodes": [[node, [s.id for s in steps_]] for node, steps_ in program.steps_by_node.items()],
        "timeouts": [[node, [s.id for s in steps_]] for node, steps_ in program.timeouts.items()],
        "entry_sets": [[node, [[e.index, e.value] for e in sets]] for node, sets in program.entry_sets.items()],
        "relevant_nodes": sorted(program.relevant_nodes),
        "relevant_choices": sorted(program.relevant_choices),
    }


def rules_from_data(data: object) -> Rules:
    """The :class:`Rules` :func:`rules_data` wrote; ValueError or TypeError on anything else."""
    if not isinstance(data, dict) or data.get("format") != RULES_FORMAT:
        raise ValueError("not rules of this version")
    var_names = tuple(_text(n) for n in _list(data["vars"]))
    start_values = tuple(_scalar(v) for v in _list(data["start_values"]))
    if len(start_values) < len(var_names) or len(set(var_names)) != len(var_names):
        raise ValueError("the variables and their start values do not match")
    types: dict[str, Type] = {}
    for name, value in zip(var_names, start_values, strict=False):
        if not isinstance(value, (bool, int)):
            raise TypeError(f"variable {name!r} starts as neither a number nor a flag")
        types[name] = "bool" if isinstance(value, bool) else "int"
    var_index = {name: i for i, name in enumerate(var_names)}
    bounds = tuple(_bound(b) for b in _list(data["bounds"]))
    if len(bounds) != len(start_values) or any(
            b is not None and (i >= len(var_names) or types[var_names[i]] != "int") for i, b in enumerate(bounds)):
        raise ValueError("a range per slot is needed, and only numbers have one")
    rows = [_list(row) for row in _list(data["steps"])]
    nodes = [(_text(node), [_text(s) for s in _list(ids)]) for node, ids in (_pair(r) for r in _list(data["nodes"]))]
    timers = [(_text(node), [_text(s) for s in _list(ids)])
              for node, ids in (_pair(r) for r in _list(data["timeouts"]))]
    known_nodes = {node for node, _ in nodes}
    targets = known_nodes | {_text(row[2]) for row in rows if len(row) == 6}
    env = Env(types, frozenset(targets), frozenset(_text(row[0]) for row in rows if row))
    slots = len(start_values)

    def literal(index: object, mode: object, value: object) -> Effect:
        i = _index(index, slots)
        if mode not in ("add", "set"):
            raise ValueError(f"unknown effect {mode!r}")
        if i < len(var_names):
            wanted: type = int if types[var_names[i]] == "int" else bool
            if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
                raise TypeError(f"an effect gives {var_names[i]!r} a value of the wrong type")
            if mode == "add" and wanted is not int:
                raise TypeError(f"an effect adds to the flag {var_names[i]!r}")
        elif mode != "set":
            raise ValueError("a hidden slot is only ever set")
        return Effect(i, mode, _scalar(value), False)

    def effect(item: object) -> Effect:
        index, mode, value = _list(item, 3)
        if mode != "expr":
            return literal(index, mode, value)
        i = _index(index, len(var_names))
        return Effect(i, "set", _compiled(_text(value), env, types[var_names[i]], var_index), True)

    steps: dict[str, Step] = {}
    for row in rows:
        if len(row) != 6:
            raise ValueError("a step is not six fields")
        sid, node, goto, when, effects, is_timeout = row
        if not isinstance(is_timeout, bool):
            raise TypeError("a step's timeout flag is not true or false")
        guard = None if when is None else _compiled(_text(when), env, "bool", var_index)
        step = Step(_text(sid), _text(node), _text(goto), guard, tuple(effect(e) for e in _list(effects)),
                    (), None, is_timeout)
        if step.id in steps or step.node not in known_nodes:
            raise ValueError(f"step {step.id!r} is repeated or at an unknown node")
        steps[step.id] = step
    by_node = {node: tuple(_step(steps, s, node, False) for s in ids) for node, ids in nodes}
    timeouts = {node: tuple(_step(steps, s, node, True) for s in ids) for node, ids in timers}
    entry_sets = {_text(node): tuple(literal(index, "set", value) for index, value in (_pair(i) for i in _list(sets)))
                  for node, sets in (_pair(r) for r in _list(data["entry_sets"]))}
    start = _text(data["start"])
    if start not in known_nodes:
        raise ValueError(f"the start {start!r} is not a node")
    return Rules(start=start, var_names=var_names, bounds=bounds, steps_by_node=by_node, timeouts=timeouts,
                 steps=steps, start_values=start_values, entry_sets=entry_sets, settled_nodes=frozenset(),
                 protocol_guards=(), relevant_nodes=frozenset(_text(n) for n in _list(data["relevant_nodes"])),
                 relevant_choices=frozenset(_text(c) for c in _list(data["relevant_choices"])))


def _compiled(text: str, env: Env, wanted: Type, var_index: Mapping[str, int]) -> Guard:
    try:
        tree = parse_expression(text)
        got = type_of(tree, env)
    except ExpressionError as exc:
        raise ValueError(f"the expression {text!r} does not check: {exc.message}") from None
    if got != wanted:
        raise TypeError(f"the expression {text!r} gives {got}, not {wanted}")
    compiled: Guard = compile_expression(tree, var_index)  # type: ignore[assignment]
    return compiled


def _step(steps: Mapping[str, Step], sid: str, node: str, timeout: bool) -> Step:
    step = steps.get(sid)
    if step is None or step.node != node or step.is_timeout != timeout:
        raise ValueError(f"node {node!r} lists {sid!r}, which is not one of its steps")
    return step


def _list(value: object, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise TypeError("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _pair(value: object) -> tuple[Any, Any]:
    first, second = _list(value, 2)
    return first, second


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _scalar(value: object) -> bool | int | str | None:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"expected a number, a flag, a text or null, found {type(value).__name__}")


def _index(value: object, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"slot {value!r} is out of range")
    return value


def _bound(value: object) -> tuple[int, int] | None:
    if value is None:
        return None
    low, high = _list(value, 2)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or low > high:
        raise TypeError("a range is not two whole numbers, lowest first")
    return (low, high)
