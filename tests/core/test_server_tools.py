"""Server tools: one declaration, the same checks for helpers and hand-written dicts."""

from __future__ import annotations

import warnings

import pytest

from openrouter_core import server_tools, spelling
from openrouter_core.decode import decode_usage
from openrouter_core.errors import InputError
from openrouter_core.request import check_tools
from openrouter_core.spelling import UnknownKeyWarning
from openrouter_core.testing import Emulator, Reply


def test_helpers_build_the_documented_dicts() -> None:
    assert server_tools.image_generation() == {"type": "openrouter:image_generation"}
    assert server_tools.image_generation(model="openai/gpt-5-image-mini", quality="high",
                                         aspect_ratio="16:9", output_format="webp",
                                         output_compression=80) == {
        "type": "openrouter:image_generation",
        "parameters": {"model": "openai/gpt-5-image-mini", "quality": "high",
                       "aspect_ratio": "16:9", "output_format": "webp",
                       "output_compression": 80}}
    assert server_tools.web_search(max_results=3, engine="exa") == {
        "type": "openrouter:web_search", "parameters": {"engine": "exa", "max_results": 3}}
    assert server_tools.datetime_tool(timezone="Europe/Paris")["parameters"] == {
        "timezone": "Europe/Paris"}
    assert server_tools.web_fetch(max_uses=2)["type"] == "openrouter:web_fetch"


@pytest.mark.parametrize(("parameters", "needle"), [
    ({"quality": "ultra"}, "'quality' must be one of 'auto', 'low', 'medium', 'high', "
                           "got 'ultra'"),
    ({"background": "clear"}, "'background' must be one of 'auto', 'transparent', 'opaque'"),
    ({"output_format": "gif"}, "'output_format' must be one of 'png', 'jpeg', 'webp', 'svg'"),
    ({"moderation": "off"}, "'moderation' must be one of 'auto', 'low'"),
    ({"output_format": "jpeg", "output_compression": 101},
     "'output_compression' must be a number in [0, 100], got 101"),
    ({"output_format": "jpeg", "output_compression": 50.5}, "'output_compression' must be"),
    ({"output_compression": 50}, "output_compression applies only to lossy output formats "
                                 "(jpeg, webp); output_format is png (the default)"),
    ({"output_format": "png", "output_compression": 50}, "output_format is png"),
    ({"background": "transparent", "output_format": "jpeg"},
     "a transparent background needs output_format png or webp"),
    ({"size": "big"}, "'size' must be a string matching"),
    ({"quallity": "high"}, "unknown key 'quallity'; did you mean 'quality'?"),
    ({"model": 5}, "'model' must be a string, got 5"),
])
def test_image_generation_values_are_checked(parameters: dict[str, object],
                                             needle: str) -> None:
    raw = {"type": "openrouter:image_generation", "parameters": parameters}
    with pytest.raises(InputError) as info:
        check_tools([raw])
    assert needle in str(info.value)
    assert "tools[0] (openrouter:image_generation)" in str(info.value)


def test_helper_and_raw_dict_get_the_same_check() -> None:
    with pytest.raises(InputError, match="'quality' must be one of") as helper:
        server_tools.image_generation(quality="ultra")
    with pytest.raises(InputError, match="'quality' must be one of") as raw:
        server_tools.check_server_tool({"type": "openrouter:image_generation",
                                        "parameters": {"quality": "ultra"}})
    assert str(helper.value).split(": ", 1)[1] == str(raw.value).split(": ", 1)[1]


def test_web_search_ranges() -> None:
    with pytest.raises(InputError, match=r"'max_results' must be a number in \[1, 25\], got 30"):
        server_tools.web_search(max_results=30)
    with pytest.raises(InputError, match="'search_context_size' must be one of"):
        check_tools([{"type": "openrouter:web_search",
                      "parameters": {"search_context_size": "huge"}}])
    with pytest.raises(InputError, match="'max_results' must be"):
        check_tools([{"type": "openrouter:web_search", "parameters": {"max_results": True}}])


def test_misspelled_tool_type_and_top_level_key() -> None:
    with pytest.raises(InputError, match="did you mean 'openrouter:image_generation'"):
        check_tools([{"type": "openrouter:image_generaton"}])
    with pytest.raises(InputError, match="unknown key 'parameter'; did you mean 'parameters'"):
        check_tools([{"type": "openrouter:web_search", "parameter": {"max_results": 2}}])
    with pytest.raises(InputError, match="'parameters' must be an object"):
        check_tools([{"type": "openrouter:web_search", "parameters": [1]}])


