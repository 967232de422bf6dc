"""Rate limits under load (``rate_limited``) and the exact spend (``spent_exact``), through real
HTTP from many threads at once, as Ray workers hit the emulator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from openrouter_core.testing import Emulator, auto_respond, first_of, rate_limited

PATH = "/chat/completions"


def ask(client: httpx.Client, prompt: str) -> httpx.Response:
    return client.post(PATH, json={"model": "openai/gpt-4o-mini",
                                   "messages": [{"role": "user", "content": prompt}]})


def test_one_body_in_every_n_is_limited_once_then_let_through(
        openrouter_emulator: Emulator) -> None:
    rule = rate_limited(every=4, retry_after=2)
    openrouter_emulator.responder = first_of(rule, fallback=auto_respond)
    prompts = [f"question {i}" for i in range(40)]
    with httpx.Client(base_url=openrouter_emulator.base_url) as client, \
            ThreadPoolExecutor(8) as pool:
        first = list(pool.map(lambda p: ask(client, p), prompts))
        limited = [p for p, r in zip(prompts, first, strict=True) if r.status_code == 429]
        retried = list(pool.map(lambda p: ask(client, p), limited))
    assert len(limited) == rule.limited == 10 and rule.seen == 40
    assert all(r.status_code == 200 for r in retried)
    assert [r.status for r in openrouter_emulator.chat_requests].count(429) == 10

    refused = next(r for r in first if r.status_code == 429)
    assert refused.headers["retry-after"] == "2"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) > 0  # epoch milliseconds
    error = refused.json()["error"]
    assert error["code"] == 429
    assert error["message"].startswith("Rate limit exceeded: limit_rpm/openai/gpt-4o-mini/")
    assert error["metadata"]["headers"]["X-RateLimit-Limit"] == "20"


@pytest.mark.parametrize(("every", "retry_after", "named"),
                         [(0, 1.0, "every"), (3, -1.0, "retry_after")])
def test_rate_limited_checks_its_arguments(every: int, retry_after: float, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        rate_limited(every=every, retry_after=retry_after)


def test_spent_exact_is_the_decimal_sum_of_the_costs_on_the_wire(
        openrouter_emulator: Emulator) -> None:
    with httpx.Client(base_url=openrouter_emulator.base_url) as client, \
            ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda i: ask(client, f"prompt number {i} " * (i % 7)),
                                range(60)))
    # Read each cost as the text the server wrote, not as a float.
    costs = [json.loads(r.text, parse_float=Decimal)["usage"]["cost"] for r in replies]
    assert openrouter_emulator.spent_exact == sum(costs, Decimal(0)) > 0
