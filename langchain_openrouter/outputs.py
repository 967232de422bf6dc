"""Core results → LangChain messages, chunks and results.

Pure functions over ``openrouter_core.decode`` values: every OpenRouter fact (usage, cost,
served model, reasoning details, citations) was decoded by the core; this module only moves it
to the place LangChain expects it.

Streaming contract: :func:`delta_chunk` turns each normalised delta into a small chunk that
carries only what is new (text, a reasoning fragment, tool-call fragments, a whole image).
:func:`final_chunk` then carries everything that must appear exactly once: the merged
``reasoning_details``, ``usage_metadata``, citations and the response metadata. LangChain's
``merge_dicts`` concatenates strings, so per-fragment ``reasoning_details`` (whose ``type``
strings repeat) would be corrupted by aggregation; one final copy cannot be.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import (
    ToolCallChunk,
    invalid_tool_call,
    tool_call,
    tool_call_chunk,
)
from langchain_core.outputs import ChatGeneration, ChatResult

from openrouter_core.decode import (
    ChatResult as CoreResult,
    ChunkDelta,
    Image,
    ToolCall as CoreToolCall,
    Usage,
)

JSONDict = dict[str, Any]
PROVIDER = "openrouter"
"""The ``model_provider`` in ``response_metadata`` (selects our content-block translator)."""


def usage_metadata(usage: Usage) -> UsageMetadata:
    """OpenRouter usage → LangChain ``UsageMetadata`` with cache and reasoning details."""
    out = UsageMetadata(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens,
                        total_tokens=usage.total_tokens
                        or usage.prompt_tokens + usage.completion_tokens)
    inputs = InputTokenDetails()
    if usage.cached_tokens is not None:
        inputs["cache_read"] = usage.cached_tokens
    if usage.cache_write_tokens is not None:
        inputs["cache_creation"] = usage.cache_write_tokens
    if usage.audio_input_tokens is not None:
        inputs["audio"] = usage.audio_input_tokens
    outputs = OutputTokenDetails()
    if usage.reasoning_tokens is not None:
        outputs["reasoning"] = usage.reasoning_tokens
    if usage.audio_output_tokens is not None:
        outputs["audio"] = usage.audio_output_tokens
    if inputs:
        out["input_token_details"] = inputs
    if outputs:
        out["output_token_details"] = outputs
    return out


def response_metadata(result: CoreResult, requested_model: str) -> JSONDict:
    """The ``response_metadata`` of a finished turn: served model, provider, cost, reasons."""
    meta: JSONDict = {
        "model_provider": PROVIDER,
        # The served model (a dated slug, or the fallback that answered); else what we asked.
        "model_name": result.model or requested_model,
    }
    for key in ("id", "provider", "created", "system_fingerprint", "service_tier",
                "finish_reason", "native_finish_reason", "logprobs"):
        value = getattr(result, key)
        if value is not None:
            meta[key] = value
    usage = result.usage
    if usage is not None:
        for key in ("cost", "cost_details", "is_byok", "server_tool_use", "server_tool_cost"):
            value = getattr(usage, key)
            if value is not None:
                meta[key] = value
        # The wire's usage object, for cost handlers to decode with the core (one reading).
        meta["usage"] = usage.raw
    if result.annotations:
        meta["annotations"] = result.annotations
    return meta


def image_block(image: Image) -> JSONDict:
    """A generated image as a LangChain v1 ``image`` block (base64 when it is a data URL)."""
    data = image.base64_data
    if data is not None:
        return {"type": "image", "base64": data, "mime_type": image.mime_type or "image/png"}
    return {"type": "image", "url": image.url}


def parse_tool_call(call: CoreToolCall, result: CoreResult) -> ToolCall | InvalidToolCall:
    """A complete tool call of ``result``; arguments that are not a JSON object make it invalid
    (the error names the output limit when that cut the arguments off)."""
    problem = result.tool_call_problem(call)
    if problem is not None:
        return invalid_tool_call(name=call.name, args=call.arguments, id=call.id or None,
                                 error=problem)
    return tool_call(name=call.name, args=call.parsed_arguments(), id=call.id or None)


def invalid_calls(result: CoreResult) -> list[InvalidToolCall]:
    """The calls of ``result`` that cannot be run, with their raw arguments and the reason."""
    out: list[InvalidToolCall] = []
    for call in result.tool_calls:
        problem = result.tool_call_problem(call)
        if problem is not None:
            out.append(invalid_tool_call(name=call.name, args=call.arguments,
                                         id=call.id or None, error=problem))
    return out


def _content(text: str, images: list[Image]) -> str | list[str | JSONDict]:
    if not images:
        return text
    blocks: list[str | JSONDict] = [{"type": "text", "text": text}] if text else []
    blocks.extend(image_block(image) for image in images)
    return blocks


def _reasoning_kwargs(result: CoreResult) -> JSONDict:
    extra: JSONDict = {}
    if result.reasoning:
        extra["reasoning_content"] = result.reasoning
    if result.reasoning_details:
        extra["reasoning_details"] = result.reasoning_details
    if result.refusal:
        extra["refusal"] = result.refusal
    return extra


def ai_message(result: CoreResult, requested_model: str) -> AIMessage:
    """A non-streamed turn as an ``AIMessage``."""
    calls = [parse_tool_call(call, result) for call in result.tool_calls]
    return AIMessage(
        content=_content(result.content, result.images),
        additional_kwargs=_reasoning_kwargs(result),
        tool_calls=[c for c in calls if c.get("type") == "tool_call"],
        invalid_tool_calls=[c for c in calls if c.get("type") == "invalid_tool_call"],
        usage_metadata=usage_metadata(result.usage) if result.usage else None,
        response_metadata=response_metadata(result, requested_model),
        id=result.id,
    )


def chat_result(results: list[CoreResult], requested_model: str) -> ChatResult:
    """One or more choices (``n`` > 1) as a LangChain ``ChatResult``."""
    generations = []
    for result in results:
        message = ai_message(result, requested_model)
        info: JSONDict = {"finish_reason": result.finish_reason}
        if result.logprobs is not None:
            info["logprobs"] = result.logprobs
        generations.append(ChatGeneration(message=message, generation_info=info))
    first = results[0]
    llm_output: JSONDict = {"model_name": first.model or requested_model, "id": first.id}
    if first.usage is not None:
        llm_output["token_usage"] = first.usage.raw
    return ChatResult(generations=generations, llm_output=llm_output)


def delta_chunk(delta: ChunkDelta) -> AIMessageChunk | None:
    """The new material of one stream delta, or ``None`` when it carries nothing new."""
    chunks = [tool_call_chunk(name=t.name, args=t.arguments, id=t.id, index=t.index)
              for t in delta.tool_calls]
    extra: JSONDict = {"reasoning_content": delta.reasoning} if delta.reasoning else {}
    text = delta.content or ""
    if not (text or chunks or extra or delta.images):
        return None
    fields: JSONDict = {
        "content": _content(text, delta.images),
        "additional_kwargs": extra,
        "response_metadata": {"model_provider": PROVIDER},
        "id": delta.id,
    }
    if chunks and all(_never_an_object(c["args"]) for c in chunks):
        return _unparsed_fragment_chunk(fields, chunks)
    return AIMessageChunk(tool_call_chunks=chunks, **fields)


_JSON_WHITESPACE = " \t\n\r"
"""What ``json.loads`` skips before a value (narrower than ``str.isspace``)."""


def _never_an_object(args: str | None) -> bool:
    """Whether langchain-core's partial-JSON reading of ``args`` can never give a dict.

    ``AIMessageChunk``'s validator runs ``parse_partial_json`` on every fragment and keeps the
    result as a tool call only if it is a dict. That parser only escapes characters inside
    strings, trims the end and appends closing brackets, so the first character after JSON
    whitespace stays the same in every attempt, and ``json.loads`` decides the value's type by
    that character: without a leading ``{`` no attempt can yield a dict. Empty ``args`` are
    not covered (the validator turns them into ``{}``).
    """
    if not args:
        return False
    return not args.lstrip(_JSON_WHITESPACE).startswith("{")


def _unparsed_fragment_chunk(fields: JSONDict, chunks: list[ToolCallChunk]) -> AIMessageChunk:
    """The chunk ``AIMessageChunk(tool_call_chunks=chunks, **fields)`` would build, cheaply.

    For fragments that cannot parse to an object (see :func:`_never_an_object`), the validator
    would make about one failing ``json.loads`` per character (~90 % of a fragment's cost, and
    ``ChatOpenAI`` pays it too) only to record each fragment as an invalid tool call. Here the
    validator is given that outcome instead: with ``tool_call_chunks`` empty it only derives
    chunks from the invalid calls, which are then replaced by the real ones (assignment is not
    validated). Every field, and the set of fields marked as set, equals the validated build;
    ``tests/unit/langchain/test_lc_fragment_chunks.py`` checks that on generated fragments.
    """
    invalid = [invalid_tool_call(name=c["name"], args=c["args"], id=c["id"], error=None)
               for c in chunks]
    message = AIMessageChunk(tool_calls=[], invalid_tool_calls=invalid, **fields)
    message.tool_call_chunks = chunks
    return message


def final_chunk(result: CoreResult, requested_model: str) -> AIMessageChunk:
    """The closing chunk: merged reasoning details, usage (once) and response metadata."""
    extra: JSONDict = {}
    if result.reasoning_details:
        extra["reasoning_details"] = result.reasoning_details
    if result.refusal:
        extra["refusal"] = result.refusal
    meta = response_metadata(result, requested_model)
    broken = invalid_calls(result)
    if broken:
        # Adding chunks re-reads the fragments with langchain-core's partial-JSON parser, which
        # completes cut-off arguments; this list is the authoritative verdict on the aggregate.
        meta["invalid_tool_calls"] = broken
    return AIMessageChunk(
        content="",
        additional_kwargs=extra,
        usage_metadata=usage_metadata(result.usage) if result.usage else None,
        response_metadata=meta,
        id=result.id,
        chunk_position="last",
    )


def settle_tool_calls(message: AIMessage) -> AIMessage:
    """``message`` with the calls its final chunk reported as invalid moved out of
    ``tool_calls`` (where langchain-core's partial-JSON reading of a streamed aggregate put
    them) into ``invalid_tool_calls``, so that no agent runs a cut-off call.

    ``invoke`` applies it, and ``invoke`` is what agents call, streaming or not.
    """
    reported = message.response_metadata.get("invalid_tool_calls")
    if not reported or not message.tool_calls:
        return message
    ids = {c.get("id") for c in reported}
    known = {c.get("id") for c in message.invalid_tool_calls}
    message.tool_calls = [c for c in message.tool_calls if c.get("id") not in ids]
    message.invalid_tool_calls = [*message.invalid_tool_calls,
                                  *(c for c in reported if c.get("id") not in known)]
    if isinstance(message.content, list):  # output_version="v1" keeps calls as blocks too
        by_id = {c.get("id"): c for c in reported}
        message.content = [
            dict(by_id[b.get("id")]) if isinstance(b, dict) and b.get("type") == "tool_call"
            and b.get("id") in by_id else b
            for b in message.content
        ]
    return message
