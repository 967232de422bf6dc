"""Settings validation and request assembly: clear errors, nothing garbage on the wire."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openrouter_core.errors import InputError
from openrouter_core.request import (
    BodyTemplate,
    build_body,
    build_headers,
    normalize_tool_choice,
)
from openrouter_core.settings import Attribution, RequestSettings
from openrouter_core.spelling import UnknownKeyWarning

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}
USER = [{"role": "user", "content": "hi"}]


def test_unset_settings_send_nothing() -> None:
    assert RequestSettings().to_body() == {}
    assert build_body("openai/gpt-4o", USER, RequestSettings()) == {
        "model": "openai/gpt-4o", "messages": USER}


@pytest.mark.filterwarnings("ignore:provider. 'new_field' is not a key:UserWarning")
def test_every_documented_option_reaches_the_body() -> None:
    settings = RequestSettings(
        temperature=0.2, max_tokens=100, top_k=40, min_p=0.1, top_a=0.2,
        repetition_penalty=1.1, provider={"order": ["anthropic"], "sort": "price",
                                          "max_price": {"prompt": 1}, "zdr": True,
                                          "new_field": "kept"},
        models=["x-ai/grok-4"], route="fallback", transforms=["middle-out"],
        plugins=[{"id": "web", "max_results": 3}], reasoning={"effort": "high"},
        modalities=["image", "text"], image_config={"aspect_ratio": "16:9"},
        verbosity="low", session_id="s1", trace={"trace_id": "t"}, user="u",
        prompt_cache_key="k", debug={"echo_upstream_body": True}, service_tier="flex",
        max_tool_calls=3, prediction={"type": "content", "content": "x"},
        extra_body={"brand_new_param": 1},
    )
    body = settings.to_body()
    assert body["provider"] == {"order": ["anthropic"], "sort": "price",
                                "max_price": {"prompt": 1.0}, "zdr": True, "new_field": "kept"}
    assert body["plugins"] == [{"id": "web", "max_results": 3}]
    assert body["reasoning"] == {"effort": "high"}
    assert body["debug"] == {"echo_upstream_body": True}
    assert body["brand_new_param"] == 1
    assert body["top_k"] == 40
    assert body["models"] == ["x-ai/grok-4"]


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"provider": {"sort": "cheapest"}}, "provider.sort"),
    ({"reasoning": {"effort": "extreme"}}, "reasoning.effort"),
    ({"session_id": "x" * 257}, "session_id"),
    ({"max_tokens": -5}, "max_tokens"),
    ({"temperature": 5}, "temperature"),
    ({"provider": {"data_collection": "maybe"}}, "provider.data_collection"),
    ({"reasoning": {"effort": "low", "max_tokens": 10}}, "either 'effort' or 'max_tokens'"),
    ({"models": [""]}, "models"),
    ({"not_a_setting": 1}, "not_a_setting"),
])
def test_invalid_settings_fail_at_construction_naming_the_parameter(
    kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        RequestSettings(**kwargs)  # type: ignore[arg-type]
    text = str(info.value).replace("\n", " ")
    assert all(part in text for part in fragment.split(".")), text


def test_sort_object_form_is_accepted() -> None:
    body = RequestSettings(provider={"sort": {"by": "throughput", "partition": "none"}}).to_body()
    assert body["provider"]["sort"] == {"by": "throughput", "partition": "none"}


def test_merged_overrides_validate_and_route_unknown_keys_to_extra_body() -> None:
    base = RequestSettings(temperature=0.1, session_id="a")
    with pytest.warns(UnknownKeyWarning, match="the per-call arguments: 'custom' is not a key"):
        merged = base.merged({"temperature": 0.7, "custom": {"x": 1}})
    assert merged.to_body() == {"temperature": 0.7, "session_id": "a", "custom": {"x": 1}}
    with pytest.raises(ValidationError):
        base.merged({"temperature": 9})


@pytest.mark.parametrize("slug", [
    "meta-llama/llama-3.3-70b:free", "openai/gpt-4o:nitro", "x:floor", "x:exacto",
    "openai/gpt-4o:online", "anthropic/claude-3.7-sonnet:thinking",
    "~anthropic/claude-sonnet-latest", "@preset/my-preset", "openai/gpt-4o@preset/p",
    "openrouter/auto"])
def test_model_slugs_pass_through_unchanged(slug: str) -> None:
    assert build_body(slug, USER, RequestSettings())["model"] == slug


def test_stream_body_asks_for_usage() -> None:
    body = build_body("m", USER, RequestSettings(), stream=True)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "stream_options" not in build_body("m", USER, RequestSettings(), stream=True,
                                              stream_usage=False)


def test_tools_choice_and_server_tools() -> None:
    server = {"type": "openrouter:web_search", "parameters": {"max_results": 2}}
    body = build_body("m", USER, RequestSettings(), tools=[TOOL, server], tool_choice="any",
                      parallel_tool_calls=False)
    assert body["tools"] == [TOOL, server]
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False
    assert normalize_tool_choice("get_weather", [TOOL]) == {
        "type": "function", "function": {"name": "get_weather"}}
    assert normalize_tool_choice({"type": "function", "function": {"name": "get_weather"}},
                                 [TOOL])["function"]["name"] == "get_weather"
    assert normalize_tool_choice("auto", [TOOL]) == "auto"


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: build_body("m", [], RequestSettings()), "message list is empty"),
    (lambda: build_body("", USER, RequestSettings()), "model"),
    (lambda: build_body("m", [{"role": "wizard", "content": "x"}], RequestSettings()),
     "unknown role 'wizard'"),
    (lambda: build_body("m", [{"role": "user", "content": [{"type": "hologram"}]}],
                        RequestSettings()), "unsupported content part type 'hologram'"),
    (lambda: build_body("m", [{"role": "user", "content": [
        {"type": "image_url", "image_url": {}}]}], RequestSettings()),
     "image_url part has neither data nor a URL"),
    (lambda: build_body("m", [{"role": "tool", "content": "x"}], RequestSettings()),
     "tool_call_id"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[TOOL], tool_choice="other"),
     "'other', which is not bound"),
    (lambda: build_body("m", USER, RequestSettings(), tool_choice="required"),
     "no tools are bound"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"default": object()}}}]), "not JSON-serialisable"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[TOOL, {"type": "function",
        "function": {"name": "g", "parameters": {"default": object()}}}]),
     "tools[1] (g): schema is not JSON-serialisable"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[{"type": "retrieval"}]),
     "'retrieval'"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[TOOL, RequestSettings]),
     "tools[1]: expected a tool dict"),
    (lambda: build_body("m", USER, RequestSettings(), tools=[TOOL, RequestSettings]),
     "got the class 'RequestSettings'"),
    (lambda: build_body("m", USER, RequestSettings(), tools=TOOL),
     "tools: expected a list of tool dicts, got dict"),
    (lambda: build_body("m", USER, RequestSettings(), tools="get_weather"),
     "tools: expected a list of tool dicts, got str 'get_weather'"),
    (lambda: build_body("m", USER, RequestSettings(n=2), stream=True),
     "n: must be 1 for a streamed reply (got 2)"),
    (lambda: build_body("m", USER, RequestSettings(extra_body={"n": 3}), stream=True),
     "n: must be 1 for a streamed reply (got 3)"),
    (lambda: BodyTemplate("m", RequestSettings(n=2), stream=True),
     "n: must be 1 for a streamed reply (got 2)"),
    (lambda: build_body("m", USER, RequestSettings(), response_format="json_object"),
     "response_format: expected a dict such as {'type': 'json_object'}"),
    (lambda: build_body("m", USER, RequestSettings(), response_format=RequestSettings),
     "got the class 'RequestSettings'; for a schema class, use the framework's structured"),
])
def test_bad_input_is_rejected_with_a_named_problem(call: object, fragment: str) -> None:
    with pytest.raises(InputError, match=None) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)


def test_attribution_headers_off_by_default_and_both_title_headers() -> None:
    assert Attribution().headers() == {}
    headers = build_headers(Attribution(app_url="https://me.example", app_title="Me",
                                        app_categories=["cli-agent", "coding"]).headers(),
                            {"X-Custom": "1"})
    assert headers == {"X-Custom": "1", "HTTP-Referer": "https://me.example",
                       "X-OpenRouter-Title": "Me", "X-Title": "Me",
                       "X-OpenRouter-Categories": "cli-agent,coding"}
