"""Load: many concurrent calls on one instance, many instances on one pool, process pools.

Counts are asserted; timings are only recorded for ``docs/fault-matrix.md`` (they vary by
machine). Process pools here are ``concurrent.futures``'; Ray workers are exercised in
``tests/e2e/test_ray.py``.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from openrouter_core import transport
from openrouter_core.testing import Emulator, answer_text
from tests.faults.drivers import KEY, Framework, llama_messages, make_model
from tests.faults.load_worker import answer
from tests.faults.report import metric, record

POOL_LIMIT = 1000
"""The openai SDK's default ``max_connections`` (httpx ``Limits``) of every shared client."""


def open_fds() -> int:
    """File descriptors open in this process right now."""
    return len(os.listdir("/proc/self/fd"))


def _settle(emu: Emulator, timeout: float = 5.0) -> None:
    """Wait until the emulator has closed every server-side socket."""
    deadline = time.monotonic() + timeout
    while emu.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)


async def _one(model: Any, framework: Framework, streaming: bool, index: int) -> str:
    prompt = f"request {index}"
    if framework == "langchain":
        if streaming:
            return "".join([str(c.content) async for c in model.astream(prompt)])
        return str((await model.ainvoke(prompt)).content)
    messages = llama_messages(prompt)
    if streaming:
        return "".join([r.delta or "" async for r in await model.astream_chat(messages)])
    return str((await model.achat(messages)).message.content)


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
@pytest.mark.parametrize(("streaming", "count"), [(False, 500), (True, 200)],
                         ids=["500-ainvoke", "200-astream"])
async def test_concurrent_calls_on_one_instance(request: pytest.FixtureRequest, emu: Emulator,
                                                framework: Framework, streaming: bool,
                                                count: int) -> None:
    name = ("astream" if framework == "langchain" else "astream_chat") if streaming else (
        "ainvoke" if framework == "langchain" else "achat")
    record(request, "Load", f"{count} concurrent `{name}` on one instance ({framework})",
           "all succeed; one shared client; connections <= pool limit; no fd/task leak")
    _settle(emu)
    fds_before, tasks_before = open_fds(), len(asyncio.all_tasks())
    pools_before = transport.connections_opened
    model = make_model(framework, emu, max_retries=0)
    start = time.monotonic()
    texts = await asyncio.gather(*[_one(model, framework, streaming, i) for i in range(count)])
    elapsed = time.monotonic() - start
    assert texts == [answer_text(f"request {i}") for i in range(count)]
    assert len(emu.chat_requests) == count
    pools = transport.connections_opened - pools_before
    assert pools == 1
    assert 1 <= emu.connections_opened <= min(count, POOL_LIMIT)
    await transport.aclose()
    await asyncio.to_thread(_settle, emu)
    gc.collect()
    fd_delta, task_delta = open_fds() - fds_before, len(asyncio.all_tasks()) - tasks_before
    key = f"{count} x {name} ({framework})"
    metric(request, f"{key}: wall time", f"{elapsed:.2f} s")
    metric(request, f"{key}: TCP connections (emulator `connections_opened`)",
           emu.connections_opened)
    metric(request, f"{key}: SDK clients (`transport.connections_opened` delta)", pools)
    metric(request, f"{key}: fd / task delta after close", f"{fd_delta} / {task_delta}")
    assert fd_delta <= 0, f"{fd_delta} file descriptors leaked"
    assert task_delta == 0


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_thousand_instances_share_one_pool(request: pytest.FixtureRequest, emu: Emulator,
                                           framework: Framework) -> None:
    record(request, "Load", f"1,000 instances share one pool ({framework})",
           "construction opens nothing; every instance resolves to the same client")
    pools_before = transport.connections_opened
    start = time.perf_counter()
    models: list[Any] = [make_model(framework, emu) for _ in range(1000)]
    per_instance_ms = (time.perf_counter() - start) / 1000 * 1000
    metric(request, f"construction time per instance ({framework})",
           f"{per_instance_ms:.3f} ms")
    assert transport.connections_opened == pools_before
    assert emu.requests == []
    endpoints = [m._connection().endpoint() if framework == "langchain" else m.endpoint()
                 for m in models]
    clients = {id(transport.sync_client(e)) for e in endpoints}
    assert len(clients) == 1
    assert transport.connections_opened == pools_before + 1
    # A few real calls through different instances reuse one keep-alive connection.
    for model in models[::100]:
        if framework == "langchain":
            assert model.invoke("hi").content == answer_text("hi")
        else:
            assert model.chat(llama_messages("hi")).message.content == answer_text("hi")
    assert emu.connections_opened == 1
    metric(request, f"10 sequential calls through 10 of the instances ({framework}): "
           "TCP connections", emu.connections_opened)


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_model_pickles_and_works_after_unpickling(request: pytest.FixtureRequest,
                                                  emu: Emulator, framework: Framework,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    record(request, "Load", f"pickle round trip ({framework})",
           "the pickle holds no key; the unpickled instance works with the process's "
           "`OPENROUTER_API_KEY`")
    model = make_model(framework, emu)
    data = pickle.dumps(model)
    assert KEY.encode() not in data
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)  # the worker's own environment
    clone: Any = pickle.loads(data)
    if framework == "langchain":
        assert clone.invoke("hi").content == answer_text("hi")
    else:
        assert clone.chat(llama_messages("hi")).message.content == answer_text("hi")
    assert emu.chat_requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_models_work_in_a_process_pool(request: pytest.FixtureRequest, emu: Emulator,
                                       method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    record(request, "Load", f"process pool, `{method}` context (both frameworks)",
           "each worker unpickles, calls, and opens its own pool (pools keyed by pid)")
    models: list[Any] = [make_model("langchain", emu), make_model("llama_index", emu)]
    # Open the parent's pool first: a forked child inherits it and must not use it.
    models[0].invoke("parent")
    models[1].chat(llama_messages("parent"))
    payloads = [pickle.dumps(m) for m in models] * 2
    assert all(KEY.encode() not in p for p in payloads)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)  # workers inherit the environment, not keys
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(answer, payloads))
    assert [r["text"] for r in results] == [answer_text("hello from a worker")] * 4
    assert all(r["pid"] != os.getpid() for r in results)
    for pid in {r["pid"] for r in results}:
        mine = [r for r in results if r["pid"] == pid]
        # Both frameworks resolve to one shared client per worker, opened once and reused.
        assert sum(r["opened"] for r in mine) == 1
        assert all(r["own_clients"] == 1 for r in mine)
    assert len(emu.chat_requests) == 6
    metric(request, f"process pool ({method}): workers / pools opened in workers",
           f"{len({r['pid'] for r in results})} / {sum(r['opened'] for r in results)}")
