"""casesim.collector.paused: automatic collection off inside, as it was after (issue 13, benchmarks)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from casesim.collector import paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_on_after() -> None:
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_after_an_exception() -> None:
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_blocks_nest_and_the_outer_one_turns_it_back_on() -> None:
    with paused():
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block turned collection on inside the outer one"
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled(), "a block turned on collection that someone else had turned off"


def test_as_a_decorator_each_call_pauses_and_resumes() -> None:
    seen: list[bool] = []

    @paused()
    def work(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("bad input")

    work(False)
    with pytest.raises(ValueError):
        work(True)
    work(False)
    assert seen == [False, False, False]
    assert gc.isenabled()

