"""The HTTP/1.1 server of the local AtomSphere service, and its Python API.

Routes (``{account}`` is an account id of the service)::

    GET  /api/soap/v1/{account}?wsdl     the WSDL          (HTTP Basic auth)
    GET  /api/soap/v1/{account}?xsd=1    the data schema   (HTTP Basic auth)
    GET  /api/soap/v1/{account}?xsd=2    the wrapper schema (HTTP Basic auth)
    POST /api/soap/v1/{account}          SOAP 1.1 calls    (WS-Security UsernameToken)
    *    /api/rest/v1/{account}/...      the RESTish API   (HTTP Basic auth; see :mod:`.rest`)

Downloads carry ``ETag`` and ``Last-Modified`` and answer a matching conditional
GET with 304.  Use :class:`LocalService` as a context manager in tests::

    with LocalService() as service:
        url = service.wsdl_url()

How it holds under load: one thread reads every connection (``selectors``), with a
deadline for the request line and headers and another for the body, so a client
that drips bytes costs a socket, not a thread.  Sign-in is decided before a body is
held: REST and Connect Now (with an ``Authorization`` header) from the head, so a
wrong password gets 401 before any body byte is read; a SOAP body is read no further
than ``max_unauthenticated_bytes`` until
:class:`~boomi_soap.localservice.guard.EnvelopeGuard` has checked the UsernameToken
in its Header (it also counts tags and namespace declarations, and refuses a DOCTYPE
or malformed XML at once).  Failed sign-ins are throttled per user name and per
source address.  The reactor reads no more than a request's phase may hold, and
every body counts against ``max_buffered_bytes`` across all connections: past it a
new body gets 503 instead of being read.  At ``max_connections`` only an idle
connection is closed to make room, never one in the middle of a request; if none is
idle the newcomer is refused.  Complete requests go to a fixed pool of worker
threads, which answer in a single write on a ``TCP_NODELAY`` socket.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import itertools
import json
import logging
import queue
import re
import selectors
import signal
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import parse_qs, unquote, urlsplit

from boomi_soap.credentials import Flavour
from boomi_soap.exceptions import ServiceError
from boomi_soap.localservice import connectnow, executions
from boomi_soap.localservice.answers import sparse_document
from boomi_soap.localservice.config import DEFAULT_ACCOUNT, ServiceConfig, User
from boomi_soap.localservice.contract import Release, load_release, snapshot_release
from boomi_soap.localservice.errors import ApiFault, FaultCode, SignInThrottled
from boomi_soap.localservice.guard import EnvelopeGuard
from boomi_soap.localservice.host import Account
from boomi_soap.localservice.injection import Injection, InjectionPlan
from boomi_soap.localservice.limits import AccountLimits, LimitStats, SignInThrottle, retry_after
from boomi_soap.localservice.model import Record
from boomi_soap.localservice.rest import basic_credentials, is_rest
from boomi_soap.localservice.rest import refusal as rest_refusal
from boomi_soap.localservice.rest import respond as rest_respond
from boomi_soap.localservice.seed import read_seed, seed_account, seed_objects
from boomi_soap.localservice.soap import fault_envelope, handle_soap
from boomi_soap.localservice.store import AccountStore

__all__ = ["LocalService"]

_XML: Final = "text/xml; charset=utf-8"
_DOCUMENTS: Final = {"wsdl": "wsdl", "xsd=1": "xsd1", "xsd=2": "xsd2"}
_SERVER: Final = "AtomSphereLocal/1.0"
_REASONS: Final = {status.value: status.phrase for status in HTTPStatus}
_HEAD_LIMIT: Final = 64 * 1024
_CHUNK: Final = 256 * 1024
# Every control character but HTAB (RFC 9110 allows none other in a field value).
_CONTROL: Final = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_REALM: Final = {"WWW-Authenticate": 'Basic realm="AtomSphere API"'}
_WRONG_CREDENTIALS: Final = "The security token could not be authenticated or authorized"
# Boomi's words for an answer that did not process the call, so a client retries it.
_BUSY: Final = (
    "The Boomi server is currently unavailable or your account's rate limits have been exceeded. Retry later."
)
# A refused upload is read and thrown away this long, so that the client, still
# sending, gets to read the answer instead of a connection reset.
_LINGER: Final = 2.0
_MAX_LINGERING: Final = 16
_log = logging.getLogger("boomi_soap.localservice")


@dataclass
class _Request:
    method: str
    target: str
    headers: dict[str, str]  # names in lower case
    keep_alive: bool
    body: bytes = b""
    peer: str = ""  # the source address, for the sign-in throttle

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    content_type: str | None = _XML
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False
    injected: Injection | None = None  # a drop or truncation shapes the write


class _Refused(Exception):  # noqa: N818 - carries an answer, not an error
    def __init__(self, reply: _Reply, skip: int = 0) -> None:
        super().__init__(reply.status)
        self.reply = reply
        self.skip = skip  # body bytes to read past, unread, before the next request


def _plain(status: int, message: str, headers: dict[str, str] | None = None, *, close: bool = False) -> _Reply:
    return _Reply(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers or {}, close)


def _fault(fault: ApiFault) -> _Reply:
    return _Reply(fault.http_status, fault_envelope(fault))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back in the main thread meanwhile (elsewhere: nothing to do)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending one is handled here


def _connect_now(status: int, message: str, headers: dict[str, str] | None = None, *, close: bool = False) -> _Reply:
    return _Reply(status, json.dumps({"errorMessage": message}).encode(), "application/json", headers or {}, close)


def _busy(what: str) -> _Reply:
    """The 503 for a connection or head refused for want of room (``what`` is logged only)."""
    _log.info("busy: refused for want of %s", what)
    return _plain(503, _BUSY, {"Retry-After": "1"}, close=True)


def _render(reply: _Reply, *, with_body: bool) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, '')}", f"Server: {_SERVER}"]
    lines.append(f"Date: {formatdate(usegmt=True)}")
    if reply.status != 304:
        if reply.content_type is not None:
            lines.append(f"Content-Type: {reply.content_type}")
        lines.append(f"Content-Length: {len(reply.body)}")
    lines += [f"{name}: {value}" for name, value in reply.headers.items()]
    if reply.close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + reply.body if with_body else head


def _parse_head(head: bytes) -> tuple[_Request, int]:
    """Parse a request line and headers strictly: what a proxy could read otherwise is refused."""
    if _CONTROL.search(head.replace(b"\r\n", b"")):
        # A bare CR or LF, or a NUL, is how one header is read as two (RFC 9110, 5.5).
        raise _Refused(_plain(400, "A control character in the request line or headers.", close=True))
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1] or not _TOKEN.fullmatch(parts[0]):
        raise _Refused(_plain(400, "Malformed request line.", close=True))
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise _Refused(_plain(400, "Malformed header line.", close=True))
        key, value = name.lower(), value.strip(" \t")
        if key in headers and key == "content-length" and headers[key] != value:
            raise _Refused(_plain(400, "Conflicting Content-Length headers.", close=True))
        headers[key] = value if key not in headers or key == "content-length" else f"{headers[key]}, {value}"
    length_text = headers.get("content-length")
    if "transfer-encoding" in headers:
        # Two framings of one body are how requests get smuggled past a proxy.
        if length_text is not None:
            raise _Refused(_plain(400, "Content-Length and Transfer-Encoding together are refused.", close=True))
        raise _Refused(_plain(411, "A Content-Length header is required.", close=True))
    if length_text is None:
        if method == "POST":
            raise _Refused(_plain(411, "A Content-Length header is required.", close=True))
        length_text = "0"
    # Bounded in digits: int() of thousands of digits raises, and no body is that long.
    if not (length_text.isascii() and length_text.isdigit() and len(length_text) <= 18):
        raise _Refused(_plain(400, "Invalid Content-Length.", close=True))
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return _Request(method, target, headers, keep_alive), int(length_text)


def _account_id(target: str, prefix: str) -> str | None:
    """The account named by a request path under ``prefix`` (the contract's: platform or partner)."""
    path = urlsplit(target).path
    if not path.startswith(prefix):
        return None
    account = unquote(path[len(prefix) :])
    return account if account and "/" not in account else None


class _Connection:
    """One client connection; owned by the reactor, or by one worker while it answers."""

    IDLE, HEAD, BODY, BUSY, LINGER, SKIP = range(6)

    def __init__(self, sock: socket.socket, opened: float, peer: str) -> None:
        self.sock = sock
        self.opened = opened
        self.peer = peer
        self.buffer = bytearray()
        self.phase = self.IDLE
        self.deadline = 0.0
        self.registered = False
        self.closing = False
        self.request: _Request | None = None
        self.length = 0  # of the body being read; in SKIP, the bytes still to read past
        self.fed = 0
        self.held = 0  # bytes counted against the service-wide buffer cap
        self.guard: EnvelopeGuard | None = None


class _Reactor:
    """Reads every connection in one thread; a fixed pool of workers answers complete requests."""

    def __init__(self, service: LocalService) -> None:
        self.service = service
        self.config = service.config
        self.listener = socket.create_server((self.config.host, self.config.port), backlog=self.config.backlog)
        self.listener.setblocking(False)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._connections: set[_Connection] = set()
        # Connections with no request under way (or done with one they refused), the
        # longest idle first: the only ones closed to make room for a new connection.
        self._idle: OrderedDict[_Connection, None] = OrderedDict()
        self._buffered = 0  # request bytes held (or reserved) across all connections
        self._held_lock = threading.Lock()
        self._lingering = 0  # connections reading a refused body away
        self._accepting = True
        self._resume_at = 0.0
        self._deadlines: list[tuple[float, int, _Connection]] = []
        self._sequence = itertools.count()
        self._returned: queue.SimpleQueue[_Connection] = queue.SimpleQueue()
        self._jobs: queue.SimpleQueue[tuple[_Connection, _Request] | None] = queue.SimpleQueue()
        self._stopping = threading.Event()

    # -- the reactor thread ---------------------------------------------------------
    def serve(self) -> None:
        """Serve until :meth:`shutdown`; then close every socket."""
        workers = [
            threading.Thread(target=self._work, name=f"atomsphere-worker-{n}", daemon=True)
            for n in range(self.config.workers)
        ]
        for worker in workers:
            worker.start()
        self._selector.register(self.listener, selectors.EVENT_READ, "listen")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stopping.is_set():
                timeout = 0.5
                if self._deadlines:
                    timeout = min(timeout, max(0.0, self._deadlines[0][0] - time.monotonic()))
                if not self._accepting:
                    timeout = min(timeout, max(0.0, self._resume_at - time.monotonic()))
                ready = self._selector.select(timeout)
                # A signal handler that raises (``serve`` stops on SIGTERM so) must not
                # land in the per-connection handler below and be taken for a bug on
                # one connection: signals wait until the batch is done.
                with _signals_held():
                    for key, _ in ready:
                        if key.data == "listen":
                            self._accept()
                        elif key.data == "wake":
                            self._adopt()
                        else:
                            try:
                                self._readable(key.data)
                            except Exception:  # a bug on one connection must not stop the server
                                _log.exception("connection failed")
                                self._close(key.data)
                    self._expire()
                if not self._accepting and time.monotonic() >= self._resume_at:
                    self._selector.register(self.listener, selectors.EVENT_READ, "listen")
                    self._accepting = True
        finally:
            for _ in workers:
                self._jobs.put(None)
            for connection in list(self._connections):
                self._close(connection)
            self._selector.close()
            self.listener.close()
            self._wake_r.close()
            # Workers are daemons: one asleep in injected latency is not waited for long.
            deadline = time.monotonic() + 1
            for worker in workers:
                worker.join(timeout=max(0.0, deadline - time.monotonic()))
            self._wake_w.close()

    def shutdown(self) -> None:
        """Ask the reactor thread to stop (it closes the sockets itself)."""
        self._stopping.set()
        self._wake()

    def close(self) -> None:
        """Close the listener of a reactor that never served."""
        self.listener.close()
        self._wake_r.close()
        self._wake_w.close()
        self._selector.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full: a wake-up is pending already; closed: stopped
            self._wake_w.send(b"\0")

    def _accept(self) -> None:
        for _ in range(64):  # a burst of connects is taken in one go, then other sockets get a turn
            try:
                sock, peer = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of descriptors: free an idle one, or wait a moment
                _log.warning("accept failed: %s", exc.strerror)
                if not self._evict():
                    self._pause_accepting()
                return
            if len(self._connections) >= self.config.max_connections and not self._evict():
                # Every connection is in the middle of a request: the newcomer is turned
                # away rather than one of them cut.
                with contextlib.suppress(OSError):
                    sock.setblocking(False)
                    sock.send(_render(_busy("connections"), with_body=True))
                sock.close()
                continue
            sock.setblocking(False)
            # Without it a reused connection waits for the peer's delayed ACK (~40 ms) per call.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = _Connection(sock, time.monotonic(), str(peer[0]) if isinstance(peer, tuple) else "")
            self._connections.add(connection)
            self._listen_to(connection)

    def _pause_accepting(self) -> None:
        # The listener stays readable while descriptors are out: unwatched for a moment,
        # it cannot spin the reactor; the backlog keeps the connects meanwhile.
        if self._accepting:
            self._selector.unregister(self.listener)
            self._accepting = False
            self._resume_at = time.monotonic() + 0.1

    def _evict(self) -> bool:
        """Close the longest-idle connection; whether there was one (never one mid-request).

        A connection whose first bytes wait unread (the reactor has not got to it yet) is
        not idle: it goes to the back of the line, and a few more are looked at.
        """
        for _ in range(min(len(self._idle), 16)):
            connection = next(iter(self._idle))
            try:
                waiting = connection.sock.recv(1, socket.MSG_PEEK)
            except (BlockingIOError, InterruptedError):
                waiting = b""  # nothing sent: idle indeed
            except OSError:
                waiting = b""
            if waiting and connection.phase == _Connection.IDLE:
                self._idle.move_to_end(connection)
                continue
            self._close(connection)
            return True
        return False

    def _set_phase(self, connection: _Connection, phase: int) -> None:
        if connection.phase == _Connection.LINGER:
            self._lingering -= 1
        connection.phase = phase
        if phase in (_Connection.IDLE, _Connection.LINGER):
            self._idle[connection] = None
            self._idle.move_to_end(connection)
        else:
            self._idle.pop(connection, None)

    def _hold(self, connection: _Connection, size: int) -> None:
        with self._held_lock:  # a worker lets a body go as soon as it has answered
            self._buffered += size - connection.held
            connection.held = size

    def _reserve(self, connection: _Connection, size: int) -> bool:
        """Count ``size`` bytes for this connection, unless that passes the service-wide cap."""
        size = max(size, len(connection.buffer))
        with self._held_lock:
            if size > connection.held and self._buffered - connection.held + size > self.config.max_buffered_bytes:
                return False
            self._buffered += size - connection.held
            connection.held = size
        return True

    def _listen_to(self, connection: _Connection) -> None:
        self._go_idle(connection)
        self._selector.register(connection.sock, selectors.EVENT_READ, connection)
        connection.registered = True

    def _go_idle(self, connection: _Connection) -> None:
        self._set_phase(connection, _Connection.IDLE)
        self._set_deadline(connection, time.monotonic() + self.config.request_timeout)

    def _set_deadline(self, connection: _Connection, deadline: float) -> None:
        connection.deadline = deadline
        heapq.heappush(self._deadlines, (deadline, next(self._sequence), connection))

    def _expire(self) -> None:
        now = time.monotonic()
        while self._deadlines and self._deadlines[0][0] <= now:
            deadline, _, connection = heapq.heappop(self._deadlines)
            if connection not in self._connections or connection.deadline != deadline:
                continue  # closed, or its deadline moved on
            if connection.phase in (_Connection.HEAD, _Connection.BODY):
                self._refuse(connection, _plain(408, "The request was not received in time.", close=True))
            elif connection.phase != _Connection.BUSY:
                self._close(connection)

    def _adopt(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_r.recv(4096):
                pass
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            if connection.closing or connection not in self._connections:
                self._close(connection)
            else:
                self._hold(connection, len(connection.buffer))  # the answered body is gone
                self._listen_to(connection)
                self._advance(connection)  # a pipelined request may be waiting

    def _want(self, connection: _Connection) -> int:
        """How many bytes to read now: no more than the phase may hold."""
        phase, buffered = connection.phase, len(connection.buffer)
        if phase in (_Connection.IDLE, _Connection.HEAD):
            room = _HEAD_LIMIT + 4 - buffered
        elif phase == _Connection.BODY:
            room = connection.length
            allowance = connection.guard.allowance if connection.guard is not None else None
            if allowance is not None:
                room = min(room, allowance)
            room -= buffered
        elif phase == _Connection.SKIP:
            room = connection.length - buffered
        else:
            room = _CHUNK
        return max(1, min(_CHUNK, room))

    def _readable(self, connection: _Connection) -> None:
        try:
            data = connection.sock.recv(self._want(connection))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(connection)
            return
        if not data:
            if connection.phase == _Connection.BODY:
                # The client gave up mid-body: the request is refused, never processed.
                self._refuse(
                    connection, _plain(400, "The request body is shorter than its Content-Length.", close=True)
                )
            elif connection.phase == _Connection.HEAD:
                self._refuse(connection, _plain(400, "The request ended inside its headers.", close=True))
            self._close(connection)
            return
        if connection.phase == _Connection.LINGER:
            return  # a refused upload: read and thrown away
        connection.buffer += data
        if connection.phase in (_Connection.IDLE, _Connection.HEAD) and not self._reserve(
            connection, len(connection.buffer)
        ):
            self._refuse(connection, _busy("buffer"))
            return
        if len(connection.buffer) > connection.held:
            self._hold(connection, len(connection.buffer))
        self._advance(connection)

    def _advance(self, connection: _Connection) -> None:
        while True:
            phase = connection.phase
            if phase == _Connection.SKIP:
                passed = min(len(connection.buffer), connection.length)
                del connection.buffer[:passed]
                connection.length -= passed
                if connection.length:
                    return
                self._hold(connection, len(connection.buffer))
                self._go_idle(connection)
            elif phase == _Connection.IDLE:
                if not connection.buffer:
                    return
                self._set_phase(connection, _Connection.HEAD)
                self._set_deadline(connection, time.monotonic() + self.config.header_timeout)
            elif phase == _Connection.HEAD:
                if not self._read_head(connection):
                    return
            elif phase != _Connection.BODY or not self._read_body(connection):
                return

    def _read_head(self, connection: _Connection) -> bool:
        """Parse and screen a complete head.

        Returns:
            Whether to go on with the connection's buffer (its body, or the next request).
        """
        end = connection.buffer.find(b"\r\n\r\n", 0, _HEAD_LIMIT + 4)
        if end < 0:
            if len(connection.buffer) > _HEAD_LIMIT:
                self._refuse(connection, _plain(431, "The request headers are too large.", close=True))
            return False
        head = bytes(connection.buffer[:end])
        del connection.buffer[: end + 4]
        try:
            request, length = _parse_head(head)
            request.peer = connection.peer
            guard, allowed = self._screen(request, length)
        except _Refused as refused:
            return self._refuse(connection, refused.reply, refused.skip)
        connection.request, connection.length, connection.fed = request, length, 0
        connection.guard = guard
        self._set_phase(connection, _Connection.BODY)
        if not self._reserve(connection, allowed):
            keep = length <= self.config.max_unauthenticated_bytes and request.keep_alive
            return self._refuse(connection, self._busy_for(request, close=not keep), length if keep else 0)
        self._set_deadline(connection, time.monotonic() + self.config.body_timeout)
        if (request.header("expect") or "").lower() == "100-continue":
            return self._send_now(connection, b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _screen(self, request: _Request, length: int) -> tuple[EnvelopeGuard | None, int]:
        """Refuse what the head alone refuses (sign-in included), before reading the body.

        Returns:
            The guard for a SOAP body, and the bytes of the body to hold meanwhile.

        Raises:
            _Refused: With the answer, and the bytes to read past when the connection stays open.
        """
        config = self.config
        # A small unread body is read past, keeping the connection; a large one closes it.
        keep = length <= config.max_unauthenticated_bytes and request.keep_alive
        skip = length if keep else 0
        path = urlsplit(request.target).path
        rest = is_rest(self.service.release, request.target)
        connect_now = path.startswith(connectnow.PREFIX) and request.method in ("POST", "DELETE")
        if not (connect_now or rest) and request.method not in ("GET", "HEAD", "POST"):
            raise _Refused(_plain(405, "Method not allowed.", {"Allow": "GET, HEAD, POST"}, close=not keep), skip)
        if rest and request.method not in ("GET", "HEAD", "POST", "DELETE"):
            allow = {"Allow": "GET, HEAD, POST, DELETE"}
            raise _Refused(_plain(405, "Method not allowed.", allow, close=not keep), skip)
        if length > config.max_body_bytes:
            raise _Refused(_plain(413, f"The request body exceeds {config.max_body_bytes} bytes.", close=True))
        if connect_now:
            if request.header("authorization") is not None:
                self._basic_sign_in(request, skip, keep=keep, connect_now=True)
            elif length > config.max_unauthenticated_bytes:
                message = f"A body over {config.max_unauthenticated_bytes} bytes needs an Authorization header"
                raise _Refused(_connect_now(401, message, close=True))
            return None, length
        if rest:
            self._basic_sign_in(request, skip, keep=keep, connect_now=False)
            return None, length
        if request.method != "POST":
            if length > config.max_unauthenticated_bytes:  # a download takes no body: none to hold
                raise _Refused(_plain(413, "A GET request takes no body.", close=True))
            return None, length
        if _account_id(request.target, self.service.release.path_prefix) is None:
            raise _Refused(_plain(404, "Endpoint is invalid or no longer exists.", close=not keep), skip)
        guard = EnvelopeGuard(config, lambda username, secret: self._soap_sign_in(username, secret, request.peer))
        return guard, min(length, config.max_unauthenticated_bytes)

    def _basic_sign_in(self, request: _Request, skip: int, *, keep: bool, connect_now: bool) -> None:
        """Refuse a request whose ``Authorization`` header does not sign in (401, or 429 when throttled)."""
        found = basic_credentials(request.header("authorization"))
        try:
            user = self.service.sign_in(*found, request.peer) if found else None
        except SignInThrottled as throttled:
            headers = {"Retry-After": retry_after(throttled.retry_after)}
            if connect_now:
                raise _Refused(_connect_now(429, throttled.message, headers, close=not keep), skip) from None
            reply = rest_refusal(request.headers, 429, throttled.message, headers)
            raise _Refused(_Reply(429, reply.body, reply.content_type, reply.headers, close=not keep), skip) from None
        if user is not None:
            return
        message = "Authentication required." if found is None else _WRONG_CREDENTIALS
        if connect_now:
            raise _Refused(_connect_now(401, "auth does not sign in", dict(_REALM), close=not keep), skip)
        reply = rest_refusal(request.headers, 401, message, dict(_REALM))
        raise _Refused(_Reply(401, reply.body, reply.content_type, reply.headers, close=not keep), skip)

    def _soap_sign_in(self, username: str, secret: str, peer: str) -> None:
        if self.service.sign_in(username, secret, peer) is None:
            raise ApiFault(FaultCode.AUTHENTICATION, _WRONG_CREDENTIALS)

    def _busy_for(self, request: _Request, *, close: bool) -> _Reply:
        """The 503 for a body that would pass the buffer cap, in the shape of its API."""
        path = urlsplit(request.target).path
        if path.startswith(connectnow.PREFIX):
            return _connect_now(503, _BUSY, {"Retry-After": "1"}, close=close)
        if is_rest(self.service.release, request.target):
            reply = rest_refusal(request.headers, 503, _BUSY, {"Retry-After": "1"})
            return _Reply(503, reply.body, reply.content_type, reply.headers, close=close)
        if request.method == "POST":
            fault = _fault(ApiFault(FaultCode.RATE_LIMIT, _BUSY))
            fault.headers["Retry-After"] = "1"
            fault.close = close
            return fault
        return _plain(503, _BUSY, {"Retry-After": "1"}, close=close)

    def _read_body(self, connection: _Connection) -> bool:
        """Feed the guard what arrived; hand a complete request to a worker.

        Returns:
            Whether the connection is ready for its next request.
        """
        request = connection.request
        assert request is not None
        available = min(len(connection.buffer), connection.length)
        guard = connection.guard
        if guard is not None and available > connection.fed:
            try:
                guard.feed(bytes(connection.buffer[connection.fed : available]))
            except ApiFault as fault:
                _log.info("refused before parsing: %s", fault.message)
                complete = available == connection.length
                if complete:
                    del connection.buffer[:available]
                reply = _fault(fault)
                reply.close = not (complete and request.keep_alive)
                return self._refuse(connection, reply)
            connection.fed = available
            # Signed in: the rest of the body may be held, if the service has room for it.
            if (
                guard.signed_in
                and connection.held < connection.length
                and not self._reserve(connection, connection.length)
            ):
                return self._refuse(connection, self._busy_for(request, close=True))
        if len(connection.buffer) < connection.length:
            return False
        if len(connection.buffer) == connection.length:
            request.body = bytes(connection.buffer)
            connection.buffer = bytearray()
        else:
            request.body = bytes(connection.buffer[: connection.length])
            del connection.buffer[: connection.length]
        self._set_phase(connection, _Connection.BUSY)
        self._selector.unregister(connection.sock)
        connection.registered = False
        self._jobs.put((connection, request))
        return False

    def _refuse(self, connection: _Connection, reply: _Reply, skip: int = 0) -> bool:
        """Answer from the reactor (small answers only) and go on, linger or close.

        Args:
            connection: The connection.
            reply: The answer.
            skip: Bytes of an unread body to read past before the next request.

        Returns:
            Whether the connection is ready for its next request.
        """
        if not self._send_now(connection, _render(reply, with_body=True)):
            return False
        connection.request = connection.guard = None
        if not reply.close:
            if skip:
                self._set_phase(connection, _Connection.SKIP)
                connection.length = skip
                self._set_deadline(connection, time.monotonic() + self.config.body_timeout)
            else:
                self._hold(connection, len(connection.buffer))
                self._go_idle(connection)
            return True
        connection.buffer.clear()
        self._hold(connection, 0)
        if self._lingering >= _MAX_LINGERING:
            # A flood of refused uploads: reading them all away would take the reactor's
            # time from everyone else, so past a few the rest are cut.
            self._close(connection)
            return False
        self._set_phase(connection, _Connection.LINGER)
        self._lingering += 1
        self._set_deadline(connection, time.monotonic() + _LINGER)
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_WR)
        return False

    def _send_now(self, connection: _Connection, data: bytes) -> bool:
        # Non-blocking: a client that does not read its refusal is dropped, never waited for.
        try:
            sent = connection.sock.send(data)
        except OSError:
            sent = 0
        if sent < len(data):
            self._close(connection)
            return False
        return True

    def _close(self, connection: _Connection) -> None:
        if connection.registered:
            self._selector.unregister(connection.sock)
            connection.registered = False
        connection.sock.close()
        self._connections.discard(connection)
        self._idle.pop(connection, None)
        if connection.phase == _Connection.LINGER:
            self._lingering -= 1
            connection.phase = _Connection.IDLE
        self._hold(connection, 0)
        # The deadline heap keeps a closed connection until its deadline: not its data.
        connection.buffer = bytearray()
        connection.request = connection.guard = None

    # -- the workers ----------------------------------------------------------------
    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            connection, request = job
            try:
                reply = _respond(self.service, request)
            except Exception:  # a handler bug answers 500 and keeps the server up
                _log.exception("%s %s failed", request.method, urlsplit(request.target).path)
                reply = _fault(ApiFault(FaultCode.SERVER, "Internal server error"))
                reply.close = True
            _log.debug("%s %s -> %d", request.method, urlsplit(request.target).path, reply.status)
            request.body = b""
            self._hold(connection, 0)  # answered: its body no longer counts, even before the write
            self._write(connection, request, reply)
            self._returned.put(connection)
            self._wake()

    def _write(self, connection: _Connection, request: _Request, reply: _Reply) -> None:
        sock = connection.sock
        reply.close = reply.close or not request.keep_alive
        connection.closing = reply.close
        try:
            sock.setblocking(True)
            sock.settimeout(self.config.body_timeout)
            if reply.injected in (Injection.DROP_BEFORE, Injection.DROP_AFTER):
                connection.closing = True
                sock.shutdown(socket.SHUT_RDWR)
                return
            data = _render(reply, with_body=request.method != "HEAD")
            if reply.injected is Injection.TRUNCATED:
                connection.closing = True
                sock.sendall(data[: len(data) - len(reply.body) + len(reply.body) // 2])
                sock.shutdown(socket.SHUT_RDWR)
                return
            sock.sendall(data)  # head and body in one write: no Nagle wait between them
            sock.setblocking(False)
        except OSError:  # the peer went away
            connection.closing = True


# -- routes ---------------------------------------------------------------------------
def _respond(service: LocalService, request: _Request) -> _Reply:
    if urlsplit(request.target).path.startswith(connectnow.PREFIX) and request.method != "GET":
        path = urlsplit(request.target).path
        status, body = connectnow.handle(service, request.method, path, request.body, source=request.peer)
        return _Reply(status, body, "application/json")
    if is_rest(service.release, request.target):
        method = "GET" if request.method == "HEAD" else request.method
        answer = rest_respond(service, method, request.target, request.headers, request.body)
        return _Reply(answer.status, answer.body, answer.content_type, answer.headers, injected=answer.injected)
    if request.method == "POST":
        return _post(service, request)
    return _get(service, request)


def _basic_user(service: LocalService, request: _Request) -> User | _Reply:
    """The user an ``Authorization`` header signs in, or the refusal to answer (401, 429)."""
    found = basic_credentials(request.header("authorization"))
    try:
        user = service.sign_in(*found, request.peer) if found else None
    except SignInThrottled as throttled:
        return _plain(429, throttled.message, {"Retry-After": retry_after(throttled.retry_after)})
    return _plain(401, "Authentication required.", dict(_REALM)) if user is None else user


def _rest_get(service: LocalService, request: _Request) -> _Reply | None:
    """Serve the REST resources a SOAP answer links to; ``None`` if the path is not one.

    ``{endpoint}/ExecutionRecord/async/{requestId}`` (an ExecutionRequest's
    ``recordUrl``) and ``{endpoint}/log/{token}`` (a LogDownload's ``url``).  Both
    need HTTP Basic auth and count against the account's rate limit, as on Boomi.
    """
    path = urlsplit(request.target).path
    prefix = service.release.path_prefix
    if not path.startswith(prefix):
        return None
    account_id, _, rest = unquote(path[len(prefix) :]).partition("/")
    kind, _, key = rest.rpartition("/")
    if kind not in ("ExecutionRecord/async", "log") or not key:
        return None
    user = _basic_user(service, request)
    if isinstance(user, _Reply):
        return user
    account = service.account(account_id)
    if account is None or account_id not in user.accounts:
        return _plain(403, "Access denied due to insufficient permissions.")
    # The Partner API's REST override acts on a sub-account; the parent's limits count the call.
    override = parse_qs(urlsplit(request.target).query).get("overrideAccount", [account_id])[0]
    target = service.account(override) if override in (account_id, *service.sub_accounts(account_id)) else None
    if target is None or override not in user.accounts:
        return _plain(403, "Access denied due to insufficient permissions.")
    try:
        account.limits.admit()
        if kind == "log":
            if executions.log_body(target.store, key) is not None and not executions.log_ready(target.store, key):
                return _plain(202, "Download not ready yet.")
            body = executions.log_body(target.store, key)
            if body is None:
                raise ApiFault(FaultCode.NOT_FOUND, "Endpoint is invalid or no longer exists.")
            return _Reply(200, body, executions.download_type(body))
        answer = executions.async_record(target.store, service.release, key)
        if service.config.answers == "documented":
            answer = sparse_document(answer, service.release.index)
        return _Reply(200, answer, _XML)
    except ApiFault as fault:
        # An unknown request id is 400, as on the REST API this link mirrors; a gone log is no endpoint.
        missing = 404 if kind == "log" else 400
        return _plain(missing if fault.code is FaultCode.NOT_FOUND else fault.http_status, fault.message)


def _get(service: LocalService, request: _Request) -> _Reply:
    linked = _rest_get(service, request)
    if linked is not None:
        return linked
    account_id = _account_id(request.target, service.release.path_prefix)
    query = urlsplit(request.target).query
    # ?xsd=N for every schema document the release has (a user's snapshot may have more than two).
    kind = _DOCUMENTS.get(query) or (f"xsd{query[4:]}" if query.startswith("xsd=") and query[4:].isdigit() else None)
    if account_id is None or kind is None or kind not in service.release.files:
        return _plain(404, "Endpoint is invalid or no longer exists.")
    user = _basic_user(service, request)
    if isinstance(user, _Reply):
        return user
    if account_id not in user.accounts or service.account(account_id) is None:
        return _plain(403, "Access denied due to insufficient permissions.")
    release = service.release
    endpoint = service.endpoint(account_id)
    etag = release.etag(kind, endpoint)
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(release.published, usegmt=True),
        "Cache-Control": "private, no-cache",
    }
    if _not_modified(request, etag, release):
        return _Reply(304, b"", None, headers)
    return _Reply(200, release.document(kind, endpoint), _XML, headers)


def _not_modified(request: _Request, etag: str, release: Release) -> bool:
    if_none_match = request.header("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.header("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= release.published
        except (TypeError, ValueError):
            return False
    return False


def _post(service: LocalService, request: _Request) -> _Reply:
    account_id = _account_id(request.target, service.release.path_prefix)
    assert account_id is not None  # screened before the body was read
    injected = service.injections.take()
    if injected is Injection.DROP_BEFORE:
        return _Reply(0, injected=injected)
    if service.injections.latency:
        time.sleep(service.injections.latency)
    if injected is Injection.HTTP_503:
        return _fault(ApiFault(FaultCode.INJECTED, "Service Unavailable (injected)", http_status=503))
    if injected is Injection.HTML_ERROR:
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return _Reply(502, page, "text/html; charset=utf-8")
    if injected is Injection.SOAP_FAULT:
        return _fault(ApiFault(FaultCode.INJECTED, "Internal server error (injected)"))
    account = service.account(account_id)
    reply = handle_soap(
        request.body,
        account_id=account_id,
        config=service.config,
        release=service.release,
        store=account.store if account else None,
        endpoint=service.endpoint(account_id),
        admit=account.limits.admit if account else (lambda: None),
        sub_accounts=service.sub_accounts,
        store_of=lambda other: found.store if (found := service.account(other)) else None,
    )
    if injected is Injection.NOT_XML:
        return _Reply(200, b"Service temporarily degraded; try again\x00\xff")
    return _Reply(reply.status, reply.body, injected=injected)


def _serving_snapshot(config: ServiceConfig, directory: Path) -> tuple[Release, ServiceConfig]:
    """The release of a fetched snapshot and the settings that serve it.

    The snapshot's account is served first (with the configured accounts other than
    the default demo one), every configured user may use it, and the contract layout
    is the snapshot's.  What its schema declares is served as it is: every object type
    takes get, query, create, update and delete; the demo records are seeded where the
    schema has their types, else the account starts empty.
    """
    release, account_id = snapshot_release(directory)
    others = tuple(a for a in config.accounts if a not in (account_id, DEFAULT_ACCOUNT))
    users = tuple(dataclasses.replace(u, accounts=u.accounts | {account_id}) for u in config.users)
    contract = "partner" if release.layout == "partner" else release.layout
    sub_accounts = tuple(a for a in config.sub_accounts if a != account_id)
    served = dataclasses.replace(
        config, accounts=(account_id, *others), users=users, contract=contract, sub_accounts=sub_accounts
    )
    return release, served


class LocalService:
    """A local AtomSphere platform API on loopback, for tests, demos and development.

    It runs a real threaded HTTP/1.1 server; :meth:`start` returns once it listens.
    """

    def __init__(self, config: ServiceConfig | None = None, *, snapshot: str | Path | None = None) -> None:
        """Create the service (not yet listening).

        Args:
            config: Settings; the defaults serve one demo account on a free port.
            snapshot: A fetched snapshot to serve instead of the bundled contract (the same
                as ``ServiceConfig(snapshot=...)``): see :func:`_serving_snapshot`.

        Raises:
            ServiceConfigError: If the snapshot is missing or damaged (one line naming the file).
        """
        config = config or ServiceConfig()
        if snapshot is not None:
            config = dataclasses.replace(config, snapshot=str(snapshot))
        release = None
        if config.snapshot is not None:
            release, config = _serving_snapshot(config, Path(config.snapshot))
        self.config = config
        self.injections = InjectionPlan()
        self.sign_ins = SignInThrottle(self.config.sign_in_failures, self.config.sign_in_window)
        self._release = release or load_release(self.config.release, self.config.contract)
        self._accounts: dict[str, Account] = {}
        self._accounts_lock = threading.Lock()
        served = (*self.config.accounts, *self.config.sub_accounts)
        self._seeds = read_seed(self.config.seed, served) if self.config.seed is not None else {}
        self._seed_source = f"seed file {self.config.seed}"
        for account_id in self.config.accounts:
            self._add_account(account_id)
        for account_id in sorted(set(self._seeds) - set(self.config.accounts)):  # sub-accounts: checked now
            seed_objects(AccountStore(account_id), self._release, self._seeds[account_id], source=self._seed_source)
        self._server: _Reactor | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve in a background thread.

        Returns:
            The service itself.

        Raises:
            ServiceError: If the address cannot be bound.
        """
        server = self.bind()
        self._thread = threading.Thread(target=server.serve, name="atomsphere-local", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (binds first if needed)."""
        server = self._server or self.bind()
        try:
            server.serve()
        finally:
            self._server = None

    def bind(self) -> _Reactor:
        """Bind the listening socket without serving yet, so :attr:`base_url` is known.

        Returns:
            The bound server.

        Raises:
            ServiceError: If the address cannot be bound.
        """
        if self._server is not None:
            return self._server
        try:
            self._server = _Reactor(self)
        except OSError as exc:
            raise ServiceError(f"cannot listen on {self.config.host}:{self.config.port}: {exc.strerror}") from None
        return self._server

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            if self._thread is None:
                self._server.close()
            else:
                self._server.shutdown()
                self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        """Start the service."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the service."""
        self.stop()

    def reset(self) -> None:
        """Restore the state the service started with, still listening on the same port.

        Every account is seeded again from the configuration (sub-accounts again on
        first use), the configured release is published again, no fault is queued or
        counted, no latency is added, no failed sign-in is remembered, and the traffic
        counters and quotas start from zero.  Open connections stay open (a client
        keeps its keep-alive connection); call it between tests, not during a call.
        """
        self.injections = InjectionPlan()
        self.sign_ins = SignInThrottle(self.config.sign_in_failures, self.config.sign_in_window)
        if self.config.snapshot is None:  # a served snapshot has no other release to be left on
            self._release = load_release(self.config.release, self.config.contract)
        with self._accounts_lock:
            self._accounts = {}
            for account_id in self.config.accounts:
                self._add_account(account_id)

    # -- addresses ------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running service."""
        if self._server is None:
            raise ServiceError("the service is not running")
        host, port = self._server.address
        return f"http://{host}:{port}"

    def endpoint(self, account_id: str | None = None) -> str:
        """The SOAP endpoint of an account (the first account by default)."""
        return f"{self.base_url}{self._release.path_prefix}{account_id or self.config.accounts[0]}"

    def wsdl_url(self, account_id: str | None = None) -> str:
        """The WSDL URL of an account (the first account by default)."""
        return self.endpoint(account_id) + "?wsdl"

    @property
    def flavour(self) -> Flavour:
        """The API flavour a client fetches from this service (``partner`` for the Partner contract)."""
        return "partner" if self.config.contract == "partner" else "platform"

    # -- state ----------------------------------------------------------------------
    @property
    def accounts(self) -> tuple[str, ...]:
        """Account ids served."""
        return self.config.accounts

    @property
    def release(self) -> Release:
        """The contract currently published and enforced."""
        return self._release

    def set_release(self, name: str) -> None:
        """Publish another release (``"current"`` or ``"next"``), as a Boomi upgrade would.

        Raises:
            ServiceError: If ``name`` is not a bundled release.
        """
        if self.config.snapshot is not None:
            raise ServiceError(f"this service serves the snapshot {self.config.snapshot}: it has no other release")
        try:
            self._release = load_release(name, self.config.contract)
        except KeyError:
            raise ServiceError(
                f"unknown release {name!r} for the {self.config.contract!r} contract (use 'current' or 'next')"
            ) from None

    def sign_in(self, username: str, secret: str, source: str) -> User | None:
        """The user these credentials sign in, or ``None`` (a failure counts against both keys).

        Args:
            username: The user name sent.
            secret: The password or API token sent.
            source: The sender's address.

        Raises:
            SignInThrottled: Too many recent failures for this user name or address;
                the secret is not checked.
        """
        wait = self.sign_ins.wait(username, source)
        if wait > 0:
            raise SignInThrottled(wait)
        user = self.config.authenticate(username, secret)
        if user is None:
            self.sign_ins.failed(username, source)
        return user

    def _add_account(self, account_id: str) -> Account:
        store = AccountStore(account_id)
        try:
            seed_account(store, self._release.index, execution_records=self.config.execution_records)
        except (KeyError, ValueError):  # a user's snapshot may lack a seeded type: it starts empty
            if self.config.snapshot is None:
                raise
            store = AccountStore(account_id)
        if account_id in self._seeds:
            seed_objects(store, self._release, self._seeds[account_id], source=self._seed_source)
        store.cap(self.config.max_stored_objects, self.config.max_stored_bytes)
        limits = AccountLimits(rate=self.config.rate_limit, daily_quota=self.config.daily_quota)
        self._accounts[account_id] = account = Account(store, limits)
        return account

    def account(self, account_id: str) -> Account | None:
        """The store and limits of an account (a sub-account is seeded on first use), or ``None``."""
        found = self._accounts.get(account_id)
        if found is None and account_id in self.config.sub_accounts:
            with self._accounts_lock:
                found = self._accounts.get(account_id) or self._add_account(account_id)
        return found

    def sub_accounts(self, account_id: str) -> tuple[str, ...]:
        """The sub-accounts of ``account_id`` (the first account is the parent of all)."""
        return self.config.sub_accounts if account_id == self.config.accounts[0] else ()

    def store(self, account_id: str | None = None) -> AccountStore:
        """The object store of an account (the first account by default)."""
        found = self.account(account_id or self.config.accounts[0])
        if found is None:
            raise ServiceError(f"no account {account_id!r} on this service")
        return found.store

    def limit_stats(self, account_id: str | None = None) -> LimitStats:
        """Traffic counters of an account (the first account by default)."""
        return self._accounts[account_id or self.config.accounts[0]].limits.stats()

    def seed(self, objects: Sequence[Mapping[str, Any]], account_id: str | None = None) -> list[Record]:
        """Add objects of any type in Boomi's JSON form (see :mod:`.seed`) to an account (the first by default).

        Raises:
            ServiceConfigError: Naming the object (index and type) and the field, for one
                that does not fit the schema served; then none is added.
        """
        return seed_objects(self.store(account_id), self._release, objects, source="seed")

    def inject(self, kind: Injection | str, times: int = 1) -> None:
        """Make the next ``times`` SOAP calls fail with ``kind`` (see :mod:`.injection`)."""
        self.injections.add(Injection(kind), times)
