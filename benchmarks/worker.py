"""One benchmark client in its own process: ``worker.py <integration> <workload> --base-url URL``.

Runs under whichever interpreter has the integration installed (this repository's ``.venv``,
or a peer virtualenv under ``benchmarks/.venvs``) and needs nothing but that integration and the
stdlib: the server runs in the parent (``run.py``). Prints one JSON object per workload run.

With ``--serve`` it stays up and answers JSON commands read line by line from stdin, so
``run.py`` can interleave trials across integrations without paying the imports each time.
Without ``--base-url`` (and only where ``openrouter_core`` is importable) it starts the
emulator in-process, which is handy for profiling one integration.

Every run also reports what the client received (content-bearing chunks, text length and
CRC-32, tool arguments), so the parent can reject a result that is fast because it is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from payloads import PROMPT_PREFIX, TOOL_NAME, TOOL_SCHEMA, payload

API_KEY = "sk-or-v1-benchmark-0000000000000000"
MODEL = "openai/gpt-4o-mini"
ASYNC_STREAMS = 200
ASYNC_PAYLOAD = "text-200"
VERSION_OF = ("openai", "httpx", "httpx2", "pydantic", "langchain-core", "langchain-openai",
              "langchain-openrouter", "openrouter", "llama-index-core",
              "llama-index-llms-openai", "llama-index-llms-openrouter")


@dataclass(slots=True)
class Tally:
    """What a client saw, counted and checksummed as it streamed (the text is not kept)."""

    items: int = 0
    """Objects the integration yielded."""
    chunks: int = 0
    """Yielded objects that carried text (or a tool-argument fragment)."""
    text_len: int = 0
    text_crc: int = 0
    args: list[str] = field(default_factory=list)

    def text(self, piece: str | None) -> None:
        """Record one streamed text piece."""
        self.items += 1
        if piece:
            self.chunks += 1
            self.text_len += len(piece)
            self.text_crc = zlib.crc32(piece.encode(), self.text_crc)

    def whole_text(self, text: str | None) -> None:
        """Record a complete (non-streamed) reply text."""
        self.text(text)

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


def messages(name: str) -> list[dict[str, Any]]:
    """OpenAI-shaped messages asking for payload ``name``."""
    return [{"role": "user", "content": prompt(name)}]


def get_weather(location: str, notes: str) -> str:
    """Get the weather for a location (the tool offered to LlamaIndex)."""
    return f"{location}: sunny ({len(notes)})"


# --- integrations -------------------------------------------------------------------------


class Client:
    """One integration. Subclasses implement the calls; ``None`` means "not applicable"."""

    import_line = ""
    """The statement timed by the import workload (in a fresh interpreter)."""
    constructs = True

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._model: Any = None

    @property
    def model(self) -> Any:
        """One shared instance (constructed on first use, outside any timing)."""
        if self._model is None:
            self._model = self.make()
        return self._model

    def make(self) -> Any:
        """Construct the integration's model/client object."""
        raise NotImplementedError

    def stream(self, name: str, tally: Tally) -> None:
        """Stream payload ``name`` (text), feeding every yielded piece to ``tally``."""
        raise NotImplementedError

    def stream_tool(self, name: str, tally: Tally) -> None:
        """Stream payload ``name`` (a tool call); the final arguments end up in ``tally``."""
        raise NotImplementedError

    def complete(self, name: str, tally: Tally) -> None:
        """One non-streaming call for payload ``name``."""
        raise NotImplementedError

    async def astream(self, name: str, tally: Tally) -> None:
        """Async :meth:`stream`."""
        raise NotImplementedError


