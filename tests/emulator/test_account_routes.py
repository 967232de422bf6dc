"""What the docs use besides chat: ``/generation`` for every reply served, ``/key`` and
``/credits`` consistent with the spend, ``/models`` from the bundled snapshot, ``/embeddings``,
and strict model ids. Every check goes through real HTTP to the loopback emulator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from langchain_core.messages import AIMessage
from pydantic import SecretStr

from langchain_openrouter import ChatOpenRouter
from openrouter_core import account, catalog, errors, spelling
from openrouter_core.testing import Emulator, Reply
from openrouter_core.testing.endpoints import bundled_catalog
from openrouter_core.transport import Endpoint

KEY = "sk-or-v1-account-routes-0123456789"


@pytest.fixture
def emu(openrouter_emulator: Emulator) -> Emulator:
    return openrouter_emulator


@pytest.fixture
def endpoint(emu: Emulator) -> Endpoint:
    return Endpoint(base_url=emu.base_url, api_key=SecretStr(KEY), max_retries=0)


def _chat(emu: Emulator, **options: object) -> ChatOpenRouter:
    return ChatOpenRouter(model="openai/gpt-4o-mini", api_key=KEY, base_url=emu.base_url,
                          max_retries=0, **options)  # type: ignore[arg-type]


def test_generation_answers_at_once_for_a_reply_served(emu: Emulator,
                                                      endpoint: Endpoint) -> None:
    emu.enqueue(Reply.text("Paris is the capital of France.", provider="Azure",
                           delay_headers=0.02))
    message = _chat(emu).invoke("What is the capital of France?")
    assert isinstance(message, AIMessage)
    meta = message.response_metadata
    record = account.generation(endpoint, meta["id"], wait=0)  # no 404 first: no waiting
    assert record.total_cost == meta["cost"] > 0
    assert record.tokens_prompt == meta["token_usage"]["prompt_tokens"]
    assert record.tokens_completion == meta["token_usage"]["completion_tokens"]
    assert (record.provider_name, record.model) == ("Azure", "openai/gpt-4o-mini")
    assert (record.finish_reason, record.streamed) == ("stop", False)
    assert record.latency == 20 and record.generation_time == 20  # the scripted header delay


def test_generation_of_a_stream_counts_reasoning_and_the_first_byte(
        emu: Emulator, endpoint: Endpoint) -> None:
    emu.enqueue(Reply.text("Four.", reasoning="2 + 2 = 4", drip_delay=0.001))
    chunks = list(_chat(emu).stream("What is 2 + 2?"))
    gen_id = next(c.response_metadata["id"] for c in chunks if c.response_metadata.get("id"))
    usage = next(c.usage_metadata for c in chunks if c.usage_metadata)
    record = account.generation(endpoint, gen_id, wait=0)
    assert record.streamed is True
    assert record.native_tokens_reasoning == usage["output_token_details"]["reasoning"] > 0
    assert record.tokens_completion == usage["output_tokens"]
    assert record.latency is not None and record.generation_time is not None
    assert 0 < record.latency < record.generation_time  # first chunk before the last


def test_reply_without_usage_still_has_its_generation_record(emu: Emulator,
                                                             endpoint: Endpoint) -> None:
    emu.enqueue(Reply.text("No usage sent.", send_usage=False))
    gen_id = _chat(emu).invoke("hi").response_metadata["id"]
    record = account.generation(endpoint, gen_id, wait=0)
    assert record.total_cost is not None and record.total_cost > 0
    assert record.tokens_completion == 4  # "No usage sent." is 14 characters: 4 tokens


def test_unknown_and_failed_generations_are_404(emu: Emulator, endpoint: Endpoint) -> None:
    emu.enqueue(Reply.error(429, "Rate limited"))
    with pytest.raises(errors.RateLimitError):
        _chat(emu).invoke("hi")
    assert emu.generations == {}
    with pytest.raises(errors.NotFoundError):
        account.generation(endpoint, "gen-0-never-served", wait=0)


def test_key_and_credits_report_the_spend(emu: Emulator, endpoint: Endpoint) -> None:
    model = _chat(emu)
    costs = [model.invoke(text).response_metadata["cost"] for text in ("one", "two please")]
    embedded = httpx.post(f"{emu.base_url}/embeddings", headers={"Authorization": f"Bearer {KEY}"},
                          json={"model": "openai/text-embedding-3-small", "input": ["a", "b"]})
    assert embedded.status_code == 200
    costs.append(embedded.json()["usage"]["cost"])
    total = round(sum(costs), 12)
    assert emu.spent == total > 0
    info = account.key_info(endpoint)
    assert info.usage == pytest.approx(total)
    assert info.limit_remaining == pytest.approx(10.0 - total)
    credits = httpx.get(f"{emu.base_url}/credits", headers={"Authorization": f"Bearer {KEY}"})
    assert credits.status_code == 200
    assert credits.json() == {"data": {"total_credits": 10.0, "total_usage": total}}
    embedding_record = account.generation(endpoint, embedded.json()["id"], wait=0)
    assert embedding_record.total_cost == costs[-1]
    assert embedding_record.model == "openai/text-embedding-3-small"
    emu.reset()
    assert account.key_info(endpoint).usage == 0.0


def test_models_serves_the_bundled_snapshot(emu: Emulator, endpoint: Endpoint) -> None:
    response = httpx.get(f"{emu.base_url}/models")
    assert response.status_code == 200
    listed = response.json()["data"]
    bundled = bundled_catalog()
    assert len(listed) == len(bundled) > 100
    assert {m["id"] for m in listed} == {m.id for m in bundled}
    fetched = catalog.fetch(endpoint)  # the package's own parser, over HTTP
    assert fetched.get("openai/gpt-4o-mini") == bundled.get("openai/gpt-4o-mini")
    entry = next(m for m in listed if m["id"] == "openai/gpt-4o-mini")
    assert entry["pricing"]["prompt"] == "0.00000015"
    assert entry["architecture"]["modality"] == "text+image+file->text"


@pytest.fixture
def strict() -> Iterator[Emulator]:
    with Emulator(strict_models=True) as emulator:
        yield emulator


def test_strict_mode_rejects_a_mistyped_slug_with_openrouters_body(strict: Emulator) -> None:
    for stream in (False, True):
        response = httpx.post(f"{strict.base_url}/chat/completions", json={
            "model": "openai/gpt4o-mini", "stream": stream,
            "messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "error": {"message": "openai/gpt4o-mini is not a valid model ID", "code": 400},
            "user_id": "user_emulated"}
    model = ChatOpenRouter(model="openai/gpt4o-mini", api_key=KEY, base_url=strict.base_url,
                           max_retries=0)
    spelling.reset_warnings()
    with pytest.warns(catalog.UnknownModelWarning, match="did you mean 'openai/gpt-4o-mini'"), \
            pytest.raises(errors.BadRequestError,
                          match="openai/gpt4o-mini is not a valid model ID"):
        model.invoke("hi")


@pytest.mark.parametrize("slug", ["openai/gpt-4o-mini", "openai/gpt-4o-mini:nitro",
                                  "meta-llama/llama-3.3-70b-instruct:free", "openrouter/auto",
                                  "anthropic/claude-4.5-sonnet-20250929"])
def test_strict_mode_accepts_catalog_ids_variants_and_routers(strict: Emulator,
                                                             slug: str) -> None:
    response = httpx.post(f"{strict.base_url}/chat/completions", json={
        "model": slug, "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 200
    assert response.json()["model"] == slug


def test_strict_mode_checks_fallback_models_and_is_off_by_default(strict: Emulator,
                                                                  emu: Emulator) -> None:
    body = {"model": "openai/gpt-4o-mini", "models": ["anthropic/claude-sonet-4.5"],
            "messages": [{"role": "user", "content": "hi"}]}
    rejected = httpx.post(f"{strict.base_url}/chat/completions", json=body)
    assert rejected.json()["error"]["message"] == (
        "anthropic/claude-sonet-4.5 is not a valid model ID")
    assert httpx.post(f"{emu.base_url}/chat/completions", json=body).status_code == 200
