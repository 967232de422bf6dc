"""Model ids the catalog does not know: one warning per id, at the user's line, with a hint."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import catalog, spelling
from openrouter_core.catalog import Catalog, UnknownModelWarning, check_model_id, slugs
from openrouter_core.testing import Emulator

KEY = "sk-or-v1-model-ids-0123456789"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENROUTER_CATALOG_SNAPSHOT", raising=False)
    monkeypatch.setenv("OPENROUTER_CATALOG", "offline")
    catalog.clear_cache()
    spelling.reset_warnings()
    yield
    spelling.reset_warnings()


def _warned(model: str) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        catalog.check_request({"model": model})
    return [w for w in caught if issubclass(w.category, UnknownModelWarning)]


@pytest.mark.parametrize(("typo", "meant"), [
    ("openai/gpt4o-mini", "openai/gpt-4o-mini"),
    ("anthropic/claude-sonet-4.5", "anthropic/claude-sonnet-4.5"),
    ("OpenAI/GPT-4o-mini", "openai/gpt-4o-mini"),
    ("openai/gpt4o-mini:free", "openai/gpt-4o-mini:free"),
])
def test_typo_warns_with_the_id_it_probably_meant(typo: str, meant: str) -> None:
    caught = _warned(typo)
    assert len(caught) == 1
    assert f"{typo!r} is not a model id" in str(caught[0].message)
    assert f"did you mean {meant!r}?" in str(caught[0].message)


@pytest.mark.parametrize("model", [
    "openai/gpt-4o-mini", "openai/gpt-4o-mini:free", "openai/gpt-4o-mini:nitro",
    "openai/gpt-4o-mini:exacto", "openai/gpt-4o-mini:online", "openai/gpt-4o-mini:floor",
    "anthropic/claude-sonnet-4.5:thinking", "anthropic/claude-4.5-sonnet-20250929",
    "openrouter/auto", "openrouter/free", "openrouter/a-router-from-tomorrow",
    "@preset/my-preset", "openai/gpt-4o-mini@preset/my-preset",
])
def test_known_ids_variants_routers_and_presets_do_not_warn(model: str) -> None:
    assert _warned(model) == []


def test_unknown_id_far_from_every_other_warns_once_without_a_guess() -> None:
    first, again = _warned("someone/brand-new-model"), _warned("someone/brand-new-model")
    assert len(first) == 1 and again == []
    assert "did you mean" not in str(first[0].message)
    assert "sent as given" in str(first[0].message)


def test_the_guess_is_made_once_per_id_not_before_every_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The guess compares the id with every catalog id of similar length (about 20 ms), and the
    # check runs before each request: 100k requests for a model newer than the snapshot paid
    # it 100k times.
    guesses: list[str] = []
    guess = slugs.suggestion

    def counted(model: str, catalogs: Iterable[Catalog]) -> str | None:
        guesses.append(model)
        return guess(model, catalogs)

    monkeypatch.setattr(slugs, "suggestion", counted)
    assert len(_warned("someone/model-from-tomorrow")) == 1
    for _ in range(5):
        assert _warned("someone/model-from-tomorrow") == []  # warned once, per process
    assert guesses == ["someone/model-from-tomorrow"]


def test_fallback_models_are_checked_too() -> None:
    with pytest.warns(UnknownModelWarning, match="'openai/gpt4o'.*did you mean 'openai/gpt-4o'"):
        catalog.check_request({"model": "openai/gpt-4o-mini", "models": ["openai/gpt4o"]})


def test_no_catalog_no_warning(recwarn: pytest.WarningsRecorder) -> None:
    assert check_model_id("openai/gpt4o-mini", [Catalog(())]) is False
    assert not recwarn.list


def test_check_model_id_says_which_ids_it_warns_about() -> None:
    known = (catalog.load_snapshot(),)
    assert check_model_id("openai/gpt-4o-mini", known) is False
    assert check_model_id("openrouter/auto", known) is False  # a router: never warned about
    with pytest.warns(UnknownModelWarning):
        assert check_model_id("someone/unheard-of-model", known) is True
    assert check_model_id("someone/unheard-of-model", known) is True  # warned before: still so


def test_langchain_warning_points_at_the_users_line(openrouter_emulator: Emulator) -> None:
    model = ChatOpenRouter(model="openai/gpt4o-mini", api_key=KEY,
                           base_url=openrouter_emulator.base_url)
    with pytest.warns(UnknownModelWarning, match="did you mean 'openai/gpt-4o-mini'") as caught:
        model.invoke("hi")
    assert caught[0].filename == __file__
    assert openrouter_emulator.chat_requests[0].json["model"] == "openai/gpt4o-mini"  # still sent


def test_llama_index_warning_points_at_the_users_line(openrouter_emulator: Emulator) -> None:
    llm = OpenRouter(model="openai/gpt4o-mini", api_key=KEY, api_base=openrouter_emulator.base_url)
    with pytest.warns(UnknownModelWarning, match="did you mean 'openai/gpt-4o-mini'") as caught:
        llm.chat([ChatMessage(role="user", content="hi")])
    assert caught[0].filename == __file__
    assert openrouter_emulator.chat_requests[0].json["model"] == "openai/gpt4o-mini"


def test_the_check_keeps_no_catalog_alive() -> None:
    # A long-running process refreshes the live catalog hourly; remembering guesses per
    # catalog object kept every old catalog (about 1 MB each) alive.
    import sys

    from openrouter_core.catalog.store import load_snapshot

    refreshed = Catalog(load_snapshot().models)  # what a refresh yields: a new catalog object
    references = sys.getrefcount(refreshed)
    with pytest.warns(UnknownModelWarning):
        check_model_id("someone/model-from-next-week", [refreshed])
    assert sys.getrefcount(refreshed) == references