class Floor(Client):
    """Raw httpx2 (the HTTP library under the openai SDK): post, split lines, ``json.loads``."""

    import_line = "import httpx2"
    constructs = False

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        try:
            import httpx2 as httpx
        except ImportError:  # pragma: no cover - older stacks ship plain httpx only
            import httpx  # type: ignore[no-redef]
        self.httpx = httpx
        self.url = base_url + "/chat/completions"
        self.headers = {"Authorization": f"Bearer {API_KEY}"}
        self.client = httpx.Client(headers=self.headers, timeout=600)
        self.aclient: Any = None

    def _body(self, name: str, stream: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"model": MODEL, "messages": messages(name)}
        if stream:
            body.update(stream=True, stream_options={"include_usage": True})
        return body

    @staticmethod
    def _events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
        for line in lines:
            if line.startswith("data: "):
                data = line[6:]
                if data == "[DONE]":
                    return
                yield json.loads(data)

    def stream(self, name: str, tally: Tally) -> None:
        with self.client.stream("POST", self.url, json=self._body(name)) as response:
            for event in self._events(response.iter_lines()):
                choices = event.get("choices")
                tally.text(choices[0]["delta"].get("content") if choices else None)

    def stream_tool(self, name: str, tally: Tally) -> None:
        body = self._body(name) | {"tools": [TOOL_SCHEMA]}
        with self.client.stream("POST", self.url, json=body) as response:
            for event in self._events(response.iter_lines()):
                tally.items += 1
                choices = event.get("choices")
                for call in (choices[0]["delta"].get("tool_calls") or []) if choices else []:
                    tally.fragment(call["function"].get("arguments"))

    def complete(self, name: str, tally: Tally) -> None:
        response = self.client.post(self.url, json=self._body(name, stream=False))
        tally.whole_text(json.loads(response.content)["choices"][0]["message"]["content"])

    async def astream(self, name: str, tally: Tally) -> None:
        if self.aclient is None:
            limits = self.httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
            self.aclient = self.httpx.AsyncClient(headers=self.headers, timeout=600,
                                                  limits=limits)
        async with self.aclient.stream("POST", self.url, json=self._body(name)) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    choices = event.get("choices")
                    tally.text(choices[0]["delta"].get("content") if choices else None)


class OpenAISDK(Client):
    """The ``openai`` SDK alone: ``chat.completions.create`` with its pydantic chunk models."""

    import_line = "import openai"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.aclient: Any = None

    def make(self) -> Any:
        import openai

        return openai.OpenAI(base_url=self.base_url, api_key=API_KEY)

    def stream(self, name: str, tally: Tally) -> None:
        for chunk in self.model.chat.completions.create(
                model=MODEL, messages=messages(name), stream=True,
                stream_options={"include_usage": True}):
            tally.text(chunk.choices[0].delta.content if chunk.choices else None)

    def stream_tool(self, name: str, tally: Tally) -> None:
        for chunk in self.model.chat.completions.create(
                model=MODEL, messages=messages(name), stream=True, tools=[TOOL_SCHEMA],
                stream_options={"include_usage": True}):
            tally.items += 1
            calls = chunk.choices[0].delta.tool_calls if chunk.choices else None
            for call in calls or []:
                tally.fragment(call.function.arguments if call.function else None)

    def complete(self, name: str, tally: Tally) -> None:
        reply = self.model.chat.completions.create(model=MODEL, messages=messages(name))
        tally.whole_text(reply.choices[0].message.content)

    async def astream(self, name: str, tally: Tally) -> None:
        if self.aclient is None:
            import openai

            self.aclient = openai.AsyncOpenAI(base_url=self.base_url, api_key=API_KEY)
        stream = await self.aclient.chat.completions.create(
            model=MODEL, messages=messages(name), stream=True,
            stream_options={"include_usage": True})
        async for chunk in stream:
            tally.text(chunk.choices[0].delta.content if chunk.choices else None)


class Core(Client):
    """This project's ``openrouter_core.transport.stream``/``complete`` without a framework."""

    import_line = "import openrouter_core.transport"

    def make(self) -> Any:
        from pydantic import SecretStr

        from openrouter_core.transport import Endpoint

        return Endpoint(base_url=self.base_url, api_key=SecretStr(API_KEY))

    def _body(self, name: str, stream: bool, tools: bool = False) -> dict[str, Any]:
        from openrouter_core.request import build_body
        from openrouter_core.settings import RequestSettings

        return build_body(MODEL, messages(name), RequestSettings(), stream=stream,
                          tools=[TOOL_SCHEMA] if tools else None)

    def stream(self, name: str, tally: Tally) -> None:
        from openrouter_core import transport
        from openrouter_core.stream import StreamAssembler

        for delta in transport.stream(self.model, self._body(name, True), {},
                                      StreamAssembler()):
            tally.text(delta.content)

    def stream_tool(self, name: str, tally: Tally) -> None:
        from openrouter_core import transport
        from openrouter_core.stream import StreamAssembler

        for delta in transport.stream(self.model, self._body(name, True, tools=True), {},
                                      StreamAssembler()):
            tally.items += 1
            for call in delta.tool_calls or []:
                tally.fragment(call.arguments)

    def complete(self, name: str, tally: Tally) -> None:
        from openrouter_core import transport

        tally.whole_text(transport.complete(self.model, self._body(name, False), {}).content)

    async def astream(self, name: str, tally: Tally) -> None:
        from openrouter_core import transport
        from openrouter_core.stream import StreamAssembler

        async for delta in transport.astream(self.model, self._body(name, True), {},
                                             StreamAssembler()):
            tally.text(delta.content)


