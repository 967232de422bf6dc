"""Core results (``ChatResult``) → LlamaIndex ``ChatMessage``, ``ChatResponse`` and
``CompletionResponse``.

Pure functions, the other direction from :mod:`llama_index_openrouter.messages`. Every value
comes from ``openrouter_core.decode``; nothing is re-read from the raw JSON here.

Where things land:

* text → ``TextBlock``; reasoning → ``ThinkingBlock`` whose ``additional_information`` keeps
  ``reasoning_details`` (sent back unchanged on the next turn); tool calls → ``ToolCallBlock``
  and ``message.additional_kwargs["tool_calls"]``; generated images → ``ImageBlock``; url
  citations → ``CitationBlock`` plus every annotation in ``additional_kwargs["annotations"]``.
* token counts, ``cost``, ``cost_details``, generation ``id``, served ``model``, ``provider``,
  ``finish_reason``/``native_finish_reason`` → ``response.additional_kwargs``;
  ``raw`` is the decoded body (or stream chunk) so ``raw["usage"]`` is there for token counters.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from llama_index_openrouter.messages import REASONING_DETAILS_KEY
from openrouter_core.decode import ChatResult, Citation, Image, ToolCall, Usage
from openrouter_core.request import tool_call_entry
from openrouter_core.stored import SAMPLE_REPLIES, matches_validated, stored

JSONDict = dict[str, Any]
ContentBlocks = list[Any]


def tool_call_block(call: ToolCall) -> ToolCallBlock:
    """A ``ToolCallBlock``; arguments that are not (yet) a JSON object stay a string."""
    try:
        parsed = call.parsed_arguments()
    except ValueError:
        parsed = None
    kwargs: dict[str, Any] | str = parsed if isinstance(parsed, dict) else call.arguments
    return ToolCallBlock(tool_call_id=call.id or None, tool_name=call.name, tool_kwargs=kwargs)


def tool_call_wire(call: ToolCall) -> JSONDict:
    """The OpenAI-shaped dict LlamaIndex code expects in ``additional_kwargs["tool_calls"]``."""
    return tool_call_entry(call.id, call.name, call.arguments, call.type)


def image_block(image: Image) -> ImageBlock:
    """A generated image: data URLs become inline bytes, remote URLs stay URLs."""
    data = image.base64_data
    if data is not None:
        return ImageBlock(image=data.encode("ascii"), image_mimetype=image.mime_type)
    return ImageBlock(url=image.url)


def citation_block(citation: Citation) -> CitationBlock:
    """A ``CitationBlock`` from one decoded url citation.

    ``CitationBlock`` requires a title and cited content; when the server sent none they are
    empty strings, never a guess, so both adapters report the same citation.
    """
    location = {name: value for name in ("start_index", "end_index")
                if (value := getattr(citation, name)) is not None}
    return CitationBlock(cited_content=TextBlock(text=citation.content or ""),
                         source=citation.url, title=citation.title or "",
                         additional_location_info=location)


def thinking_block(result: ChatResult) -> ThinkingBlock | None:
    """The reasoning of a turn, with its ``reasoning_details`` kept verbatim."""
    if not result.reasoning and not result.reasoning_details:
        return None
    usage = result.usage
    return ThinkingBlock(
        content=result.reasoning,
        num_tokens=usage.reasoning_tokens if usage is not None else None,
        additional_information={REASONING_DETAILS_KEY: [dict(d) for d in
                                                        result.reasoning_details]},
    )


def message_blocks(result: ChatResult) -> ContentBlocks:
    """The content blocks of an assistant turn, in the order the model produced them."""
    blocks: ContentBlocks = []
    thinking = thinking_block(result)
    if thinking is not None:
        blocks.append(thinking)
    if result.content or not (result.tool_calls or result.images):
        blocks.append(_text_block(result.content))
    # Each kind only when present: most replies are text alone, and an empty generator is
    # still a frame to make on every reply.
    if result.images:
        blocks.extend(image_block(i) for i in result.images)
    if citations := result.citations:
        blocks.extend(citation_block(c) for c in citations)
    if result.tool_calls:
        blocks.extend(tool_call_block(c) for c in result.tool_calls)
    return blocks


def message_kwargs(result: ChatResult) -> JSONDict:
    """``ChatMessage.additional_kwargs``: tool calls, annotations and a refusal, when present."""
    extra: JSONDict = {}
    if result.tool_calls:
        extra["tool_calls"] = [tool_call_wire(c) for c in result.tool_calls]
    if result.annotations:
        extra["annotations"] = list(result.annotations)
    if result.refusal:
        extra["refusal"] = result.refusal
    return extra


def to_chat_message(result: ChatResult) -> ChatMessage:
    """The assistant ``ChatMessage`` of a complete (or assembled) result."""
    blocks, extra = message_blocks(result), message_kwargs(result)
    if not UNVALIDATED_BUILDS:
        return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)
    return stored(ChatMessage, {"role": MessageRole.ASSISTANT, "additional_kwargs": extra,
                                "blocks": blocks}, _MESSAGE_FIELDS_SET)


def usage_kwargs(usage: Usage | None) -> JSONDict:
    """Token counts under the names ``TokenCountingHandler`` reads, plus cost and cache data."""
    if usage is None:
        return {}
    out: JSONDict = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    for name in ("cost", "is_byok", "cost_details", "cached_tokens", "cache_write_tokens",
                 "reasoning_tokens", "image_tokens", "server_tool_use", "server_tool_cost"):
        value = getattr(usage, name)
        if value is not None:
            out[name] = value
    out["usage"] = usage.raw  # the wire's object: cost handlers decode it with the core
    return out


def response_kwargs(result: ChatResult) -> JSONDict:
    """``ChatResponse.additional_kwargs``: usage, cost and OpenRouter's envelope facts."""
    out = usage_kwargs(result.usage)
    for name in ("id", "model", "provider", "finish_reason", "native_finish_reason",
                 "system_fingerprint", "service_tier"):
        value = getattr(result, name)
        if value is not None:
            out[name] = value
    return out


