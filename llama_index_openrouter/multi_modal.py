"""``OpenRouterMultiModal``: the ``MultiModalLLM`` interface over the same adapter.

For code that still calls ``complete(prompt, image_documents)`` (multi-modal query engines and
programs built on ``MultiModalLLM``). Every call is delegated to an :class:`OpenRouter` with the
same configuration, so requests, responses, streaming and errors behave identically; the
``MultiModalLLM`` base class adds the instrumentation callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.generic_utils import image_node_to_image_block
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    ImageBlock,
    MessageRole,
    TextBlock,
)
from llama_index.core.multi_modal_llms.base import MultiModalLLM, MultiModalLLMMetadata
from llama_index.core.schema import ImageNode
from pydantic import ConfigDict, Field

from llama_index_openrouter.base import OpenRouter
from llama_index_openrouter.config import OpenRouterConfig

JSONDict = dict[str, Any]


def prompt_with_images(prompt: str,
                       image_documents: Sequence[ImageNode | ImageBlock]) -> list[ChatMessage]:
    """One user message: the prompt's text, then each image as an ``ImageBlock``."""
    blocks: list[Any] = [TextBlock(text=prompt)]
    for item in image_documents:
        blocks.append(item if isinstance(item, ImageBlock) else image_node_to_image_block(item))
    return [ChatMessage(role=MessageRole.USER, blocks=blocks)]


class OpenRouterMultiModal(MultiModalLLM, OpenRouterConfig):
    """OpenRouter vision (and audio/video/PDF-capable) models behind ``MultiModalLLM``.

    Accepts the same arguments as :class:`~llama_index_openrouter.OpenRouter`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    # The callback wrappers MultiModalLLM installs read ``rate_limiter`` (an LLM field that
    # MultiModalLLM itself lacks), so it is declared here, as on ``LLM``.
    rate_limiter: Any | None = Field(
        default=None, exclude=True, description="Rate limiter instance to throttle API calls.")

    @classmethod
    def class_name(cls) -> str:
        """Stable serialisation name."""
        return "OpenRouter_MultiModal_LLM"

    def to_payload(self) -> JSONDict:
        """What instrumentation events carry (``MultiModalLLM`` lacks this, yet its callback
        wrappers call it): metadata and routing, never credentials."""
        return {"class_name": self.class_name(), **self.metadata.model_dump(),
                "api_base": self.api_base}

    def _llm(self) -> OpenRouter:
        # Built per call from the current field values, so changed settings take effect.
        return OpenRouter(**self.config_values())

    @property
    def metadata(self) -> MultiModalLLMMetadata:
        """Context window, output budget and tool support of the configured model."""
        meta = self._llm().metadata
        return MultiModalLLMMetadata(
            context_window=meta.context_window, num_output=meta.num_output,
            is_function_calling_model=meta.is_function_calling_model,
            model_name=meta.model_name, is_chat_model=True)

    def complete(self, prompt: str, image_documents: Sequence[ImageNode | ImageBlock],
                 **kwargs: Any) -> CompletionResponse:
        """Answer ``prompt`` about the images."""
        return self._llm()._complete(prompt_with_images(prompt, image_documents), **kwargs)

    async def acomplete(self, prompt: str, image_documents: Sequence[ImageNode | ImageBlock],
                        **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""
        return await self._llm()._acomplete(prompt_with_images(prompt, image_documents),
                                            **kwargs)

    def stream_complete(self, prompt: str, image_documents: Sequence[ImageNode | ImageBlock],
                        **kwargs: Any) -> CompletionResponseGen:
        """Stream the answer to ``prompt`` about the images."""
        gen: CompletionResponseGen = self._llm()._stream(
            prompt_with_images(prompt, image_documents), kwargs, chat=False)
        return gen

    async def astream_complete(self, prompt: str,
                               image_documents: Sequence[ImageNode | ImageBlock],
                               **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        gen: CompletionResponseAsyncGen = self._llm()._astream(
            prompt_with_images(prompt, image_documents), kwargs, chat=False)
        return gen

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Chat with content blocks (images, documents, audio, video)."""
        return self._llm()._chat(messages, **kwargs)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        return await self._llm()._achat(messages, **kwargs)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream a chat reply."""
        gen: ChatResponseGen = self._llm()._stream(messages, kwargs, chat=True)
        return gen

    async def astream_chat(self, messages: Sequence[ChatMessage],
                           **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        gen: ChatResponseAsyncGen = self._llm()._astream(messages, kwargs, chat=True)
        return gen