class LangChainClient(Client):
    """Shared LangChain consumer: ``stream``/``astream``/``invoke`` and ``bind_tools``."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._bound: Any = None

    def stream(self, name: str, tally: Tally) -> None:
        for chunk in self.model.stream(prompt(name)):
            tally.text(chunk.content)

    def stream_tool(self, name: str, tally: Tally) -> None:
        if self._bound is None:
            self._bound = self.model.bind_tools([TOOL_SCHEMA])
        for chunk in self._bound.stream(prompt(name)):
            tally.items += 1
            for call in chunk.tool_call_chunks:
                tally.fragment(call.get("args"))

    def complete(self, name: str, tally: Tally) -> None:
        tally.whole_text(self.model.invoke(prompt(name)).content)

    async def astream(self, name: str, tally: Tally) -> None:
        async for chunk in self.model.astream(prompt(name)):
            tally.text(chunk.content)


class OursLangChain(LangChainClient):
    """This project's ``langchain_openrouter.ChatOpenRouter``."""

    import_line = "from langchain_openrouter import ChatOpenRouter"

    def make(self) -> Any:
        from langchain_openrouter import ChatOpenRouter

        return ChatOpenRouter(model=MODEL, api_key=API_KEY, base_url=self.base_url)


class OursLangChainInherited(OursLangChain):
    """``ChatOpenRouter`` with langchain-core's own ``stream``/``astream`` (our ``_stream`` only):
    the row that says what the stream-lifecycle override is worth."""

    def make(self) -> Any:
        from langchain_openrouter import ChatOpenRouter

        class Inherited(ChatOpenRouter):
            def _flat_streaming(self, *, async_api: bool, kwargs: Any) -> bool:
                return False

        return Inherited(model=MODEL, api_key=API_KEY, base_url=self.base_url)


class OldLangChain(OursLangChain):
    """PyPI ``langchain-openrouter`` 0.2.x (same import name; run from its own virtualenv)."""


class LangChainOpenAI(LangChainClient):
    """``langchain_openai.ChatOpenAI`` pointed at OpenRouter with ``base_url``."""

    import_line = "from langchain_openai import ChatOpenAI"

    def make(self) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=MODEL, api_key=API_KEY, base_url=self.base_url,
                          stream_usage=True)


class LlamaIndexClient(Client):
    """Shared LlamaIndex consumer: ``stream_chat``/``astream_chat``/``chat`` and tools."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._tool: Any = None

    @staticmethod
    def _messages(name: str) -> list[Any]:
        from llama_index.core.base.llms.types import ChatMessage

        return [ChatMessage(role="user", content=prompt(name))]

    def stream(self, name: str, tally: Tally) -> None:
        for response in self.model.stream_chat(self._messages(name)):
            tally.text(response.delta)

    def stream_tool(self, name: str, tally: Tally) -> None:
        if self._tool is None:
            from llama_index.core.tools import FunctionTool

            self._tool = FunctionTool.from_defaults(fn=get_weather, name=TOOL_NAME)
        last = None
        for response in self.model.stream_chat_with_tools([self._tool], user_msg=prompt(name)):
            tally.items += 1
            last = response
        calls = self.model.get_tool_calls_from_response(last, error_on_no_tool_call=True)
        tally.fragment(json.dumps(calls[0].tool_kwargs, separators=(",", ":")))
        tally.chunks = tally.items  # fragments are not visible per chunk in LlamaIndex

    def complete(self, name: str, tally: Tally) -> None:
        tally.whole_text(self.model.chat(self._messages(name)).message.content)

    async def astream(self, name: str, tally: Tally) -> None:
        async for response in await self.model.astream_chat(self._messages(name)):
            tally.text(response.delta)


class OursLlamaIndex(LlamaIndexClient):
    """This project's ``llama_index_openrouter.OpenRouter``."""

    import_line = "from llama_index_openrouter import OpenRouter"

    def make(self) -> Any:
        from llama_index_openrouter import OpenRouter

        return OpenRouter(model=MODEL, api_key=API_KEY, api_base=self.base_url)


