"""The service under connection-level abuse: dripping clients, bad framing, bursts.

No test here asserts a duration: deadlines are set short and a test checks what the
server did (answered, refused, closed), bounded by generous client timeouts.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from boomi_soap.localservice import LocalService, ServiceConfig
from boomi_soap.localservice import server as server_module
from tests.boomi_soap.localservice.helpers import RawSoap, envelope

QUERY = "<soap:query><api:objectType>Role</api:objectType></soap:query>"
CREATE = envelope('<soap:create><object xsi:type="api:Environment" name="Framed" classification="TEST"/></soap:create>')


def _address(service: LocalService) -> tuple[str, int]:
    url = urlsplit(service.base_url)
    return url.hostname or "", url.port or 0


def _head(service: LocalService, length: int, extra: str = "") -> bytes:
    path = urlsplit(service.endpoint()).path
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {length}\r\n{extra}\r\n"
    ).encode()


def _answer(sock: socket.socket) -> bytes:
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@contextlib.contextmanager
def _sockets(service: LocalService, count: int) -> Iterator[list[socket.socket]]:
    opened = [socket.create_connection(_address(service), timeout=10) for _ in range(count)]
    try:
        yield opened
    finally:
        for sock in opened:
            sock.close()


def _environments(service: LocalService) -> int:
    return service.store().count("Environment")


@pytest.mark.skipif(sys.platform != "linux", reason="Linux drops SYNs over a full accept queue")
def test_listen_backlog_holds_a_burst_of_connects() -> None:
    service = LocalService(ServiceConfig(rate_limit=None))
    service.bind()  # listening, not accepting: every connect waits in the backlog
    try:
        with _sockets(service, 128) as opened:
            assert len(opened) == 128
    finally:
        service.stop()


def test_slow_connections_take_no_thread(service: LocalService) -> None:
    assert RawSoap(service).call(QUERY).status == 200
    before = threading.active_count()
    with _sockets(service, 300) as slow:
        for sock in slow:
            sock.sendall(_head(service, 100)[:20])  # a request line, dripping
        assert RawSoap(service).call(QUERY).status == 200  # others are served meanwhile
        assert threading.active_count() <= before
    assert service.limit_stats().accepted == 2


def test_accepted_sockets_have_nodelay_and_answers_are_one_write(
    service: LocalService, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []
    real_sendall, real_send = socket.socket.sendall, socket.socket.send
    url = urlsplit(service.endpoint())

    def ours(sock: socket.socket) -> bool:
        # This service's answers only: other services of the session (the pool keeps them) write too.
        if not threading.current_thread().name.startswith("atomsphere") or sock.family == socket.AF_UNIX:
            return False
        # And this test's connection only: the pooled service may still be answering the
        # connections an earlier test left (its dripping sockets, closed half-sent).
        try:
            return bool(sock.getsockname()[1] == url.port and sock.getpeername()[1] == client_port)
        except OSError:
            return False

    def sendall(self: socket.socket, data: Any, *args: Any) -> None:
        if ours(self):
            writes.append(len(data))
        real_sendall(self, data, *args)

    def send(self: socket.socket, data: Any, *args: Any) -> int:
        if ours(self):
            writes.append(len(data))
        return real_send(self, data, *args)

    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    connection.connect()
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    monkeypatch.setattr(socket.socket, "sendall", sendall)
    monkeypatch.setattr(socket.socket, "send", send)
    try:
        for _ in range(3):
            body = envelope(QUERY, wrapper_ns=RawSoap(service).wrapper_ns)
            connection.request("POST", url.path, body=body, headers={"Content-Type": "text/xml"})
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        accepted = [c.sock for c in service._server._connections]  # type: ignore[union-attr]
        assert accepted
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted)
    finally:
        connection.close()
    assert len(writes) == 3  # head and body of each answer in a single write


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_dripping_client_is_cut_off(phase: str) -> None:
    config = ServiceConfig(rate_limit=None, header_timeout=0.3, body_timeout=0.3)
    with LocalService(config) as service, _sockets(service, 1) as (sock,):
        head = _head(service, len(CREATE))
        if phase == "body":
            sock.sendall(head)
        sock.settimeout(0.05)
        answer = b""
        for n in range(200):  # one byte every 50 ms: 10 s if never cut off
            with contextlib.suppress(OSError):
                sock.send(head[n : n + 1] if phase == "headers" else CREATE[n : n + 1])
            with contextlib.suppress(TimeoutError):
                answer = sock.recv(65536)
                break
        assert answer.startswith(b"HTTP/1.1 408 ")
    assert service.limit_stats().accepted == 0


def test_both_content_length_and_transfer_encoding_are_refused(service: LocalService) -> None:
    before = _environments(service)
    with _sockets(service, 1) as (sock,):
        sock.sendall(_head(service, len(CREATE), "Transfer-Encoding: chunked\r\n") + CREATE)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert _environments(service) == before


def test_a_body_shorter_than_its_content_length_is_never_processed(service: LocalService) -> None:
    before = _environments(service)
    with _sockets(service, 1) as (sock,):
        sock.sendall(_head(service, len(CREATE) + 10) + CREATE)
        sock.shutdown(socket.SHUT_WR)  # the client is done: 10 bytes short
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert _environments(service) == before


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the requests that reach the SOAP handler (the full parse)."""
    seen: list[int] = []
    real = server_module.handle_soap

    def counting(data: bytes, **kwargs: Any) -> Any:
        seen.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(server_module, "handle_soap", counting)
    return seen


