"""Tell a validated build from a stored one: equal states cannot, a count of ``__init__`` calls
can (a stored build runs none)."""

from __future__ import annotations

from typing import Any

import pytest


def validated_builds(monkeypatch: pytest.MonkeyPatch,
                     *models: type[Any]) -> list[tuple[str, dict[str, Any]]]:
    """From now on, every validated build of ``models``, in order: the class's name and the
    keyword arguments it was given."""
    seen: list[tuple[str, dict[str, Any]]] = []
    for model in models:
        def counted(self: Any, *args: Any, _real: Any = model.__init__,
                    _name: str = model.__name__, **kwargs: Any) -> None:
            seen.append((_name, kwargs))
            _real(self, *args, **kwargs)

        monkeypatch.setattr(model, "__init__", counted)
    return seen