def to_logprobs(raw: JSONDict | None) -> list[list[LogProb]] | None:
    """OpenAI-shaped ``logprobs.content`` → LlamaIndex's one list of alternatives per token."""
    if not raw or not isinstance(raw.get("content"), list):
        return None
    out: list[list[LogProb]] = []
    for entry in raw["content"]:
        if not isinstance(entry, dict):
            continue
        alternatives = entry.get("top_logprobs") or [entry]
        out.append([LogProb(token=str(a.get("token", "")), logprob=float(a.get("logprob", 0.0)),
                            bytes=list(a.get("bytes") or [])) for a in alternatives
                    if isinstance(a, dict)])
    return out


def raw_with_usage(raw: JSONDict, usage: Usage | None) -> JSONDict:
    """``raw`` carrying ``usage`` (a stream's usage may arrive before its last chunk)."""
    if usage is None or "usage" in raw:
        return raw
    return {**raw, "usage": usage.raw}


def to_chat_response(result: ChatResult, *, delta: str | None = None,
                     raw: JSONDict | None = None) -> ChatResponse:
    """A ``ChatResponse`` for a whole result (non-streaming, or the last chunk of a stream)."""
    fields: JSONDict = {
        "message": to_chat_message(result),
        "raw": raw_with_usage(result.raw if raw is None else raw, result.usage),
        "delta": delta, "logprobs": to_logprobs(result.logprobs),
        "additional_kwargs": response_kwargs(result)}
    if not UNVALIDATED_BUILDS:
        return ChatResponse(**fields)
    return stored(ChatResponse, fields, _CHAT_RESPONSE_FIELDS_SET)


def to_completion_response(result: ChatResult, *, delta: str | None = None,
                           raw: JSONDict | None = None) -> CompletionResponse:
    """A ``CompletionResponse`` for a whole result; the text is the assistant's content. What
    a chat reply's message would carry has no message to go on, so it is in
    ``additional_kwargs``: a refusal (``"refusal"``), the raw citations (``"annotations"``)
    and generated images (``"images"``, as the wire sends them)."""
    extra = response_kwargs(result)
    if result.refusal:
        extra["refusal"] = result.refusal
    if result.annotations:
        extra["annotations"] = list(result.annotations)
    if result.images:
        extra["images"] = [dict(image.raw) if image.raw else
                           {"type": "image_url", "image_url": {"url": image.url}}
                           for image in result.images]
    fields: JSONDict = {
        "text": result.content, "additional_kwargs": extra,
        "raw": raw_with_usage(result.raw if raw is None else raw, result.usage),
        "logprobs": to_logprobs(result.logprobs), "delta": delta}
    if not UNVALIDATED_BUILDS:
        return CompletionResponse(**fields)
    return stored(CompletionResponse, fields, _COMPLETION_FIELDS_SET)


# A whole reply's message, text block and response are built without pydantic's validation:
# every field is already of its declared type (the blocks are built validated, except the
# text block, which is a string), and validating them took about a fifth of a non-streamed
# call's work in this package. UNVALIDATED_BUILDS is decided at import by comparing both
# builds on sample replies, so a llama-index-core or pydantic release that changes these
# models falls back to the validated builds (and a test fails, so that we notice).

def _text_block(text: str) -> TextBlock:
    """``TextBlock(text=text)``, stored."""
    if not UNVALIDATED_BUILDS:
        return TextBlock(text=text)
    return stored(TextBlock, {"block_type": "text", "text": text}, _TEXT_BLOCK_FIELDS_SET)


_TEXT_BLOCK_FIELDS_SET = frozenset({"text"})
_MESSAGE_FIELDS_SET = frozenset({"role", "additional_kwargs", "blocks"})
_CHAT_RESPONSE_FIELDS_SET = frozenset({"message", "raw", "delta", "logprobs",
                                       "additional_kwargs"})
_COMPLETION_FIELDS_SET = frozenset({"text", "additional_kwargs", "raw", "logprobs", "delta"})
UNVALIDATED_BUILDS = True
"""Whether whole replies skip validation (decided below)."""

def _same_as_validated() -> bool:
    """Whether the unvalidated builds equal the validated ones in this environment."""
    from openrouter_core.decode import decode_response

    def build(body: dict[str, Any]) -> list[Any]:
        result = decode_response(body)
        return [to_chat_response(result), to_completion_response(result, delta="d")]

    return matches_validated(globals(), "UNVALIDATED_BUILDS", SAMPLE_REPLIES, build)


UNVALIDATED_BUILDS = _same_as_validated()
