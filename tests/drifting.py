"""A proxy on 127.0.0.1 in front of a local service that rewrites its answers: drift, on the wire."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from urllib3.util import parse_url

from tests.docserver import serving

Rewrite = Callable[[bytes, str], bytes]


@contextmanager
def drifting_proxy(target_url: str, rewrite: Rewrite) -> Iterator[str]:
    """Forward every request to ``target_url``; pass each answer body (and its content type) through ``rewrite``."""
    target = parse_url(target_url)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            upstream = http.client.HTTPConnection(target.host or "", target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            upstream.request(self.command, self.path, body, headers)
            answer = upstream.getresponse()
            data = rewrite(answer.read(), answer.getheader("Content-Type") or "")
            upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with serving(Handler) as base_url:
        yield base_url
