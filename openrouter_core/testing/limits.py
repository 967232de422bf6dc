"""Rate limits under load: a rule that answers some requests with 429 and ``Retry-After``.

Batch jobs (Ray, ``multiprocessing``, ``model.batch``) meet rate limits on a share of their
requests, not on a queued few, and every worker retries its own. :func:`rate_limited` emulates
that without depending on which worker asks first: one request in every ``every`` distinct
request bodies is answered with OpenRouter's 429 (the body, the ``X-RateLimit-*`` headers and
``Retry-After``), and the retry of that request, which carries the same body bytes, is passed on
to the next responder::

    emulator.responder = first_of(rate_limited(every=5, retry_after=1), fallback=auto_respond)
    ...
    limited = [r for r in emulator.chat_requests if r.status == 429]

The rule is safe to call from the emulator's serving thread while tests read its counters.
"""

from __future__ import annotations

import hashlib
import threading
import time

from openrouter_core.testing.records import RecordedRequest
from openrouter_core.testing.replies import Reply

RATE_LIMIT_MESSAGE = "Rate limit exceeded: limit_rpm/{model}/emulated. Retry shortly."
"""The 429 message, in the shape OpenRouter's own rate limit uses."""


class RateLimiter:
    """A rule (see :data:`~openrouter_core.testing.auto.Rule`) that rate-limits
    the first attempt of one distinct chat request body in every ``every``; see the module docs.

    ``limited`` counts the 429s it has answered; ``seen`` the distinct bodies it has met.
    """

    def __init__(self, every: int, retry_after: float) -> None:
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        if retry_after < 0:
            raise ValueError(f"retry_after must be zero or more seconds, got {retry_after}")
        self.every = every
        self.retry_after = retry_after
        self.limited = 0
        self.seen = 0
        self._first_attempts: set[bytes] = set()
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply | None:
        """A 429 for the first attempt of every ``every``-th new body; ``None`` otherwise."""
        # A digest, not the body: a long batch must not keep every prompt in memory.
        digest = hashlib.blake2b(request.body, digest_size=16).digest()
        with self._lock:
            if digest in self._first_attempts:
                return None  # a retry: let it through
            self._first_attempts.add(digest)
            self.seen += 1
            if (self.seen - 1) % self.every:
                return None
            self.limited += 1
        return self.reply(request.model or "unknown")

    def reply(self, model: str) -> Reply:
        """OpenRouter's 429 for ``model``, with ``Retry-After`` and ``X-RateLimit-*``."""
        reset = str(int((time.time() + self.retry_after) * 1000))  # epoch ms, as OpenRouter
        limits = {"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0",
                  "X-RateLimit-Reset": reset}
        return Reply.error(429, RATE_LIMIT_MESSAGE.format(model=model),
                           metadata={"headers": limits},
                           headers={**limits, "Retry-After": f"{self.retry_after:g}"})


def rate_limited(every: int = 5, retry_after: float = 1.0) -> RateLimiter:
    """A rule answering 429 with ``Retry-After: retry_after`` (seconds) to the first attempt of
    one distinct request in every ``every`` (the 1st, the ``every + 1``-th, ...); put it before
    a fallback with :func:`~openrouter_core.testing.auto.first_of`."""
    return RateLimiter(every, retry_after)
