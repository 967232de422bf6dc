"""The auto responder: deterministic, plausible answers when no reply was scripted.

Built from small rules, each ``(RecordedRequest) -> Reply | None`` (``None``: "not mine"),
tried in order by :func:`first_of`. Wrap or extend it freely::

    def weather(request):
        if "weather" in (request.last_user_text or ""):
            return Reply.text("Sunny, 21 °C.")
        return None

    emulator.responder = first_of(weather, fallback=auto_respond)

Default order (:data:`DEFAULT_RULES`): answer a tool result (unless a call is forced), call a
function tool, use a server tool (image generation, web search), draw an image
(``modalities``), structured output, then :func:`answer`: a short plausible reply naming the
topic (``Here is a short answer about "…": …``; :func:`answer_text` gives the text for a
prompt, so tests can compare). :func:`echo` ("You said: …") is still there for
``first_of(..., fallback=echo)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openrouter_core.testing.records import JSONDict, RecordedRequest, text_of
from openrouter_core.testing.replies import Reply, Responder
from openrouter_core.testing.samples import sample_from_schema

Rule = Callable[[RecordedRequest], "Reply | None"]
"""A responder that may decline a request by returning ``None``."""

MAX_ECHO = 1000
"""Longest user text quoted back by :func:`echo`; longer text is cut with an ellipsis."""


def _function_tools(request: RecordedRequest) -> list[JSONDict]:
    tools = request.body_dict.get("tools")
    if not isinstance(tools, list):
        return []
    return [t["function"] for t in tools if isinstance(t, dict) and t.get("type") == "function"
            and isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str)]


def _forced_name(tool_choice: Any) -> str | None:
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return str(function["name"])
        if isinstance(tool_choice.get("name"), str):
            return str(tool_choice["name"])
    return None


def _last_is_tool_result(request: RecordedRequest) -> bool:
    last = request.last_message
    return last is not None and last.get("role") == "tool"


def _forced_after_result(request: RecordedRequest) -> str | None:
    # The tool a real model must call after a tool result, when tool_choice forces one: the
    # named function, or for "required" (what "any" and True become) the first tool not
    # called since the user's message (an agent's structured-answer tool, say). None when
    # nothing is forced, or every tool was called already: the result is then answered in
    # text, which ends an agent loop that a real model would end some other way.
    tools = _function_tools(request)
    tool_choice = request.body_dict.get("tool_choice")
    if not tools:
        return None
    named = _forced_name(tool_choice)
    if named is not None:
        return named
    if tool_choice != "required":
        return None
    called = _called_this_turn(request)
    return next((t["name"] for t in tools if t["name"] not in called), None)


def _called_this_turn(request: RecordedRequest) -> set[str]:
    # The functions the assistant called since the last user message.
    called: set[str] = set()
    for message in reversed(request.messages):
        if message.get("role") == "user":
            break
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                called.add(function["name"])
    return called


def structured_output(request: RecordedRequest) -> Reply | None:
    """``response_format`` ``json_schema`` → JSON synthesized from the schema;
    ``json_object`` → a small JSON object."""
    response_format = request.body_dict.get("response_format")
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        value = sample_from_schema(schema if isinstance(schema, dict) else {"type": "object"})
        return Reply.text(json.dumps(value, ensure_ascii=False))
    if kind == "json_object":
        return Reply.text(json.dumps({"answer": _echo_text(request)}, ensure_ascii=False))
    return None


def call_tool(request: RecordedRequest) -> Reply | None:
    """Call the forced tool (``tool_choice`` naming one) or the first function tool, with
    arguments synthesized from its ``parameters`` schema.

    Declines when there are no function tools, ``tool_choice`` is ``"none"``, or the last
    message is a tool result and no call is forced. After a tool result, ``"required"`` calls
    the first tool not yet called since the user's message (the structured-answer tool of an
    agent, say); once every tool was called, the result is answered in text instead.
    """
    tools = _function_tools(request)
    tool_choice = request.body_dict.get("tool_choice")
    if not tools or tool_choice == "none":
        return None
    if _last_is_tool_result(request):
        forced = _forced_after_result(request)
        if forced is None:
            return None
    else:
        forced = _forced_name(tool_choice)
    tool = next((t for t in tools if t["name"] == forced), tools[0])
    parameters = tool.get("parameters")
    arguments = sample_from_schema(parameters) if isinstance(parameters, dict) else {}
    return Reply.tool_calls((tool["name"], arguments if isinstance(arguments, dict) else {}))


def _server_tool_types(request: RecordedRequest) -> set[str]:
    tools = request.body_dict.get("tools")
    if not isinstance(tools, list):
        return set()
    return {str(t["type"]) for t in tools
            if isinstance(t, dict) and str(t.get("type", "")).startswith("openrouter:")}


def use_server_tool(request: RecordedRequest) -> Reply | None:
    """With ``openrouter:image_generation`` in ``tools``: an answer linking one generated
    image; with ``openrouter:web_search``: a cited answer. Both carry the usage details and fee
    OpenRouter reports. Declines after a tool result, or without those server tools."""
    kinds = _server_tool_types(request)
    if _last_is_tool_result(request) or request.body_dict.get("tool_choice") == "none":
        return None
    topic = _echo_text(request)
    if "openrouter:image_generation" in kinds:
        return Reply.image_generation(f"Here is an image for: {topic}")
    if "openrouter:web_search" in kinds:
        return Reply.web_search(f"According to the search, {topic} [1].")
    return None


SAMPLE_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQV"
              "R4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
"""A 1x1 PNG as a data URL: the image :func:`draw_image` returns."""


def draw_image(request: RecordedRequest) -> Reply | None:
    """``modalities`` with ``"image"`` (GPT-5 Image, Gemini image models): a short caption and
    one generated image as a data URL in ``message.images``, as image models answer."""
    modalities = request.body_dict.get("modalities")
    if not isinstance(modalities, list) or "image" not in modalities:
        return None
    return Reply.text(f"Here is the image you asked for: {_echo_text(request)}",
                      images=[SAMPLE_PNG])


def answer_tool_result(request: RecordedRequest) -> Reply | None:
    """After a ``tool`` message: a text answer quoting the tool result (or structured output
    when the request asks for a ``response_format``). Declines when ``tool_choice`` forces a
    call (:func:`call_tool` makes it)."""
    if not _last_is_tool_result(request) or _forced_after_result(request) is not None:
        return None
    structured = structured_output(request)
    if structured is not None:
        return structured
    results: list[str] = []
    for message in reversed(request.messages):
        if message.get("role") != "tool":
            break
        results.insert(0, text_of(message.get("content")))
    return Reply.text(f"The tool returned: {'; '.join(results)}")


def _echo_text(request: RecordedRequest) -> str:
    text = request.last_user_text
    if text is None:
        return "Hello from the OpenRouter emulator."
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"


def echo(request: RecordedRequest) -> Reply:
    """A short deterministic answer quoting the last user text: ``"You said: …"``."""
    if request.last_user_text is None:
        return Reply.text(_echo_text(request))
    return Reply.text(f"You said: {_echo_text(request)}")


MAX_TOPIC = 120
"""Longest part of the user's text :func:`answer` mentions; longer text is cut at a word."""

