"""The last value built from the same inputs: per-request work paid once while nothing changes.

Both adapters rebuild the same objects on every request from a model's fields: the validated
:class:`~openrouter_core.settings.RequestSettings` and the connection. The inputs rarely change,
but they can, and not only by assignment: ``llm.model_kwargs["top_k"] = 5`` or
``llm.provider["order"].append(...)`` change a field in place. So :class:`LastBuilt` compares
the inputs themselves with a deep copy taken before it built the value, instead of trusting an
identity or a flag: any change, in place or not, builds the value anew.

"The same" is stricter than ``==``, which takes ``1``, ``1.0`` and ``True`` for one value, two
dicts with their keys in another order for one dict, and ``0.0`` for ``-0.0``: each of those
changes what is sent. The inputs must also have the same ``repr``, which tells all of these
apart at every level (``==`` is kept for what a ``repr`` hides, such as a ``SecretStr``).
When every input is of an immutable type (``None``, numbers, strings) and still the very
object kept, as with fields left alone, that is the answer without either comparison.

A memo is not part of its holder's value (equal models stay equal), and a deep copy or a pickle
of its holder starts with an empty one, so nothing it holds (a connection carries the API key)
is written anywhere by it. A shallow copy (pydantic's ``model_copy``) shares it, which is
harmless: a kept value is only ever returned for inputs the same as those it was built from.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from operator import is_
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel

T = TypeVar("T")
Inputs = tuple[Any, ...]

_ATOMS = frozenset({type(None), bool, int, float, complex, str, bytes})
"""Immutable types whose objects ``copy.deepcopy`` returns as they are."""


class LastBuilt(Generic[T]):
    """Holds the value last built, the deep copy of the inputs it was built from, and their
    ``repr``.

    Thread-safe without a lock. The inputs are copied before the value is built, and built
    from that copy, so another thread changing a field meanwhile cannot pair a value with
    inputs it was not built from. The kept triple is replaced in one assignment, so a reader
    sees either the old one or the new one.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[Inputs, str, T, bool] | None = None

    def get(self, inputs: Inputs, build: Callable[[Inputs], T]) -> T:
        """The value built from ``inputs``: the kept one when they are the same as the kept
        inputs (equal, and equal in ``repr``), else ``build(copy)`` with a deep copy of them,
        kept for next time. Inputs that cannot be copied are built from as they are, every
        time.

        An exception from ``build`` propagates and nothing new is kept.
        """
        last = self._last
        if last is not None:
            kept = last[0]
            # Inputs all of immutable types (last[3]) that are still the very objects kept
            # are the same values: no comparison or repr needed (the common case: fields left
            # at None or set to numbers and strings).
            if last[3] and len(kept) == len(inputs) and all(map(is_, kept, inputs)):
                return last[2]
            if kept == inputs and last[1] == repr(inputs):
                return last[2]
        try:
            kept = copy.deepcopy(inputs)
        except Exception:  # an input that cannot be copied: build every time, as before
            return build(inputs)
        value = build(kept)
        self._last = (kept, repr(kept), value, all(type(item) in _ATOMS for item in kept))
        return value

    def clear(self) -> None:
        """Forget the kept value (the next :meth:`get` builds)."""
        self._last = None

    # A memo starts empty in every deep copy and every pickle of its holder.
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


class LastFrom(LastBuilt[T]):
    """The value last built from these very objects, compared by identity.

    For inputs that are never changed in place: immutable values, or values no one else holds,
    such as what a :class:`LastBuilt` returns (a new object whenever its inputs changed). One
    ``is`` per input, no copy: for a value built from values that are themselves kept.
    """

    __slots__ = ()

    def get(self, inputs: Inputs, build: Callable[[Inputs], T]) -> T:
        """The kept value when ``inputs`` are the kept objects, one by one; else
        ``build(inputs)``, kept for next time (an exception propagates, nothing is kept)."""
        last = self._last
        if last is not None and len(last[0]) == len(inputs):
            for kept, given in zip(last[0], inputs, strict=True):
                if kept is not given:
                    break
            else:
                return last[2]
        value = build(inputs)
        self._last = (inputs, "", value, False)
        return value


def held(model: BaseModel, name: str,
         kind: type[LastBuilt[Any]] = LastBuilt) -> LastBuilt[Any]:
    """The memo a pydantic ``model`` holds in its private attribute ``name``.

    Read from the private-attribute dict directly: ``model._name`` goes through
    ``BaseModel.__getattr__`` (about 1 µs, on every request). A model without this private
    attribute (one unpickled from an earlier version, with no private attributes or with only
    the memos that version had) gets a fresh memo of ``kind`` each time, so it builds every
    time and is still right.
    """
    private = model.__pydantic_private__
    memo = private.get(name) if private else None
    # (An instance pickled by a version without this memo restores the others, not this one.)
    return cast("LastBuilt[Any]", memo) if memo is not None else kind()


__all__ = ["LastBuilt", "LastFrom", "held"]
