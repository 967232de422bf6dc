"""Saving reply images: data URLs decoded, types mapped to extensions, both adapters' helpers."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from langchain_openrouter.images import save_images as lc_save
from langchain_openrouter.responses import ai_message
from llama_index_openrouter.images import save_images as li_save
from llama_index_openrouter.responses import to_chat_response
from openrouter_core.decode import decode_response
from openrouter_core.errors import InputError
from openrouter_core.images import extension_for, image_bytes, save_image
from openrouter_core.testing.auto import SAMPLE_PNG

PNG = base64.b64decode(SAMPLE_PNG.split(",", 1)[1])
WEBP = "data:image/webp;base64," + base64.b64encode(b"RIFFwebp").decode()
BODY = {"id": "gen-1", "choices": [{"message": {"role": "assistant", "content": "Here:",
        "images": [{"type": "image_url", "image_url": {"url": SAMPLE_PNG}},
                   {"type": "image_url", "image_url": {"url": WEBP}}]},
        "finish_reason": "stop"}]}


def test_data_url_round_trip(tmp_path: Path) -> None:
    assert image_bytes(SAMPLE_PNG) == (PNG, "image/png")
    assert save_image(SAMPLE_PNG, tmp_path / "a").read_bytes() == PNG
    assert save_image(SAMPLE_PNG, tmp_path / "b.bin").name == "b.bin"  # a given suffix is kept
    assert [extension_for(m) for m in ("image/png", "image/jpeg", "image/webp", None)] == [
        ".png", ".jpg", ".webp", ".png"]


@pytest.mark.parametrize("url", ["data:image/png,raw", "data:image/png;base64,@@@", "/tmp/x.png"])
def test_bad_urls_name_the_problem(url: str) -> None:
    with pytest.raises(InputError, match=r"base64|not an image URL"):
        image_bytes(url)


def test_both_adapters_save_the_same_files(tmp_path: Path) -> None:
    result = decode_response(BODY)
    message = ai_message(result, "openai/gpt-5-image-mini")
    response = to_chat_response(result)
    lc = lc_save(message, tmp_path / "lc", stem="img")
    li = li_save(response, tmp_path / "li", stem="img")
    assert [p.name for p in lc] == [p.name for p in li] == ["img-0.png", "img-1.webp"]
    assert [p.read_bytes() for p in lc] == [p.read_bytes() for p in li] == [PNG, b"RIFFwebp"]
    assert li_save(response.message, tmp_path / "m") == [tmp_path / "m" / "image-0.png",
                                                         tmp_path / "m" / "image-1.webp"]
    assert lc_save(AIMessage("no images"), tmp_path) == []
    assert li_save(ChatResponse(message=ChatMessage(content="none")), tmp_path) == []


def test_llama_index_model_facts_say_image_outputs() -> None:
    from llama_index_openrouter import OpenRouter

    assert OpenRouter(model="openai/gpt-5-image-mini", api_key="x").model_facts.image_outputs
    assert not OpenRouter(model="openai/gpt-4o-mini", api_key="x").model_facts.image_outputs
