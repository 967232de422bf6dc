"""``LastBuilt``: the kept value while the inputs are equal, a new one when any changes;
``LastFrom``: the kept value while the inputs are the very same objects."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any

import pytest
from pydantic import SecretStr

from openrouter_core.memo import LastBuilt, LastFrom, held


class Builds:
    """A build function that counts its calls and returns a fresh object each time."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, inputs: tuple[Any, ...] = ()) -> list[int]:
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


@pytest.mark.parametrize(("before", "after"), [
    (1, True), (1, 1.0), (0, False), (0.0, -0.0),
    # The same at the top level is not enough: == overlooks these inside containers too.
    ({"flag": 1}, {"flag": True}), ({"trace": {"a": 1}}, {"trace": {"a": 1.0}}),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # key order is the order sent
    ([0.0], [-0.0]), ((1,), (True,)),
])
def test_values_equal_under_eq_but_sent_differently_are_a_change(before: object,
                                                                 after: object) -> None:
    assert before == after
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((before,), build)
    assert memo.get((after,), build) == [2]
    assert memo.get((after,), build) == [2]


def test_a_secret_is_compared_by_value() -> None:
    """A ``repr`` hides a secret; ``==`` still tells two keys apart."""
    memo: LastBuilt[str] = LastBuilt()
    memo.get((SecretStr("sk-or-v1-one"),), lambda kept: kept[0].get_secret_value())
    assert memo.get((SecretStr("sk-or-v1-two"),),
                    lambda kept: kept[0].get_secret_value()) == "sk-or-v1-two"


def test_the_value_is_built_from_the_copy_that_is_kept() -> None:
    """A change made while the value is being built (another thread) cannot pair the kept
    inputs with a value built from others: the build reads the copy, not the live inputs."""
    memo: LastBuilt[int] = LastBuilt()
    live = {"seed": 1}

    def build(kept: tuple[Any, ...]) -> int:
        live["seed"] = 2  # changed meanwhile
        return int(kept[0]["seed"])

    assert memo.get((live,), build) == 1
    # The live inputs now differ from the kept copy: built again, from what they are now.
    assert memo.get((live,), lambda kept: int(kept[0]["seed"])) == 2


def test_a_failed_build_keeps_nothing() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((1,), build)

    def fail(inputs: tuple[Any, ...]) -> list[int]:
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
    memo.get(("sk-or-v1-secret",), lambda kept: f"connection holding {kept[0]}")
    assert b"secret" not in pickle.dumps(memo)
    twin = clone(memo)
    assert repr(twin) == "LastBuilt(empty)" and repr(memo) == "LastBuilt(kept)"
    build = Builds()
    twin.get(("sk-or-v1-secret",), build)
    assert build.count == 1


