"""What the benchmarks share: the local service in a process of its own, and a recorder of requests.

``Service`` runs the local service in a child process (its CPU is not the client's)
and asks it for its own counters over a pipe.  ``Recorder`` is a loopback HTTP proxy
in front of it that keeps the last request as sent (method, path, headers, body), so
a bare peer can send exactly what the client sent, whatever the client's internals.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]

# A line on the child's stdin asks for every account's counters (one JSON line back),
# which only the service knows: the 503s it sent, the busiest second it accepted.
_SERVE = """
import dataclasses, json, sys
from boomi_soap.localservice import DEFAULT_API_TOKEN, DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig, User
rate, accounts = (float(sys.argv[1]) or None), tuple(sys.argv[2:])
login = User(DEFAULT_USER, password=DEFAULT_PASSWORD, api_token=DEFAULT_API_TOKEN, accounts=frozenset(accounts))
with LocalService(ServiceConfig(accounts=accounts, users=(login,), rate_limit=rate)) as service:
    print(f"serving on {service.base_url}", flush=True)
    for _ in sys.stdin:
        print(json.dumps({a: dataclasses.asdict(service.limit_stats(a)) for a in accounts}), flush=True)
"""


class Service:
    """The local service in a process of its own, with ``rate`` calls/s per account (0: unlimited)."""

    def __init__(self, accounts: list[str], rate: float) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode on, as for the client
        env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(rate), *accounts],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().split(" on ")[1].split()[0]

    def stats(self) -> dict[str, dict[str, int]]:
        """Each account's counters (accepted, rate_limited, quota_exceeded, max_in_window)."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        found: dict[str, dict[str, int]] = json.loads(self.process.stdout.readline())
        return found

    def stop(self) -> None:
        """End the service (its stdin closed) and wait for it."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass(frozen=True)
class Sent:
    """One request as it reached the recorder."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Recorder:
    """A loopback proxy to ``target`` (a base URL) that keeps every request it forwards."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.requests: list[Sent] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = tuple((k, v) for k, v in self.headers.items())
                recorder.requests.append(Sent(self.command, self.path, headers, body))
                upstream = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
                try:
                    wanted = {k: v for k, v in headers if k.lower() not in ("host", "content-length", "connection")}
                    upstream.request(self.command, self.path, body=body or None, headers=wanted)
                    answer = upstream.getresponse()
                    content = answer.read()
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                return None

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
