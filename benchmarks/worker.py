"""One integration in its own process, driven by ``run.py`` with JSON lines.

    worker.py NAME                                   # serve: one request per stdin line
    worker.py NAME OP[:PAYLOAD] [KEY=VALUE ...]      # one trial, printed as JSON

A request is ``{"op": "stream", "params": {"payload": "text-500"}, "budget": 0.5}`` (optional
``"warm"``: other params for the warm-up); the answer is ``{"times": [...], "result": {...}}``
or ``{"error": "..."}``. An op is a method of the integration's :class:`Api`. Its first request
with given params also runs once untimed (connections, lazy imports, caches); then it repeats
until ``budget`` seconds are spent. Results say what the client received (text chunks, length
and CRC-32, tool-argument CRC-32), and ``run.py`` checks them, so a broken integration cannot
look fast.

Only the stdlib is imported up front: workers run in the peer virtualenvs too, each importing
just its own integration. Without ``--base-url`` the one-trial form starts the emulator
in-process (this repository's interpreter only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import importlib
import json
import math
import os
import resource
import statistics
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from payloads import PROMPT_PREFIX, TOOL_NAME, conversation, tool_schemas

API_KEY = "sk-or-v1-benchmark-0000000000000000"
HEADERS = {"Authorization": f"Bearer {API_KEY}"}
MODEL = "openai/gpt-4o-mini"
MAIN = "main"
"""The ``venv`` of integrations that run under this repository's own interpreter."""
VERSION_OF = ("openai", "httpx", "httpx2", "pydantic", "langchain-core", "langchain-openai",
              "langgraph", "langchain-openrouter", "openrouter", "llama-index-core",
              "llama-index-llms-openai", "llama-index-llms-openrouter")
LOOP = asyncio.new_event_loop()
"""The worker's one event loop (async ops run on it, one at a time)."""


@dataclass(slots=True)
class Tally:
    """What a client received, counted and checksummed as it streamed (the text is not kept)."""

    items: int = 0
    """Objects the integration yielded."""
    chunks: int = 0
    """Yielded objects that carried text (or a tool-argument fragment)."""
    text_len: int = 0
    text_crc: int = 0
    args: list[str] = field(default_factory=list)
    first: float = 0.0
    """``perf_counter()`` at the first text piece (time to first token)."""

    def text(self, piece: str | None) -> None:
        """Record one yielded object and its text piece."""
        self.items += 1
        if piece:
            if not self.chunks:
                self.first = time.perf_counter()
            self.chunks += 1
            self.text_len += len(piece)
            self.text_crc = zlib.crc32(piece.encode(), self.text_crc)

    def fragment(self, piece: str | None) -> None:
        """Record one tool-argument fragment (``items`` is counted by the caller)."""
        if piece:
            self.chunks += 1
            self.args.append(piece)

    def summary(self) -> dict[str, Any]:
        """The comparable part, in :meth:`payloads.Payload.summary` shape."""
        return {"chunks": self.chunks, "text_len": self.text_len, "text_crc": self.text_crc,
                "args_crc": zlib.crc32("".join(self.args).encode()), "items": self.items}


def prompt(name: str) -> str:
    """The user message that makes the server answer with payload ``name``."""
    return PROMPT_PREFIX + name


def get_weather(location: str, notes: str) -> str:
    """Get the weather for a location (the tool offered to LlamaIndex)."""
    return f"{location}: sunny ({len(notes)})"


def _httpx() -> Any:
    try:
        import httpx2 as httpx
    except ImportError:  # pragma: no cover - older stacks ship plain httpx only
        import httpx  # type: ignore[no-redef]
    return httpx


def _spread(tallies: list[Tally], start: float) -> dict[str, Any]:
    """Many streams → their distinct summaries (``run.py`` checks them) and p99 first token."""
    distinct = {json.dumps(t.summary(), sort_keys=True) for t in tallies}
    ttft = sorted((t.first - start) if t.first else math.inf for t in tallies)
    return {"streams": len(tallies), "started": sum(1 for t in tallies if t.first),
            "distinct": [json.loads(d) for d in sorted(distinct)],
            "ttft_p99": ttft[math.ceil(0.99 * len(ttft)) - 1]}