class PeerLlamaIndex(LlamaIndexClient):
    """PyPI ``llama-index-llms-openrouter`` (``OpenAILike`` subclass; own virtualenv)."""

    import_line = "from llama_index.llms.openrouter import OpenRouter"

    def make(self) -> Any:
        from llama_index.llms.openrouter import OpenRouter

        return OpenRouter(model=MODEL, api_key=API_KEY, api_base=self.base_url,
                          is_function_calling_model=True)


class ImportOnly(Client):
    """A framework baseline for the import workload only."""

    constructs = False

    def __init__(self, base_url: str, import_line: str) -> None:
        super().__init__(base_url)
        self.import_line = import_line


INTEGRATIONS: dict[str, Callable[[str], Client]] = {
    "floor-httpx": Floor,
    "openai-sdk": OpenAISDK,
    "core": Core,
    "ours-langchain": OursLangChain,
    "ours-langchain-inherited": OursLangChainInherited,
    "langchain-openai": LangChainOpenAI,
    "old-langchain-openrouter": OldLangChain,
    "ours-llamaindex": OursLlamaIndex,
    "llamaindex-openrouter": PeerLlamaIndex,
    "fw-langchain-core": lambda url: ImportOnly(
        url, "from langchain_core.language_models.chat_models import BaseChatModel"),
    "fw-llama-index-core": lambda url: ImportOnly(url, "import llama_index.core"),
}
"""Integration name → client factory (``run.py`` maps each name to an interpreter)."""


# --- workloads ----------------------------------------------------------------------------


class NotApplicable(Exception):  # noqa: N818 - a signal, reported as "n/a"
    """The integration has no such operation (e.g. constructing the raw-httpx floor)."""


def _repeat(op: Callable[[], Any], budget: float, max_runs: int = 1000) -> list[float]:
    """Run ``op`` until ``budget`` seconds have passed (at least once); per-run seconds."""
    times: list[float] = []
    started = time.perf_counter()
    while not times or (time.perf_counter() - started < budget and len(times) < max_runs):
        t0 = time.perf_counter()
        op()
        times.append(time.perf_counter() - t0)
    return times


IMPORT_RUNS = 3
"""Fresh interpreters per trial of the import workload (the trial reports all their times)."""
IMPORT_PADS = tuple(136 * i for i in range(15))
"""Extra frame-stack slots (8 bytes each) under the timed import, one per fresh interpreter.

CPython 3.11 and 3.12 keep Python frames in per-thread 16 KiB chunks (2,048 slots) and free a
chunk as soon as the frame that opened it returns (python/cpython#142183, fixed upstream by
keeping one spare chunk). A call repeated right at a chunk boundary then maps, page-faults and
unmaps 16 KiB every time. Where the boundaries fall depends only on the stack depth an import
starts at: the langchain-core import (mostly pydantic building langsmith's models) crosses one
from about 1,300 to over 15,000 times depending on that depth, and took 0.76 s at one depth
and 0.99 s at another (medians of 20 interpreters, 2-core machine). At the top level of
``python -c``, ``from langchain_openrouter import ChatOpenRouter`` sat on a bad spot (about
9,400 crossings) and the ``BaseChatModel`` baseline on a good one (about 1,700); over the 15
pads below they average about 5,000 and 4,400. This is an interpreter artefact that can favour
either side, so the benchmark averages over it: the pads span one chunk, and trial ``t`` uses
pads ``t``, ``t + 5`` and ``t + 10``, so a 5-trial run gives every integration the same 15
evenly spread depths.
"""


def import_code(import_line: str, pad: int) -> str:
    """``python -c`` source printing the seconds ``import_line`` takes, ``pad`` slots deeper."""
    return "\n".join([
        "import time",
        "def timed():",
        "    t = time.perf_counter()",
        f"    {import_line}",
        "    return time.perf_counter() - t",
        f"timed.__code__ = timed.__code__.replace("
        f"co_stacksize=timed.__code__.co_stacksize + {pad})",
        "print(timed())",
    ])


def _fresh_import(import_line: str, pad: int, env: dict[str, str]) -> float:
    """Seconds ``import_line`` takes in a fresh interpreter (see :func:`import_code`)."""
    # A neutral working directory: from the repository root, ``python -c`` would import this
    # repository's ``langchain_openrouter`` even in the older package's virtualenv.
    done = subprocess.run([sys.executable, "-c", import_code(import_line, pad)],
                          capture_output=True, text=True, check=True, env=env,
                          cwd=tempfile.gettempdir())
    return float(done.stdout.strip().splitlines()[-1])


