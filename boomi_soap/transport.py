"""The HTTP side of a call: rate limit, retries, timeouts and redacted logging.

:class:`SafeTransport` replaces zeep's ``Transport.post``: zeep's own version logs
whole envelopes at DEBUG, WS-Security password included.  Ours logs them with every
``Password`` element, ``Authorization`` header and ``Nonce`` redacted, and wraps the
send in the account's gate (rate window and quota budget, see :mod:`boomi_soap.quota`)
and the retry policy.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

import requests
from zeep.transports import Transport

from boomi_soap.exceptions import ResponseError, ServiceTimeoutError, TransportError
from boomi_soap.quota import Gates, Outage
from boomi_soap.settings import ClientSettings, RetryPolicy

__all__ = ["CallRecord", "SafeTransport", "next_try", "redact", "settled"]

_log = logging.getLogger("boomi_soap.client")
_SECRET_ELEMENTS: Final = re.compile(
    rb"(<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>)(.*?)(</(?:[\w.-]+:)?(?:Password|Nonce)>)", re.DOTALL
)
_QUOTA_CODE: Final = re.compile(rb"<code>\s*QUOTA\s*</code>")


def redact(data: bytes | str) -> str:
    """Return an envelope as text with every password and nonce replaced by ``***``."""
    raw = data.encode() if isinstance(data, str) else data
    return _SECRET_ELEMENTS.sub(rb"\1***\3", raw).decode("utf-8", "replace")


@dataclass
class CallRecord:
    """What happened to one call, for logs and errors.

    Attributes:
        operation: The operation.
        attempts: Sends made.
        status: Last HTTP status, if any answer came.
        waited: Seconds spent waiting for the rate limiter and backoff.
    """

    operation: str
    attempts: int = 0
    status: int | None = None
    waited: float = 0.0
    history: list[str] = field(default_factory=list)


class SafeTransport(Transport):
    """zeep transport with rate limiting, retries and redacted DEBUG logs."""

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None) -> None:
        """Build the transport.

        Args:
            settings: Timeouts, rate limit and retry policy.
            session: HTTP session to use (a new one by default).
        """
        session = session or requests.Session()
        session.headers["User-Agent"] = settings.user_agent
        super().__init__(session=session, timeout=settings.connect_timeout)  # type: ignore[no-untyped-call]
        self.client_settings = settings
        self.gates = Gates(settings)
        self.outage = Outage(settings)
        self._local = threading.local()
        self._random = random.Random()  # noqa: S311 - backoff jitter, not a secret

    def begin(self, operation: str) -> CallRecord:
        """Start recording a call made from this thread."""
        record = CallRecord(operation)
        self._local.record = record
        return record

    def _record(self) -> CallRecord:
        record: CallRecord | None = getattr(self._local, "record", None)
        return record if record is not None else self.begin("call")

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> requests.Response:
        """Send a SOAP request, honouring the rate limit and the retry policy."""
        record = self._record()
        policy = self.client_settings.retry
        timeout = (self.client_settings.connect_timeout, self.client_settings.read_timeout)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s request to %s:\n%s", record.operation, address, redact(message))
        gate = self.gates.gate(address)
        while True:
            record.waited += gate.enter(retry=record.attempts > 0)
            granted = time.monotonic()
            record.attempts += 1
            retry_reason: str | None = None
            error: TransportError | None = None
            try:
                response = self.session.post(address, data=message, headers=headers, timeout=timeout)
            except requests.exceptions.ConnectTimeout:
                retry_reason, error = (
                    "connect timeout",
                    ServiceTimeoutError(
                        record.operation,
                        f"could not connect within {timeout[0]:g} s",
                        sent=False,
                        attempts=record.attempts,
                    ),
                )
            except requests.exceptions.ReadTimeout:
                error = ServiceTimeoutError(
                    record.operation,
                    f"no answer within {timeout[1]:g} s; the call may have run",
                    attempts=record.attempts,
                )
                retry_reason = "read timeout" if record.operation in policy.idempotent else None
            except requests.exceptions.ConnectionError as exc:
                never_sent = _never_sent(exc)
                error = TransportError(
                    record.operation,
                    "could not connect" if never_sent else "connection lost before an answer; the call may have run",
                    sent=False if never_sent else None,
                    attempts=record.attempts,
                )
                retry_reason = (
                    "connection refused"
                    if never_sent
                    else "connection lost"
                    if record.operation in policy.idempotent
                    else None
                )
            except requests.exceptions.RequestException as exc:  # truncated body and the like
                error = ResponseError(
                    record.operation, f"unreadable answer ({type(exc).__name__}); the call may have run",
                    attempts=record.attempts,
                )  # fmt: skip
                retry_reason = "unreadable answer" if record.operation in policy.idempotent else None
            else:
                gate.sent(granted, time.monotonic())
                if settled(record, response.status_code, response.content, self.outage):
                    return response
                retry_reason, error = "HTTP 503", None
            retry_after = response.headers.get("Retry-After") if error is None else None
            pause = next_try(record, policy, self.outage, retry_reason, error, retry_after, self._random.random())
            if pause is None:
                if error is None:
                    return response  # the last 503: the client maps it to RateLimitedError
                raise error
            time.sleep(pause)
            record.waited += pause

    def load(self, url: str) -> bytes:
        """Refuse to download anything: a client loads its WSDL from the cache only."""
        if "://" in url and not url.startswith("file://"):
            raise TransportError("load", f"refusing to fetch {url}: the client works from the cached snapshot")
        return super().load(url)  # type: ignore[no-any-return, no-untyped-call]


def settled(record: CallRecord, status: int, content: bytes, outage: Outage) -> bool:
    """Record and log an answer; whether it is final (anything but a 503 over the rate limit)."""
    record.status = status
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug("%s answer (HTTP %d):\n%s", record.operation, status, redact(content))
    outage.answered(status)
    return status != 503 or _QUOTA_CODE.search(content) is not None


def next_try(
    record: CallRecord,
    policy: RetryPolicy,
    outage: Outage,
    retry_reason: str | None,
    error: TransportError | None,
    retry_after: str | None,
    draw: float,
) -> float | None:
    """Seconds to wait before sending again, or ``None`` when the call must stop here.

    ``error`` is the failure to raise if it stops (``None`` for a 503, which the client maps).

    Raises:
        ServiceUnavailableError: After a long run of 503s, or a ``Retry-After`` longer than allowed.
    """
    last = retry_reason is None or record.attempts > policy.max_retries
    if error is None:
        pause = outage.pause_after_503(record.operation, record.attempts, retry_after, draw, last=last)
    else:
        pause = policy.delay(record.attempts, draw)
    if last:
        return None
    record.history.append(f"attempt {record.attempts}: {retry_reason}; retry in {pause:.2f} s")
    _log.debug("%s: %s, retrying in %.2f s", record.operation, retry_reason, pause)
    return pause


def _never_sent(exc: BaseException) -> bool:
    """Whether a connection error happened before any byte of the request left."""
    seen: set[int] = set()
    current: Any = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError"):
            return True
        if isinstance(current, ConnectionRefusedError):
            return True
        current = (
            current.__cause__
            or current.__context__
            or (current.args[0] if current.args and isinstance(current.args[0], BaseException) else None)
        )
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
    return False
