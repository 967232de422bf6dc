"""Every example runs offline (no key, no network) and prints what its docs promise."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from openrouter_core.testing import Emulator

from .conftest import EXAMPLES, Run, example_commands, offline_environment, run_script

OFFLINE_LINE = "No OPENROUTER_API_KEY set: using the offline emulator at http://127.0.0.1:"

EXPECTED: dict[str, tuple[str, ...]] = {
    "langgraph_agent.py": (
        "agent: [calls get_weather] [calls local_time] [",
        "[get_weather says: Light rain and 14°C in Lisbon]",  # tools run in parallel: any order
        "[local_time says: It is 18:40 in Lisbon]", "] It's raining lightly in Lisbon at 14°C",
        "user: Should I take a jacket for dinner?\nagent: Yes: with light rain",
    ),
    "structured_extraction.py": (
        "Launch review on 2026-03-03 with Ana, Ben, Chloé",
        "  - Ben: Update the pricing page",
        "  - Chloé: Book the venue for the launch party",
    ),
    "vision_and_images.py": (
        "Saved image/png to ", "Description: A pixel-art sunset: an orange sky",
    ),
    "provider_routing.py": (
        "pinned providers: Olá!\n   served model: meta-llama/llama-3.3-70b-instruct, "
        "provider: DeepInfra",
        "with fallbacks: こんにちは!\n   served model: openai/gpt-4o, provider: Azure",
        "cheapest: Habari!",
    ),
    "cost_report.py": (
        "Answer: Good news: your 250 dollars come to about 215 euros!",
        "3 requests, ", "  openai/gpt-4o-mini               2 requests  $",
        "  anthropic/claude-haiku-4.5       1 requests  $",
    ),
    "llamaindex_quickstart.py": (
        "complete: A gateway lets you switch models", "  served by OpenAI as openai/gpt-4o-mini",
        "stream: One, two, three, four, five.", "chat: LlamaIndex connects language models",
    ),
    "llamaindex_rag.py": (
        "A: On Saturdays the library closes early, at 16:00.",
        "   source: opening-hours.txt (score",
    ),
    "langchain_guide.py": (
        "tool call: get_stock({'sku': 'LAMP-01'}) -> 12",
        "(thinking) ball + (ball + 1) = 1.10", "1 reasoning_details item(s), 24 reasoning tokens",
        "  [langchain-ai](https://github.com/langchain-ai/langchain)",
        "(cache write 2400, cache read 0 tokens)", "(cache write 0, cache read 2400 tokens)",
        "OpenRouterInvalidRequestError (400): no-such/model is not a valid model ID",
        "Hello! How can I help?", "ChatOpenRouter -> OK.",
    ),
    "llamaindex_guide.py": (
        "(meta-llama/llama-3.3-70b-instruct via Groq, $",
        "[convert_celsius({'celsius': 21}) = 69.8]", "final: 21 °C is 69.8 °F.",
        "City(name='Lisbon', country='Portugal', population_millions=0.55)",
        "(thinking) Try small primes", "Its prime factors are 7, 11 and 13.",
        "It is a single red pixel.", "A tiny image made of one red pixel.",
    ),
    "migration.py": (
        "Hi from langchain-openrouter style arguments!", "Hi, no more base_url needed!",
        "Hi from llama-index-llms-openrouter style arguments!",
        "== differences ==\nprofile: 128000\ntimeout=30000 is read as seconds (8.3 hours)\n"
        "text='hello'\n"
        "OpenRouterMalformedResponseError is a ValueError: OpenRouter returned HTTP 200 with "
        "no choices",
    ),
    "catalog_guide.py": (
        "snapshot profile: 200000 input tokens, 64000 output, structured output False\n"
        "snapshot LlamaIndex metadata: context_window=200000, num_output=64000\n"
        "profile after warm-up: 1000000 input tokens, tools True, reasoning True\n"
        "LlamaIndex metadata: context_window=1000000, num_output=16384",
        "anthropic/claude-haiku-4.5 200000 64000\n$1 per million prompt tokens\n"
        "True True ('high', 'medium', 'low')\ndated name -> anthropic/claude-haiku-4.5",
        "  openai/gpt-4o-mini               $0.15 per million\n"
        "  openai/gpt-5-mini                $0.25 per million\n"
        "  anthropic/claude-haiku-4.5       $1 per million\n",
        "== unsupported ==\nUnsupportedParameterWarning: meta-llama/llama-3.3-70b-instruct:free "
        "does not list seed among its supported parameters",
        "tool calling: True | context window: 128000 | native JSON schema: True\n"
        "not supported: ['top_k']",
        "warned about now: ['top_k']\nwarned about again: []",
        "== token_counts ==\ntokens in 'Hello, world!': 4\ntokens in the history: 32\n"
        "kept: ['Be terse.', 'And of Italy?']\nLlamaIndex memory limit: 150000",
        "ModelInfo(id='anthropic/claude-haiku-4.5', "
        "canonical_slug='anthropic/claude-4.5-haiku-20251001'",
    ),
    "embeddings_guide.py": (
        "2 vectors of 256 floats\nclosest: The cat sat on the mat.\nlast call: 6 tokens, $0.0000",
        "On weekdays the library is open from 9:00 to 18:00.\n"
        "  from: On weekdays the library is open", "  query embedding: 7 tokens, $0.0000",
        "3 vectors of 32 floats in 2 requests, served by OpenAI, $0.0000",
        "== testing ==\n64 ", "base64 decodes to the same vector (float32 precision): True",
    ),
    "cost_guide.py": (
        "for 2 requests\n", "  openai/gpt-4o-mini: 2 requests, $0.0000",
        "OpenRouter usage: 2 requests (0 failed, 0 embeddings)",
        "Paris: sunny, 22 °C.\n$0.0000", " for 2 requests, by model: {'openai/gpt-4o-mini': 2}",
        "== before_the_call ==\n25 prompt tokens: $0.00000375 + up to $0.0001800 for 300 "
        "completion tokens = $0.000183750\na 100k-token prompt on claude-sonnet-4: $0.30000000\n"
        "LlamaIndex agrees: True",
        "== spending_limit ==\nstopped after 1 requests: $0.000004 of $0.000001\n"
        "callback total: $0.000004\n"
        "Stopped: the OpenRouter budget of $0.000001 is reached ($0.000036 spent).\n"
        "agent spent: 3.6e-05",
        "$0.000126 used, $9.999874 left (limit $10.0, monthly)",  # the emulator's spend
        ": $0.000003 (10 prompt tokens, OpenAI, 250.0 ms)",
        "== process_wide ==\nOpenRouter usage: 1 requests (0 failed, 0 embeddings)",
    ),
}

PYTEST_EXAMPLES = {"test_with_emulator.py": "4 passed", "test_cassette_replay.py": "1 passed"}
"""The examples that are pytest files, and the summary their run must print."""


def test_every_example_is_run_here(image_dir: Path) -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    # quickstart.py has its own end-to-end test (tests/e2e/test_quickstart.py).
    assert scripts - {"quickstart.py"} == set(example_commands(image_dir))
    assert set(EXPECTED) | set(PYTEST_EXAMPLES) == set(example_commands(image_dir))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_offline(name: str, offline_runs: dict[str, Run]) -> None:
    run = offline_runs[name]
    assert run.returncode == 0, run.explain()
    assert run.stdout.startswith(OFFLINE_LINE), run.explain()
    for expected in EXPECTED[name]:
        assert expected in run.stdout, f"missing {expected!r}\n{run.explain()}"
    assert "Traceback" not in run.stderr, run.explain()


@pytest.mark.parametrize("name", sorted(PYTEST_EXAMPLES))
def test_pytest_example_passes(name: str, offline_runs: dict[str, Run]) -> None:
    run = offline_runs[name]
    assert run.returncode == 0, run.explain()
    assert PYTEST_EXAMPLES[name] in run.stdout, run.explain()


def test_generated_image_is_saved(offline_runs: dict[str, Run], image_dir: Path) -> None:
    assert offline_runs["vision_and_images.py"].returncode == 0
    data = (image_dir / "sunset.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", data[16:24]) == (32, 32)


def test_live_mode_with_a_bad_key_prints_one_line() -> None:
    with Emulator(require_api_key="sk-or-v1-the-right-one") as emulator:
        run = run_script(["examples/provider_routing.py"], offline_environment(
            OPENROUTER_API_KEY="sk-or-v1-wrong", OPENROUTER_API_BASE=emulator.base_url))
    assert run.returncode == 1, run.explain()
    assert run.stdout.startswith("Using OpenRouter live"), run.explain()
    assert run.stderr.strip().splitlines() == [
        "Error: OpenRouter rejected the API key (401): check OPENROUTER_API_KEY."]
    assert "sk-or-v1-wrong" not in run.stdout + run.stderr
