"""HTTP with hard bounds: a deadline that cuts a stalled or dripping answer, and a size cap.

A read timeout bounds each wait for the next bytes, so a server that sends one byte
every half second never trips it.  A :class:`Deadline` bounds the whole exchange: when
it passes, a watchdog thread shuts down the socket in use, which ends a blocked read at once,
whether in the status line, the headers or the body.  A session gets this from
:func:`watch_session`, which mounts an adapter whose connections report themselves to
the deadline of the thread that uses them.  :func:`read_capped` reads a streamed body
up to a size limit and stops there; :func:`bounded_request` sends one request within a
deadline, never following a redirect.

Used by :mod:`boomi_soap.snapshot.fetch` (one deadline per fetch) and
:mod:`boomi_soap._transports.sync` (one per call).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import os
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from boomi_soap.credentials import is_loopback

if TYPE_CHECKING:
    from boomi_soap.settings import ClientSettings

__all__ = ["Deadline", "bounded_request", "discard", "read_capped", "release", "request_options", "watch_session"]

CHUNK: Final = 64 * 1024
_current = threading.local()


class Deadline:
    """A time limit for one exchange; use as a context manager around it (per thread).

    Attributes:
        seconds: The limit (``None``: no limit).
    """

    def __init__(self, seconds: float | None) -> None:
        """Start the clock now."""
        self.seconds = seconds
        self._expires = None if seconds is None else time.monotonic() + seconds
        self._cut = False
        self._connection: HTTPConnection | None = None
        # The socket itself too: an answer that ends with the connection (``Connection:
        # close``, no length) leaves http.client's connection without its socket while
        # the body is still read from it, and that read must be cut as well.
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._done = False
        self._outer: Deadline | None = None

    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit); never negative."""
        return None if self._expires is None else max(0.0, self._expires - time.monotonic())

    @property
    def expired(self) -> bool:
        """Whether the limit has passed."""
        return self._cut or (self._expires is not None and time.monotonic() >= self._expires)

    def bound(self, timeout: float) -> float:
        """``timeout``, shortened to what is left (at least a millisecond, so no wait is unbounded)."""
        left = self.remaining()
        return timeout if left is None else max(0.001, min(timeout, left))

    def __enter__(self) -> Deadline:
        self._outer = getattr(_current, "deadline", None)
        _current.deadline = self
        if self._expires is not None:
            _watchdog.watch(self._expires, self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        _current.deadline = self._outer
        with self._lock:
            self._done = True
            self._connection = None
            self._socket = None

    def _attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            sock = getattr(connection, "sock", None)
            if sock is not None:
                self._socket = sock
            if self._cut:
                _shut(connection, self._socket)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self._cut = True
            if self._connection is not None:
                _shut(self._connection, self._socket)


class _Watchdog:
    """One thread for every deadline of the process: a thread per call would cost more than the call."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # Also after a fork: the child has the parent's state but not its thread.
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._wakes_at = math.inf  # when the thread looks at the heap next, at the latest

    def watch(self, expires: float, deadline: Deadline) -> None:
        with self._changed:
            # Deadlines that ended in time leave from the top here, on the caller's thread:
            # waking the thread for them would cost a thread switch per call.
            while self._due and self._due[0][2]._done:
                heapq.heappop(self._due)
            heapq.heappush(self._due, (expires, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="boomi-soap-deadlines", daemon=True)
                self._thread.start()
            if expires < self._wakes_at:  # only a deadline before the thread's next look needs it awake
                self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due:
                    self._wakes_at = math.inf
                    self._changed.wait()
                expires, _, deadline = self._due[0]
                wait = expires - time.monotonic()
                if wait > 0:
                    # Even for a deadline that ended in time: sleeping until it (not for ever)
                    # lets the next calls' deadlines, all later, come in without a wake-up.
                    self._wakes_at = expires
                    self._changed.wait(wait)
                    continue
                heapq.heappop(self._due)  # due now (expiring one that ended in time does nothing)
            deadline._expire()


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog._reset)


def _shut(connection: HTTPConnection, seen: socket.socket | None = None) -> None:
    # shutdown, not close: it wakes a read blocked in another thread, and urllib3 then
    # discards the connection instead of returning it to the pool.
    for sock in {id(s): s for s in (getattr(connection, "sock", None), seen) if s is not None}.values():
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _report(connection: HTTPConnection) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline._attach(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _report(self)  # again, now that there is a socket to cut

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _report(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def watch_session(session: requests.Session) -> requests.Session:
    """Let deadlines cut the connections of ``session``; returns it.

    Only requests' stock adapter is replaced: a session with an adapter of its own
    keeps it, and its deadlines are then checked between reads only.
    """
    for prefix in ("https://", "http://"):
        if type(session.adapters.get(prefix)) is HTTPAdapter:
            session.mount(prefix, _WatchedAdapter())
    return session


def bounded_request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    operation: str,
    settings: ClientSettings,
    deadline: Deadline,
    **kwargs: Any,
) -> requests.Response:
    """Send one request (streamed, no redirect followed) with the settings' timeouts cut to ``deadline``.

    The caller reads the body (:func:`read_capped`) and releases the response.

    Raises:
        ServiceTimeoutError: If no answer came in time.
        TransportError: If the connection failed (the URL redacted).
    """
    from boomi_soap._xml.redact import redact_url
    from boomi_soap.exceptions import ServiceTimeoutError, TransportError

    timeout = (deadline.bound(settings.connect_timeout), deadline.bound(settings.read_timeout))
    kwargs = request_options(url, settings) | kwargs
    try:
        return session.request(method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs)
    except requests.exceptions.Timeout:
        raise ServiceTimeoutError(operation, f"no answer from {redact_url(url)} in time") from None
    except requests.exceptions.RequestException as exc:
        raise TransportError(operation, f"{type(exc).__name__} from {redact_url(url)}") from None


def request_options(url: str, settings: ClientSettings | None = None) -> dict[str, Any]:
    """Arguments for each request that make requests honour ``settings`` over its environment.

    requests lets ``REQUESTS_CA_BUNDLE`` (or ``CURL_CA_BUNDLE``) win over a session's
    ``verify``, so the CA bundle goes with each request.  It also adds ``HTTP_PROXY`` and
    friends to every request whose host ``NO_PROXY`` does not name, loopback included:
    plain-http loopback traffic would take its credentials in clear text to the proxy
    host.  A ``no_proxy`` naming the host stops that; the session's own proxies
    (``ClientSettings.proxies``) still apply.
    """
    options: dict[str, Any] = {}
    if settings is not None and settings.ca_bundle is not None:
        options["verify"] = settings.ca_bundle
    if url[:7].lower() == "http://":
        host = urlsplit(url).hostname or ""
        if is_loopback(host):
            options["proxies"] = {"no_proxy": host}
    return options


def read_capped(response: requests.Response, limit: int, deadline: Deadline) -> bytes | None:
    """Read a streamed body; ``None`` if it is longer than ``limit`` bytes (reading stops there).

    The caller checks :attr:`Deadline.expired` afterwards: a cut connection may look
    like a short, complete body.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    if response.raw is None:  # a response made in memory (a test double): nothing to stream
        return response.content if len(response.content or b"") <= limit else None
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body.extend(chunk)
        if len(body) > limit:
            return None
        if deadline.expired:
            break
    return bytes(body)


def discard(response: requests.Response, deadline: Deadline) -> None:
    """Read and drop a short body that will not be used (an error page), then close the response.

    Closing with unread bytes makes the kernel reset the connection, which the server
    sees as an error; reading a small page first ends the exchange cleanly.
    """
    with contextlib.suppress(requests.exceptions.RequestException):
        read_capped(response, CHUNK, deadline)
    release(response)


def release(response: requests.Response) -> None:
    """Close a response: its connection goes back to the pool if it was read to the end."""
    if response.raw is not None:  # a response made in memory (a test double) has no connection
        response.close()
