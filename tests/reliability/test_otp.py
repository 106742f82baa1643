"""``X-Boomi-OTP``: sent on every request of both drivers, SOAP and REST; never in a log or a repr."""

from __future__ import annotations

import asyncio
import http.client
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from boomi_soap.async_client import AsyncClient
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
from boomi_soap.settings import ClientSettings
from tests.conftest import Lease

OTP = "otp-482913-must-not-leak"
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


class Recorder:
    """A loopback reverse proxy in front of the local service: it keeps each request's ``X-Boomi-OTP``."""

    def __init__(self, target: str) -> None:
        self.seen: list[tuple[str, str | None]] = []
        host, port = urlsplit(target).hostname, urlsplit(target).port
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body go in two sends (see tests.docserver.serving)

            def _forward(self) -> None:
                recorder.seen.append((self.path, self.headers.get("X-Boomi-OTP")))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = http.client.HTTPConnection(host or "127.0.0.1", port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 - http.server's names

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorded(lease: Lease) -> Iterator[tuple[LocalService, Recorder]]:
    service = lease.service(ServiceConfig(rate_limit=None))
    recorder = Recorder(service.base_url)
    yield service, recorder
    recorder.close()


def _client(service: LocalService, recorder: Recorder, lease: Lease, compiled: Path, transport: str) -> Client:
    return Client(
        lease.snapshot(service, CREDENTIALS),
        CREDENTIALS,
        endpoint=service.endpoint().replace(service.base_url, recorder.base_url),
        settings=ClientSettings(rate_limit=None, otp=OTP),
        compiled_dir=compiled,
        transport=transport,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("transport", ["soap", "rest"])
def test_every_request_of_both_drivers_carries_it_and_no_log_shows_it(
    recorded: tuple[LocalService, Recorder],
    lease: Lease,
    tmp_path: Path,
    transport: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, recorder = recorded
    caplog.set_level(logging.DEBUG)
    client = _client(service, recorder, lease, tmp_path / "compiled", transport)
    assert [a.name for a in client.query("Atom")]
    sync_seen = len(recorder.seen)
    assert sync_seen >= 1

    async def go() -> list[str]:
        async with AsyncClient(client) as aclient:
            return [str(a.name) async for a in aclient.query("Atom")]

    assert asyncio.run(go())
    assert len(recorder.seen) > sync_seen  # the async driver went through the recorder too
    assert {otp for _, otp in recorder.seen} == {OTP}, recorder.seen
    if transport == "rest":
        assert any("/api/rest/" in path for path, _ in recorder.seen), recorder.seen
    assert caplog.records, "DEBUG logging was on"
    assert OTP not in caplog.text
    assert "x-boomi-otp" in caplog.text.lower()  # the header is logged by name, its value masked
    assert OTP not in repr(client.settings)
    assert OTP not in repr(client)
    client.close()


def test_settings_check_it_and_never_echo_it() -> None:
    settings = ClientSettings(otp=OTP)
    assert "otp='***'" in repr(settings)
    assert "otp=None" in repr(ClientSettings())
    from boomi_soap.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="otp must be a non-empty one-line string") as caught:
        ClientSettings(otp="123\r\nX-Other: 1")
    assert "123" not in str(caught.value)


def test_the_cli_sends_boomi_otp_and_never_prints_it(recorded: tuple[LocalService, Recorder], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from boomi_soap.cli import main
    from tests.boomi_soap.cli.test_commands import fetch_env

    service, recorder = recorded
    env = {**fetch_env(service), "BOOMI_SOAP_COMPILED_DIR": str(tmp_path / "compiled"), "BOOMI_OTP": OTP}
    cache = str(tmp_path / "cli-cache")
    runner = CliRunner()
    assert runner.invoke(main, ["fetch", "--cache-dir", cache], env=env).exit_code == 0
    before = len(recorder.seen)
    args = ["schedules", "status", "Orders - Shopify to SAP", "--atom", "Production Atom", "--cache-dir", cache]
    shown = runner.invoke(main, ["-vv", *args, "--base-url", recorder.base_url], env=env)
    assert shown.exit_code == 0, shown.output
    assert recorder.seen[before:], "the command went through the recorder"
    assert {otp for _, otp in recorder.seen[before:]} == {OTP}
    assert OTP not in shown.output
    assert OTP not in shown.stderr
