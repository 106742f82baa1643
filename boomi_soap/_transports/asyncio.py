"""The asyncio driver: httpx sending under the same gate, decision and bounds as the sync one.

:class:`AsyncSafeTransport` runs :func:`boomi_soap.wire.attempts.attempts` (the retry and
at-most-once decision the sync driver runs too) and enforces the bounds through the same
functions (:mod:`boomi_soap._transports.bounds`): ``total_timeout`` over the whole call,
``max_response_bytes`` on the decoded body, read in bounded steps (a gzip bomb never
inflates past it), no redirect followed (:class:`~boomi_soap.exceptions.RedirectRefusedError`),
the HTML check, and ``proxies``, ``ca_bundle`` and ``client_cert`` (:class:`ProxyRoutes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import time
import urllib.request
from contextvars import ContextVar
from typing import Final

import httpx
import requests
from zeep.transports import AsyncTransport

from boomi_soap._transports.bounds import CHUNK, ENCODINGS, BodyCap, Inflater, check_head, too_large
from boomi_soap._transports.reasons import describe_connection_error
from boomi_soap._xml.redact import debug_body, redact_headers, redact_url
from boomi_soap.credentials import Credentials, is_loopback, same_origin, url_problem
from boomi_soap.exceptions import (
    ConfigurationError,
    DownloadTooLargeError,
    ResponseError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.limits.quota import Gates, Outage
from boomi_soap.settings import ClientSettings
from boomi_soap.wire.attempts import attempts
from boomi_soap.wire.records import Admit, Answer, CallRecord, Failure, Outcome, Send, Step

__all__ = ["AsyncSafeTransport", "ProxyRoutes", "current_record"]

_log = logging.getLogger("boomi_soap.client")
current_record: ContextVar[CallRecord | None] = ContextVar("boomi_soap_call", default=None)


class AsyncSafeTransport(AsyncTransport):
    """zeep's httpx transport with the sync transport's gate, retries, bounds and redacted DEBUG logs.

    Every bound of :class:`~boomi_soap._transports.sync.SafeTransport` holds here too, decided
    by the same functions (:mod:`boomi_soap._transports.bounds`; ``settled``, ``refuse_unsafe_retry``
    and ``next_try`` of :mod:`boomi_soap._transports.sync`): ``total_timeout`` over the whole
    call (retries, backoff and a dripped body included), ``max_response_bytes`` counted
    on the decoded body as it streams (a declared size over it is not read at all), no
    redirect followed, an HTML page refused, at most once behind a gateway, and the
    ``proxies``, ``ca_bundle`` and ``client_cert`` settings (plain-http loopback never
    through an environment proxy).
    """

    def __init__(
        self,
        settings: ClientSettings,
        gates: Gates,
        outage: Outage,
        *,
        http: httpx.AsyncClient | None = None,
        in_flight: asyncio.Semaphore | None = None,
    ) -> None:
        """Build the transport.

        Args:
            settings: Timeouts, bounds, proxies, TLS and retry policy.
            gates: The accounts' gates (shared with the sync client it sits beside).
            outage: The run of 503s (shared likewise).
            http: The httpx client (a new one by default, built from ``settings``; one
                given keeps its own proxies and TLS, the other bounds still apply).
            in_flight: Caps the sends in flight across every transport that shares it.

        Raises:
            ConfigurationError: If the CA bundle or client certificate cannot be loaded.
        """
        self._close_session = False  # zeep's __del__ reads it, even when building the client below fails
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        # Not zeep's constructor: it builds a sync client for WSDL downloads (ours never
        # downloads), and each new client loads the CA bundle again (~70 ms of CPU).
        self.client = http or httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            transport=ProxyRoutes(settings),
            trust_env=False,  # ProxyRoutes reads the environment's proxies, minus plain-http loopback
            headers={"User-Agent": settings.user_agent},
        )
        self.wsdl_client = None
        self.cache = None
        self.logger = logging.getLogger("zeep.transports")
        self.client_settings = settings
        # Per request, not on the httpx client: a client given by the caller gets it too.
        self._otp = {} if settings.otp is None else {"X-Boomi-OTP": settings.otp}
        self.gates = gates
        self.outage = outage
        self._in_flight = in_flight
        self._timeout = timeout
        self._random = random.Random()  # noqa: S311 - backoff jitter, not a secret

    def begin(self, operation: str) -> CallRecord:
        """Start recording a call made from this task."""
        record = CallRecord(operation)
        current_record.set(record)
        return record

    def current(self) -> CallRecord | None:
        """The record of this task's latest call, if any."""
        return current_record.get()

    async def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> httpx.Response:
        """Send a SOAP request, honouring the gate, the retry policy and the bounds.

        Raises:
            ServiceTimeoutError: On a connect, read or total timeout.
            RedirectRefusedError: On a 3xx answer (never followed).
            ResponseError: On an answer too large or unreadable.
            TransportError: On a connection failure, or a gateway's 503 after a call not safe to repeat.
        """
        return await self.send("POST", address, message, headers)

    async def send(
        self,
        method: str,
        address: str,
        message: bytes | str | None,
        headers: dict[str, str],
        *,
        account_address: str | None = None,
    ) -> httpx.Response:
        """Send one HTTP request under the same gate, retries and bounds as :meth:`post`.

        ``account_address`` is the SOAP endpoint whose account gate counts the call
        (default: ``address``), so REST calls share the SOAP calls' rate window and quota.

        Raises:
            ServiceTimeoutError: On a connect, read or total timeout.
            RedirectRefusedError: On a 3xx answer (never followed).
            ResponseError: On an answer too large or unreadable.
            TransportError: On a connection failure, or a gateway's 503 after a call not safe to repeat.
        """
        record = current_record.get() or self.begin("call")
        settings = self.client_settings
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "%s request to %s\n%s\n\n%s",
                record.operation, redact_url(address), redact_headers(headers),
                debug_body(message or b"", settings.debug_body_limit),
            )  # fmt: skip
        total = settings.total_timeout
        expires = None if total is None else time.monotonic() + total
        timer = asyncio.timeout(total)
        try:
            async with timer:
                return await self._attempts(
                    record, method, address, message, headers, expires, account_address or address
                )
        except TimeoutError:
            if not timer.expired():
                raise
            raise ServiceTimeoutError(
                record.operation,
                f"no complete answer from {redact_url(address)} within the total timeout of {total:g} s"
                + ("" if record.attempts == 0 else "; the call may have run"),
                sent=False if record.attempts == 0 else None,
                attempts=record.attempts,
            ) from None

    async def _attempts(
        self,
        record: CallRecord,
        method: str,
        address: str,
        message: bytes | str | None,
        headers: dict[str, str],
        expires: float | None,
        account_address: str,
    ) -> httpx.Response:
        gate = self.gates.gate(account_address)
        plan = attempts(
            record,
            self.client_settings,
            self.outage,
            address,
            draw=self._random.random,
            time_left=lambda: None if expires is None else max(0.0, expires - time.monotonic()),
        )
        outcome: Outcome | None = None
        last: httpx.Response | None = None  # the final answer is always the last send's
        granted = 0.0
        try:
            step: Step = next(plan)
            while True:
                if isinstance(step, Admit):
                    record.waited += await gate.enter_async(retry=step.retry, expires=expires)
                    granted = time.monotonic()
                    outcome = None
                elif isinstance(step, Send):
                    try:
                        last = await self._send(record, method, address, message, headers)
                    except _FailedError as failed:
                        last = None
                        idempotent = self.client_settings.retry.idempotent
                        outcome = Failure(*failed.classify(record, address, self._timeout, idempotent))
                    else:
                        gate.sent(granted, time.monotonic())
                        outcome = Answer(last.status_code, last.headers, last.content)
                else:
                    await asyncio.sleep(step.seconds)
                    outcome = None
                step = plan.send(outcome)
        except StopIteration:
            assert last is not None
            return last

    async def _send(
        self, record: CallRecord, method: str, address: str, message: bytes | str | None, headers: dict[str, str]
    ) -> httpx.Response:
        # Only the encodings the Inflater decodes in bounded steps (a client's own default may add br).
        request = self.client.build_request(
            method, address, content=message, headers={"Accept-Encoding": ENCODINGS, **self._otp, **headers}
        )
        if self._in_flight is not None:
            async with self._in_flight:
                return await self._exchange(record, address, request)
        return await self._exchange(record, address, request)

    async def _exchange(self, record: CallRecord, address: str, request: httpx.Request) -> httpx.Response:
        limit = self.client_settings.max_response_bytes
        try:
            response = await self.client.send(request, stream=True)
        except (httpx.HTTPError, OSError) as exc:  # httpcore lets an ssl.SSLError (a TLS alert) through
            raise _FailedError(exc, reading=False) from None
        try:
            record.status = response.status_code
            check_head(record.operation, record.attempts, response.status_code, response.headers, address, limit)
            inflater = Inflater(
                response.headers.get("Content-Encoding"), operation=record.operation, attempts=record.attempts
            )
            cap = BodyCap(limit)
            try:
                async for raw in response.aiter_raw(CHUNK):
                    for piece in inflater.feed(raw):
                        if not cap.add(piece):
                            raise too_large(record.operation, record.attempts, address, limit)
                for piece in inflater.finish():
                    if not cap.add(piece):
                        raise too_large(record.operation, record.attempts, address, limit)
            except (httpx.HTTPError, OSError) as exc:
                raise _FailedError(exc, reading=True) from None
        finally:
            with contextlib.suppress(httpx.HTTPError, OSError):  # a broken connection is dropped all the same
                await response.aclose()
        # The decoded body, under headers that no longer describe an encoding or a length.
        kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _ENCODING_HEADERS]
        return httpx.Response(response.status_code, headers=kept, content=cap.body(), request=request)

    async def get_linked(
        self, url: str, credentials: Credentials, address: str, *, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """GET a resource an answer linked to, as the sync driver's ``get_linked`` does.

        Only on ``address``'s origin, never following a redirect, counted against the
        account's rate window, size-capped (the decoded body, read in bounded steps),
        within the total timeout.

        Raises:
            TransportError: If the URL is on another origin, or the connection fails.
            ResponseError: On a redirect (never followed).
            DownloadTooLargeError: If the body is larger than ``max_bytes``.
            ServiceTimeoutError: If the answer does not come within the total timeout.
        """
        return await self._linked("GET", url, credentials, address, max_bytes=max_bytes, operation=operation)

    async def post_linked(
        self, url: str, body: bytes, content_type: str, credentials: Credentials, address: str, *, max_bytes: int,
        operation: str,
    ) -> tuple[int, bytes]:  # fmt: skip
        """POST to a REST resource of the account, as the sync driver's ``post_linked`` does.

        :meth:`get_linked`'s bounds and rules; never retried (the caller decides).

        Raises:
            TransportError: If the URL is on another origin, or the connection fails.
            ResponseError: On a redirect (never followed).
            DownloadTooLargeError: If the body is larger than ``max_bytes``.
            ServiceTimeoutError: If the answer does not come within the total timeout.
        """
        headers = {"Content-Type": content_type, "Accept": "application/xml"}
        return await self._linked(
            "POST", url, credentials, address, max_bytes=max_bytes, operation=operation, content=body, headers=headers
        )

    async def _linked(
        self, method: str, url: str, credentials: Credentials, address: str, *, max_bytes: int, operation: str,
        content: bytes | None = None, headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:  # fmt: skip
        if not same_origin(url, address):
            # Credentials go only where the calls go (the sync driver's rule, word for word).
            why = url_problem(url) or f"not on {redact_url(address)}"
            raise TransportError(operation, f"refusing {redact_url(url)}: {why}", sent=False)
        total = self.client_settings.total_timeout
        expires = None if total is None else time.monotonic() + total
        gate = self.gates.gate(address)
        await gate.enter_async(expires=expires)
        granted = time.monotonic()
        timer = asyncio.timeout(total)
        try:
            async with timer:
                return await self._download(
                    method, url, credentials, max_bytes=max_bytes, operation=operation, content=content,
                    headers=headers or {},
                )  # fmt: skip
        except TimeoutError:
            if not timer.expired():
                raise
            raise ServiceTimeoutError(
                operation, f"no complete answer from {redact_url(url)} within the total timeout of {total:g} s"
            ) from None
        finally:
            gate.sent(granted, time.monotonic())

    async def _download(
        self, method: str, url: str, credentials: Credentials, *, max_bytes: int, operation: str,
        content: bytes | None, headers: dict[str, str],
    ) -> tuple[int, bytes]:  # fmt: skip
        sent = {"Accept-Encoding": ENCODINGS, **headers, **self._otp}
        request = self.client.build_request(method, url, headers=sent, content=content)
        auth = httpx.BasicAuth(credentials.username, credentials.secret)
        try:
            response = await self.client.send(request, stream=True, auth=auth)
        except httpx.TimeoutException:
            raise ServiceTimeoutError(operation, f"no answer from {redact_url(url)} in time") from None
        except (httpx.HTTPError, OSError) as exc:
            raise TransportError(operation, f"{type(exc).__name__} from {redact_url(url)}") from None
        try:
            if 300 <= response.status_code < 400:
                raise ResponseError(operation, f"HTTP {response.status_code} redirect from {redact_url(url)} refused")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise DownloadTooLargeError(
                    f"{operation}: {redact_url(url)} is {declared} bytes, over the cap of {max_bytes}",
                    limit=max_bytes,
                )
            inflater = Inflater(response.headers.get("Content-Encoding"), operation=operation, attempts=1)
            cap = BodyCap(max_bytes)
            try:
                async for raw in response.aiter_raw(CHUNK):
                    if not all(cap.add(piece) for piece in inflater.feed(raw)):
                        raise _over_cap(operation, url, max_bytes)
                if not all(cap.add(piece) for piece in inflater.finish()):
                    raise _over_cap(operation, url, max_bytes)
            except httpx.TimeoutException:
                raise ServiceTimeoutError(operation, f"no answer from {redact_url(url)} in time") from None
            except (httpx.HTTPError, OSError) as exc:
                raise TransportError(operation, f"{type(exc).__name__} from {redact_url(url)}") from None
        finally:
            with contextlib.suppress(httpx.HTTPError, OSError):
                await response.aclose()
        return response.status_code, cap.body()

    def new_response(self, response: httpx.Response) -> requests.Response:
        """Convert httpx's answer to the ``requests`` one zeep's parser reads."""
        converted: requests.Response = super().new_response(response)  # type: ignore[no-untyped-call]
        return converted


_ENCODING_HEADERS: Final = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _over_cap(operation: str, url: str, max_bytes: int) -> DownloadTooLargeError:
    return DownloadTooLargeError(
        f"{operation}: {redact_url(url)} is larger than the cap of {max_bytes} bytes; not read further",
        limit=max_bytes,
    )


class ProxyRoutes(httpx.AsyncBaseTransport):
    """Each request direct or through a proxy, chosen as the sync driver (requests) chooses.

    ``ClientSettings.proxies`` first (``scheme://host``, ``scheme``, ``all://host``,
    ``all``), then the environment's (``HTTPS_PROXY``, ``NO_PROXY`` ...), except that
    plain ``http://`` to a loopback address never goes through the environment's: the
    credentials would travel in clear text to the proxy host.  Every connection verifies
    TLS with ``ca_bundle`` (else the system's trust store) and presents ``client_cert``.
    """

    def __init__(self, settings: ClientSettings) -> None:
        self._tls = _tls_context(settings.ca_bundle, settings.client_cert)
        self._explicit = dict(settings.proxies or {})
        self._environment = urllib.request.getproxies_environment()
        self._direct = httpx.AsyncHTTPTransport(verify=self._tls, trust_env=False)
        self._via: dict[str, httpx.AsyncHTTPTransport] = {}

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy URL a request to ``url`` goes through (``None``: direct)."""
        scheme, host = url.scheme, url.host
        for key in (f"{scheme}://{host}", scheme, f"all://{host}", "all"):
            if key in self._explicit:
                return self._explicit[key]
        environment = self._environment
        if (scheme == "http" and is_loopback(host)) or _bypassed(host, environment.get("no", "")):
            return None
        return environment.get(scheme) or environment.get("all")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self.proxy_for(request.url)
        transport = self._direct
        if proxy is not None:
            transport = self._via.get(proxy) or self._via.setdefault(
                proxy, httpx.AsyncHTTPTransport(verify=self._tls, proxy=proxy, trust_env=False)
            )
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in (self._direct, *self._via.values()):
            await transport.aclose()


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` names ``host`` (``*``, the host, or a domain it is in)."""
    host = host.lower().rstrip(".")
    for entry in (e.strip().lower().lstrip(".") for e in no_proxy.split(",")):
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False


@functools.cache
def _tls_context(ca_bundle: str | None = None, client_cert: str | tuple[str, str] | None = None) -> ssl.SSLContext:
    """One verifying TLS context per CA bundle and client certificate, for every client of the process.

    Raises:
        ConfigurationError: If a file cannot be loaded.
    """
    try:
        context = ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"ClientSettings.ca_bundle cannot be loaded ({type(exc).__name__})") from None
    try:
        if isinstance(client_cert, tuple):
            context.load_cert_chain(client_cert[0], client_cert[1])
        elif client_cert is not None:
            context.load_cert_chain(client_cert)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"ClientSettings.client_cert cannot be loaded ({type(exc).__name__})") from None
    return context