def test_model_copies_deep_copies_and_pickles(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a model: a deep copy and a pickle start empty (no key travels with them); a shallow
    copy (``model_copy``) shares the memo, which only ever answers for the same inputs."""
    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="sk-or-v1-memo-key")
    model._connection()
    private = model.__pydantic_private__
    assert private is not None and repr(private["_built_connection"]) == "LastBuilt(kept)"
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert twin.__pydantic_private__ is not None
        assert repr(twin.__pydantic_private__["_built_connection"]) == "LastBuilt(empty)"
    assert b"memo-key" not in pickle.dumps(model)
    shallow = model.model_copy(update={"max_retries": 5})
    assert shallow._connection().max_retries == 5 and model._connection().max_retries == 2


def test_memos_do_not_make_their_holders_unequal() -> None:
    kept: LastBuilt[int] = LastBuilt()
    kept.get((1,), lambda inputs: 1)
    assert kept == LastBuilt() and hash(kept) == hash(LastBuilt())
    assert kept != "LastBuilt"


def test_clear_forgets() -> None:
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    memo.get((1,), build)
    memo.clear()
    assert memo.get((1,), build) == [2]


def test_last_from_keeps_the_value_for_the_same_objects_only() -> None:
    memo: LastFrom[list[int]] = LastFrom()
    build = Builds()
    settings, other = {"temperature": 0.2}, {"temperature": 0.2}
    first = memo.get((settings, "m", True), build)
    assert memo.get((settings, "m", True), build) is first and build.count == 1
    # An equal but other object, another flag, or a shorter tuple: built again.
    assert memo.get((other, "m", True), build) == [2]
    assert memo.get((other, "m", False), build) == [3]
    assert memo.get((other, "m"), build) == [4]
    assert memo.get((other, "m"), build) == [4]


def test_last_from_keeps_nothing_from_a_failed_build() -> None:
    memo: LastFrom[list[int]] = LastFrom()
    build = Builds()
    key = (object(),)
    memo.get(key, build)

    def failing(inputs: tuple[Any, ...]) -> list[int]:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        memo.get((object(),), failing)
    assert memo.get(key, build) == [1]  # the earlier value is still the kept one


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy,
                                   lambda memo: pickle.loads(pickle.dumps(memo))])
def test_last_from_copies_start_empty(clone: Any) -> None:
    memo: LastFrom[str] = LastFrom()
    memo.get(("sk-or-v1-secret",), lambda kept: f"holding {kept[0]}")
    twin = clone(memo)
    assert type(twin) is LastFrom and repr(twin) == "LastFrom(empty)"
    assert b"secret" not in pickle.dumps(memo)


def test_held_gives_a_fresh_memo_of_the_kind_asked_for_without_private_attributes() -> None:
    from pydantic import BaseModel

    class Holder(BaseModel):
        pass

    holder = Holder()
    object.__setattr__(holder, "__pydantic_private__", None)
    assert type(held(holder, "_anything", LastFrom)) is LastFrom
    assert type(held(holder, "_anything")) is LastBuilt
    # Private attributes from an earlier version, without the one asked for.
    object.__setattr__(holder, "__pydantic_private__", {"_older": LastBuilt()})
    assert type(held(holder, "_anything", LastFrom)) is LastFrom


def test_a_model_pickled_without_a_newer_memo_still_sends_right() -> None:
    # What unpickling a ChatOpenRouter pickled by a version without the request template
    # restores: the other memos, not this one.
    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="sk-or-v1-x",
                           base_url="http://127.0.0.1:9/api/v1")
    assert model.__pydantic_private__ is not None
    del model.__pydantic_private__["_built_template"]
    restored = pickle.loads(pickle.dumps(model))
    from langchain_core.messages import HumanMessage

    call = restored._call([HumanMessage("hi")], None, {}, stream=False, run_manager=None)
    assert call.body == {"model": "openai/gpt-4o-mini",
                         "messages": [{"role": "user", "content": "hi"}]}


def test_the_very_same_immutable_inputs_are_kept_without_a_comparison(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Inputs of immutable types that are still the very objects kept are the same values:
    # no repr is taken. Any other input (here a dict, copied when kept) is compared in full.
    from openrouter_core import memo as memo_module

    reprs: list[object] = []
    monkeypatch.setattr(memo_module, "repr", lambda value: (reprs.append(value), "")[1],
                        raising=False)
    memo: LastBuilt[list[int]] = LastBuilt()
    build = Builds()
    def text() -> str:  # a new, equal object at each call (constants would be shared)
        return "".join(["a"] * 50)

    def number() -> int:
        return int("1" + "0" * 30)

    kept_text, kept_number = text(), number()
    first = memo.get((None, kept_text, kept_number, 0.5, True), build)
    reprs.clear()
    assert memo.get((None, kept_text, kept_number, 0.5, True), build) is first
    assert reprs == []
    # Equal but other objects: compared, and still the same.
    assert memo.get((None, text(), number(), 0.5, True), build) is first
    assert reprs != []
    settings: dict[str, Any] = {}
    memo.get((None, settings), build)
    reprs.clear()
    memo.get((None, settings), build)
    assert reprs != []
