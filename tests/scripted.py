"""Loopback HTTP servers that misbehave on purpose: redirect, drip, flood (for bounds tests)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.docserver import serving


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Scripted:
    """What the server was sent, and its base URL."""

    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def text(self) -> str:
        """Everything received, as text (to hunt for a secret)."""
        return "\n".join(f"{r.method} {r.path}\n{r.headers}\n{r.body.decode('latin-1')}" for r in self.received)


Answer = Callable[[BaseHTTPRequestHandler, Scripted], None]


@contextmanager
def scripted(answer: Answer) -> Iterator[Scripted]:
    """Serve every GET and POST with ``answer(handler, state)`` on 127.0.0.1."""
    state = Scripted()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.received.append(Received(self.command, self.path, dict(self.headers.items()), body))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client cut it short, as it should
                answer(self, state)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serving(Handler) as base_url:
        state.base_url = base_url
        try:
            yield state
        finally:
            state.stop.set()  # let a dripping answer end before the server shuts down


def reply(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
    """An answer with a fixed status, headers and body."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def drip(every: float = 0.5, *, headers_first: bool = False) -> Answer:
    """One byte every ``every`` seconds, for ever (or the status line first, when ``headers_first``)."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n"
        if headers_first:
            handler.wfile.write(head)
            handler.wfile.flush()
        payload = (b"" if headers_first else head) + b"<x>" + b" " * 100000
        for index in range(len(payload)):
            if state.stop.wait(every):
                return
            handler.wfile.write(payload[index : index + 1])
            handler.wfile.flush()

    return answer


def flood(size: int) -> Answer:
    """A 200 answer of ``size`` bytes, without a Content-Length (so the size is only known by reading)."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        block = b"<x>" + b" " * (64 * 1024 - 3)
        sent = 0
        while sent < size and not state.stop.is_set():
            handler.wfile.write(block)
            sent += len(block)

    return answer
