"""Fake OpenRouter keys for tests, made at run time so no key-shaped literal is tracked."""

from __future__ import annotations

import hashlib


def fake_key(label: str) -> str:
    """A realistic-looking, never real key: ``sk-or-v1-`` + 64 hex characters from ``label``."""
    return "sk-or-v1-" + hashlib.sha256(label.encode()).hexdigest()
