"""Fixtures for the emulator's own tests.

The emulator's pytest plugin is normally loaded through its ``pytest11`` entry point; importing
the fixtures here keeps these tests working when the package metadata is stale.
"""

from openrouter_core.testing.plugin import (  # noqa: F401
    openrouter_base_url,
    openrouter_emulator,
    openrouter_emulator_server,
)
