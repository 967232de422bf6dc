"""The bundled snapshot: made by the package's command from a real /models dump, and read back.

The dumps live beside the repository in ``../shared/catalog/`` (``OPENROUTER_CATALOG_DUMPS``
overrides); they are never copied in. The dump is the oracle: every expectation below is read
from it, not written down by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import catalog
from openrouter_core.catalog.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
DUMPS = Path(os.environ.get("OPENROUTER_CATALOG_DUMPS", ROOT.parent / "shared" / "catalog"))
SOURCE = DUMPS / "models-2026-08-22.json"
needs_dump = pytest.mark.skipif(not SOURCE.exists(), reason=f"no /models dump at {SOURCE}")


@pytest.fixture(autouse=True)
def bundled_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the real bundled file, offline."""
    monkeypatch.delenv("OPENROUTER_CATALOG_SNAPSHOT", raising=False)
    monkeypatch.setenv("OPENROUTER_CATALOG", "offline")


@pytest.fixture(scope="module")
def dump() -> dict[str, dict[str, Any]]:
    if not SOURCE.exists():
        pytest.skip(f"no /models dump at {SOURCE}")
    return {m["id"]: m for m in json.loads(SOURCE.read_bytes())["data"]}


@needs_dump
def test_bundled_snapshot_is_what_the_command_makes(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "models.json"
    assert main(["refresh", "--from-file", str(SOURCE), "--output", str(output)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote 421 models to {output}"
    assert output.read_bytes() == catalog.SNAPSHOT_PATH.read_bytes(), (
        "openrouter_core/data/models.json differs from what `python -m openrouter_core.catalog "
        "refresh --from-file` makes; regenerate it, never edit it by hand")


def test_from_file_rejects_a_body_that_is_not_a_models_listing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("<html>rate limited</html>")
    with pytest.raises(ValueError, match="not a JSON /models body"):
        catalog.refresh_from_file(broken, tmp_path / "out.json")
    empty = tmp_path / "empty.json"
    empty.write_text('{"error": {"code": 401}}')
    with pytest.raises(ValueError, match="no /models entries"):
        catalog.refresh_from_file(empty, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_every_id_in_the_dump_resolves_to_itself(dump: dict[str, dict[str, Any]]) -> None:
    snapshot = catalog.load_snapshot()
    assert len(snapshot) == len(dump) == 421
    unresolved = [i for i in dump if (found := snapshot.get(i)) is None or found.id != i]
    assert unresolved == []


def _families(dump: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(i for i in dump if ":" not in i)


@pytest.mark.parametrize("suffix", [":free", ":nitro", ":floor", ":exacto", ":online",
                                    ":thinking", ":batch", "@preset/my-team",
                                    ":nitro@preset/my-team"])
def test_variants_and_presets_resolve_to_their_family(dump: dict[str, dict[str, Any]],
                                                       suffix: str) -> None:
    snapshot = catalog.load_snapshot()
    for family in _families(dump):
        requested = family + suffix
        expected = requested.split("@")[0] if requested.split("@")[0] in dump else family
        found = snapshot.get(requested)
        assert found is not None, requested
        assert found.id == expected, requested


def test_served_dated_names_resolve_to_their_family(dump: dict[str, dict[str, Any]]) -> None:
    snapshot = catalog.load_snapshot()
    # As servers report it in the response's `model` field:
    served = snapshot.get("openai/gpt-4o-mini-2024-07-18")
    assert served is not None
    assert served.id == "openai/gpt-4o-mini-2024-07-18"  # the dump lists this dated id itself
    for entry in dump.values():
        slug = entry["canonical_slug"]
        found = snapshot.get(slug)
        assert found is not None, slug
        assert found.canonical_slug == slug
    assert snapshot.get("anthropic/claude-sonnet-4-20990101") == snapshot.get(
        "anthropic/claude-sonnet-4")


def test_default_window_is_the_one_a_plain_request_gets(dump: dict[str, dict[str, Any]]) -> None:
    info = catalog.lookup("anthropic/claude-sonnet-4")
    raw = dump["anthropic/claude-sonnet-4"]
    assert info is not None
    assert (raw["context_length"], raw["top_provider"]["context_length"]) == (1_000_000, 200_000)
    assert info.context_length == 200_000
    assert info.max_context_length == 1_000_000
    differing = [i for i, m in dump.items()
                 if m["top_provider"].get("context_length")
                 and m["top_provider"]["context_length"] != m["context_length"]]
    for model_id in differing:
        found = catalog.lookup(model_id)
        assert found is not None
        assert found.context_length == dump[model_id]["top_provider"]["context_length"]


def test_null_output_caps_and_router_prices(dump: dict[str, dict[str, Any]]) -> None:
    no_cap = [i for i, m in dump.items() if m["top_provider"].get("max_completion_tokens") is None]
    assert no_cap
    for model_id in no_cap:
        found = catalog.lookup(model_id)
        assert found is not None
        assert found.max_completion_tokens is None
    routers = [i for i, m in dump.items() if m["pricing"].get("prompt") == "-1"]
    assert routers  # openrouter/auto and friends: "-1" means the price varies
    for model_id in routers:
        found = catalog.lookup(model_id)
        assert found is not None
        assert found.pricing.prompt is None


FREE = "z-ai/glm-5.2:free"


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "openai/gpt-4o-mini:floor",
                                   "anthropic/claude-sonnet-4", "google/gemini-2.5-flash", FREE])
def test_both_adapters_match_the_dump_offline(dump: dict[str, dict[str, Any]],
                                              model: str) -> None:
    raw = dump[model.replace(":floor", "")]
    window = raw["top_provider"].get("context_length") or raw["context_length"]
    inputs = raw["architecture"]["input_modalities"]
    parameters = raw["supported_parameters"]
    profile = ChatOpenRouter(model=model, api_key="sk-or-v1-unused").profile
    assert profile is not None
    assert profile["max_input_tokens"] == window
    assert profile["max_output_tokens"] == raw["top_provider"]["max_completion_tokens"]
    assert profile["tool_calling"] is ("tools" in parameters)
    assert profile["tool_choice"] is ("tool_choice" in parameters)
    assert profile["structured_output"] is ("structured_outputs" in parameters)
    assert profile["image_inputs"] is ("image" in inputs)
    assert profile["pdf_inputs"] is ("file" in inputs)
    assert profile["audio_inputs"] is ("audio" in inputs)
    assert profile["video_inputs"] is ("video" in inputs)
    assert profile["image_outputs"] is ("image" in raw["architecture"]["output_modalities"])
    assert profile["reasoning_output"] is ("reasoning" in parameters)
    metadata = OpenRouter(model=model, api_key="sk-or-v1-unused").metadata
    assert metadata.context_window == window
    # What LlamaIndex keeps free for the reply: the largest reply, at most half the window.
    assert metadata.num_output == min(raw["top_provider"]["max_completion_tokens"], window // 2)
    assert metadata.is_function_calling_model is ("tools" in parameters)
    assert metadata.is_chat_model is True
    assert metadata.model_name == model