class Runner:
    """Runs workloads for one :class:`Client`; the first run of each workload is a warm-up."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.loop = asyncio.new_event_loop()
        self.warm: set[str] = set()
        self._pycache: tempfile.TemporaryDirectory[str] | None = None
        self._import_trials = 0

    def run(self, workload: str, budget: float) -> dict[str, Any]:
        """One trial of ``workload``: ``{"times": [...], "result": {...}}`` or an error."""
        kind, _, arg = workload.partition(":")
        handler = getattr(self, "w_" + kind.replace("-", "_"), None)
        if handler is None:
            return {"error": f"unknown workload {workload!r}"}
        try:
            out: dict[str, Any] = handler(arg, budget)
        except (NotApplicable, NotImplementedError):
            return {"na": True}
        except Exception as exc:  # reported to the parent, which marks the cell as failed
            return {"error": f"{type(exc).__name__}: {exc}"[:500]}
        return out

    def _timed(self, workload: str, op: Callable[[Tally], Any],
               budget: float) -> dict[str, Any]:
        if workload not in self.warm:
            op(Tally())
            self.warm.add(workload)
        tallies: list[Tally] = []

        def once() -> None:
            tally = Tally()
            op(tally)
            tallies.append(tally)

        times = _repeat(once, budget)
        return {"times": times, "result": tallies[-1].summary()}

    def w_stream(self, name: str, budget: float) -> dict[str, Any]:
        """Sync text stream of payload ``name``."""
        return self._timed("stream:" + name, lambda t: self.client.stream(name, t), budget)

    def w_tool(self, name: str, budget: float) -> dict[str, Any]:
        """Sync streamed tool call of payload ``name``."""
        return self._timed("tool:" + name, lambda t: self.client.stream_tool(name, t), budget)

    def w_complete(self, name: str, budget: float) -> dict[str, Any]:
        """Non-streaming call of payload ``name``."""
        return self._timed("complete:" + name, lambda t: self.client.complete(name, t), budget)

    def w_async(self, arg: str, budget: float) -> dict[str, Any]:
        """``streams`` concurrent async streams (``arg`` = ``<streams>x<payload>``)."""
        count_text, _, name = arg.partition("x")
        count = int(count_text or ASYNC_STREAMS)
        name = name or ASYNC_PAYLOAD

        async def many(which: str) -> list[Tally]:
            tallies = [Tally() for _ in range(count)]
            await asyncio.gather(*(self.client.astream(which, t) for t in tallies))
            return tallies

        if "async" not in self.warm:
            # Warm-up with tiny replies: opens the connection pool, runs lazy imports.
            self.loop.run_until_complete(many("text-5"))
            self.warm.add("async")
        t0 = time.perf_counter()
        tallies = self.loop.run_until_complete(many(name))
        elapsed = time.perf_counter() - t0
        good = [t for t in tallies if t.summary()["text_crc"] == payload(name).text_crc]
        result = tallies[0].summary() | {"streams": count, "streams_ok": len(good),
                                         "total_chunks": sum(t.chunks for t in tallies)}
        return {"times": [elapsed], "result": result}

    def w_construct(self, arg: str, budget: float) -> dict[str, Any]:
        """Construct model instances until ``budget`` seconds are spent."""
        if not self.client.constructs:
            raise NotApplicable
        if "construct" not in self.warm:
            self.client.make()
            self.warm.add("construct")
        gc.collect()
        made: list[Any] = []
        times = _repeat(lambda: made.append(self.client.make()), budget, max_runs=500)
        return {"times": times, "result": {"instances": len(made)}}

    def w_import(self, arg: str, budget: float) -> dict[str, Any]:
        """Import time of the integration: ``IMPORT_RUNS`` fresh interpreters (this executable).

        Every module is loaded from bytecode, as after a wheel install: an untimed first
        interpreter writes ``.pyc`` files for everything it imports into a temporary
        ``PYTHONPYCACHEPREFIX`` (the same for all integrations, whatever
        ``PYTHONDONTWRITEBYTECODE`` says), and the timed ones read them from there.

        Each timed interpreter runs the import inside a function whose frame is padded by a
        number of stack slots taken from :data:`IMPORT_PADS` (see there), so that the trials of
        a run sample the whole 16 KiB frame-stack chunk instead of one lucky or unlucky spot.
        """
        if not self.client.import_line:
            raise NotApplicable
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")}
        if self._pycache is None:
            self._pycache = tempfile.TemporaryDirectory(prefix="bench-pycache-")
            env["PYTHONPYCACHEPREFIX"] = self._pycache.name
            _fresh_import(self.client.import_line, 0, env)  # writes the bytecode
        env |= {"PYTHONPYCACHEPREFIX": self._pycache.name, "PYTHONDONTWRITEBYTECODE": "1"}
        trial, self._import_trials = self._import_trials, self._import_trials + 1
        stride = len(IMPORT_PADS) // IMPORT_RUNS
        pads = [IMPORT_PADS[(trial + stride * run) % len(IMPORT_PADS)]
                for run in range(IMPORT_RUNS)]
        times = [_fresh_import(self.client.import_line, pad, env) for pad in pads]
        return {"times": times, "result": {"stack_pads": pads}}

    def w_versions(self, arg: str, budget: float) -> dict[str, Any]:
        """Installed versions of the packages that matter here (for the report header)."""
        from importlib import metadata

        versions = {"python": sys.version.split()[0]}
        for dist in VERSION_OF:
            with contextlib.suppress(metadata.PackageNotFoundError):
                versions[dist] = metadata.version(dist)
        return {"times": [], "result": versions}

    def w_memory(self, name: str, budget: float) -> dict[str, Any]:
        """Peak RSS growth over one stream of payload ``name``, consumer keeping nothing.

        Run it in a fresh process: ``ru_maxrss`` is a high-water mark for the whole process.
        """
        return self._memory(name, traced=False)

    def w_traced(self, name: str, budget: float) -> dict[str, Any]:
        """As :meth:`w_memory`, plus tracemalloc's peak of Python allocations (slower)."""
        return self._memory(name, traced=True)

    def _memory(self, name: str, traced: bool) -> dict[str, Any]:
        self.client.stream("text-500", Tally())  # warm-up: lazy imports, connection, caches
        gc.collect()
        sampler = _RSSSampler()
        if traced:
            tracemalloc.start()
        tally = Tally()
        with sampler:
            t0 = time.perf_counter()
            self.client.stream(name, tally)
            elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
        return {"times": [elapsed], "result": tally.summary() | {
            "traced_peak_bytes": peak, "rss_growth_bytes": sampler.growth}}


