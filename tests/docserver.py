"""A tiny HTTP server of fixed documents, recording what it was asked (for fetch tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    path: str
    authorization: str | None


@dataclass
class DocServer:
    """Serves ``routes``: path-with-query -> (status, headers, body)."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""


@contextmanager
def doc_server(routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None) -> Iterator[DocServer]:
    state = DocServer(dict(routes or {}))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.seen.append(Seen(self.path, self.headers.get("Authorization")))
            status, headers, body = state.routes.get(self.path, (404, {}, b"missing"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            """Answer ``POST path`` from the route keyed ``"POST " + path`` (a replayed SOAP answer)."""
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.path = f"POST {self.path}"
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serving(Handler) as base_url:
        state.base_url = base_url
        yield state


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``handler`` on a free port of ``host`` (a loopback address) in a thread; yield its base URL.

    Its sockets are ``TCP_NODELAY``, as the local service's: the handler writes its headers and its
    body in two sends, and Nagle's algorithm would hold the second for the client's delayed ACK
    (40 ms on Linux), a wait on every answer that no real server adds.
    """
    quick = type(handler.__name__, (handler,), {"disable_nagle_algorithm": True})
    server = ThreadingHTTPServer((host, 0), quick)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
