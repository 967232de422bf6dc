"""End-to-end fixtures: the loopback emulator (real HTTP) for LangChain user flows."""

