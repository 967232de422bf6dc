"""``LastBuilt``: the kept value while the inputs are equal, a new one when any changes."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any

import pytest

from openrouter_core.memo import LastBuilt


class Builds:
    """A build function that counts its calls and returns a fresh object each time."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> list[int]:
        self.count += 1
        return [self.count]


def test_equal_inputs_keep_the_value_and_changed_ones_build_again() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    first = memo.get(("a", 1), build)
    assert memo.get(("a", 1), build) is first  # equal, not the same tuple
    assert build.count == 1
    assert memo.get(("a", 2), build) == [2]
    assert memo.get(("a", 1), build) == [3]  # only the last value is kept


def test_a_change_in_place_is_a_change() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    provider: dict[str, Any] = {"order": ["a"]}
    memo.get((provider,), build)
    provider["order"].append("b")  # the same objects, changed inside
    assert memo.get((provider,), build) == [2]
    assert memo.get((provider,), build) == [2]


@pytest.mark.parametrize(("before", "after"), [(1, True), (1, 1.0), (0, False)])
def test_equal_values_of_another_type_are_a_change(before: object, after: object) -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((before,), build)
    assert memo.get((after,), build) == [2]


def test_a_failed_build_keeps_nothing() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((1,), build)

    def fail() -> list[int]:
        raise ValueError("temperature: too high")

    with pytest.raises(ValueError, match="temperature"):
        memo.get((2,), fail)
    with pytest.raises(ValueError, match="temperature"):
        memo.get((2,), fail)  # raised again: the failure was not kept
    assert memo.get((1,), build) == [1]  # the value kept for (1,) still stands for (1,)
    assert build.count == 1


def test_inputs_that_cannot_be_copied_build_every_time() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    lock = threading.Lock()  # deepcopy refuses it
    memo.get((lock,), build)
    memo.get((lock,), build)
    assert build.count == 2


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy,
                                   lambda memo: pickle.loads(pickle.dumps(memo))])
def test_copies_and_pickles_start_empty(clone: Any) -> None:
    memo: LastBuilt[str] = LastBuilt()
    memo.get(("sk-or-v1-secret",), lambda: "connection holding sk-or-v1-secret")
    assert b"secret" not in pickle.dumps(memo)
    twin = clone(memo)
    assert repr(twin) == "LastBuilt(empty)" and repr(memo) == "LastBuilt(kept)"
    build = Builds()
    twin.get(("sk-or-v1-secret",), build)
    assert build.count == 1


def test_memos_do_not_make_their_holders_unequal() -> None:
    kept: LastBuilt[int] = LastBuilt()
    kept.get((1,), lambda: 1)
    assert kept == LastBuilt() and hash(kept) == hash(LastBuilt())
    assert kept != "LastBuilt"


def test_clear_forgets() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((1,), build)
    memo.clear()
    assert memo.get((1,), build) == [2]
