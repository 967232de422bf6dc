"""Core results → LangChain messages, chunks and results.

Pure functions over ``openrouter_core.decode`` values: every OpenRouter fact (usage, cost,
served model, reasoning details, citations) was decoded by the core; this module only moves it
to the place LangChain expects it.

Streamed chunks are built in :mod:`langchain_openrouter.streaming` from the same pieces.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import (
    invalid_tool_call,
    tool_call,
)
from langchain_core.outputs import ChatGeneration, ChatResult

from openrouter_core.decode import (
    ChatResult as CoreResult,
    Image,
    ToolCall as CoreToolCall,
    Usage,
)
from openrouter_core.stored import SAMPLE_REPLIES, matches_validated, stored

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


def message_content(text: str, images: list[Image]) -> str | list[str | JSONDict]:
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
    content = message_content(result.content, result.images)
    additional_kwargs = _reasoning_kwargs(result)
    usage = usage_metadata(result.usage) if result.usage else None
    metadata = response_metadata(result, requested_model)
    if not calls and isinstance(content, str) and UNVALIDATED_BUILDS:
        return _text_message(content, additional_kwargs, usage, metadata, result.id)
    return AIMessage(
        content=content,
        additional_kwargs=additional_kwargs,
        tool_calls=[c for c in calls if c.get("type") == "tool_call"],
        invalid_tool_calls=[c for c in calls if c.get("type") == "invalid_tool_call"],
        usage_metadata=usage,
        response_metadata=metadata,
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
        generations.append(_generation(message, info))
    first = results[0]
    llm_output: JSONDict = {"model_name": first.model or requested_model, "id": first.id}
    if first.usage is not None:
        llm_output["token_usage"] = first.usage.raw
    if not UNVALIDATED_BUILDS:
        return ChatResult(generations=generations, llm_output=llm_output)
    return stored(ChatResult, {"generations": generations, "llm_output": llm_output},
                  _RESULT_FIELDS_SET)


# A non-streamed text reply is built without pydantic's validation, as streamed chunks are
# (see langchain_openrouter.streaming.text_chunk): every field is already of its declared type,
# and validating the message, its generation and the result cost a tenth of a whole call
# against a local server. UNVALIDATED_BUILDS is decided at import by comparing both builds on
# sample replies, so a langchain-core or pydantic release that changes these models falls back
# to the validated builds (and a test fails, so that we notice).

def _text_message(content: str, additional_kwargs: JSONDict, usage: UsageMetadata | None,
                  metadata: JSONDict, message_id: str | None) -> AIMessage:
    """``AIMessage(content=content, additional_kwargs=..., tool_calls=[],
    invalid_tool_calls=[], usage_metadata=usage, response_metadata=metadata, id=message_id)``,
    stored."""
    return stored(AIMessage, {
        "content": content, "additional_kwargs": additional_kwargs,
        "response_metadata": metadata, "type": "ai", "name": None, "id": message_id,
        "tool_calls": [], "invalid_tool_calls": [], "usage_metadata": usage},
        _MESSAGE_FIELDS_SET, extra={})


def _generation(message: AIMessage, info: JSONDict) -> ChatGeneration:
    """``ChatGeneration(message=message, generation_info=info)``, stored when the message's
    content is a string (its ``text``)."""
    if not UNVALIDATED_BUILDS or not isinstance(message.content, str):
        return ChatGeneration(message=message, generation_info=info)
    return stored(ChatGeneration, {"text": message.content, "generation_info": info,
                                   "type": "ChatGeneration", "message": message},
                  _GENERATION_FIELDS_SET)


_MESSAGE_FIELDS_SET = frozenset({"content", "additional_kwargs", "tool_calls",
                                 "invalid_tool_calls", "usage_metadata", "response_metadata",
                                 "id"})
_GENERATION_FIELDS_SET = frozenset({"message", "text", "generation_info"})
_RESULT_FIELDS_SET = frozenset({"generations", "llm_output"})
UNVALIDATED_BUILDS = True
"""Whether text replies, their generations and results skip validation (decided below)."""

def _same_as_validated() -> bool:
    """Whether the unvalidated builds equal the validated ones in this environment."""
    from openrouter_core.decode import decode_response

    return matches_validated(globals(), "UNVALIDATED_BUILDS", SAMPLE_REPLIES, lambda body:
                             chat_result([decode_response(body)], "openai/gpt-4o-mini"))


UNVALIDATED_BUILDS = _same_as_validated()


_CALL_BLOCKS = frozenset({"tool_call", "invalid_tool_call", "tool_call_chunk"})
"""v1 content blocks of a call (a streamed one langchain-core could not read stays a chunk)."""


def settle_tool_calls(message: AIMessage) -> AIMessage:
    """``message`` with the calls its final chunk reported as invalid moved out of
    ``tool_calls`` (where langchain-core's partial-JSON reading of a streamed aggregate put
    them) into ``invalid_tool_calls``, so that no agent runs a cut-off call.

    ``invoke`` applies it, and ``invoke`` is what agents call, streaming or not.
    """
    reported = message.response_metadata.get("invalid_tool_calls")
    if not reported:
        return message
    by_id = {c.get("id"): c for c in reported}

    def settled(call: Any) -> Any:
        # A call langchain-core could not read at all is already invalid, without a reason:
        # it gets ours (what is wrong with the arguments).
        found = by_id.get(call.get("id"))
        return dict(found) if found is not None and not call.get("error") else call

    known = {c.get("id") for c in message.invalid_tool_calls}
    message.invalid_tool_calls = [*map(settled, message.invalid_tool_calls),
                                  *(c for c in reported if c.get("id") not in known)]
    if message.tool_calls:
        message.tool_calls = [c for c in message.tool_calls if c.get("id") not in by_id]
    if isinstance(message.content, list):  # output_version="v1" keeps calls as blocks too
        message.content = [
            settled(b) if isinstance(b, dict) and b.get("type") in _CALL_BLOCKS
            and b.get("id") in by_id else b
            for b in message.content
        ]
    return message
