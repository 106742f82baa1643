"""The retry, at-most-once and backoff decision of a call, as one generator both drivers run.

:func:`attempts` yields what to do next (:class:`~boomi_soap.wire.records.Admit` through the
account's gate, :class:`~boomi_soap.wire.records.Send` once, :class:`~boomi_soap.wire.records.Sleep`)
and is sent back what the send gave (an :class:`~boomi_soap.wire.records.Answer` or a
:class:`~boomi_soap.wire.records.Failure`); it returns the final answer or raises the
error that ends the call.  The sync driver (requests) and the asyncio one (httpx) only do
the I/O, so they cannot drift apart on when a call is repeated.

At most once, whatever sits in between: a 503 is Boomi refusing the call before
running it only when it is Boomi's own answer (a SOAP fault, or a REST error body,
saying the service is busy or a limit is reached).  A gateway or proxy in front of
the service can forward a call and then answer a bare 503 of its own, so after a
call that is not safe to repeat any other 503 ends the call with a
:class:`~boomi_soap.exceptions.TransportError` whose ``sent`` is true.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Generator, Mapping
from typing import Final, Protocol

from boomi_soap._transports.reasons import looks_like_html
from boomi_soap._xml.redact import debug_body, redact_headers, redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import ResponseError, TransportError, XMLInputError
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.wire.records import Admit, Answer, CallRecord, Failure, Outcome, Send, Sleep, Step

__all__ = [
    "Outages",
    "answered",
    "attempts",
    "check_body",
    "limit_answer",
    "next_try",
    "refuse_unsafe_retry",
    "settled",
]

_log = logging.getLogger("boomi_soap.client")
# A 503 over the daily quota is final; over the rate limit it is retried.  REST error
# bodies carry no code, only the message.
_QUOTA_CODE: Final = re.compile(rb"<code>\s*QUOTA\s*</code>|\bquota\b[^<\"]*\bexceeded", re.IGNORECASE)
# Boomi's words for a call it refused unrun: "The Boomi server is currently unavailable
# or your account's rate limits have been exceeded" (and the daily quota).
_LIMIT_TEXT: Final = re.compile(r"rate.?limit|\bquota\b|unavailable", re.IGNORECASE)
_LIMIT_CODES: Final = frozenset({"RATE_LIMIT", "QUOTA"})
_NS_ENVELOPE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
_NS_DATA: Final = "http://api.platform.boomi.com/"
# A limit answer is short; a longer 503 body is not read as one (same as the bounds' CHUNK).
_LIMIT_BODY_MAX: Final = 64 * 1024


class Outages(Protocol):
    """The account's run of 503s (:class:`boomi_soap.limits.quota.Outage`), as the decision sees it."""

    def answered(self, status: int) -> None:
        """Note an answer; anything but 503 ends the run."""

    def pause_after_503(
        self, operation: str, attempts: int, retry_after: str | None, draw: float, *, last: bool
    ) -> float:
        """The seconds to wait before retrying a 503."""


def attempts(
    record: CallRecord,
    settings: ClientSettings,
    outage: Outages,
    address: str,
    *,
    draw: Callable[[], float],
    time_left: Callable[[], float | None],
) -> Generator[Step, Outcome | None, Answer]:
    """Decide one call's attempts: yields the steps, is sent each send's outcome, returns the final answer.

    Args:
        record: The call's record (attempts, status, history), updated as it goes.
        settings: The retry policy and the debug body limit.
        outage: The account's run of 503s.
        address: Where the call goes (for messages, redacted).
        draw: A number in [0, 1) for backoff jitter.
        time_left: Seconds the call's total deadline leaves (``None``: no deadline).

    Returns:
        The final answer (a last 503 too: the client maps it to ``RateLimitedError``).

    Raises:
        TransportError: The failure that ends the call (its subclasses too), or a gateway's
            503 after a call not safe to repeat.
        ResponseError: For an HTML answer.
    """
    policy = settings.retry
    while True:
        yield Admit(retry=record.attempts > 0)
        record.attempts += 1
        outcome = yield Send(record.attempts)
        if isinstance(outcome, Answer):
            if answered(record, settings, outage, outcome.status, outcome.headers, outcome.body, address):
                return outcome
            last_answer: Answer | None = outcome
            retry_reason: str | None = "HTTP 503"
            error: TransportError | None = None
            retry_after = outcome.headers.get("Retry-After")
        elif isinstance(outcome, Failure):
            last_answer, retry_reason, error, retry_after = None, outcome.retry_reason, outcome.error, None
        else:  # pragma: no cover - a driver's bug
            raise TypeError(f"a Send step is answered with an Answer or a Failure, not {outcome!r}")
        pause = next_try(record, policy, outage, retry_reason, error, retry_after, draw(), time_left=time_left())
        if pause is None:
            if last_answer is not None:
                return last_answer  # the last 503
            assert error is not None
            raise error
        yield Sleep(pause)
        record.waited += pause


def check_body(operation: str, attempts: int, status: int, body: bytes, address: str) -> None:
    """Refuse a whole answer that is not a SOAP (or REST) one.

    Raises:
        ResponseError: For an HTML page, said so rather than what the XML parser finds odd in it.
    """
    if looks_like_html(body):
        raise ResponseError(
            operation, f"HTTP {status}: not a SOAP answer (HTML) from {redact_url(address)}", attempts=attempts
        )


