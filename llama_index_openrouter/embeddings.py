"""``OpenRouterEmbedding``: a LlamaIndex ``BaseEmbedding`` over OpenRouter's ``/embeddings``.

A thin shell over :mod:`openrouter_core.embeddings`. Each HTTP request emits an
:class:`OpenRouterEmbeddingUsageEvent` (tokens, ``cost``, provider, generation id) through
LlamaIndex instrumentation, which :class:`~llama_index_openrouter.callbacks.OpenRouterCostHandler`
counts; LlamaIndex's own ``EmbeddingEndEvent`` has no room for usage.
"""

from __future__ import annotations

from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events import BaseEvent
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from openrouter_core import embeddings as core, environment, spelling
from openrouter_core.decode import Usage
from openrouter_core.settings import ProviderPreferences
from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

__all__ = ["OpenRouterEmbedding", "OpenRouterEmbeddingUsageEvent"]

dispatcher = get_dispatcher(__name__)

DEFAULT_EMBED_MODEL = "openai/text-embedding-3-small"


class OpenRouterEmbeddingUsageEvent(BaseEvent):
    """Usage of one ``/embeddings`` request, as OpenRouter reported it."""

    model: str
    provider: str | None = None
    generation_id: str | None = None
    inputs: int = 0
    prompt_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None

    @classmethod
    def class_name(cls) -> str:
        """Event name."""
        return "OpenRouterEmbeddingUsageEvent"

    def usage(self) -> Usage:
        """The usage as a core ``Usage``."""
        return Usage(prompt_tokens=self.prompt_tokens, total_tokens=self.total_tokens,
                     cost=self.cost)


class OpenRouterEmbedding(BaseEmbedding):
    """OpenRouter embedding models in LlamaIndex.

    Example::

        from llama_index.core import Settings
        from llama_index_openrouter import OpenRouterEmbedding

        Settings.embed_model = OpenRouterEmbedding(model="openai/text-embedding-3-small",
                                                   dimensions=256)

    The key comes from ``api_key`` or ``OPENROUTER_API_KEY`` and is never serialised or
    shown in a repr; the base URL from ``api_base`` or ``OPENROUTER_API_BASE``.
    ``embed_batch_size`` (alias ``batch_size``) inputs go in one request.
    ``encoding_format="base64"`` is decoded to floats. :attr:`last_usage` holds the usage of
    this instance's last request; failures raise ``openrouter_core.errors`` types.
    """

    model_config = ConfigDict(hide_input_in_errors=True, protected_namespaces=())

    model_name: str = Field(default=DEFAULT_EMBED_MODEL,
                            description="OpenRouter embedding model slug.")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False,
                                      description="API key (default: $OPENROUTER_API_KEY).")
    api_base: str = Field(default="", description="Base URL (default: $OPENROUTER_API_BASE).")
    dimensions: int | None = Field(default=None, ge=1, description="Output vector size.")
    encoding_format: Literal["float", "base64"] | None = Field(
        default=None, description="Wire encoding; vectors come back as floats either way.")
    provider: ProviderPreferences | None = Field(
        default=None, description="Provider routing preferences.")
    max_retries: int = Field(default=2, ge=0, description="Retries on retryable failures.")
    timeout: float | None = Field(default=None, gt=0, description="Request timeout, seconds.")
    default_headers: dict[str, str] | None = Field(
        default=None, exclude=True, repr=False,
        description="Extra HTTP headers for every request; left out of repr and serialization, "
                    "as they may hold secrets (a pickle keeps them).")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra body parameters sent verbatim.")

    _last_usage: Usage | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _aliases_and_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "model" in data:
            data.setdefault("model_name", data.pop("model"))
        if "batch_size" in data:
            data.setdefault("embed_batch_size", data.pop("batch_size"))
        base_url = data.pop("base_url", None)  # the openai SDK's and LangChain's api_base
        if base_url and not data.get("api_base"):
            data["api_base"] = base_url
        data = environment.fill(data, {"api_key": "api_key"})
        if not data.get("api_base"):
            data["api_base"] = environment.read("base_url") or DEFAULT_BASE_URL
        # The spelling rule (openrouter_core.spelling): a near miss of a parameter fails; any
        # other unknown argument is warned about and sent in the body (additional_kwargs).
        spelling.collect_unknown(data, spelling.accepted_names(cls), cls.__name__,
                                 "additional_kwargs")
        return data

    @classmethod
    def class_name(cls) -> str:
        """Serialisation name."""
        return "OpenRouterEmbedding"

    @property
    def last_usage(self) -> Usage | None:
        """Usage (tokens, ``cost``) of this instance's last request."""
        return self._last_usage

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the API key: the unpickling process reads ``OPENROUTER_API_KEY``
        when it sends (see ``openrouter_core.environment.state_without_key``)."""
        return environment.state_without_key(super().__getstate__(), "api_key")

    # --- pure plumbing --------------------------------------------------------------------
    def _endpoint(self) -> Endpoint:
        return Endpoint(base_url=self.api_base, api_key=self.api_key, timeout=self.timeout,
                        max_retries=self.max_retries)

    def _options(self) -> core.EmbeddingOptions:
        return core.EmbeddingOptions(dimensions=self.dimensions,
                                     encoding_format=self.encoding_format,
                                     provider=self.provider,
                                     extra_body=self.additional_kwargs or None)

    def _call_args(self) -> dict[str, Any]:
        return {"batch_size": self.embed_batch_size,
                "headers": dict(self.default_headers or {}), "on_batch": self._report}

    def _report(self, result: core.EmbeddingResult) -> None:
        self._last_usage = result.usage
        usage = result.usage or Usage()
        dispatcher.event(OpenRouterEmbeddingUsageEvent(
            model=self.model_name, provider=result.provider, generation_id=result.id,
            inputs=len(result.vectors), prompt_tokens=usage.prompt_tokens,
            total_tokens=usage.total_tokens, cost=usage.cost))

    # --- I/O ------------------------------------------------------------------------------
    def _check_budget(self) -> None:
        from llama_index_openrouter.callbacks import check_budget  # imports this module

        check_budget()

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        self._check_budget()
        return core.embed(self._endpoint(), self.model_name, texts, self._options(),
                          **self._call_args()).vectors

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        self._check_budget()
        result = await core.aembed(self._endpoint(), self.model_name, texts, self._options(),
                                   **self._call_args())
        return result.vectors

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embeddings([query])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aget_text_embeddings([query]))[0]