def test_unknown_parameter_warns_once_at_the_callers_line_and_is_sent() -> None:
    spelling._warned.clear()
    raw = {"type": "openrouter:image_generation", "parameters": {"style_preset": "anime"}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = check_tools([raw])
        check_tools([raw])
    assert sent == [raw]
    [warning] = [w for w in caught if issubclass(w.category, spelling.UnknownKeyWarning)]
    assert "'style_preset' is not a key this package knows; it is sent as given" in str(
        warning.message)
    assert warning.filename == __file__  # the user's line, not ours


def test_unknown_server_tool_is_sent_with_a_warning() -> None:
    spelling._warned.clear()
    with pytest.warns(spelling.UnknownKeyWarning, match="openrouter:code_interpreter"):
        assert check_tools([{"type": "openrouter:code_interpreter"}]) == [
            {"type": "openrouter:code_interpreter"}]


def test_extra_parameters_are_sent_unchecked() -> None:
    tool = server_tools.image_generation(quality="high", extra={"quality": "ultra",
                                                                "image_size": "4K"})
    assert tool["parameters"] == {"quality": "ultra", "image_size": "4K"}


def test_shorthand_search_types_pass() -> None:
    assert check_tools([{"type": "web_search_preview"}]) == [{"type": "web_search_preview"}]


def test_every_declared_parameter_is_checked() -> None:
    """For every tool and every parameter it declares, a value of the wrong type fails naming
    the parameter (so no declaration is decorative), and the bare tool passes."""
    for kind, spec in server_tools.SPECS.items():
        assert server_tools.check_server_tool({"type": kind}) == {"type": kind}
        assert spec.summary
        for name in spec.params:
            with pytest.raises(InputError, match=f"parameter {name!r} must be"):
                server_tools.check_server_tool({"type": kind,
                                                "parameters": {name: object()}})


def test_image_urls_in_text_reads_markdown_images_only() -> None:
    text = ("Here it is:\n\n![Generated image](https://images.openrouter.ai/a.png)\n"
            "Source: https://example.com/page.png and ![again](https://images.openrouter.ai/a.png)"
            ' ![b](<https://cdn.example/b.webp> "title")')
    assert server_tools.image_urls_in_text(text) == [
        "https://images.openrouter.ai/a.png", "https://cdn.example/b.webp"]
    assert server_tools.image_urls_in_text("no images, [a link](https://x.example)") == []


@pytest.mark.parametrize(("text", "urls"), [
    # Balanced parentheses belong to a bare destination (CommonMark).
    ("![a](https://x.example/cat_(1).png)", ["https://x.example/cat_(1).png"]),
    ("![a](https://x.example/a((b)).png)", ["https://x.example/a((b)).png"]),
    ("(see ![a](https://x.example/p.png))", ["https://x.example/p.png"]),
    # Titles in each of Markdown's three quotings.
    ("![a](https://x.example/y.png 'single')", ["https://x.example/y.png"]),
    ('![a](https://x.example/y.png "double")', ["https://x.example/y.png"]),
    ("![a](https://x.example/y.png (parens))", ["https://x.example/y.png"]),
    ("![a](<https://x.example/(z).png>)", ["https://x.example/(z).png"]),
])
def test_image_urls_in_text_reads_markdowns_destinations_and_titles(
        text: str, urls: list[str]) -> None:
    assert server_tools.image_urls_in_text(text) == urls


def test_server_tool_cost_is_cost_minus_upstream() -> None:
    # The numbers of a recorded web search on deepseek-chat (PAI-06 in the traffic index).
    usage = decode_usage({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
                          "cost": 0.007637, "is_byok": False,
                          "cost_details": {"upstream_inference_cost": 0.000637},
                          "server_tool_use_details": {"web_search_requests": 1}})
    assert usage is not None
    assert usage.server_tool_cost == 0.007
    assert usage.server_tool_use == {"web_search_requests": 1}
    no_tools = decode_usage({"cost": 0.5, "cost_details": {"upstream_inference_cost": 0.1}})
    assert no_tools is not None and no_tools.server_tool_cost is None
    byok = decode_usage({"cost": 0.5, "is_byok": True, "server_tool_use": {"x": 1},
                         "cost_details": {"upstream_inference_cost": 0.1}})
    assert byok is not None and byok.server_tool_cost is None
    assert byok.server_tool_use == {"x": 1}  # the guides' spelling is read too


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("efort", "effort", 1), ("ordr", "order", 1), ("temprature", "temperature", 1),
    ("qaulity", "quality", 1), ("sort", "sort", 0), ("n", "k", 1), ("abc", "xyz", 3)])
def test_distance(a: str, b: str, expected: int) -> None:
    assert spelling.distance(a, b) == expected


def test_closest_needs_more_shared_than_changed() -> None:
    assert spelling.closest("n", ["k", "order"]) is None
    assert spelling.closest("efort", ["effort", "max_tokens"]) == "effort"
    assert spelling.closest("max-tokens", ["max_tokens"]) == "max_tokens"


def test_an_unknown_server_tool_parameter_warns_once_wherever_it_is_checked(
        openrouter_emulator: Emulator) -> None:
    # Checked at bind_tools and again in every request that carries it (at any position in
    # the tool list): one UnknownKeyWarning, at the line that bound it.
    from langchain_openrouter import ChatOpenRouter

    tool = {"type": "openrouter:image_generation", "parameters": {"image_size": "2K"}}
    model = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="sk-or-v1-test",
                           base_url=openrouter_emulator.base_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bound = model.bind_tools([tool])
        for _ in range(2):
            openrouter_emulator.enqueue(Reply.text("ok"))
            bound.invoke("Draw a cat.")
        openrouter_emulator.enqueue(Reply.text("ok"))
        model.invoke("Draw a cat.", tools=[{"type": "openrouter:web_search"}, tool])
    unknown = [w for w in caught if issubclass(w.category, UnknownKeyWarning)]
    assert [str(w.message) for w in unknown] == [
        "bind_tools (openrouter:image_generation) parameters: 'image_size' is not a key this "
        "package knows; it is sent as given (OpenRouter may have added it; if not, the server "
        "ignores it)"]
    assert unknown[0].filename == __file__
    assert openrouter_emulator.chat_requests[-1].json["tools"][1] == tool
