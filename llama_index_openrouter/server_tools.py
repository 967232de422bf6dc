"""OpenRouter server tools as LlamaIndex tools, to pass next to ``FunctionTool``s.

``OpenRouter.chat_with_tools``, ``FunctionAgent`` and ``AgentWorkflow`` take a list of
LlamaIndex tools; :class:`OpenRouterServerTool` is one whose request entry is the server-tool
dict (checked by :mod:`openrouter_core.server_tools`, the one declaration both adapters share).
OpenRouter runs the tool and the model answers with its result, so the tool is never called in
this process; if an agent ever tried, the call fails with a message saying so.

The helpers (:func:`image_generation`, :func:`web_search`, :func:`web_fetch`,
:func:`datetime_tool`) take the same arguments as the core's and return an
:class:`OpenRouterServerTool`. :func:`generated_images` reads the images a model linked in its
answer (see :func:`openrouter_core.server_tools.image_urls_in_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ParamSpec

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ImageBlock
from llama_index.core.tools.types import AsyncBaseTool, ToolMetadata, ToolOutput

from openrouter_core import server_tools as core
from openrouter_core.errors import InputError

P = ParamSpec("P")


class OpenRouterServerTool(AsyncBaseTool):
    """A server tool (``openrouter:*``) in a LlamaIndex tool list; runs on OpenRouter only."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = core.check_server_tool(spec, "server tool")
        kind = str(self.spec["type"])
        known = core.SPECS.get(kind)
        self._metadata = ToolMetadata(
            name=kind, description=f"OpenRouter server tool: {known.summary}" if known
            else f"OpenRouter server tool {kind}", fn_schema=None)

    @property
    def metadata(self) -> ToolMetadata:
        """The tool's name is its ``type``; it has no local argument schema."""
        return self._metadata

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:  # noqa: ARG002
        """Never runs here: OpenRouter executes server tools during the model call."""
        raise InputError(f"{self.spec['type']} is an OpenRouter server tool: OpenRouter runs it "
                         "while the model answers, it cannot be called locally")

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Async :meth:`call` (also refuses)."""
        return self.call(*args, **kwargs)

    def __repr__(self) -> str:
        return f"OpenRouterServerTool({self.spec!r})"


def _wrapped(helper: Callable[P, dict[str, Any]]) -> Callable[P, OpenRouterServerTool]:
    @wraps(helper)
    def make(*args: P.args, **kwargs: P.kwargs) -> OpenRouterServerTool:
        return OpenRouterServerTool(helper(*args, **kwargs))

    make.__doc__ = f"{helper.__doc__}\n\nReturns an :class:`OpenRouterServerTool`."
    return make


image_generation = _wrapped(core.image_generation)
web_search = _wrapped(core.web_search)
web_fetch = _wrapped(core.web_fetch)
datetime_tool = _wrapped(core.datetime_tool)


def generated_images(reply: ChatResponse | ChatMessage) -> list[ImageBlock]:
    """The images the model linked in its text as Markdown images, as ``ImageBlock``s (URL).

    Chat Completions returns ``openrouter:image_generation`` results only as links in the
    model's text; this reads them on request. Images a model outputs itself (``modalities``)
    are already ``ImageBlock``s in the message.
    """
    message = reply.message if isinstance(reply, ChatResponse) else reply
    return [ImageBlock(url=url) for url in core.image_urls_in_text(message.content or "")]
