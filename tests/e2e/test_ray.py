"""Past one machine (issue 22): 300 prompts per adapter on a local Ray instance, as docs/ray.md
runs them, against the emulator with injected 429s. Both run at once:

* ``ray.data``: ``map_batches`` with a class holding a ``ChatOpenRouter``; each row comes back
  with its answer and the cost OpenRouter reported, added up with ``sum_costs``.
* ``ray.remote``: a pool of threaded actors, each holding a LlamaIndex ``OpenRouter`` and a
  process-wide cost handler; their ``UsageTotals`` come back to the driver and are merged.

The models are built in the driver with a key and pickled to the workers, which must not receive
it: the emulator only accepts the key the workers inherit from their environment, and no file
Ray writes (its logs record ``runtime_env`` in clear) may hold either key. One request
body in ``EVERY`` is answered first with 429 and ``Retry-After``; each must be retried by its
worker no sooner than that. Each worker process must open exactly one connection pool of its
own. The summed cost must equal the server's total exactly (decimal), not approximately.

Ray starts once (``num_cpus=2``, no dashboard, no usage statistics) in whichever xdist worker runs
the one test (two tests could land on both workers and start Ray twice), and is shut down at
the end.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "ray.data", reason="Ray is not installed: pip install 'openrouter-integrations[ray]'")

import numpy as np
import ray
import ray.data
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.llms import ChatMessage
from pydantic import SecretStr

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter, OpenRouterCostHandler
from openrouter_core import account, transport
from openrouter_core.testing import (
    Emulator,
    RateLimiter,
    RecordedRequest,
    answer_text,
    auto_respond,
    first_of,
    rate_limited,
)
from openrouter_core.totals import UsageTotals, exact_cost, sum_costs
from tests.keys import fake_key

DRIVER_KEY = fake_key("ray driver")
WORKER_KEY = fake_key("ray worker")
CHAT_MODEL = "openai/gpt-4o-mini"  # LangChain's requests, told apart on the server by model
LLAMA_MODEL = "mistralai/mistral-small-3.2-24b-instruct"  # LlamaIndex's
N = 300  # prompts per adapter
CHAT_PROMPTS = [f"Summarise support ticket {i:03d} in one line." for i in range(N)]
LLAMA_PROMPTS = [f"Name the product in invoice {i:03d}." for i in range(N)]
EVERY = 10  # one request in ten is rate-limited once
RETRY_AFTER = 1.0  # seconds; our own backoff for a first retry is at most 0.5 s


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """This module's emulator: only the workers' key is accepted."""
    with Emulator(require_api_key=WORKER_KEY) as emu:
        yield emu


@pytest.fixture(scope="module")
def local_ray(emulator: Emulator) -> Iterator[Path]:
    """A local Ray instance (its session folder) whose workers read the key from the
    environment they inherit, as docs/ray.md advises, and the base URL from ``runtime_env``."""
    with pytest.MonkeyPatch.context() as patch:
        # Ray's processes inherit these (and RAY_USAGE_STATS_ENABLED=0 from tests/conftest.py):
        # the key (never in runtime_env, which Ray writes to its logs), and workers at the
        # test's priority instead of nice 15, which starves them behind the other xdist worker.
        patch.setenv("OPENROUTER_API_KEY", WORKER_KEY)
        patch.setenv("RAY_worker_niceness", "0")
        # The workers' classes travel by value, as a script's do: a worker then imports only
        # what a class uses (its framework), not this module with pytest and both frameworks.
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
        started = ray.init(
            address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING",
            log_to_driver=False,
            runtime_env={"env_vars": {"OPENROUTER_API_BASE": emulator.base_url}})
        try:
            context = ray.data.DataContext.get_current()
            context.enable_progress_bars = False
            context.print_on_execution_start = False
            yield Path(started.address_info["session_dir"])
        finally:
            ray.shutdown()
            ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


# --- the workers, as docs/ray.md writes them -------------------------------------------------


class Answerer:
    """``map_batches`` class: one ``ChatOpenRouter`` per actor, a batch answered concurrently."""

    def __init__(self, model: ChatOpenRouter) -> None:
        self.model = model

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        prompts = [str(p) for p in batch["prompt"]]
        replies = self.model.batch(prompts, config={"max_concurrency": 16})
        return {"prompt": prompts, "answer": [r.text for r in replies],
                "cost": [r.response_metadata["cost"] for r in replies],
                "pid": [os.getpid()] * len(prompts),
                "pools": [transport.connections_opened] * len(prompts)}


@ray.remote(max_concurrency=16)
class LlamaIndexWorker:
    """A threaded actor: one LlamaIndex ``OpenRouter`` and a process-wide cost handler."""

    def __init__(self, llm: OpenRouter) -> None:
        self.llm = llm
        self.costs = OpenRouterCostHandler()
        get_dispatcher().add_event_handler(self.costs)  # the root dispatcher: every call here

    def answer(self, prompt: str) -> str:
        reply = self.llm.chat([ChatMessage(role="user", content=prompt)])
        return reply.message.content or ""

    def usage(self) -> UsageTotals:
        return self.costs.totals

    def pools(self) -> tuple[int, int]:
        return os.getpid(), transport.connections_opened


def run_ray_data(base_url: str) -> list[dict[str, Any]]:
    """LangChain through ``ray.data``: a row per prompt with its answer and cost."""
    model = ChatOpenRouter(model=CHAT_MODEL, api_key=DRIVER_KEY, base_url=base_url)
    # Half a CPU per actor: the calls wait on the network, and the LlamaIndex pool runs at the
    # same time on the other half of the two CPUs.
    return (ray.data.from_items([{"prompt": p} for p in CHAT_PROMPTS], override_num_blocks=6)
            .map_batches(Answerer, fn_constructor_kwargs={"model": model}, batch_size=50,
                         compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5)
            .take_all())


def run_actor_pool(base_url: str) -> tuple[list[str], list[UsageTotals], dict[int, int]]:
    """LlamaIndex through two ``ray.remote`` actors: the answers in prompt order, each
    actor's totals, and each actor's process id → pools it opened."""
    llm = OpenRouter(model=LLAMA_MODEL, api_key=DRIVER_KEY, api_base=base_url)
    workers = [LlamaIndexWorker.options(num_cpus=0.5).remote(llm) for _ in range(2)]
    answers = ray.get([workers[i % len(workers)].answer.remote(prompt)
                       for i, prompt in enumerate(LLAMA_PROMPTS)])
    parts = ray.get([worker.usage.remote() for worker in workers])
    pools = dict(ray.get([worker.pools.remote() for worker in workers]))
    return answers, parts, pools


# --- what must hold ----------------------------------------------------------------------------


def check_rate_limits_were_honoured(emulator: Emulator, rule: RateLimiter) -> None:
    """Every limited request was retried by its worker, no sooner than ``Retry-After``, and
    succeeded; every prompt was answered exactly once; every request carried the workers' key."""
    chats = emulator.chat_requests
    statuses = Counter(r.status for r in chats)
    assert rule.limited == 2 * N // EVERY
    assert statuses == {429: rule.limited, 200: 2 * N}, statuses
    assert {r.header("authorization") for r in chats} == {f"Bearer {WORKER_KEY}"}
    attempts: dict[bytes, list[RecordedRequest]] = {}
    for request in chats:
        attempts.setdefault(request.body, []).append(request)
    assert len(attempts) == 2 * N
    for tries in attempts.values():
        assert [t.status for t in tries] in ([200], [429, 200])
        if len(tries) == 2:
            assert tries[1].received_at - tries[0].received_at >= RETRY_AFTER