_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "howdy", "good morning",
                        "good afternoon", "good evening", "greetings", "yo"})


def topic_of(text: str) -> str:
    """The user's text as :func:`answer` mentions it: one line, no trailing ``?!.``, at most
    :data:`MAX_TOPIC` characters (cut at a word, with an ellipsis)."""
    topic = " ".join(text.split()).rstrip("?!.;: ")
    if len(topic) > MAX_TOPIC:
        topic = topic[:MAX_TOPIC].rsplit(" ", 1)[0] + "…"
    return topic


def answer_text(text: str | None) -> str:
    """The fallback answer to the user text ``text`` (deterministic): a greeting back for a
    greeting, otherwise a short helpful reply that names the topic in quotes."""
    if text is None or not text.strip():
        return "Hello from the OpenRouter emulator. How can I help you today?"
    topic = topic_of(text)
    if topic.lower().strip(",") in _GREETINGS:
        return f"{topic[:1].upper()}{topic[1:]}! How can I help you today?"
    return (f'Here is a short answer about "{topic}": the main points are well established, '
            "and I can go into more detail on any of them if that helps.")


def answer(request: RecordedRequest) -> Reply:
    """The default fallback: :func:`answer_text` for the last user text, a plausible short
    reply that mentions the topic (use :func:`echo` for ``"You said: …"``)."""
    return Reply.text(answer_text(request.last_user_text))


DEFAULT_RULES: tuple[Rule, ...] = (answer_tool_result, call_tool, use_server_tool,
                                   draw_image, structured_output)
"""The rules :func:`auto_respond` tries before falling back to :func:`answer`."""


def first_of(*rules: Rule, fallback: Responder = answer) -> Responder:
    """A responder trying ``rules`` in order, answering with ``fallback`` if all decline."""

    def respond(request: RecordedRequest) -> Reply:
        for rule in rules:
            reply = rule(request)
            if reply is not None:
                return reply
        return fallback(request)

    return respond


def auto_respond(request: RecordedRequest) -> Reply:
    """The default responder: :data:`DEFAULT_RULES`, then :func:`answer`."""
    return _DEFAULT(request)


_DEFAULT = first_of(*DEFAULT_RULES)