class _FailedError(Exception):
    """An httpx failure (or an ``OSError`` httpx let through), and whether it struck while reading the body."""

    def __init__(self, cause: httpx.HTTPError | OSError, *, reading: bool) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause
        self.reading = reading

    def classify(
        self, record: CallRecord, address: str, timeout: httpx.Timeout, idempotent: frozenset[str]
    ) -> tuple[TransportError, str | None]:
        """The error to raise and, if the call may be retried, why (as the sync transport decides)."""
        operation, attempts = record.operation, record.attempts
        repeatable = operation in idempotent
        cause = self.cause
        url = redact_url(address)
        if isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout):
            message = f"could not connect to {url} within {timeout.connect or 0:g} s"
            return ServiceTimeoutError(operation, message, sent=False, attempts=attempts), "connect timeout"
        if isinstance(cause, httpx.TimeoutException):
            message = f"no answer from {url} within {timeout.read or 0:g} s; the call may have run"
            return ServiceTimeoutError(operation, message, attempts=attempts), "read timeout" if repeatable else None
        if isinstance(cause, ssl.SSLError) and not self.reading:
            # A TLS alert after the handshake seemed done (TLS 1.3: a client certificate refused).
            problem = describe_connection_error(cause, address)
            return TransportError(operation, problem.message, attempts=attempts), None
        if isinstance(cause, httpx.ConnectError):
            problem = describe_connection_error(cause, address)
            # A name that does not resolve or a port that does not speak TLS will not heal in seconds.
            final = problem.kind in ("dns", "tls-plain", "tls")
            error = TransportError(operation, problem.message, sent=False, attempts=attempts)
            return error, None if final else "connection refused"
        if self.reading:  # the answer began and broke off: truncated
            message = f"unreadable answer ({type(cause).__name__}); the call may have run"
            return ResponseError(operation, message, attempts=attempts), "unreadable answer" if repeatable else None
        message = f"connection to {url} lost before an answer; the call may have run"
        return TransportError(operation, message, attempts=attempts), "connection lost" if repeatable else None
