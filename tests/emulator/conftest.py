"""Fixtures for the emulator's own tests.

The ``openrouter_emulator`` fixtures come from the package's pytest plugin (``pytest11`` entry
point), exactly as users get them.
"""