def test_unauthenticated_body_is_never_parsed(service: LocalService, parses: list[int]) -> None:
    big = "<soap:query><api:objectType>Role</api:objectType>" + "<!-- pad -->" * 200_000 + "</soap:query>"
    reply = RawSoap(service).post(envelope(big, password="wrong"))
    assert reply.fault()[2] == "AUTHENTICATION"
    reply = RawSoap(service).post(envelope(big, header=""))
    assert reply.fault()[1] == "A WS-Security UsernameToken is required"
    assert parses == []
    assert RawSoap(service).call(QUERY).status == 200
    assert len(parses) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<soap:query " + " ".join(f'xmlns:p{i}="urn:x{i}"' for i in range(100_000)) + ">"
            "<api:objectType>Role</api:objectType></soap:query>",
            "more than 1000 namespace declarations",
        ),
        ("<soap:query>" + "<a/>" * 150_000 + "</soap:query>", "more than 100000 tags"),
    ],
    ids=["namespaces", "elements"],
)
def test_body_limits_beyond_bytes(service: LocalService, parses: list[int], body: str, message: str) -> None:
    reply = RawSoap(service).post(envelope(body))
    assert reply.status == 400
    _, text, code = reply.fault()
    assert code == "INVALID_REQUEST"
    assert message in text
    assert parses == []


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads RSS from /proc")
def test_a_burst_of_big_unauthenticated_bodies_leaves_no_memory(service: LocalService, parses: list[int]) -> None:
    body = envelope(QUERY.replace("Role", "R" * (10 * 1024 * 1024 - 2000)), password="wrong")
    answers: list[bytes] = []

    def post() -> None:
        with _sockets(service, 1) as (sock,):
            with contextlib.suppress(OSError):  # refused early: the server may stop reading
                sock.sendall(_head(service, len(body)))
                sock.sendall(body)
            answers.append(_answer(sock))

    baseline = _rss()
    for _ in range(3):
        threads = [threading.Thread(target=post) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(answers) == 24
    assert all(b"FailedAuthentication" in a for a in answers)
    assert parses == []
    assert _rss() - baseline < 50 * 1024 * 1024


def test_encodings_beyond_utf8_and_utf16_are_refused(service: LocalService, parses: list[int]) -> None:
    soap = RawSoap(service)
    text = envelope(QUERY, wrapper_ns=soap.wrapper_ns).decode()
    assert soap.post(text.encode("utf-16")).status == 200
    flood = envelope("<soap:query " + " ".join(f'xmlns:p{i}="urn:x{i}"' for i in range(2_000)) + "/>").decode()
    assert "namespace declarations" in soap.post(flood.encode("utf-16")).fault()[1]
    # UTF-7 can spell "<" and "xmlns" in base64, past any count of raw bytes.
    utf7 = "<?xml version='1.0' encoding='UTF-7'?>" + text
    assert soap.post(utf7.encode("utf-7")).fault()[1] == "The UTF-7 encoding is not accepted: send UTF-8 or UTF-16"
    assert soap.post(text.encode("utf-32")).fault()[1] == "UTF-32 is not accepted: send UTF-8 or UTF-16"
    assert len(parses) == 1


def test_expect_continue_is_answered_before_the_body(service: LocalService) -> None:
    body = envelope(QUERY, wrapper_ns=RawSoap(service).wrapper_ns)
    with _sockets(service, 1) as (sock,):
        sock.sendall(_head(service, len(body), "Expect: 100-continue\r\nConnection: close\r\n"))
        assert sock.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        assert _answer(sock).startswith(b"HTTP/1.1 200 ")
