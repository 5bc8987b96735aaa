"""Property tests of the load pipeline: any input gives diagnostics, never an exception.

The example scenario is parsed once, at import; each example mutates a deep copy and writes it
with libyaml's emitter, so the time goes to the code under test, not to the test's own YAML.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from casesim.authoring.pipeline import load_scenario, load_scenario_bytes
from casesim.scoring.catalog import Catalog
from support.paths import EXAMPLE

# PyYAML's wheels carry libyaml; the pure-Python classes are the fallback where they do not.
_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any, **options: Any) -> str:
    return str(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, **options))


# --- never anything but diagnostics ------------------------------------------------------


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_random_bytes_only_give_diagnostics(catalog: Catalog, raw: bytes) -> None:
    loaded = load_scenario_bytes(raw, "random.yaml", catalog)
    assert not loaded.ok or loaded.scenario is not None


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=20),
                    st.floats(allow_nan=False, allow_infinity=False))
keys = st.one_of(st.sampled_from(["format", "id", "nodes", "choices", "goto", "when", "effects", "start",
                                  "endings", "variables", "say", "client", "scores", "tests"]), st.text(max_size=8))
nested = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                           st.dictionaries(keys, children, max_size=5)),
                      max_leaves=30)


@settings(max_examples=300)
@given(nested)
def test_random_yaml_structures_only_give_diagnostics(catalog: Catalog, data: Any) -> None:
    text = _dump(data)
    loaded = load_scenario_bytes(text.encode(), "nested.yaml", catalog)
    assert loaded.diagnostics or loaded.ok


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_paths(v, (*prefix, i)))
    return out


EXAMPLE_DATA: Any = yaml.load(EXAMPLE.read_bytes(), Loader=_LOADER)
EXAMPLE_PATHS = _paths(EXAMPLE_DATA)[1:]


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value
    parent = data
    for segment in path[:-1]:
        parent = parent[segment]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    else:
        parent[last] = value
    return data


@settings(max_examples=400)
@given(st.data())
def test_mutated_valid_scenarios_only_give_diagnostics(catalog: Catalog, data: st.DataObject) -> None:
    original = copy.deepcopy(EXAMPLE_DATA)
    path = data.draw(st.sampled_from(EXAMPLE_PATHS))
    action = data.draw(st.sampled_from(["delete", "rename", "replace"]))
    value = data.draw(scalars | st.lists(scalars, max_size=2) | st.sampled_from(["nowhere", "rapport > 99", "not", "-1"]))
    mutated = _mutate(original, path, action, value)
    text = _dump(mutated, sort_keys=False)
    loaded = load_scenario_bytes(text.encode(), "mutated.yaml", catalog)
    for d in loaded.diagnostics:
        assert d.line >= 1 and d.col >= 1 and d.message


def test_an_incomplete_analysis_reports_the_limit_not_false_dead_ends(catalog: Catalog) -> None:
    from casesim.semantics import explore

    original = explore.DEFAULT_STATE_LIMIT
    try:
        explore.DEFAULT_STATE_LIMIT = 50
        loaded = load_scenario(EXAMPLE, catalog)
    finally:
        explore.DEFAULT_STATE_LIMIT = original
    assert [d.code for d in loaded.diagnostics] == ["state-space-too-large"]
