"""``ChatOpenRouter.invoke``/``ainvoke``: langchain-core's lifecycle, in one layer.

Every case runs through our ``invoke``/``ainvoke`` and through the inherited
``BaseChatModel`` methods on the same model, against the same emulator bytes: once with a
handler attached (every callback event must be equal) and once without (the returned
messages must be equal). Without a handler, a cache or a streaming request, ours calls
``_generate`` itself; otherwise ``_generate_with_cache`` does the middle part as it would
for langchain-core. Both paths are checked to be the ones taken.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.globals import set_llm_cache
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.rate_limiters import InMemoryRateLimiter

from langchain_openrouter import ChatOpenRouter, invoke_lifecycle
from openrouter_core.testing import Emulator, Reply
from tests.langchain.conftest import MODEL, TEST_KEY
from tests.langchain_parity import (
    BEFORE_START,
    FIXED,
    GEN_ID,
    RUN_ID,
    SHARED_CASES,
    Case,
    assert_same,
    parity_model,
    record,
    run_both,
)

CALLS = ["invoke", "ainvoke"]

def _body(content: str, **extra: Any) -> dict[str, Any]:
    # A reply built by hand: ``extra`` goes on the envelope, ``logprobs`` on the choice.
    logprobs = extra.pop("logprobs", None)
    choice = {"index": 0, "finish_reason": "stop", "logprobs": logprobs,
              "message": {"role": "assistant", "content": content}}
    return {"object": "chat.completion", "created": 1700000000, "model": MODEL,
            "choices": [choice], **extra,
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}


LOGPROBS = {"content": [{"token": "yes", "logprob": -0.01, "bytes": [121, 101, 115],
                         "top_logprobs": []}]}


CASES: dict[str, Case] = {
    **SHARED_CASES,
    # Without an id, langchain-core names the message after the run.
    "no-id": (Reply.json(_body("anonymous")), {}, {}),
    # Logprobs travel in the generation info and in the response metadata.
    "logprobs": (Reply.json(_body("yes", id=GEN_ID, logprobs=LOGPROBS)), {}, {"logprobs": True}),
    "streaming-field": (Reply.text("streamed whole", **FIXED), {"streaming": True}, {}),
    "stream-kwarg": (Reply.text("streamed by kwarg", **FIXED), {}, {"stream": True}),
}
STREAMED = {"streaming-field", "stream-kwarg"}
"""The cases that stream even without a handler (the rest call ``_generate`` directly)."""
FAILING = {"http-error", "bad-input", *BEFORE_START}
"""The cases whose call fails."""


@pytest.fixture
def middles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which middle part each call of ours took: ``cache`` (``_(a)generate_with_cache``)."""
    taken: list[str] = []
    for name in ("_generate_with_cache", "_agenerate_with_cache"):
        original = getattr(ChatOpenRouter, name)

        def counting(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            taken.append("cache")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(ChatOpenRouter, name, counting)
    return taken


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", list(CASES))
def test_observed_invoke_matches_base_chat_model(emu: Emulator, name: str,
                                                 call: str) -> None:
    ours, theirs = run_both(emu, CASES[name], call, observed=True)
    assert_same(ours, theirs)
    if name in BEFORE_START:
        assert ours.error is not None and ours.events == []
        return
    assert ours.events[0][0] == "start"
    assert ours.events[-1][0] == ("error" if ours.error else "end")


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", list(CASES))
def test_unobserved_invoke_matches_base_chat_model(emu: Emulator, name: str,
                                                   call: str,
                                                   middles: list[str]) -> None:
    ours, theirs = run_both(emu, CASES[name], call, observed=False)
    assert_same(ours, theirs)
    assert (ours.error is None) == (name not in FAILING)
    # Ours went straight to _generate exactly in the direct cases; the inherited call always
    # goes through _generate_with_cache (counted too: it is the same class attribute).
    assert middles == ([] if name in BEFORE_START else
                       ["cache", "cache"] if name in STREAMED else ["cache"])


def test_observed_calls_go_through_generate_with_cache(emu: Emulator,
                                                       middles: list[str]) -> None:
    ours, _ = run_both(emu, CASES["text"], "invoke", observed=True)
    assert ours.error is None
    assert middles == ["cache", "cache"]  # ours, then the inherited one


def test_cases_cover_what_they_claim(emu: Emulator) -> None:
    # Guards the table: each case must exercise its feature, or parity proves little.
    ours, _ = run_both(emu, CASES["no-id"], "invoke", observed=False)
    assert ours.chunks[0].id == f"lc_run--{RUN_ID}-0"
    ours, _ = run_both(emu, CASES["logprobs"], "invoke", observed=False)
    assert ours.chunks[0].response_metadata["logprobs"] == LOGPROBS
    ours, _ = run_both(emu, CASES["tool-call"], "invoke", observed=False)
    assert isinstance(ours.chunks[0], AIMessage)
    assert ours.chunks[0].tool_calls[0]["args"] == {"city": "Paris"}
    ours, _ = run_both(emu, CASES["v1-output"], "ainvoke", observed=False)
    assert ours.chunks[0].content[0]["type"] == "reasoning"  # type: ignore[index]
    ours, _ = run_both(emu, CASES["streaming-field"], "invoke", observed=True)
    assert [name for name, _ in ours.events].count("token") > 1
    ours, _ = run_both(emu, CASES["http-error"], "invoke", observed=True)
    assert ours.error is not None and ours.error[0] == "OpenRouterRateLimitError"


@pytest.mark.parametrize("call", CALLS)
def test_a_cache_is_used_as_langchain_uses_it(emu: Emulator, call: str) -> None:
    cache = InMemoryCache()
    model = parity_model(emu, cache=cache)
    emu.enqueue(Reply.text("cached answer", **FIXED))

    def reply(llm: ChatOpenRouter) -> AIMessage:
        (message,) = record(llm, "Hello", inherited=False, call=call, observed=False).chunks
        assert isinstance(message, AIMessage)
        return message

    first, second = reply(model), reply(model)  # the second is answered from the cache
    assert first.content == second.content == "cached answer"
    assert len(emu.requests) == 1
    set_llm_cache(InMemoryCache())
    try:
        emu.enqueue(Reply.text("global cache", **FIXED))
        plain = parity_model(emu)
        assert reply(plain).content == reply(plain).content == "global cache"
        assert len(emu.requests) == 2
    finally:
        set_llm_cache(None)


class CountingLimiter(InMemoryRateLimiter):
    """A rate limiter that lets every request through and counts them."""

    def __init__(self) -> None:
        super().__init__(requests_per_second=1000)
        self.taken = 0

    def acquire(self, *, blocking: bool = True) -> bool:
        self.taken += 1
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        self.taken += 1
        return True


@pytest.mark.parametrize("observed", [False, True])
@pytest.mark.parametrize("call", CALLS)
def test_the_rate_limiter_is_asked_once_per_call(emu: Emulator, call: str,
                                                 observed: bool) -> None:
    limiter = CountingLimiter()
    model = parity_model(emu, rate_limiter=limiter)
    for _ in range(3):
        emu.enqueue(Reply.text("limited", **FIXED))
        recording = record(model, "Hello", inherited=False, call=call, observed=observed)
        assert recording.error is None
    assert limiter.taken == 3


STEPS = {"generate_prompt": False, "generate": False, "_generate_with_cache": False,
         "_generate": False, "agenerate_prompt": True, "agenerate": True,
         "_agenerate_with_cache": True, "_agenerate": True}
"""The steps ``invoke`` (``False``) and ``ainvoke`` (``True``) go through in langchain-core."""


@pytest.mark.parametrize("step", STEPS)
def test_a_subclass_that_replaces_a_step_keeps_the_inherited_lifecycle(emu: Emulator,
                                                                       step: str) -> None:
    ran: list[str] = []
    inherited = getattr(ChatOpenRouter, step)
    if STEPS[step]:
        async def override(self: Any, *args: Any, **kwargs: Any) -> Any:
            ran.append(step)
            return await inherited(self, *args, **kwargs)
    else:
        def override(self: Any, *args: Any, **kwargs: Any) -> Any:
            ran.append(step)
            return inherited(self, *args, **kwargs)

    custom = type("Custom", (ChatOpenRouter,), {step: override})
    model = custom(model=MODEL, api_key=TEST_KEY, base_url=emu.base_url, max_retries=0)
    assert not model._own_invoke(async_api=STEPS[step], kwargs={})
    assert model._own_invoke(async_api=not STEPS[step], kwargs={})
    emu.enqueue(Reply.text("through the override", **FIXED))
    reply = asyncio.run(model.ainvoke("hi")) if STEPS[step] else model.invoke("hi")
    assert reply.content == "through the override"
    assert ran == [step]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("key", sorted(invoke_lifecycle.TAKEN_BY_INVOKE))
def test_a_generate_argument_among_the_kwargs_fails_as_in_langchain(emu: Emulator, key: str,
                                                                    call: str) -> None:
    # langchain-core passes these to generate_prompt/generate itself: "got multiple values".
    value = {"prompts": [], "messages": [], "callbacks": [], "tags": ["t"],
             "metadata": {"user": "x"}, "run_name": "n", "run_id": RUN_ID}[key]
    ours, theirs = run_both(emu, (Reply.text("never sent", **FIXED), {}, {key: value}), call,
                            observed=False)
    assert_same(ours, theirs)
    assert ours.error is not None and ours.error[0] == "TypeError"
    assert "multiple values" in ours.error[1]
    assert len(emu.requests) == 0


@pytest.mark.parametrize("call", CALLS)
def test_a_message_langchain_cannot_normalise_leaves_the_run_unreported(
        emu: Emulator, call: str) -> None:
    # langchain-core's generate normalises before its try: the run starts and never ends.
    bad = [HumanMessage(content=[{"type": "image", "source_type": "base64"}])]
    ours, theirs = run_both(emu, (Reply.text("never sent", **FIXED), {}, {"model_input": bad}),
                            call)
    assert_same(ours, theirs)
    assert ours.error is not None
    assert [name for name, _ in ours.events] == ["start"]


def test_lifecycle_helpers_are_present_in_this_langchain_core() -> None:
    # If a langchain-core release drops one, ChatOpenRouter falls back to the inherited
    # methods (correct, slower); this test makes that visible.
    assert invoke_lifecycle.SUPPORTED
    assert ChatOpenRouter.invoke is not BaseChatModel.invoke