class _RSSSampler:
    """Samples this process's resident set size every few ms; ``growth`` = peak - start.

    ``ru_maxrss`` cannot be used: the import phase may have set a higher high-water mark.
    """

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        """Current RSS in bytes (Linux ``/proc/self/statm``)."""
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> _RSSSampler:
        self.start = self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak = max(self.peak, self.rss())
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        """Peak RSS growth in bytes over the measured block."""
        return self.peak - self.start


# --- entry points -------------------------------------------------------------------------


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[Any]:
    """Keep library prints off the JSON channel: yields the real stdout."""
    real = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield real
    finally:
        sys.stdout = saved
        real.close()


def serve(runner: Runner) -> None:
    """Answer ``{"workload": ..., "budget": ...}`` lines until stdin closes."""
    with _stdout_to_stderr() as out:
        out.write(json.dumps({"ready": True}) + "\n")
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            result = runner.run(command["workload"], float(command.get("budget", 0.5)))
            out.write(json.dumps(result) + "\n")


def main(argv: list[str] | None = None) -> int:
    """CLI: one workload (JSON on stdout) or ``--serve``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("integration", choices=sorted(INTEGRATIONS))
    parser.add_argument("workload", nargs="?", default="stream:text-2000",
                        help="e.g. stream:text-500, tool:tool-200, complete:json-500, "
                             "async:200xtext-200, construct, import, memory:text-100000")
    parser.add_argument("--base-url", help="server base URL (default: in-process emulator)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per trial")
    parser.add_argument("--serve", action="store_true", help="read commands from stdin")
    args = parser.parse_args(argv)
    server = None
    base_url = args.base_url
    if base_url is None:
        from serve import start

        server = start()
        base_url = server.base_url
    try:
        runner = Runner(INTEGRATIONS[args.integration](base_url))
        if args.serve:
            serve(runner)
        else:
            print(json.dumps(runner.run(args.workload, args.budget)))
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
