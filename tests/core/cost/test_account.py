"""``GET /key`` and ``GET /generation`` helpers, and the shared totals."""

from __future__ import annotations

import threading
import time

import pytest

from openrouter_core import account, errors
from openrouter_core.decode import Usage
from openrouter_core.testing import Emulator, Reply
from openrouter_core.totals import UsageTotals
from openrouter_core.transport import Endpoint


def test_key_info(emu: Emulator, endpoint: Endpoint) -> None:
    info = account.key_info(endpoint)  # nothing served yet: the whole $10 limit is left
    assert (info.limit, info.limit_remaining, info.usage) == (10.0, 10.0, 0.0)
    assert info.remaining == 10.0 and info.is_free_tier is False
    assert info.rate_limit == {"requests": -1, "interval": "10s", "note": "emulated"}
    assert emu.requests[0].path.endswith("/key")


async def test_akey_info_is_lenient(emu: Emulator, endpoint: Endpoint) -> None:
    emu.enqueue(Reply.json({"data": {"label": "k", "limit": 5, "usage": 7.5,
                                     "is_free_tier": True, "new_field": 1}}), route="key")
    info = await account.akey_info(endpoint)
    assert info.remaining == 0.0 and info.is_free_tier and info.raw["new_field"] == 1
    emu.enqueue(Reply.json({"data": {"limit": None, "usage": 1}}), route="key")
    assert (await account.akey_info(endpoint)).remaining is None


def test_key_info_errors(emu: Emulator, endpoint: Endpoint) -> None:
    emu.require_api_key = "sk-or-v1-someone-else"
    with pytest.raises(errors.AuthenticationError):
        account.key_info(endpoint)


def test_generation_retries_404_until_the_record_appears(emu: Emulator,
                                                         endpoint: Endpoint) -> None:
    gen_id = "gen-1700000000-EmulatedIdForTests01"
    emu.enqueue(Reply.error(404, f"Generation {gen_id} not found"),
                Reply.error(404, f"Generation {gen_id} not found"), route="generation")
    emu.add_generation(gen_id, total_cost=0.00042, tokens_prompt=12, native_tokens_reasoning=3,
                       model="openai/gpt-4o-mini", provider_name="OpenAI", streamed=True)
    record = account.generation(endpoint, gen_id, interval=0.01)
    assert record.id == gen_id and record.total_cost == 0.00042
    assert record.tokens_prompt == 12 and record.native_tokens_reasoning == 3
    assert record.streamed is True and record.provider_name == "OpenAI"
    lookups = [r for r in emu.requests if r.path.endswith("/generation")]
    assert len(lookups) == 3 and all(r.query == f"id={gen_id}" for r in lookups)


async def test_ageneration_gives_up_after_wait(emu: Emulator, endpoint: Endpoint) -> None:
    started = time.monotonic()
    with pytest.raises(errors.NotFoundError, match="not found"):
        await account.ageneration(endpoint, "gen-missing", wait=0.3, interval=0.05)
    assert 0.3 <= time.monotonic() - started < 2
    emu.add_generation("gen-ok", total_cost=1.5)
    assert (await account.ageneration(endpoint, "gen-ok")).total_cost == 1.5
    with pytest.raises(errors.InputError):
        await account.ageneration(endpoint, "")


def test_generation_other_errors_are_not_retried(emu: Emulator, endpoint: Endpoint) -> None:
    emu.enqueue(Reply.error(403, "forbidden"), route="generation")
    with pytest.raises(errors.PermissionDeniedError):
        account.generation(endpoint, "gen-x", interval=0.01)
    assert len(emu.requests) == 1


def test_usage_totals_are_exact_and_thread_safe() -> None:
    totals = UsageTotals()

    def work() -> None:
        for _ in range(100):
            totals.record("m", Usage(prompt_tokens=1, completion_tokens=2, cost=0.1,
                                     cached_tokens=1, reasoning_tokens=1))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals.record(None, None, failed=True)
    assert totals.requests == 801 and totals.total.failed_requests == 1
    assert totals.total_cost == 80.0  # exact: 800 x 0.1 as decimals
    assert totals.total_tokens == 2400 and totals.cached_tokens == 800
    assert totals.by_model["unknown"].requests == 1
    assert "801 requests" in repr(totals)
