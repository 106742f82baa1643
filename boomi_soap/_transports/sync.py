"""The HTTP side of a call: rate limit, retries, bounds and redacted logging.

:class:`SafeTransport` stands in for zeep's ``Transport`` (zeep calls ``post_xml``, ``load``
and ``settings``; the typed path calls ``post``), so a client that never uses zeep
never imports it.  zeep's own ``post`` logs
whole envelopes at DEBUG, WS-Security password included.  Ours logs them through
:mod:`boomi_soap._xml.redact` (every secret-named element and attribute, the
``Authorization`` header), cut at ``ClientSettings.debug_body_limit``, and wraps the
send in the account's gate (rate window and quota budget, see :mod:`boomi_soap.limits.quota`),
the retry policy and bounds: a total deadline per call
that cuts even a dripped answer (:mod:`boomi_soap._transports.deadline`), a maximum answer size,
and no redirect ever followed, since following one would hand the envelope and its
password to another URL.  Those bounds are decided by :mod:`boomi_soap._transports.bounds`, and the
retry decisions by :func:`settled`, :func:`refuse_unsafe_retry` and :func:`next_try`
here, for this driver and the asyncio one (:mod:`boomi_soap.async_client`) alike.

At most once, whatever sits in between: a 503 is Boomi refusing the call before
running it only when it is Boomi's own answer (a SOAP fault, or a REST error body,
saying the service is busy or a limit is reached).  A gateway or proxy in front of
the service can forward a call and then answer a bare 503 of its own, so after a
call that is not safe to repeat any other 503 ends the call with a
:class:`~boomi_soap.exceptions.TransportError` whose ``sent`` is true.

Plain ``http://`` to a loopback address never goes through a proxy from the
environment (``HTTP_PROXY``): it would carry the credentials in clear text to the
proxy host.  ``ClientSettings.proxies`` still applies.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from lxml import etree

from boomi_soap._transports.bounds import check_head, too_large
from boomi_soap._transports.deadline import (
    Deadline,
    bounded_request,
    discard,
    read_capped,
    release,
    request_options,
    watch_session,
)
from boomi_soap._transports.reasons import describe_connection_error
from boomi_soap._xml.redact import debug_body, redact, redact_headers, redact_url
from boomi_soap.credentials import Credentials, same_origin, url_problem
from boomi_soap.exceptions import (
    DownloadTooLargeError,
    RedirectRefusedError,
    ResponseError,
    ServiceTimeoutError,
    TransportError,
)
from boomi_soap.limits.quota import Gates, Outage
from boomi_soap.settings import ClientSettings
from boomi_soap.wire.attempts import attempts, limit_answer, next_try, refuse_unsafe_retry, settled
from boomi_soap.wire.records import Admit, Answer, CallRecord, Failure, Outcome, Send, Step

# The decision's functions stay importable from here for the transports built on this one.
__all__ = [
    "CallRecord",
    "SafeTransport",
    "limit_answer",
    "next_try",
    "redact",
    "refuse_unsafe_retry",
    "settled",
]

_log = logging.getLogger("boomi_soap.client")
_OPTIONS_KEPT = 256  # addresses whose request options are kept (a fan-out's accounts)


class SafeTransport:
    """A zeep-compatible transport with rate limiting, retries and redacted DEBUG logs."""

    cache: Any = None  # zeep reads it when loading documents; the client loads from the snapshot only

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None) -> None:
        """Build the transport.

        Args:
            settings: Timeouts, bounds, rate limit and retry policy.
            session: HTTP session to use (a new one by default); its stock adapters are
                replaced by ones a deadline can cut (:func:`~boomi_soap._transports.deadline.watch_session`).
        """
        session = watch_session(session or requests.Session())
        self.session = session
        self.load_timeout = settings.connect_timeout
        self.operation_timeout: float | None = None  # zeep's per-call override; our bounds are the settings'
        self.logger = logging.getLogger("zeep.transports")
        session.headers["User-Agent"] = settings.user_agent
        if settings.otp is not None:  # on the session: SOAP, REST and downloads alike
            session.headers["X-Boomi-OTP"] = settings.otp
        if settings.proxies is not None:
            session.proxies.update(settings.proxies)
        if settings.ca_bundle is not None:
            session.verify = settings.ca_bundle
        if settings.client_cert is not None:
            session.cert = settings.client_cert
        self.client_settings = settings
        self.gates = Gates(settings)
        self.outage = Outage(settings)
        self._local = threading.local()
        self._random = random.Random()  # noqa: S311 - backoff jitter, not a secret
        # request_options of each address: a function of the address and the settings alone.
        self._options: dict[str, dict[str, Any]] = {}

    def begin(self, operation: str) -> CallRecord:
        """Start recording a call made from this thread."""
        record = CallRecord(operation)
        self._local.record = record
        return record

    def _record(self) -> CallRecord:
        record: CallRecord | None = getattr(self._local, "record", None)
        return record if record is not None else self.begin("call")

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> requests.Response:
        """Send a SOAP request, honouring the rate limit, the retry policy and the bounds.

        Raises:
            ServiceTimeoutError: On a connect, read or total timeout.
            RedirectRefusedError: On a 3xx answer (never followed).
            ResponseError: On an answer too large or unreadable.
            TransportError: On a connection failure.
        """
        return self.send("POST", address, message, headers)

    def send(
        self,
        method: str,
        address: str,
        message: bytes | str,
        headers: dict[str, str],
        *,
        account_address: str | None = None,
    ) -> requests.Response:
        """Send one HTTP request under the same gate, retries and bounds as :meth:`post`.

        ``account_address`` is the SOAP endpoint whose account gate counts the call
        (default: ``address``), so REST calls share the SOAP calls' rate window and quota.

        Raises:
            ServiceTimeoutError: On a connect, read or total timeout.
            RedirectRefusedError: On a 3xx answer (never followed).
            ResponseError: On an answer too large or unreadable.
            TransportError: On a connection failure.
        """
        record = self._record()
        settings = self.client_settings
        if _log.isEnabledFor(logging.DEBUG):
            # Prepared as requests will, body included (so Content-Length is the one sent),
            # and session auth shows up (masked) among the headers.
            prepared = self.session.prepare_request(requests.Request(method, address, headers=headers, data=message))
            _log.debug(
                "%s request to %s\n%s\n\n%s",
                record.operation, redact_url(address), redact_headers(prepared.headers),
                debug_body(message, settings.debug_body_limit),
            )  # fmt: skip
        with Deadline(settings.total_timeout) as deadline:
            return self._send(record, address, message, headers, deadline, method, account_address or address)

    def _send(
        self,
        record: CallRecord,
        address: str,
        message: bytes | str,
        headers: dict[str, str],
        deadline: Deadline,
        method: str = "POST",
        account_address: str | None = None,
    ) -> requests.Response:
        settings = self.client_settings
        gate = self.gates.gate(account_address or address)
        plan = attempts(record, settings, self.outage, address, draw=self._random.random, time_left=deadline.remaining)
        outcome: Outcome | None = None
        last: requests.Response | None = None  # the final answer is always the last send's
        granted = 0.0
        try:
            step: Step = next(plan)
            while True:
                if isinstance(step, Admit):
                    record.waited += gate.enter(retry=step.retry)
                    granted = time.monotonic()
                    if deadline.expired:
                        raise self._out_of_time(address, record, sent=False if record.attempts == 0 else None)
                    outcome = None
                elif isinstance(step, Send):
                    outcome, last = self._once(record, address, message, headers, deadline, method)
                    if last is not None:
                        gate.sent(granted, time.monotonic())
                else:
                    time.sleep(step.seconds)
                    outcome = None
                step = plan.send(outcome)
        except StopIteration:
            assert last is not None
            return last

    def _once(
        self,
        record: CallRecord,
        address: str,
        message: bytes | str,
        headers: dict[str, str],
        deadline: Deadline,
        method: str,
    ) -> tuple[Outcome, requests.Response | None]:
        """Send once, within the bounds; the outcome for the decision (and the response, if one came)."""
        settings = self.client_settings
        policy = settings.retry
        timeout = (deadline.bound(settings.connect_timeout), deadline.bound(settings.read_timeout))
        error: TransportError
        try:
            # session.post for POST: a session that overrides post (a canned one in a bench) keeps working.
            send = self.session.post if method == "POST" else functools.partial(self.session.request, method)
            response = send(
                address, data=message, headers=headers, timeout=timeout, allow_redirects=False, stream=True,
                **self._request_options(address),
            )  # fmt: skip
            record.status = response.status_code
            try:
                check_head(
                    record.operation, record.attempts, response.status_code, response.headers, address,
                    settings.max_response_bytes,
                )  # fmt: skip
            except RedirectRefusedError:
                discard(response, deadline)
                raise
            except ResponseError:
                release(response)
                raise
            try:
                body = read_capped(response, settings.max_response_bytes, deadline)
            finally:
                release(response)
        except requests.exceptions.ConnectTimeout:
            if deadline.expired:
                raise self._out_of_time(address, record, sent=False) from None
            error = ServiceTimeoutError(
                record.operation,
                f"could not connect to {redact_url(address)} within {timeout[0]:g} s",
                sent=False,
                attempts=record.attempts,
            )
            return Failure(error, "connect timeout"), None
        except requests.exceptions.ReadTimeout:
            if deadline.expired:
                raise self._out_of_time(address, record) from None
            error = ServiceTimeoutError(
                record.operation,
                f"no answer from {redact_url(address)} within {timeout[1]:g} s; the call may have run",
                attempts=record.attempts,
            )
            return Failure(error, "read timeout" if record.operation in policy.idempotent else None), None
        except requests.exceptions.ConnectionError as exc:
            problem = describe_connection_error(exc, address)
            never_sent = problem.kind in ("dns", "tls-plain", "tls") or _never_sent(exc)
            if deadline.expired:
                raise self._out_of_time(address, record, sent=False if never_sent else None) from None
            error = TransportError(
                record.operation,
                problem.message
                if never_sent
                else f"connection to {redact_url(address)} lost before an answer; the call may have run",
                sent=False if never_sent else None,
                attempts=record.attempts,
            )
            # A name that does not resolve or a port that does not speak TLS will not heal in seconds.
            reason = (
                None
                if problem.kind in ("dns", "tls-plain", "tls")
                else "connection refused"
                if never_sent
                else "connection lost"
                if record.operation in policy.idempotent
                else None
            )
            return Failure(error, reason), None
        except requests.exceptions.RequestException as exc:  # truncated body and the like
            if deadline.expired:
                raise self._out_of_time(address, record) from None
            error = ResponseError(
                record.operation, f"unreadable answer ({type(exc).__name__}); the call may have run",
                attempts=record.attempts,
            )  # fmt: skip
            return Failure(error, "unreadable answer" if record.operation in policy.idempotent else None), None
        if deadline.expired:  # a cut connection can look like a short, complete body
            raise self._out_of_time(address, record)
        if body is None:
            raise too_large(record.operation, record.attempts, address, settings.max_response_bytes)
        response._content = body
        return Answer(response.status_code, response.headers, body), response

    def _request_options(self, address: str) -> dict[str, Any]:
        """:func:`request_options` of ``address``, worked out once (URL parsing and the loopback check cost)."""
        found = self._options.get(address)
        if found is None:
            found = request_options(address, self.client_settings)
            if len(self._options) >= _OPTIONS_KEPT:
                self._options.clear()
            self._options[address] = found
        # A fresh dict at each level: requests fills the proxies it is given from the environment.
        return {key: dict(value) if isinstance(value, dict) else value for key, value in found.items()}

    def _out_of_time(self, address: str, record: CallRecord, *, sent: bool | None = None) -> ServiceTimeoutError:
        total = self.client_settings.total_timeout
        return ServiceTimeoutError(
            record.operation,
            f"no complete answer from {redact_url(address)} within the total timeout of {total:g} s"
            + ("" if sent is False else "; the call may have run"),
            sent=sent,
            attempts=record.attempts,
        )

    def post_xml(self, address: str, envelope: etree._Element, headers: dict[str, str]) -> requests.Response:
        """Serialise an envelope as zeep does (UTF-8, with a declaration) and :meth:`post` it."""
        return self.post(address, etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), headers)

    def get_linked(
        self, url: str, credentials: Credentials, address: str, *, max_bytes: int, operation: str
    ) -> tuple[int, bytes]:
        """GET a resource an answer linked to (a record URL, a log download) with Basic auth.

        Only on ``address``'s origin (credentials go only where the calls go), never
        following a redirect, counted against the account's rate window, size-capped.

        Raises:
            TransportError: If the URL is on another origin, or the connection fails.
            RedirectRefusedError: On a redirect (never followed).
            DownloadTooLargeError: If the body is larger than ``max_bytes``.
            ServiceTimeoutError: If the answer does not come within the total timeout.
        """
        return self._linked("GET", url, credentials, address, max_bytes=max_bytes, operation=operation)

    def post_linked(
        self, url: str, body: bytes, content_type: str, credentials: Credentials, address: str, *, max_bytes: int,
        operation: str,
    ) -> tuple[int, bytes]:  # fmt: skip
        """POST to a REST resource of the account (an asynchronous query) with :meth:`get_linked`'s rules.

        Never retried: the caller decides (a query that lost its answer is asked again).
        """
        headers = {"Content-Type": content_type, "Accept": "application/xml"}
        return self._linked(
            "POST", url, credentials, address, max_bytes=max_bytes, operation=operation, data=body, headers=headers
        )

    def _linked(
        self, method: str, url: str, credentials: Credentials, address: str, *, max_bytes: int, operation: str,
        **sent: Any,
    ) -> tuple[int, bytes]:  # fmt: skip
        settings = self.client_settings
        if not same_origin(url, address):
            # Credentials go only where the calls go: a link elsewhere, or one that two HTTP
            # parsers would read as different hosts, is not followed.
            why = url_problem(url) or f"not on {redact_url(address)}"
            raise TransportError(operation, f"refusing {redact_url(url)}: {why}", sent=False)
        # Every download counts against the account's rate window and quota, as on Boomi.
        gate = self.gates.gate(address)
        gate.enter()
        granted = time.monotonic()
        with Deadline(settings.total_timeout) as deadline:
            auth = (credentials.username, credentials.secret)
            response = bounded_request(
                self.session, method, url, operation=operation, settings=settings, deadline=deadline, auth=auth, **sent
            )
            try:
                if 300 <= response.status_code < 400:
                    raise ResponseError(
                        operation, f"HTTP {response.status_code} redirect from {redact_url(url)} refused"
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise DownloadTooLargeError(
                        f"{operation}: {redact_url(url)} is {declared} bytes, over the cap of {max_bytes}",
                        limit=max_bytes,
                    )
                try:
                    body = read_capped(response, max_bytes, deadline)
                except requests.exceptions.RequestException as exc:
                    if not deadline.expired:
                        raise TransportError(operation, f"{type(exc).__name__} from {redact_url(url)}") from None
                if deadline.expired:  # a cut connection may look like a short, complete body
                    raise ServiceTimeoutError(
                        operation,
                        f"no complete answer from {redact_url(url)} within the total timeout of "
                        f"{settings.total_timeout:g} s",
                    ) from None
            finally:
                release(response)
                gate.sent(granted, time.monotonic())
        if body is None:
            raise DownloadTooLargeError(
                f"{operation}: {redact_url(url)} is larger than the cap of {max_bytes} bytes; not read further",
                limit=max_bytes,
            )
        return response.status_code, body

    @contextlib.contextmanager
    def settings(self, timeout: float | None = None) -> Iterator[None]:
        """The hook of zeep's ``Client.options(timeout=...)``; the settings' bounds still apply."""
        old, self.operation_timeout = self.operation_timeout, timeout
        try:
            yield
        finally:
            self.operation_timeout = old


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
