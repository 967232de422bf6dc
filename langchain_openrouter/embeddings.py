"""``OpenRouterEmbeddings``: LangChain ``Embeddings`` over OpenRouter's ``/embeddings``.

A thin shell over :mod:`openrouter_core.embeddings`: settings → request options, one core
call per public method, floats back. Sync and async differ only in that call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)

from langchain_openrouter.callbacks import check_budget, record_embedding_usage
from langchain_openrouter.errors import langchain_errors
from openrouter_core import embeddings as core, environment, spelling
from openrouter_core.decode import Usage
from openrouter_core.settings import ProviderPreferences
from openrouter_core.transport import DEFAULT_BASE_URL, Endpoint

__all__ = ["OpenRouterEmbeddings"]



class OpenRouterEmbeddings(BaseModel, Embeddings):
    """OpenRouter embedding models in LangChain.

    Example:
        ```python
        from langchain_openrouter import OpenRouterEmbeddings

        embeddings = OpenRouterEmbeddings(model="openai/text-embedding-3-small",
                                          dimensions=256)
        vectors = embeddings.embed_documents(["first text", "second text"])
        print(embeddings.last_usage.cost)  # USD reported by OpenRouter
        ```

    The key comes from ``api_key`` or ``OPENROUTER_API_KEY`` (never in repr or dumps); the
    base URL from ``base_url`` or ``OPENROUTER_API_BASE``. Inputs are sent ``batch_size`` at
    a time, in order. ``encoding_format="base64"`` is decoded to floats for you.

    Usage: :attr:`last_usage` holds the usage (tokens and ``cost``) of this instance's last
    call, summed over its batches, and every request is reported to an active
    :func:`~langchain_openrouter.get_openrouter_callback` block. Failures raise the same
    LangChain/OpenRouter error classes as ``ChatOpenRouter``.
    """

    model_config = ConfigDict(populate_by_name=True, hide_input_in_errors=True)

    model: str = "openai/text-embedding-3-small"
    """The embedding model slug."""
    openrouter_api_key: SecretStr | None = Field(
        alias="api_key", default_factory=environment.api_key,
        exclude=True, repr=False)
    """API key; read from ``OPENROUTER_API_KEY`` when not given. Never logged or serialized."""
    openrouter_api_base: str | None = Field(
        alias="base_url", default_factory=lambda: environment.read("base_url"))
    """Base URL (default ``https://openrouter.ai/api/v1``)."""
    dimensions: int | None = Field(default=None, ge=1)
    """Output vector size, for models that support shortening (``text-embedding-3-*``)."""
    encoding_format: Literal["float", "base64"] | None = None
    """Wire encoding; vectors are returned as floats either way."""
    openrouter_provider: ProviderPreferences | None = Field(
        default=None, validation_alias=AliasChoices("openrouter_provider", "provider"))
    """Provider routing preferences (``order``, ``only``, ``allow_fallbacks``...)."""
    batch_size: int = Field(default=core.DEFAULT_BATCH_SIZE, ge=1, le=2048)
    """Inputs per request."""
    max_retries: int = Field(default=2, ge=0)
    """Retries on retryable failures (429, 5xx, connection errors)."""
    request_timeout: float | None = Field(default=None, alias="timeout", gt=0)
    """Request timeout in seconds."""
    default_headers: Mapping[str, str] | None = Field(default=None, exclude=True, repr=False)
    """Extra headers on every request; left out of ``repr`` and serialization as they may hold
    secrets (a pickle keeps them)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body parameters sent verbatim (e.g. ``{"input_type": "query"}``)."""

    _last_usage: Usage | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _unknown_arguments(cls, values: Any) -> Any:
        """The spelling rule (:mod:`openrouter_core.spelling`): a near miss of a parameter
        (``dimensons``) fails; any other unknown argument is warned about and sent in the
        body, through ``model_kwargs``."""
        if isinstance(values, dict):
            values = dict(values)
            spelling.collect_unknown(values, spelling.accepted_names(cls),
                                     cls.__name__, "model_kwargs")
        return values

    @property
    def last_usage(self) -> Usage | None:
        """Usage of this instance's last call (tokens and ``cost``, summed over batches)."""
        return self._last_usage

    # --- pure plumbing --------------------------------------------------------------------
    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the API key: the unpickling process reads ``OPENROUTER_API_KEY``
        when it sends (see ``openrouter_core.environment.state_without_key``)."""
        return environment.state_without_key(super().__getstate__(), "openrouter_api_key")

    def _endpoint(self) -> Endpoint:
        return Endpoint(base_url=self.openrouter_api_base or DEFAULT_BASE_URL,
                        api_key=self.openrouter_api_key, timeout=self.request_timeout,
                        max_retries=self.max_retries)

    def _options(self) -> core.EmbeddingOptions:
        return core.EmbeddingOptions(dimensions=self.dimensions,
                                     encoding_format=self.encoding_format,
                                     provider=self.openrouter_provider,
                                     extra_body=self.model_kwargs or None)

    def _call_args(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "headers": dict(self.default_headers or {}),
                "on_batch": self._report}

    def _report(self, result: core.EmbeddingResult) -> None:
        # The requested slug: the response names the upstream model ("text-embedding-3-small").
        record_embedding_usage(self.model, result.usage)

    def _finish(self, result: core.EmbeddingResult) -> list[list[float]]:
        self._last_usage = result.usage
        return result.vectors

    # --- I/O ------------------------------------------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed ``texts``, one vector each, in order."""
        check_budget()
        with langchain_errors():
            result = core.embed(self._endpoint(), self.model, texts, self._options(),
                                **self._call_args())
        return self._finish(result)

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`."""
        check_budget()
        with langchain_errors():
            result = await core.aembed(self._endpoint(), self.model, texts, self._options(),
                                       **self._call_args())
        return self._finish(result)

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self.aembed_documents([text]))[0]