def check_one_pool_per_worker(pools: dict[int, int]) -> None:
    """Each worker process opened its own pool, once, however many batches or threads used
    it; none is the driver."""
    assert pools and os.getpid() not in pools, pools
    assert set(pools.values()) == {1}, pools


def server_cost(emulator: Emulator, model: str) -> Decimal:
    """What the emulator billed for ``model``: its ``/generation`` records, summed exactly."""
    return sum((exact_cost(g["total_cost"]) for g in emulator.generations.values()
                if g["model"] == model), Decimal(0))


def check_no_key_in_ray_files(session: Path) -> None:
    """Neither key is in any file Ray wrote for this session (logs included)."""
    for path in session.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            assert WORKER_KEY.encode() not in data, path
            assert DRIVER_KEY.encode() not in data, path


# --- the test ----------------------------------------------------------------------------------


def test_both_adapters_on_ray_workers(emulator: Emulator, local_ray: Path) -> None:
    """One test, so that one xdist worker starts Ray once; the two adapters run concurrently,
    as two jobs on one cluster would."""
    rule = rate_limited(every=EVERY, retry_after=RETRY_AFTER)
    emulator.responder = first_of(rule, fallback=auto_respond)
    started = time.monotonic()
    with ThreadPoolExecutor(1) as driver_thread:
        pending_rows = driver_thread.submit(run_ray_data, emulator.base_url)
        answers, parts, actor_pools = run_actor_pool(emulator.base_url)
        rows = pending_rows.result()
    print(f"{2 * N} prompts on Ray in {time.monotonic() - started:.1f} s")

    # Each prompt got its own answer.
    assert sorted(row["prompt"] for row in rows) == sorted(CHAT_PROMPTS)
    assert all(row["answer"] == answer_text(row["prompt"]) for row in rows)
    assert answers == [answer_text(prompt) for prompt in LLAMA_PROMPTS]

    check_rate_limits_were_honoured(emulator, rule)
    data_pools = {row["pid"]: row["pools"] for row in rows}
    # Two LlamaIndex actors; the ray.data pool has two too, though one may take every batch.
    assert len(actor_pools) == 2 and len(data_pools) in (1, 2)
    check_one_pool_per_worker({**data_pools, **actor_pools})

    # The cost column and the merged totals equal the server's sums exactly.
    chat_cost = sum_costs(row["cost"] for row in rows)
    assert chat_cost == server_cost(emulator, CHAT_MODEL) > 0
    totals = UsageTotals().merge(*parts)
    assert [part.requests > 0 for part in parts] == [True, True]  # both actors took a share
    assert totals.requests == N and set(totals.by_model) == {LLAMA_MODEL}
    assert totals.total.cost == server_cost(emulator, LLAMA_MODEL) > 0
    assert chat_cost + totals.total.cost == emulator.spent_exact
    endpoint = transport.Endpoint(base_url=emulator.base_url, api_key=SecretStr(WORKER_KEY))
    usage = account.key_info(endpoint).usage  # GET /key, as a user would check the account
    assert usage is not None and exact_cost(usage) == emulator.spent_exact

    check_no_key_in_ray_files(local_ray)
