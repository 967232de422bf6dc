"""The loopback server the benchmark workers talk to: the project's emulator with canned bytes.

Each reply is one :meth:`~openrouter_core.testing.Reply.raw` whose SSE body is sent as a single
piece (one HTTP chunk, one socket write), so the emulator's per-chunk cost is nil and what is
measured is the client. The payload is picked by the request's last message
(``payloads.PROMPT_PREFIX + name``).
"""

from __future__ import annotations

from openrouter_core.testing import Emulator, RecordedRequest, Reply

try:  # run as a script from benchmarks/ or imported as benchmarks.serve
    from payloads import content_type, payload, payload_name  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - package import
    from benchmarks.payloads import content_type, payload, payload_name


def reply_for(request: RecordedRequest) -> Reply:
    """The canned reply for ``request`` (a 400 error body for a non-benchmark request)."""
    name = payload_name(request.json)
    if name is None:
        return Reply.error(400, "not a benchmark request: the last message names no payload")
    data = payload(name).body()
    headers = {"Content-Type": content_type(name), "Cache-Control": "no-cache",
               "X-Generation-Id": "gen-1700000000-EmulatedIdForTests01"}
    # Two pieces, the second empty: the emulator then sends the body as one HTTP chunk
    # instead of splitting it per SSE event.
    return Reply.raw(200, headers, chunk_delays=[(data, 0.0), (b"", 0.0)])


class Server(Emulator):
    """The emulator answering every chat request with :func:`reply_for`."""

    def forget(self) -> None:
        """Drop the recorded requests (a 2,000-message request is kept as about 1 MB)."""
        self.reset()
        self.responder = reply_for


def start() -> Server:
    """Start the benchmark server."""
    server = Server()
    server.responder = reply_for
    server.start()
    return server
