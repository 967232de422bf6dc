"""The last value built from equal inputs: per-request work paid once while nothing changes.

Both adapters rebuild the same objects on every request from a model's fields: the validated
:class:`~openrouter_core.settings.RequestSettings` and the connection. The inputs rarely change,
but they can, and not only by assignment: ``llm.model_kwargs["top_k"] = 5`` or
``llm.provider["order"].append(...)`` change a field in place. So :class:`LastBuilt` compares
the inputs themselves with a deep copy it took when it built the value, instead of trusting an
identity or a flag: any change, in place or not, builds the value anew.

Equality is checked with the values' types at the top level, so ``n=True`` after ``n=1`` (equal,
but not the same setting to a validator) is a change. A memo never travels: copies and pickles
of its holder start empty, so nothing it holds (a connection carries the API key) is written
anywhere by it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class LastBuilt(Generic[T]):
    """Holds the value last built and a deep copy of the inputs it was built from.

    Thread-safe without a lock: the pair is replaced in one assignment, so a reader sees either
    the old pair or the new one; two threads building at once both build, and one pair stays.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        # (inputs, their types, value): the types are kept so that a hit checks one list.
        self._last: tuple[tuple[Any, ...], list[type], T] | None = None

    def get(self, inputs: tuple[Any, ...], build: Callable[[], T]) -> T:
        """The value built from ``inputs``: the kept one when they equal the kept inputs,
        else ``build()`` (kept for next time unless the inputs cannot be copied).

        An exception from ``build`` propagates and nothing is kept.
        """
        last = self._last
        # Equal values of different types (1, 1.0, True) are different settings to a
        # validator. (Both comparisons run in C: this check is what every request pays.)
        if last is not None and last[0] == inputs and last[1] == [*map(type, inputs)]:
            return last[2]
        value = build()
        try:
            kept = copy.deepcopy(inputs)
        except Exception:  # an input that cannot be copied: build every time, as before
            self._last = None
        else:
            self._last = (kept, [*map(type, kept)], value)
        return value

    def clear(self) -> None:
        """Forget the kept value (the next :meth:`get` builds)."""
        self._last = None

    # A memo starts empty in every copy and every pickle of its holder.
    def __copy__(self) -> LastBuilt[T]:
        return type(self)()

    def __deepcopy__(self, memo: dict[int, Any]) -> LastBuilt[T]:
        return type(self)()

    def __reduce__(self) -> tuple[type[LastBuilt[T]], tuple[()]]:
        return type(self), ()

    # Not part of its holder's value: pydantic compares private attributes in ``==``, and two
    # equal models must stay equal whatever either has built.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, LastBuilt) or NotImplemented

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'kept' if self._last is not None else 'empty'})"


__all__ = ["LastBuilt"]
