"""The ``content_blocks`` translator for messages with ``model_provider="openrouter"``.

``AIMessage.content_blocks`` looks up a translator by ``response_metadata["model_provider"]``.
Ours turns what :mod:`langchain_openrouter.responses` stores into LangChain v1 blocks:
reasoning first (from ``reasoning_content``, else from ``reasoning_details``), then text with
url citations as ``citation`` annotations, generated images, and tool calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk, content as types
from langchain_core.messages.block_translators import register_translator

from langchain_openrouter.responses import PROVIDER
from openrouter_core.decode import decode_citation


def citation(annotation: Mapping[str, Any]) -> types.Citation | None:
    """An OpenRouter ``url_citation`` annotation as a LangChain ``citation`` (only the fields
    the server sent; the LlamaIndex adapter reads the same core :class:`Citation`)."""
    found = decode_citation(annotation)
    if found is None:
        return None
    out = types.Citation(type="citation", url=found.url)
    if found.title is not None:
        out["title"] = found.title
    if found.start_index is not None:
        out["start_index"] = found.start_index
    if found.end_index is not None:
        out["end_index"] = found.end_index
    if found.content is not None:
        out["cited_text"] = found.content
    return out


def _citations(message: AIMessage) -> list[types.Annotation]:
    raw = message.response_metadata.get("annotations") or []
    found = (citation(a) for a in raw if isinstance(a, Mapping))
    return [c for c in found if c is not None]


def _reasoning(message: AIMessage, *, from_details: bool) -> list[types.ContentBlock]:
    extra = message.additional_kwargs
    text = extra.get("reasoning_content")
    if isinstance(text, str) and text:
        return [types.ReasoningContentBlock(type="reasoning", reasoning=text)]
    if not from_details:
        return []
    blocks: list[types.ContentBlock] = []
    for detail in extra.get("reasoning_details") or []:
        if not isinstance(detail, Mapping):
            continue
        piece = detail.get("text") or detail.get("summary")
        if isinstance(piece, str) and piece:
            blocks.append(types.ReasoningContentBlock(type="reasoning", reasoning=piece))
    return blocks


def _content(message: AIMessage, annotations: list[types.Annotation]) -> list[types.ContentBlock]:
    content = message.content
    items: list[Any] = [content] if isinstance(content, str) else list(content)
    blocks: list[types.ContentBlock] = []
    for item in items:
        if isinstance(item, str):
            if item:
                blocks.append(types.TextContentBlock(type="text", text=item))
        elif isinstance(item, Mapping) and item.get("type") == "text":
            blocks.append(types.TextContentBlock(type="text", text=str(item.get("text", ""))))
        elif isinstance(item, Mapping) and item.get("type") in types.KNOWN_BLOCK_TYPES:
            blocks.append(cast("types.ContentBlock", dict(item)))
        elif isinstance(item, Mapping):
            blocks.append(types.NonStandardContentBlock(type="non_standard", value=dict(item)))
    if annotations:
        for block in blocks:
            if block["type"] == "text":
                block["annotations"] = annotations
                break
    return blocks


def _tool_blocks(message: AIMessage) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = [
        types.ToolCall(type="tool_call", name=c["name"], args=c["args"], id=c.get("id"))
        for c in message.tool_calls
    ]
    blocks.extend(
        types.InvalidToolCall(type="invalid_tool_call", name=c.get("name"), args=c.get("args"),
                              id=c.get("id"), error=c.get("error"))
        for c in message.invalid_tool_calls
    )
    return blocks


def _cited(blocks: list[types.ContentBlock],
           citations: list[types.Annotation]) -> list[types.ContentBlock]:
    # Citations ride on the text block; a reply with none (tool calls or reasoning only) gets
    # an empty text block at the end to carry them, so that they are never dropped. A stream's
    # final chunk, which brings the citations without text, ends the same way, and the block
    # then merges into the streamed text block (stream_lifecycle gives it that index).
    if citations and not any(block["type"] == "text" for block in blocks):
        blocks.append(types.TextContentBlock(type="text", text="", annotations=citations))
    return blocks


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Standard blocks of a complete OpenRouter ``AIMessage``."""
    citations = _citations(message)
    return _cited([*_reasoning(message, from_details=True), *_content(message, citations),
                   *_tool_blocks(message)], citations)


def _tool_index(index: Any) -> str:
    # The chunks' blocks are merged by ``index`` when chunks are added. The reasoning and text
    # blocks get theirs from langchain-core's stream, which counts block types (0, 1, ...), so
    # a tool call's own index (0 for the first call) would merge it into the first of those:
    # tool calls are named apart, as langchain-core's OpenAI translator names them.
    return f"lc_tc_{index}"


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Standard blocks of one chunk (or of an aggregate of chunks)."""
    # Only the reasoning text is per-chunk; the final chunk's merged ``reasoning_details``
    # restate it and would double every reasoning block in an aggregated v1 stream.
    citations = _citations(message)
    blocks = [*_reasoning(message, from_details=False), *_content(message, citations)]
    if message.chunk_position == "last" or not message.tool_call_chunks:
        return _cited([*blocks, *_tool_blocks(message)], citations)
    for chunk in message.tool_call_chunks:
        block = types.ToolCallChunk(type="tool_call_chunk", id=chunk.get("id"),
                                    name=chunk.get("name"), args=chunk.get("args"))
        # A chunk without an index belongs to the first call (as in the core's assembler).
        block["index"] = _tool_index(chunk.get("index") or 0)
        blocks.append(block)
    return blocks


def register() -> None:
    """Register this translator for ``model_provider="openrouter"`` (idempotent)."""
    register_translator(PROVIDER, translate_content, translate_content_chunk)
