"""langchain-tests standard suites for ChatOpenRouter.

Unit suite: construction, serialization, tool binding, LangSmith params (no network).
Integration suite: every capability flag on, run against the loopback emulator (see conftest).
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_openrouter import ChatOpenRouter
from openrouter_core.testing import Reply
from tests.standard.conftest import STATE, emulator_base_url

MODEL = "openai/gpt-4o-mini"
Detail = Literal["audio_input", "audio_output", "reasoning_output", "cache_read_input",
                 "cache_creation_input"]


class TestChatOpenRouterUnit(ChatModelUnitTests):
    """The standard unit suite."""

    @property
    def chat_model_class(self) -> type[ChatOpenRouter]:
        return ChatOpenRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OPENROUTER_API_KEY": "sk-or-v1-env", "OPENROUTER_API_BASE": "https://example.test/v1"},
            {"model": MODEL},
            {"openrouter_api_key": "sk-or-v1-env", "openrouter_api_base": "https://example.test/v1"},
        )

    @property
    def model_override_value(self) -> str:
        return "anthropic/claude-haiku-4.5"

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True


class TestChatOpenRouterIntegration(ChatModelIntegrationTests):
    """The standard integration suite, offline against the emulator."""

    @property
    def chat_model_class(self) -> type[ChatOpenRouter]:
        return ChatOpenRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "api_key": "sk-or-v1-standard-tests",
                "base_url": emulator_base_url(), "max_retries": 0}

    @property
    def model_override_value(self) -> str:
        return "anthropic/claude-haiku-4.5"

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[Literal["invoke", "stream"], list[Detail]]:
        details: list[Detail] = ["audio_input", "audio_output", "reasoning_output",
                                 "cache_read_input", "cache_creation_input"]
        return {"invoke": details, "stream": details}

    # Each helper scripts the emulator with a reply reporting that kind of token, then
    # checks it arrives through invoke or stream.
    def _run_with(self, reply: Reply, *, stream: bool) -> AIMessage:
        emulator_base_url()
        assert STATE.emulator is not None
        STATE.emulator.enqueue(reply)
        model = ChatOpenRouter(**self.chat_model_params)
        message = [HumanMessage("Hello")]
        if not stream:
            return model.invoke(message)
        full: AIMessageChunk | None = None
        for chunk in model.stream(message):
            full = chunk if full is None else full + chunk
        assert full is not None
        return full

    def invoke_with_audio_input(self, *, stream: bool = False) -> AIMessage:
        usage = {"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35,
                 "prompt_tokens_details": {"audio_tokens": 20}}
        return self._run_with(Reply.text("Heard it.", usage=usage), stream=stream)

    def invoke_with_audio_output(self, *, stream: bool = False) -> AIMessage:
        usage = {"prompt_tokens": 5, "completion_tokens": 30, "total_tokens": 35,
                 "completion_tokens_details": {"audio_tokens": 20}}
        return self._run_with(Reply.text("Said it.", usage=usage), stream=stream)

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        return self._run_with(Reply.text("42.", reasoning="Let me think.", reasoning_tokens=4,
                                         completion_tokens=6), stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        return self._run_with(Reply.text("Cached.", prompt_tokens=4000, cached_tokens=3211),
                              stream=stream)

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        return self._run_with(Reply.text("Written.", prompt_tokens=4000,
                                         cache_write_tokens=3211), stream=stream)