def limit_answer(body: bytes) -> bool:
    """Whether a 503's body is Boomi's own answer for a call it refused unrun (busy, rate limit, quota).

    That is a SOAP fault whose ``ApiFault`` code is ``RATE_LIMIT`` or ``QUOTA``, or whose
    ``faultstring`` says so in Boomi's words, or a REST error body (``<error><message>``,
    ``{"@type": "Error", "message": ...}``, ``{"error": {"message": ...}}``) that does.
    Anything else (empty, plain text, a gateway's HTML page) is not.
    """
    text = body.strip()
    if not text or len(text) > _LIMIT_BODY_MAX:
        return False
    message: object = None
    if text.startswith(b"{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return False
        if isinstance(data, dict):
            inner = data.get("error")
            message = inner.get("message") if isinstance(inner, dict) else data.get("message")
    elif text.startswith(b"<"):
        try:
            root = parse_xml(text, source="503 answer")
        except XMLInputError:
            return False
        if root.tag == f"{{{_NS_ENVELOPE}}}Envelope":
            fault = root.find(f"{{{_NS_ENVELOPE}}}Body/{{{_NS_ENVELOPE}}}Fault")
            if fault is None:
                return False
            if (fault.findtext(f"detail/{{{_NS_DATA}}}ApiFault/code") or "").strip() in _LIMIT_CODES:
                return True
            message = fault.findtext("faultstring")
        elif root.tag == "error":
            message = root.findtext("message")
    return isinstance(message, str) and _LIMIT_TEXT.search(message) is not None


def refuse_unsafe_retry(record: CallRecord, policy: RetryPolicy, status: int, body: bytes, address: str) -> None:
    """Stop a call that is not safe to repeat at a 503 that is not Boomi's own (:func:`limit_answer`).

    A gateway in front of the service may have forwarded the call before answering 503:
    sending it again could run it twice.

    Raises:
        TransportError: With ``sent`` true, for such a 503 after an operation not in ``policy.idempotent``.
    """
    if status != 503 or record.operation in policy.idempotent or limit_answer(body):
        return
    record.history.append(f"attempt {record.attempts}: HTTP 503, not the service's own; not retried")
    raise TransportError(
        record.operation,
        f"HTTP 503 from {redact_url(address)} that is not the service's limit answer (a gateway's?);"
        " the call may have run, so it is not sent again",
        sent=True,
        attempts=record.attempts,
    )


def answered(
    record: CallRecord,
    settings: ClientSettings,
    outage: Outages,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    address: str,
) -> bool:
    """Judge a whole answer; whether it is final (else: a 503 to retry).

    Logs it (redacted) at DEBUG, stops a call not safe to repeat at a 503 that is not the
    service's own (:func:`refuse_unsafe_retry`) and refuses an answer that is no SOAP or
    REST one (:func:`check_body`).
    """
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(
            "%s answer (HTTP %d)\n%s\n\n%s",
            record.operation, status, redact_headers(headers), debug_body(body, settings.debug_body_limit),
        )  # fmt: skip
    refuse_unsafe_retry(record, settings.retry, status, body, address)
    check_body(record.operation, record.attempts, status, body, address)
    return settled(record, status, body, outage, log=False)  # logged above


def settled(record: CallRecord, status: int, content: bytes, outage: Outages, *, log: bool = True) -> bool:
    """Record (and ``log``) an answer; whether it is final (anything but a 503 over the rate limit)."""
    record.status = status
    if log and _log.isEnabledFor(logging.DEBUG):
        _log.debug("%s answer (HTTP %d):\n%s", record.operation, status, debug_body(content, 64 * 1024))
    outage.answered(status)
    return status != 503 or _QUOTA_CODE.search(content) is not None


def next_try(
    record: CallRecord,
    policy: RetryPolicy,
    outage: Outages,
    retry_reason: str | None,
    error: TransportError | None,
    retry_after: str | None,
    draw: float,
    *,
    time_left: float | None = None,
) -> float | None:
    """Seconds to wait before sending again, or ``None`` when the call must stop here.

    ``error`` is the failure to raise if it stops (``None`` for a 503, which the client maps);
    ``time_left`` is what the call's total deadline leaves (``None``: no deadline).

    Raises:
        ServiceUnavailableError: After a long run of 503s, or a ``Retry-After`` longer than allowed.
    """
    last = retry_reason is None or record.attempts > policy.max_retries
    if error is None:
        pause = outage.pause_after_503(record.operation, record.attempts, retry_after, draw, last=last)
    else:
        pause = policy.delay(record.attempts, draw)
    if not last and time_left is not None and pause >= time_left:
        # No time for another attempt: report the last outcome, as after the last retry.
        record.history.append(f"attempt {record.attempts}: {retry_reason}; no time left to retry")
        return None
    if last:
        return None
    record.history.append(f"attempt {record.attempts}: {retry_reason}; retry in {pause:.2f} s")
    if error is not None:
        # A connection that failed is not the service's pacing (a 503 is): say so while it retries,
        # rather than seconds of silence before the error (the CLI shows warnings as lines).
        _log.warning(
            "%s; retrying in %.1f s (attempt %d of %d)",
            error, pause, record.attempts + 1, policy.max_retries + 1,
        )  # fmt: skip
    else:
        _log.debug("%s: %s, retrying in %.2f s", record.operation, retry_reason, pause)
    return pause
