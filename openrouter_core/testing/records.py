"""What reached the emulator: one :class:`RecordedRequest` per HTTP request, kept for assertions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


def text_of(content: Any) -> str:
    """The text of a message ``content``: a string, or the ``text`` parts of a part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""


@dataclass(slots=True)
class RecordedRequest:
    """One request exactly as it went over the wire.

    ``headers`` has lower-cased names; ``json`` is the parsed body (``None`` when the body is
    empty or not JSON). ``closed_at`` is the :func:`time.monotonic` instant at which the client
    closed the connection *before the response was completely sent* (a cancelled stream);
    it stays ``None`` when the response was delivered or the emulator itself ended it.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    closed_at: float | None = None
    query: str = ""
    index: int = 0
    received_at: float = 0.0
    status: int | None = field(default=None)
    """HTTP status the emulator answered with (``None`` until the response head is sent)."""

    @property
    def cancelled_by_client(self) -> bool:
        """Whether the client hung up before the whole response was written."""
        return self.closed_at is not None

    @property
    def body_dict(self) -> JSONDict:
        """The JSON body when it is an object, else an empty dict."""
        return self.json if isinstance(self.json, dict) else {}

    @property
    def model(self) -> str | None:
        """The requested ``model`` (or the first of ``models``), if any."""
        body = self.body_dict
        model = body.get("model")
        if isinstance(model, str):
            return model
        models = body.get("models")
        if isinstance(models, list) and models and isinstance(models[0], str):
            return models[0]
        return None

    @property
    def stream(self) -> bool:
        """Whether the request asked for a streamed reply (``"stream": true``)."""
        return self.body_dict.get("stream") is True

    @property
    def messages(self) -> list[JSONDict]:
        """The chat ``messages`` (only the dict entries)."""
        raw = self.body_dict.get("messages")
        return [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []

    @property
    def last_message(self) -> JSONDict | None:
        """The last chat message, if any."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def last_user_text(self) -> str | None:
        """Text of the last ``user`` message, if any."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return text_of(message.get("content"))
        return None

    @property
    def prompt_text(self) -> str:
        """All message texts joined; the emulator estimates prompt tokens from it."""
        return "\n".join(text_of(m.get("content")) for m in self.messages)

    def header(self, name: str, default: str | None = None) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower(), default)
