"""One small driver per framework: the same fault case run through all eight call styles.

A :class:`Style` names one way a user calls a model (LangChain ``invoke``/``stream``/``ainvoke``/
``astream``, LlamaIndex ``chat``/``stream_chat``/``achat``/``astream_chat``). :func:`run` builds a
model pointed at the emulator, makes one call in that style and returns an :class:`Outcome`:
the text pieces the caller received (stream deltas, in order), the final text on success and
the exception raised, if any. Async styles run on a private event loop whose shared clients are
closed afterwards, so no connection outlives the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from pydantic import SecretStr

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import transport
from openrouter_core.testing import Emulator

KEY = "sk-or-v1-" + "5f3c9a0e1b7d4c2a" * 4
"""A realistic-looking key (``sk-or-v1-`` + 64 hex characters); never a real one."""
MODEL = "openai/gpt-4o-mini"
PROMPT = "Tell me something."

Framework = Literal["langchain", "llama_index"]
Model = ChatOpenRouter | OpenRouter


@dataclass(frozen=True, slots=True)
class Style:
    """One call style: framework, method name, streaming or not, sync or async."""

    framework: Framework
    method: str
    streaming: bool
    is_async: bool

    @property
    def id(self) -> str:
        """Short id used in test ids and the report: ``lc.invoke``, ``li.astream_chat``..."""
        prefix = "lc" if self.framework == "langchain" else "li"
        return f"{prefix}.{self.method}"


STYLES: tuple[Style, ...] = (
    Style("langchain", "invoke", streaming=False, is_async=False),
    Style("langchain", "stream", streaming=True, is_async=False),
    Style("langchain", "ainvoke", streaming=False, is_async=True),
    Style("langchain", "astream", streaming=True, is_async=True),
    Style("llama_index", "chat", streaming=False, is_async=False),
    Style("llama_index", "stream_chat", streaming=True, is_async=False),
    Style("llama_index", "achat", streaming=False, is_async=True),
    Style("llama_index", "astream_chat", streaming=True, is_async=True),
)
"""Every call style, in report column order."""


@dataclass(slots=True)
class Outcome:
    """What the caller saw: streamed ``pieces``, the final ``text`` or the ``error``."""

    pieces: list[str] = field(default_factory=list)
    text: str | None = None
    result: Any = None
    error: BaseException | None = None

    @property
    def received(self) -> str:
        """Everything the caller got before the end (joined stream pieces or final text)."""
        return "".join(self.pieces) if self.pieces else (self.text or "")


def make_model(style: Style | Framework, emu: Emulator, **settings: Any) -> Model:
    """A model of ``style``'s framework talking to ``emu`` (``max_retries=0`` by default)."""
    framework = style.framework if isinstance(style, Style) else style
    settings.setdefault("max_retries", 0)
    if framework == "langchain":
        return ChatOpenRouter(model=MODEL, api_key=SecretStr(KEY), base_url=emu.base_url,
                              **settings)
    return OpenRouter(model=MODEL, api_key=SecretStr(KEY), api_base=emu.base_url, **settings)


def llama_messages(text: str = PROMPT) -> list[ChatMessage]:
    """A one-message LlamaIndex conversation."""
    return [ChatMessage(role=MessageRole.USER, content=text)]


def _content_text(message: BaseMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else "".join(
        b if isinstance(b, str) else str(b.get("text", "")) for b in content)


def _sync_call(style: Style, model: Any, prompt: Any, out: Outcome, kwargs: dict[str, Any]
               ) -> None:
    if style.method == "invoke":
        out.result = model.invoke(prompt, **kwargs)
        out.text = _content_text(out.result)
    elif style.method == "chat":
        out.result = model.chat(prompt, **kwargs)
        out.text = out.result.message.content or ""
    elif style.method == "stream":
        for chunk in model.stream(prompt, **kwargs):
            out.result = chunk if out.result is None else out.result + chunk
            if text := _content_text(chunk):
                out.pieces.append(text)
        out.text = "".join(out.pieces)
    else:  # stream_chat
        for response in model.stream_chat(prompt, **kwargs):
            out.result = response
            if response.delta:
                out.pieces.append(response.delta)
        out.text = "".join(out.pieces)


async def _async_call(style: Style, model: Any, prompt: Any, out: Outcome,
                      kwargs: dict[str, Any]) -> None:
    if style.method == "ainvoke":
        out.result = await model.ainvoke(prompt, **kwargs)
        out.text = _content_text(out.result)
    elif style.method == "achat":
        out.result = await model.achat(prompt, **kwargs)
        out.text = out.result.message.content or ""
    elif style.method == "astream":
        async for chunk in model.astream(prompt, **kwargs):
            out.result = chunk if out.result is None else out.result + chunk
            if text := _content_text(chunk):
                out.pieces.append(text)
        out.text = "".join(out.pieces)
    else:  # astream_chat
        async for response in await model.astream_chat(prompt, **kwargs):
            out.result = response
            if response.delta:
                out.pieces.append(response.delta)
        out.text = "".join(out.pieces)


def default_prompt(style: Style) -> Any:
    """The prompt in the shape ``style``'s framework takes."""
    return PROMPT if style.framework == "langchain" else llama_messages()


async def on_private_loop(call: Callable[[], Awaitable[None]]) -> None:
    """Run ``call`` and close the shared async clients of this loop afterwards."""
    try:
        await call()
    finally:
        await transport.aclose()


def call(style: Style, model: Any, prompt: Any = None, **kwargs: Any) -> Outcome:
    """Make one call in ``style`` (``kwargs`` go to the call); never raises: the exception
    goes into the outcome. ``model`` may be a LangChain runnable (e.g. ``bind_tools``)."""
    out = Outcome()
    prompt = default_prompt(style) if prompt is None else prompt
    try:
        if style.is_async:
            asyncio.run(on_private_loop(lambda: _async_call(style, model, prompt, out, kwargs)))
        else:
            _sync_call(style, model, prompt, out, kwargs)
    except Exception as exc:  # the outcome under test
        out.error = exc
    return out


def run(style: Style, emu: Emulator, prompt: Any = None, **settings: Any) -> Outcome:
    """Build a model for ``style`` against ``emu`` (``settings`` go to the constructor) and
    make one call."""
    return call(style, make_model(style, emu, **settings), prompt)
