"""Boomi's asynchronous results: the token pattern, record URLs and log downloads.

Boomi answers some requests later.  The pattern (Atom Disk Space and Listener Status
object pages): the first call returns an ``AsyncOperationTokenResult``; each poll returns
an ``AsyncOperationResult`` whose *body* attribute ``responseStatusCode`` is 202 while
the work is in progress and 200 when done (HTTP status and body may disagree, so the
body decides).  An ``ExecutionRequest``'s ``recordUrl`` answers the same document.

What the SOAP contract offers: the WSDL has no operation that takes an async token or a
request id (its operations are ``get``, ``query``, ``queryMore``, ``create``, ``update``,
``delete``, ``execute``, ``executeProcess``, ``cancelExecution`` and a few actions), and
AtomDiskSpace, ListenerStatus, AtomCounters ... are ASYNC-GET/ASYNC-QUERY only.  Those are
REST-only (``GET /async/{Object}/{id}`` then ``GET /async/{Object}/response/{token}``):
:mod:`boomi_soap.platform.runtime` reads them.  What it does: :func:`poll_async` reads any URL that
answers an ``AsyncOperationResult`` (an ExecutionRequest's ``recordUrl``), and
:func:`download_log` creates a ``ProcessLog`` or ``AtomLog`` and fetches the ``url`` of
the ``LogDownload`` it returns, size-capped, polling while it answers 202 or 204 (not ready
yet, as Boomi documents); :func:`download_artifacts` does the same for ExecutionArtifacts,
and :func:`write_private` keeps a download in a 0600 file written atomically.  Both GETs use HTTP Basic auth,
go only to the client's own origin, never follow a redirect and count against the
client's rate limit.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lxml import etree

from boomi_soap._xml.redact import redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    AsyncTimeoutError,
    BoomiSoapError,
    DownloadTooLargeError,
    OutputError,
    ResponseError,
)
from boomi_soap.platform import steps
from boomi_soap.platform.steps import Sleep, Steps, drive

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller

__all__ = [
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_LOG_LIMIT",
    "AsyncResult",
    "AsyncTimeoutError",
    "Backoff",
    "DownloadTooLargeError",
    "download_artifacts",
    "download_artifacts_steps",
    "download_log",
    "download_log_steps",
    "fetch_download",
    "fetch_download_steps",
    "http_get",
    "poll_async",
    "poll_async_steps",
    "write_private",
]

NS_DATA: Final = "http://api.platform.boomi.com/"
DEFAULT_LOG_LIMIT: Final = 16 * 1024 * 1024
DEFAULT_DOWNLOAD_TIMEOUT: Final = 300.0


@dataclass(frozen=True)
class Backoff:
    """Poll intervals: ``first``, then ``factor`` times more each time, at most ``cap``.

    The default waits 1 s, 2 s, then 5 s between polls; tests use tiny intervals.
    """

    first: float = 1.0
    factor: float = 2.0
    cap: float = 5.0

    def __post_init__(self) -> None:
        """Refuse intervals that would never grow or never wait.

        Raises:
            ValueError: On a negative interval or a factor below 1.
        """
        if self.first < 0 or self.cap < 0 or self.factor < 1:
            raise ValueError("Backoff needs first >= 0, cap >= 0 and factor >= 1")

    def intervals(self) -> Iterator[float]:
        """The pauses between polls, forever."""
        pause = self.first
        while True:
            yield min(pause, self.cap)
            pause = min(pause * self.factor, self.cap)


@dataclass(frozen=True)
class AsyncResult:
    """A finished ``AsyncOperationResult``.

    Attributes:
        status: The body's ``responseStatusCode`` (200, or 204 for no content).
        results: The ``result`` elements, to read with :meth:`Client.from_xml`.
    """

    status: int
    results: tuple[etree._Element, ...]


def http_get(client: Caller, url: str, *, max_bytes: int, operation: str) -> tuple[int, bytes]:
    """GET a REST resource a SOAP answer linked to, with the client's credentials.

    Args:
        client: Whose credentials, origin, session, timeouts and rate limiter to use.
        url: The resource; it must be on the client's own origin.
        max_bytes: Largest body accepted.
        operation: Name for errors and logs.

    Returns:
        The HTTP status and body.

    Raises:
        TransportError: If the URL is on another origin, or the connection fails.
        ResponseError: On a redirect (never followed) or an unreadable answer.
        DownloadTooLargeError: If the body is larger than ``max_bytes``.
        ServiceTimeoutError: If the answer does not come within the total timeout.
    """
    return client.get_linked(url, max_bytes=max_bytes, operation=operation)


def read_async_result(document: bytes, *, operation: str) -> AsyncResult | None:
    """Read an ``AsyncOperationResult``; ``None`` while its body says 202 (in progress).

    Raises:
        ResponseError: If the document is not an ``AsyncOperationResult``.
    """
    try:
        root = parse_xml(document, source=operation)
    except BoomiSoapError:
        raise ResponseError(operation, "the answer is not well-formed XML") from None
    code = root.get("responseStatusCode", "")
    if root.tag != f"{{{NS_DATA}}}AsyncOperationResult" or not code.isdigit():
        raise ResponseError(operation, f"expected an AsyncOperationResult, got {etree.QName(root).localname}")
    if int(code) == 202:
        return None
    if int(code) not in (200, 204):
        raise ResponseError(operation, f"the asynchronous operation failed with responseStatusCode {code}")
    return AsyncResult(int(code), tuple(root.iterfind(f"{{{NS_DATA}}}result")))


def poll_async(
    client: Caller,
    url: str,
    *,
    timeout: float,
    backoff: Backoff | None = None,
    on_poll: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AsyncResult:
    """Poll a URL that answers an ``AsyncOperationResult`` until its body says done.

    Every poll is a real call, counted by the client's rate limiter.

    Args:
        client: The client whose credentials and limits apply.
        url: A ``recordUrl`` or ``/async/.../response/{token}`` URL on the client's origin.
        timeout: Seconds to keep polling.
        backoff: Intervals between polls (default 1 s, 2 s, then 5 s).
        on_poll: Called with the number of polls made so far.
        sleep: How to wait (tests pass a fake).

    Raises:
        AsyncTimeoutError: If it is not done within ``timeout``.
        ResponseError: On an answer that is not an ``AsyncOperationResult``.
    """
    return drive(client, poll_async_steps(client, url, timeout=timeout, backoff=backoff, on_poll=on_poll), sleep=sleep)


def poll_async_steps(
    client: Account,
    url: str,
    *,
    timeout: float,
    backoff: Backoff | None = None,
    on_poll: Callable[[int], None] | None = None,
) -> Steps[AsyncResult]:
    """The steps of :func:`poll_async`."""
    deadline = time.monotonic() + timeout
    pauses = (backoff or Backoff()).intervals()
    polls = 0
    while True:
        status, body = yield steps.get_linked(url, max_bytes=client.settings.max_response_bytes, operation="async")
        polls += 1
        if on_poll is not None:
            on_poll(polls)
        # A 503 (busy, over the rate limit, a gateway's) on a read: poll again after the pause.
        busy = status == 503 and b"quota" not in body.lower()
        if not busy and status not in (200, 202):  # 202 over REST until it exists; the body still decides
            raise ResponseError("async", f"HTTP {status} from {redact_url(url)}")
        result = None if busy else read_async_result(body, operation="async")
        if result is not None:
            return result
        pause = next(pauses)
        if time.monotonic() + pause > deadline:
            raise AsyncTimeoutError(
                f"{redact_url(url)} not ready after {polls} polls in {timeout:g} s", what=redact_url(url)
            )
        yield Sleep(pause)


def fetch_download(
    client: Caller,
    url: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    operation: str = "download",
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET a download URL (a ``LogDownload``'s), polling while it answers 202 or 204 (not ready yet).

    Boomi documents both: the file is being made.  Each poll is a real, rate-limited call.

    Raises:
        AsyncTimeoutError: If it is still not ready after ``timeout`` seconds.
        DownloadTooLargeError: If it is larger than ``max_bytes``; nothing is kept.
        ResponseError: On any other HTTP status.
    """
    found = fetch_download_steps(
        client, url, max_bytes=max_bytes, timeout=timeout, backoff=backoff, operation=operation
    )
    return drive(client, found, sleep=sleep)


