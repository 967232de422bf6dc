"""Every cassette in ``cassettes/``: the wire-format facts it covers and where it is recorded from.

The facts are the numbered "Wire-format facts" of ``../shared/realtraffic/INDEX.md`` (the best
description of OpenRouter's live wire format). Each cassette's YAML file starts with a comment
naming them, written when the cassette is recorded (see ``conftest.py``), and
``test_cassette_files.py`` checks that every file and every entry here agree.

``live=False`` marks shapes OpenRouter cannot be made to produce on demand (a mid-stream error,
a 429, guaranteed padding) or that would make the file huge (a real generated image): those are
recorded from the emulator even when the rest are re-recorded live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2] / "cassettes"
"""The repository's ``cassettes/`` folder."""

FACT_COUNT = 32
"""How many numbered wire-format facts INDEX.md lists."""


@dataclass(frozen=True, slots=True)
class CassetteSpec:
    """One cassette: the facts its response shows, what it is, whether it can be live."""

    facts: tuple[int, ...]
    about: str
    live: bool = True


LANGCHAIN: dict[str, CassetteSpec] = {
    "stream_usage_cost": CassetteSpec(
        (1, 2, 5, 6, 7, 8, 9, 11, 13, 32),
        "plain stream: keep-alive comments before and between chunks, dated served model, "
        "finish chunk repeated with usage and cost"),
    "tool_call_token_split": CassetteSpec(
        (18, 19, 21),
        "one streamed tool call: header delta, empty-arguments delta, token-level fragments"),
    "parallel_tool_calls": CassetteSpec(
        (18, 20, 21),
        "two tool calls streamed one after the other by index"),
    "tool_call_whole_arguments": CassetteSpec(
        (9, 11, 19, 21),
        "Gemini-style call: complete arguments in one delta, tool_<name>_<rand> id, "
        "native finish STOP, usage chunk with empty choices"),
    "anthropic_reasoning_tool_call": CassetteSpec(
        (9, 21, 22, 23, 24),
        "Anthropic reasoning text, signature-only fragment, then a tool call; second turn "
        "sends reasoning_details back unchanged"),
    "openai_encrypted_reasoning": CassetteSpec(
        (23, 24, 25),
        "OpenAI-style reasoning: reasoning null with one reasoning.encrypted item"),
    "structured_output_json_schema": CassetteSpec(
        (2, 8, 11),
        "streamed json_schema structured output: the JSON object in text deltas"),
    "image_output": CassetteSpec(
        (11, 13, 26),
        "streamed image: the whole image in one delta.images chunk with finish_reason",
        live=False),
    "url_citations": CassetteSpec(
        (27, 13),
        "streamed url citations, each in its own delta.annotations chunk before the text"),
    "mid_stream_error": CassetteSpec(
        (4,),
        "HTTP 200 stream that ends with an error chunk, then [DONE]",
        live=False),
    "rate_limit_then_success": CassetteSpec(
        (3, 28, 32),
        "stream request answered 429 as JSON (Retry-After: 0), the retry streams the answer",
        live=False),
    "server_tool_web_search": CassetteSpec(
        (1, 13, 14, 27),
        "openrouter:web_search server tool next to a function tool, streamed: citations "
        "before the text, server_tool_use_details and the search fee above the upstream cost"),
    "server_tool_image_generation": CassetteSpec(
        (10, 13, 14, 17),
        "openrouter:image_generation server tool, not streamed: the generated image only as a "
        "Markdown link in the text, the image fee above the upstream cost", live=False),
    "padded_non_streaming": CassetteSpec(
        (10, 13, 17),
        "non-streaming body starting with keep-alive whitespace padding",
        live=False),
}
"""``cassettes/langchain/<name>.yaml``."""

LLAMA_INDEX: dict[str, CassetteSpec] = {
    "stream_chat_usage_cost": CassetteSpec(
        (1, 2, 6, 8, 11, 12, 13),
        "streamed chat; usage and cost in a separate final chunk (the pre-2026 shape)"),
    "tool_call_token_split": CassetteSpec(
        (18, 19, 21),
        "one streamed tool call with token-level argument fragments"),
    "parallel_tool_calls": CassetteSpec(
        (18, 20, 21),
        "two tool calls streamed one after the other by index"),
    "reasoning_round_trip": CassetteSpec(
        (9, 21, 22, 23, 24),
        "Anthropic reasoning with signature and a tool call; the next turn sends "
        "reasoning_details back unchanged"),
    "image_output": CassetteSpec(
        (11, 26),
        "streamed image in one delta.images chunk with finish_reason, then usage",
        live=False),
    "structured_output": CassetteSpec(
        (10, 13, 17),
        "non-streaming json_schema structured output (padded JSON body)"),
    "server_tool_web_search": CassetteSpec(
        (13, 14, 17, 27),
        "openrouter:web_search server tool, not streamed: url_citation annotations, "
        "server_tool_use_details and the search fee above the upstream cost"),
    "server_tool_image_generation": CassetteSpec(
        (1, 13, 14),
        "openrouter:image_generation server tool next to a FunctionTool, streamed: the "
        "generated image only as a Markdown link in the text, the image fee", live=False),
    "mid_stream_error": CassetteSpec(
        (4, 11),
        "HTTP 200 stream that ends with an error chunk carrying usage, then [DONE]",
        live=False),
}
"""``cassettes/llama_index/<name>.yaml``."""

CATALOG: dict[str, dict[str, CassetteSpec]] = {"langchain": LANGCHAIN,
                                                "llama_index": LLAMA_INDEX}
"""Folder under ``cassettes/`` → cassette name → spec."""


def spec_for(path: Path) -> CassetteSpec | None:
    """The spec of the cassette file at ``path``, or ``None`` if it is not one of ours."""
    folder = CATALOG.get(path.parent.name)
    if folder is None or path.parent.parent != ROOT:
        return None
    return folder.get(path.stem)


def header(folder: str, name: str, source: str) -> str:
    """The comment block every cassette file starts with."""
    spec = CATALOG[folder][name]
    facts = ", ".join(str(f) for f in spec.facts)
    return (f"# Cassette {folder}/{name}: {spec.about}.\n"
            f"# Wire-format facts (shared/realtraffic/INDEX.md): {facts}\n"
            f"# Recorded from: {source}. Re-record: see docs/cassettes.md\n")


F = TypeVar("F", bound=Callable[..., Any])


def cassette(folder: str, name: str, *, replay_only: bool = False) -> Callable[[F], F]:
    """Mark a test as replaying ``cassettes/<folder>/<name>.yaml`` (which must be cataloged).

    ``replay_only``: the test never records (it replays a cassette another test records),
    whatever ``--record-mode`` says.
    """
    if name not in CATALOG[folder]:
        raise KeyError(f"{folder}/{name} is not in tests/cassettes/catalog.py")
    vcr = pytest.mark.vcr(record_mode="none") if replay_only else pytest.mark.vcr

    def mark(test: F) -> F:
        marked: F = vcr(pytest.mark.default_cassette(name)(test))
        return marked

    return mark
