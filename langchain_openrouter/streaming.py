"""Stream deltas → LangChain chunks (pure): the LlamaIndex adapter's ``streaming.py`` does the
same job for LlamaIndex's streamed responses.

Contract: :func:`delta_chunk` turns each normalised delta into a small chunk that carries only
what is new (text, a reasoning fragment, tool-call fragments, a whole image).
:func:`final_chunk` then carries everything that must appear exactly once: the merged
``reasoning_details``, ``usage_metadata``, citations, the response metadata and the verdict on
tool calls that cannot run. LangChain's ``merge_dicts`` concatenates strings, so per-fragment
``reasoning_details`` (whose ``type`` strings repeat) would be corrupted by aggregation; one
final copy cannot be.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk, invalid_tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter.responses import (
    PROVIDER,
    invalid_calls,
    message_content,
    response_metadata,
    usage_metadata,
)
from openrouter_core.decode import ChatResult as CoreResult, ChunkDelta, Image
from openrouter_core.stored import matches_validated, stored

JSONDict = dict[str, Any]


def delta_chunk(delta: ChunkDelta, *, first_image: int | None = None) -> AIMessageChunk | None:
    """The new material of one stream delta, or ``None`` when it carries nothing new
    (``first_image``: the number of images the stream brought before this delta; given, image
    blocks carry their place in the reply, see :func:`streamed_content`)."""
    extra: JSONDict = {"reasoning_content": delta.reasoning} if delta.reasoning else {}
    text = delta.content or ""
    if not delta.tool_calls and not delta.images:
        # Text and reasoning: almost every chunk of a stream.
        return text_chunk(text, extra, delta.id) if text or extra else None
    chunks = [tool_call_chunk(name=t.name, args=t.arguments, id=t.id, index=t.index)
              for t in delta.tool_calls]
    fields: JSONDict = {
        "content": (message_content(text, delta.images) if first_image is None
                    else streamed_content(text, delta.images, first_image)),
        "additional_kwargs": extra,
        "response_metadata": {"model_provider": PROVIDER},
        "id": delta.id,
    }
    if chunks and all(_never_an_object(c["args"]) for c in chunks):
        return _unparsed_fragment_chunk(fields, chunks)
    return AIMessageChunk(tool_call_chunks=chunks, **fields)


def streamed_content(text: str, images: list[Image],
                     first_image: int) -> str | list[str | JSONDict]:
    """A chunk's content: as a whole reply's (:func:`~langchain_openrouter.responses.
    message_content`), with each image block named by its place in the reply, counted over
    the whole stream from ``first_image``, as ``lc_img_<n>``.

    With ``output_version="v1"``, chunks are added up block by block by ``index``, and
    langchain-core's streams number the blocks of one type that follow each other alike: two
    images of one reply merged into one block, their base64 strings and MIME types run
    together. Named apart, they stay apart, as tool calls do (``lc_tc_<n>``). The count is the
    stream's own, not the wire's image ``index``, which nothing says is unique beyond a chunk.
    (A v0 stream adds image blocks without an index one after the other, so its chunks keep
    them as a whole reply does.)"""
    content = message_content(text, images)
    if isinstance(content, str):
        return content
    place = first_image
    for block in content:
        if isinstance(block, dict) and block.get("type") == "image":
            block["index"] = f"lc_img_{place}"
            place += 1
    return content


def text_chunk(text: str, additional_kwargs: JSONDict, message_id: str | None) -> AIMessageChunk:
    """``AIMessageChunk(content=text, additional_kwargs=..., response_metadata=
    {"model_provider": "openrouter"}, id=message_id, tool_call_chunks=[])``, built without
    running pydantic's validation.

    Validating a chunk whose fields are a string, two small dicts and empty lists costs about
    4 µs, as much as reading the chunk off the wire; this stores the same fields directly, as
    pydantic's own ``model_construct`` does, in a quarter of the time. Every field and the set
    of fields marked as set equal the validated build: :data:`UNVALIDATED_BUILDS` is decided
    at import by comparing both on sample chunks, so a langchain-core or pydantic release that
    adds or changes a field falls back to the validated build (and a test fails, so that we
    notice).
    """
    if not UNVALIDATED_BUILDS:
        return AIMessageChunk(content=text, additional_kwargs=additional_kwargs,
                              response_metadata={"model_provider": PROVIDER}, id=message_id,
                              tool_call_chunks=[])
    return stored(AIMessageChunk, {
        "content": text, "additional_kwargs": additional_kwargs,
        "response_metadata": {"model_provider": PROVIDER}, "type": "AIMessageChunk",
        "name": None, "id": message_id, "tool_calls": [], "invalid_tool_calls": [],
        "usage_metadata": None, "tool_call_chunks": [], "chunk_position": None},
        _TEXT_CHUNK_FIELDS_SET, extra={})


def generation_chunk(message: AIMessageChunk) -> ChatGenerationChunk:
    """``ChatGenerationChunk(message=message)`` for a message from :func:`text_chunk`, built
    without validation on the same terms (its ``text`` is the message's string content)."""
    if not UNVALIDATED_BUILDS or not isinstance(message.content, str):
        return ChatGenerationChunk(message=message)
    return stored(ChatGenerationChunk, {"text": message.content, "generation_info": None,
                                         "type": "ChatGenerationChunk", "message": message},
                  _GENERATION_FIELDS_SET)


_TEXT_CHUNK_FIELDS_SET = frozenset(
    {"content", "additional_kwargs", "response_metadata", "id", "tool_call_chunks"})
_GENERATION_FIELDS_SET = frozenset({"text", "message"})
UNVALIDATED_BUILDS = True
"""Whether :func:`text_chunk` and :func:`generation_chunk` skip validation (decided below)."""


_SAMPLE_CHUNKS: tuple[tuple[str, dict[str, Any], str | None], ...] = (
    ("word ", {}, "gen-1"), ("", {"reasoning_content": "r"}, None))
"""Text, extra fields and id of the chunks the import check builds both ways."""


def _same_as_validated() -> bool:
    """Whether the unvalidated builds equal the validated ones in this environment."""
    def build(sample: tuple[str, dict[str, Any], str | None]) -> list[Any]:
        text, extra, message_id = sample
        message = text_chunk(text, dict(extra), message_id)
        return [message, generation_chunk(message)]

    return matches_validated(globals(), "UNVALIDATED_BUILDS", _SAMPLE_CHUNKS, build)


UNVALIDATED_BUILDS = _same_as_validated()


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
    ``tests/langchain/test_lc_fragment_chunks.py`` checks that on generated fragments.
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
