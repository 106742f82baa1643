"""HTTP with hard bounds: a deadline that cuts a stalled or dripping answer, and a size cap.

A read timeout bounds each wait for the next bytes, so a server that sends one byte
every half second never trips it.  A :class:`Deadline` bounds the whole exchange: when
it passes, a timer shuts down the socket in use, which ends a blocked read at once,
whether in the status line, the headers or the body.  A session gets this from
:func:`watch_session`, which mounts an adapter whose connections report themselves to
the deadline of the thread that uses them.  :func:`read_capped` reads a streamed body
up to a size limit and stops there.

Used by :mod:`boomi_soap.fetch` (one deadline per fetch) and
:mod:`boomi_soap.transport` (one per call).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any, Final

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "discard", "read_capped", "watch_session"]

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
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
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
        left = self.remaining()
        if left is not None:
            self._timer = threading.Timer(left, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _current.deadline = self._outer
        with self._lock:
            self._connection = None

    def _attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            if self._cut:
                _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self._cut = True
            if self._connection is not None:
                _shut(self._connection)


def _shut(connection: HTTPConnection) -> None:
    # shutdown, not close: it wakes a read blocked in another thread, and urllib3 then
    # discards the connection instead of returning it to the pool.
    sock = getattr(connection, "sock", None)
    if sock is not None:
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
    if response.raw is not None:
        response.close()