def fetch_download_steps(
    client: Account,
    url: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    operation: str = "download",
) -> Steps[bytes]:
    """The steps of :func:`fetch_download`."""
    deadline = time.monotonic() + timeout
    pauses = (backoff or Backoff()).intervals()
    polls = 0
    while True:
        status, body = yield steps.get_linked(url, max_bytes=max_bytes, operation=operation)
        polls += 1
        if status == 200:
            return bytes(body)
        if status not in (202, 204):
            raise ResponseError(operation, f"HTTP {status} from {redact_url(url)}")
        pause = next(pauses)
        if time.monotonic() + pause > deadline:
            raise AsyncTimeoutError(
                f"{operation}: {redact_url(url)} not ready after {polls} polls in {timeout:g} s",
                what=redact_url(url),
            )
        yield Sleep(pause)


def write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, readable by the owner only (0600).

    A temporary file in the same folder, then :func:`os.replace`: a reader sees the old
    file or the whole new one, never a part.

    Returns:
        The path written.

    Raises:
        OutputError: If the folder cannot be made or the file written (nothing partial is left).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return target


def download_log(
    client: Caller,
    *,
    execution_id: str | None = None,
    atom_id: str | None = None,
    log_date: str | None = None,
    log_level: str = "ALL",
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Download a process log (by execution id) or an Atom log (by Atom id and date).

    Creates a ``ProcessLog`` or ``AtomLog``, then fetches the ``url`` of the ``LogDownload``
    it returns, polling while that answers 202 or 204 (:func:`fetch_download`).

    Raises:
        ValueError: Unless exactly one of ``execution_id`` and ``atom_id`` is given.
        DownloadTooLargeError: If the log is larger than ``max_bytes``; nothing is kept.
        AsyncTimeoutError: If the log is not ready within ``timeout``.
        ResponseError: If the answer holds no download URL.
    """
    found = download_log_steps(
        client,
        execution_id=execution_id,
        atom_id=atom_id,
        log_date=log_date,
        log_level=log_level,
        max_bytes=max_bytes,
        timeout=timeout,
        backoff=backoff,
    )
    return drive(client, found, sleep=sleep)


def download_log_steps(
    client: Account,
    *,
    execution_id: str | None = None,
    atom_id: str | None = None,
    log_date: str | None = None,
    log_level: str = "ALL",
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
) -> Steps[bytes]:
    """The steps of :func:`download_log`.

    Raises:
        ValueError: Unless exactly one of ``execution_id`` and ``atom_id`` is given (before any step).
    """
    if (execution_id is None) == (atom_id is None):
        raise ValueError("give exactly one of execution_id and atom_id")
    return _download_log_steps(client, execution_id, atom_id, log_date, log_level, max_bytes, timeout, backoff)


def _download_log_steps(
    client: Account,
    execution_id: str | None,
    atom_id: str | None,
    log_date: str | None,
    log_level: str,
    max_bytes: int,
    timeout: float,
    backoff: Backoff | None,
) -> Steps[bytes]:
    if execution_id is not None:
        answer = yield steps.create("ProcessLog", executionId=str(execution_id), logLevel=log_level)
    else:
        answer = yield steps.create("AtomLog", atomId=atom_id, logDate=log_date, includeBin=False)
    return (yield from _linked_download(client, answer, "log download", max_bytes, timeout, backoff))


def download_artifacts(
    client: Caller,
    execution_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Download a run's ExecutionArtifacts (a zip), polling while the URL answers 202 or 204.

    Raises:
        DownloadTooLargeError: If the zip is larger than ``max_bytes``; nothing is kept.
        AsyncTimeoutError: If it is not ready within ``timeout``.
        ResponseError: If the answer holds no download URL.
    """
    found = download_artifacts_steps(client, execution_id, max_bytes=max_bytes, timeout=timeout, backoff=backoff)
    return drive(client, found, sleep=sleep)


def download_artifacts_steps(
    client: Account,
    execution_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
) -> Steps[bytes]:
    """The steps of :func:`download_artifacts`."""
    answer = yield steps.create("ExecutionArtifacts", executionId=str(execution_id))
    return (yield from _linked_download(client, answer, "artifacts download", max_bytes, timeout, backoff))


def _linked_download(
    client: Account,
    answer: object,
    operation: str,
    max_bytes: int,
    timeout: float,
    backoff: Backoff | None,
) -> Steps[bytes]:
    url = getattr(answer, "url", None)
    if not url:
        raise ResponseError("create", f"no download URL in the answer ({getattr(answer, 'message', '')})")
    return (
        yield from fetch_download_steps(
            client, url, max_bytes=max_bytes, timeout=timeout, backoff=backoff, operation=operation
        )
    )