# --- how each kind of client is driven: ops are methods ``(tally, **params)`` ------------


class Api:
    """One kind of client; ``make(base_url)`` builds the model.

    Subclasses give the calls ``stream``, ``astream``, ``tool`` (a streamed tool call;
    ``assemble`` also builds the final call the way users do) and ``complete`` (``messages``
    messages and ``tools`` tools in the request, both made once per size outside any timing).
    The ops here build on them. An op fills ``tally`` or returns its own result.
    """

    def __init__(self, base_url: str, make: Callable[[str], Any]) -> None:
        self.base_url = base_url
        self.make = lambda: make(base_url)
        self.model = self.make()
        self.built: dict[Any, Any] = {}

    def once(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, cached under ``key`` (message lists, bound tools, graphs)."""
        if key not in self.built:
            self.built[key] = build()
        return self.built[key]

    def concurrent(self, tally: Tally, payload: str, streams: int) -> dict[str, Any]:
        """``streams`` concurrent ``astream`` calls on one event loop."""
        async def many() -> list[Tally]:
            tallies = [Tally() for _ in range(streams)]
            await asyncio.gather(*(self.astream(t, payload) for t in tallies))
            return tallies

        start = time.perf_counter()
        return _spread(LOOP.run_until_complete(many()), start)

    def threads(self, tally: Tally, payload: str, threads: int, each: int = 4) -> dict[str, Any]:
        """``threads`` threads sharing this one instance, each running ``each`` streams."""
        tallies = [Tally() for _ in range(threads * each)]
        gate = threading.Barrier(threads + 1)

        def run(mine: list[Tally]) -> None:
            gate.wait()
            for mine_tally in mine:
                self.stream(mine_tally, payload)

        pool = [threading.Thread(target=run, args=(tallies[i::threads],))
                for i in range(threads)]
        for thread in pool:
            thread.start()
        gate.wait()
        start = time.perf_counter()
        for thread in pool:
            thread.join()
        return _spread(tallies, start)

    def construct(self, tally: Tally) -> dict[str, Any]:
        """Construct one more instance (kept until the trial ends: freeing is not timed)."""
        self.built.setdefault("instances", []).append(self.make())
        return {}

    def memory(self, payload: str, budget: float) -> tuple[list[float], dict[str, Any]]:
        """Peak RSS growth over one stream of ``payload`` (self-timed; use a fresh process).

        A warm-up stream and ``gc`` first; then RSS is sampled every 2 ms over one stream
        (``ru_maxrss`` cannot be used: importing may have set a higher mark), the consumer
        keeping only counters. More runs until ``budget`` give the time per stream.
        """
        self.stream(Tally(), "text-500")
        gc.collect()
        tally = Tally()
        with RSSSampler() as sampler:
            t0 = time.perf_counter()
            self.stream(tally, payload)
            times = [time.perf_counter() - t0]
        while sum(times) < budget:
            t0 = time.perf_counter()
            self.stream(Tally(), payload)
            times.append(time.perf_counter() - t0)
        return times, tally.summary() | {"rss_growth": sampler.peak - sampler.start}

    def versions(self, budget: float = 0) -> tuple[list[float], dict[str, Any]]:
        """Installed versions of the packages that matter here (self-timed: no times)."""
        from importlib import metadata

        found = {"python": sys.version.split()[0]}
        for dist in VERSION_OF:
            with contextlib.suppress(metadata.PackageNotFoundError):
                found[dist] = metadata.version(dist)
        return [], found

    def stream(self, tally: Tally, payload: str) -> None:
        raise NotImplementedError

    async def astream(self, tally: Tally, payload: str) -> None:
        raise NotImplementedError


SELF_TIMED = ("memory", "versions")
"""Ops that measure themselves and run once per request (the others are repeated)."""


class Floor(Api):
    """Raw httpx2 (the HTTP library under the openai SDK): post, split lines, ``json.loads``."""

    def body(self, payload: str, stream: bool = True, messages: int = 1,
             tools: int = 0) -> dict[str, Any]:
        """The request body, built per call as a client would."""
        body: dict[str, Any] = {"model": MODEL,
                                "messages": list(conversation(messages, payload))}
        if tools:
            body["tools"] = list(tool_schemas(tools))
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return body

    def events(self, body: dict[str, Any]) -> Any:
        """POST ``body`` and yield the decoded ``data:`` events up to ``[DONE]``."""
        with self.model.stream("POST", self.base_url + "/chat/completions",
                               json=body) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    if line == "data: [DONE]":
                        return
                    yield json.loads(line[6:])

    def stream(self, tally: Tally, payload: str) -> None:
        """Sync text stream."""
        for event in self.events(self.body(payload)):
            choices = event.get("choices")
            tally.text(choices[0]["delta"].get("content") if choices else None)

    def tool(self, tally: Tally, payload: str, tools: int = 1, assemble: bool = False) -> None:
        """Streamed tool call (the fragments are the assembly)."""
        for event in self.events(self.body(payload, tools=tools)):
            tally.items += 1
            choices = event.get("choices")
            for call in (choices[0]["delta"].get("tool_calls") or []) if choices else []:
                tally.fragment(call["function"].get("arguments"))

    def complete(self, tally: Tally, payload: str, messages: int = 1, tools: int = 0) -> None:
        """Non-streaming call."""
        response = self.model.post(self.base_url + "/chat/completions",
                                   json=self.body(payload, False, messages, tools))
        tally.text(json.loads(response.content)["choices"][0]["message"]["content"])

    async def astream(self, tally: Tally, payload: str) -> None:
        """Async text stream (its own client, with room for every concurrent stream)."""
        client = self.once("async", lambda: _httpx().AsyncClient(
            headers=HEADERS, timeout=600,
            limits=_httpx().Limits(max_connections=1000, max_keepalive_connections=1000)))
        async with client.stream("POST", self.base_url + "/chat/completions",
                                 json=self.body(payload)) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    if line == "data: [DONE]":
                        break
                    choices = json.loads(line[6:]).get("choices")
                    tally.text(choices[0]["delta"].get("content") if choices else None)


class SDK(Api):
    """The ``openai`` SDK alone: ``chat.completions.create`` with its pydantic chunk models."""

    def create(self, payload: str, messages: int = 1, **kwargs: Any) -> Any:
        """``chat.completions.create`` asking for ``payload``."""
        return self.model.chat.completions.create(
            model=MODEL, messages=list(conversation(messages, payload)), **kwargs)

    def stream(self, tally: Tally, payload: str) -> None:
        """Sync text stream."""
        for chunk in self.create(payload, stream=True, stream_options={"include_usage": True}):
            tally.text(chunk.choices[0].delta.content if chunk.choices else None)

    def tool(self, tally: Tally, payload: str, tools: int = 1, assemble: bool = False) -> None:
        """Streamed tool call (the fragments are the assembly)."""
        for chunk in self.create(payload, stream=True, tools=list(tool_schemas(tools)),
                                 stream_options={"include_usage": True}):
            tally.items += 1
            for call in (chunk.choices[0].delta.tool_calls if chunk.choices else None) or []:
                tally.fragment(call.function.arguments if call.function else None)

    def complete(self, tally: Tally, payload: str, messages: int = 1, tools: int = 0) -> None:
        """Non-streaming call."""
        extra = {"tools": list(tool_schemas(tools))} if tools else {}
        tally.text(self.create(payload, messages, **extra).choices[0].message.content)

    async def astream(self, tally: Tally, payload: str) -> None:
        """Async text stream."""
        import openai

        client = self.once("async", lambda: openai.AsyncOpenAI(base_url=self.base_url,
                                                               api_key=API_KEY))
        async for chunk in await client.chat.completions.create(
                model=MODEL, messages=list(conversation(1, payload)), stream=True,
                stream_options={"include_usage": True}):
            tally.text(chunk.choices[0].delta.content if chunk.choices else None)


class Core(Api):
    """This project's ``openrouter_core.transport`` without a framework."""

    def body(self, payload: str, stream: bool, messages: int = 1, tools: int = 0) -> Any:
        """The request body from the core's own builder (timed: it is the client's work)."""
        from openrouter_core.request import build_body
        from openrouter_core.settings import RequestSettings

        return build_body(MODEL, conversation(messages, payload), RequestSettings(),
                          stream=stream, tools=tool_schemas(tools) if tools else None)

    def deltas(self, body: Any) -> Any:
        """``transport.stream`` of ``body``."""
        from openrouter_core import transport
        from openrouter_core.stream import StreamAssembler

        return transport.stream(self.model, body, {}, StreamAssembler())

    def stream(self, tally: Tally, payload: str) -> None:
        """Sync text stream."""
        for delta in self.deltas(self.body(payload, True)):
            tally.text(delta.content)

    def tool(self, tally: Tally, payload: str, tools: int = 1, assemble: bool = False) -> None:
        """Streamed tool call."""
        for delta in self.deltas(self.body(payload, True, tools=tools)):
            tally.items += 1
            for call in delta.tool_calls or []:
                tally.fragment(call.arguments)

    def complete(self, tally: Tally, payload: str, messages: int = 1, tools: int = 0) -> None:
        """Non-streaming call."""
        from openrouter_core import transport

        body = self.body(payload, False, messages, tools)
        tally.text(transport.complete(self.model, body, {}).content)

    async def astream(self, tally: Tally, payload: str) -> None:
        """Async text stream."""
        from openrouter_core import transport
        from openrouter_core.stream import StreamAssembler

        async for delta in transport.astream(self.model, self.body(payload, True), {},
                                             StreamAssembler()):
            tally.text(delta.content)


class LangChain(Api):
    """Any LangChain chat model, through its public API only."""

    def messages(self, count: int, payload: str) -> Any:
        """The conversation as LangChain messages (the prompt string when it is one)."""
        if count <= 1:
            return prompt(payload)
        from langchain_core.messages import convert_to_messages

        return self.once(("messages", count, payload),
                         lambda: convert_to_messages(list(conversation(count, payload))))

    def bound(self, tools: int) -> Any:
        """The model with ``tools`` tools bound (made once per size)."""
        return self.once(("bound", tools), lambda: self.model.bind_tools(
            list(tool_schemas(tools)))) if tools else self.model

    def bind(self, tally: Tally, tools: int) -> dict[str, Any]:
        """``bind_tools`` with ``tools`` OpenAI tool dicts."""
        self.model.bind_tools(list(tool_schemas(tools)))
        return {}

    def stream(self, tally: Tally, payload: str) -> None:
        """``model.stream(prompt)`` reading ``chunk.content``."""
        for chunk in self.model.stream(prompt(payload)):
            tally.text(chunk.content)

    def tool(self, tally: Tally, payload: str, tools: int = 1, assemble: bool = False) -> None:
        """``bind_tools(...).stream()`` reading ``tool_call_chunks``, or adding chunks up."""
        whole = None
        for chunk in self.bound(tools).stream(prompt(payload)):
            tally.items += 1
            if assemble:  # LangChain's documented way to get the whole call
                whole = chunk if whole is None else whole + chunk
            else:
                for call in chunk.tool_call_chunks:
                    tally.fragment(call.get("args"))
        if whole is not None:
            call = whole.tool_calls[0]
            tally.fragment(json.dumps(call["args"], separators=(",", ":"))
                           if call["name"] == TOOL_NAME else "wrong tool")

    def complete(self, tally: Tally, payload: str, messages: int = 1, tools: int = 0) -> None:
        """``invoke`` (on the bound model when there are tools)."""
        tally.text(self.bound(tools).invoke(self.messages(messages, payload)).content)

    async def astream(self, tally: Tally, payload: str) -> None:
        """``model.astream(prompt)``."""
        async for chunk in self.model.astream(prompt(payload)):
            tally.text(chunk.content)

    def events(self, tally: Tally, payload: str) -> None:
        """``astream_events(version="v2")``, reading the chat-model stream events."""
        async def consume() -> None:
            async for event in self.model.astream_events(prompt(payload), version="v2"):
                if event["event"] == "on_chat_model_stream":
                    tally.text(event["data"]["chunk"].content)

        LOOP.run_until_complete(consume())

    def graph(self, tally: Tally, payload: str) -> None:
        """A one-node LangGraph ``StateGraph`` streamed with ``stream_mode="messages"``."""
        graph = self.once("graph", self._graph)
        for message, _ in graph.stream({"messages": [("user", prompt(payload))]},
                                       stream_mode="messages"):
            tally.text(message.content)

    def _graph(self) -> Any:
        from langgraph.graph import START, MessagesState, StateGraph

        def call_model(state: MessagesState) -> dict[str, Any]:
            return {"messages": [self.model.invoke(state["messages"])]}

        return StateGraph(MessagesState).add_node("model", call_model).add_edge(
            START, "model").compile()


class LlamaIndex(Api):
    """Any LlamaIndex LLM, through ``stream_chat``/``astream_chat``/``chat`` and tools."""

    def messages(self, count: int, payload: str) -> Any:
        """The conversation as ``ChatMessage`` objects (made once per size)."""
        from llama_index.core.base.llms.types import ChatMessage

        return self.once(("messages", count, payload), lambda: [
            ChatMessage(role=m["role"], content=m["content"])
            for m in conversation(count, payload)])

    def tools(self, count: int) -> list[Any]:
        """``count`` ``FunctionTool`` objects; the first is the one the payloads call."""
        from llama_index.core.tools import FunctionTool

        return self.once(("tools", count), lambda: [
            FunctionTool.from_defaults(fn=get_weather, name=t["function"]["name"],
                                       description=t["function"]["description"])
            for t in tool_schemas(count)])

    def stream(self, tally: Tally, payload: str) -> None:
        """``stream_chat`` reading ``response.delta``."""
        for response in self.model.stream_chat(self.messages(1, payload)):
            tally.text(response.delta)

    def tool(self, tally: Tally, payload: str, tools: int = 1, assemble: bool = False) -> None:
        """``stream_chat_with_tools`` then ``get_tool_calls_from_response`` (always whole)."""
        last = None
        for response in self.model.stream_chat_with_tools(self.tools(tools),
                                                          user_msg=prompt(payload)):
            tally.items += 1
            last = response
        calls = self.model.get_tool_calls_from_response(last, error_on_no_tool_call=True)
        tally.fragment(json.dumps(calls[0].tool_kwargs, separators=(",", ":")))

    def complete(self, tally: Tally, payload: str, messages: int = 1, tools: int = 0) -> None:
        """``chat``, or ``chat_with_tools`` when there are tools."""
        if tools:
            *past, last = self.messages(messages, payload)
            reply = self.model.chat_with_tools(self.tools(tools), user_msg=last,
                                               chat_history=past)
        else:
            reply = self.model.chat(self.messages(messages, payload))
        tally.text(reply.message.content)

    async def astream(self, tally: Tally, payload: str) -> None:
        """``astream_chat``."""
        async for response in await self.model.astream_chat(self.messages(1, payload)):
            tally.text(response.delta)


# --- the integrations --------------------------------------------------------------------


def _model(module: str, cls: str, url: str = "base_url", **extra: Any) -> Callable[[str], Any]:
    """``make`` for a model class taking ``model``, ``api_key`` and a base-URL keyword."""
    def make(base_url: str) -> Any:
        model_class = getattr(importlib.import_module(module), cls)
        return model_class(model=MODEL, api_key=API_KEY, **{url: base_url}, **extra)
    return make


def _floor(base_url: str) -> Any:
    return _httpx().Client(headers=HEADERS, timeout=600)


def _sdk(base_url: str) -> Any:
    import openai

    return openai.OpenAI(base_url=base_url, api_key=API_KEY)


def _core(base_url: str) -> Any:
    from pydantic import SecretStr

    from openrouter_core.transport import Endpoint

    return Endpoint(base_url=base_url, api_key=SecretStr(API_KEY))


def _inherited(base_url: str) -> Any:
    """``ChatOpenRouter`` with langchain-core's own ``stream``/``astream``/``invoke``/``ainvoke``
    (our ``_stream``/``_generate``): what ``ChatOpenRouter``'s lifecycle overrides are worth."""
    from langchain_openrouter import ChatOpenRouter

    class Inherited(ChatOpenRouter):
        def _flat_streaming(self, *, async_api: bool, kwargs: Any) -> bool:
            return False

        def _own_invoke(self, *, async_api: bool, kwargs: Any) -> bool:
            return False

    return Inherited(model=MODEL, api_key=API_KEY, base_url=base_url)


@dataclass(frozen=True, slots=True)
class Integration:
    """One row of the report: how to build and drive it, what to import, where it lives."""

    label: str
    api: type[Api] | None
    """``None``: a framework baseline, only imported."""
    make: Callable[[str], Any] | None
    imports: str = ""
    """The statement the import workload times in fresh interpreters (``run.py``)."""
    venv: str = MAIN
    """``main`` or a virtualenv under ``benchmarks/.venvs``: the older
    ``langchain-openrouter`` shares our import name, so it must live apart."""


_CHAT_OPENROUTER = _model("langchain_openrouter", "ChatOpenRouter")
INTEGRATIONS: dict[str, Integration] = {
    "floor-httpx": Integration("floor: raw httpx2 + json.loads", Floor, _floor,
                               "import httpx2"),
    "openai-sdk": Integration("openai SDK (chat.completions.create)", SDK, _sdk,
                              "import openai"),
    "core": Integration("openrouter_core.transport (ours, no framework)", Core, _core,
                        "import openrouter_core.transport"),
    "ours-langchain": Integration("ChatOpenRouter (ours)", LangChain, _CHAT_OPENROUTER,
                                  "from langchain_openrouter import ChatOpenRouter"),
    "ours-langchain-inherited": Integration(
        "ChatOpenRouter, langchain-core's lifecycles (no override)", LangChain, _inherited),
    "langchain-openai": Integration(
        "ChatOpenAI (langchain-openai, base_url)", LangChain,
        _model("langchain_openai", "ChatOpenAI", stream_usage=True),
        "from langchain_openai import ChatOpenAI", "langchain-openai"),
    "old-langchain-openrouter": Integration(
        "ChatOpenRouter (PyPI langchain-openrouter 0.2)", LangChain, _CHAT_OPENROUTER,
        "from langchain_openrouter import ChatOpenRouter", "old-langchain-openrouter"),
    "ours-llamaindex": Integration(
        "OpenRouter (ours, LlamaIndex)", LlamaIndex,
        _model("llama_index_openrouter", "OpenRouter", url="api_base"),
        "from llama_index_openrouter import OpenRouter"),
    "llamaindex-openrouter": Integration(
        "OpenRouter (PyPI llama-index-llms-openrouter)", LlamaIndex,
        _model("llama_index.llms.openrouter", "OpenRouter", url="api_base",
               is_function_calling_model=True),
        "from llama_index.llms.openrouter import OpenRouter", "llamaindex-openrouter"),
    "fw-langchain-core": Integration(
        "framework: langchain-core BaseChatModel", None, None,
        "from langchain_core.language_models.chat_models import BaseChatModel"),
    "fw-llama-index-core": Integration("framework: llama_index.core", None, None,
                                       "import llama_index.core"),
}
"""Every row, by name; ``run.py``'s workload table says which rows run what."""


class RSSSampler:
    """Peak resident set size while in the ``with`` block, sampled every 2 ms (Linux)."""

    def __enter__(self) -> RSSSampler:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        time.sleep(0.01)  # the start is read after the sampler's own stack pages are in
        # Hand the C allocator's free pages back to the OS (glibc): else what the block
        # allocates can fill pages the warm-up left free and never show as growth.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        self.start = self.peak = self.rss()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.rss())

    @staticmethod
    def rss() -> int:
        """Current RSS in bytes."""
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()


# --- running ------------------------------------------------------------------------------


class Worker:
    """Answers requests for one integration, warming each ``(op, params)`` up once."""

    def __init__(self, name: str, base_url: str) -> None:
        self.name = name
        self.base_url = base_url
        self.api: Api | None = None
        self.warm: set[str] = set()

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """One trial: ``{"times": [...], "result": {...}}``, or ``{"error": ...}``."""
        try:
            return self._run(request["op"], request.get("params", {}),
                             request.get("warm"), float(request.get("budget", 0.5)))
        except Exception as exc:  # reported to the parent, which marks the cell as failed
            return {"error": f"{type(exc).__name__}: {exc}"[:500]}

    def _run(self, op: str, params: dict[str, Any], warm: dict[str, Any] | None,
             budget: float) -> dict[str, Any]:
        if self.api is None:
            integration = INTEGRATIONS[self.name]
            if integration.api is None or integration.make is None:
                raise ValueError(f"{self.name} is only imported")
            self.api = integration.api(self.base_url, integration.make)
        if op in SELF_TIMED:
            times, result = getattr(self.api, op)(budget=budget, **params)
            return {"times": times, "result": result}
        method = getattr(self.api, op)
        key = json.dumps([op, params], sort_keys=True)
        if key not in self.warm:
            method(Tally(), **(params if warm is None else warm))
            self.warm.add(key)
        gc.collect()  # the warm-up's or the last trial's garbage is not this trial's cost
        times, results = [], []
        started = time.perf_counter()
        while not times or (time.perf_counter() - started < budget and len(times) < 1000):
            tally = Tally()
            t0 = time.perf_counter()
            results.append(method(tally, **params) or tally.summary())
            times.append(time.perf_counter() - t0)
        self.api.built.pop("instances", None)
        result = results[-1]
        if "ttft_p99" in result:
            result["ttft_p99"] = statistics.median(r["ttft_p99"] for r in results)
        return {"times": times, "result": result}


def parse_op(op: str, pairs: list[str]) -> tuple[str, dict[str, Any]]:
    """``"stream:text-500"``, ``["tools=50"]`` → ``("stream", {"payload": ..., "tools": 50})``."""
    name, _, payload = op.partition(":")
    params: dict[str, Any] = {"payload": payload} if payload else {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        params[key] = int(value) if value.isdigit() else value
    return name, params


def main(argv: list[str] | None = None) -> int:
    """CLI: serve JSON lines, or one trial (``stream:text-2000``, ``threads:text-50 threads=8``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("integration", choices=sorted(INTEGRATIONS))
    parser.add_argument("op", nargs="?", help="OP or OP:PAYLOAD; without it, serve stdin")
    parser.add_argument("params", nargs="*", help="KEY=VALUE (digits are numbers)")
    parser.add_argument("--base-url", help="server base URL (default: in-process emulator)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per trial")
    args = parser.parse_args(argv)
    if args.op is None:
        worker = Worker(args.integration, args.base_url or "")
        # Answers go to the real stdout; whatever a library prints goes to stderr.
        answers, sys.stdout = os.fdopen(os.dup(1), "w", buffering=1), sys.stderr
        for line in sys.stdin:
            if line.strip():
                answers.write(json.dumps(worker.run(json.loads(line))) + "\n")
        LOOP.run_until_complete(LOOP.shutdown_asyncgens())
        return 0
    op, params = parse_op(args.op, args.params)
    base_url = args.base_url
    if base_url is None:
        from serve import start

        base_url = start().base_url  # serves from a daemon thread until this process ends
    print(json.dumps(Worker(args.integration, base_url).run(
        {"op": op, "params": params, "budget": args.budget})))
    LOOP.run_until_complete(LOOP.shutdown_asyncgens())  # close streams left open, quietly
    return 0


if __name__ == "__main__":
    sys.exit(main())
