"""Loopback HTTP servers that misbehave on purpose: redirect, drip, flood, bombs, gateways (for bounds tests)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.client
import socket
import ssl
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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
def scripted(answer: Answer, *, tls: ssl.SSLContext | None = None) -> Iterator[Scripted]:
    """Serve every GET and POST with ``answer(handler, state)`` on 127.0.0.1 (over TLS with ``tls``)."""
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

    with serving(Handler) if tls is None else _serving_tls(Handler, tls) as base_url:
        state.base_url = base_url
        try:
            yield state
        finally:
            state.stop.set()  # let a dripping answer end before the server shuts down


@contextmanager
def _serving_tls(handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext) -> Iterator[str]:
    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, Any]:
            sock, address = super().get_request()
            # The handshake in the handler's thread: a client that gives up must not block accept().
            return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # refused handshakes are what some tests are about

    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate and its key (PEM files)."""

    cert: str
    key: str


def self_signed(directory: Path, name: str, *, ip: str = "127.0.0.1") -> Certificate:
    """A self-signed certificate for ``ip`` (made with the openssl command), valid for a day."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
            "-out", str(cert), "-subj", f"/CN={name}", "-addext", f"subjectAltName=IP:{ip}",
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    return Certificate(str(cert), str(key))


def server_tls(server: Certificate, *, client_ca: str | None = None) -> ssl.SSLContext:
    """A server-side TLS context with ``server``'s certificate, requiring a client one signed by ``client_ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server.cert, server.key)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


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


def drip(every: float = 0.5, *, headers_first: bool = False, length: bool = True) -> Answer:
    """One byte every ``every`` seconds, for ever (or the status line first, when ``headers_first``).

    Without ``length`` the body has no ``Content-Length`` and ends with the connection.
    """

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        framing = b"Content-Length: 100000" if length else b"Connection: close"
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n" + framing + b"\r\n\r\n"
        if not length:
            handler.close_connection = True
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


def stall() -> Answer:
    """Read the request, then say nothing at all until the test ends."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        state.stop.wait(60)

    return answer


def truncated() -> Answer:
    """A 200 that promises 10,000 bytes, sends 100 and closes."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", "10000")
        handler.end_headers()
        handler.wfile.write(b"<x>" + b" " * 97)
        handler.close_connection = True

    return answer


def huge_fault(size: int, *, declared: bool = True) -> Answer:
    """An HTTP 500 SOAP fault whose ``faultstring`` is ``size`` bytes, with or without a ``Content-Length``."""
    body = (
        b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        b"<faultcode>S:Server</faultcode><faultstring>"
        + b"F" * size
        + b"</faultstring></S:Fault></S:Body></S:Envelope>"
    )

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        handler.send_response(500)
        handler.send_header("Content-Type", "text/xml")
        if declared:
            handler.send_header("Content-Length", str(len(body)))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@functools.cache
def bomb(decoded: int, layers: int = 1) -> bytes:
    """``decoded`` zero bytes, gzipped ``layers`` times (256 MiB: about 250 KiB once, 1 KiB twice)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(decoded // len(block))]
    data = b"".join(parts) + compressor.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


def gzip_bomb(decoded: int, layers: int = 1) -> Answer:
    """A 200 whose small gzip body (``layers`` deep: ``Content-Encoding: gzip, gzip``) inflates to ``decoded`` bytes."""
    body = bomb(decoded, layers)
    return reply(200, body, {"Content-Type": "text/xml", "Content-Encoding": ", ".join(["gzip"] * layers)})


def gateway(upstream: str, fail: Callable[[Received, int], bool], failure: Answer | None = None) -> Answer:
    """A gateway in front of ``upstream``: forwards every request, then answers ``failure`` when ``fail``.

    ``fail(request, n)`` sees the request and how many came before it; by default the
    failure is a bare HTTP 503, as a proxy or load balancer sends, after the service has
    done the work.
    """
    failure = failure or reply(503, b"", {"Content-Type": "text/plain"})
    target = http.client.HTTPConnection  # a connection per request: the gateway is not the subject
    host, port = upstream.removeprefix("http://").split(":")

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        received = state.received[-1]
        connection = target(host, int(port), timeout=30)
        try:
            headers = {k: v for k, v in received.headers.items() if k.lower() not in ("host", "connection")}
            connection.request(received.method, received.path, body=received.body or None, headers=headers)
            upstream_answer = connection.getresponse()
            body = upstream_answer.read()
        finally:
            connection.close()
        if fail(received, len(state.received) - 1):
            failure(handler, state)
            return
        skip = ("content-length", "transfer-encoding", "connection", "date", "server")
        relayed = {k: v for k, v in upstream_answer.getheaders() if k.lower() not in skip}
        reply(upstream_answer.status, body, relayed)(handler, state)

    return answer


def forward_proxy() -> Answer:
    """An HTTP forward proxy: relays each absolute-form request (``POST http://host:port/path``) to its host."""

    def answer(handler: BaseHTTPRequestHandler, state: Scripted) -> None:
        received = state.received[-1]
        target = received.path.removeprefix("http://").split("/", 1)[0]
        upstream = gateway(f"http://{target}", lambda request, before: False)
        path = "/" + received.path.removeprefix("http://").split("/", 1)[1]
        state.received[-1] = Received(received.method, path, received.headers, received.body)
        try:
            upstream(handler, state)
        finally:
            state.received[-1] = received

    return answer
