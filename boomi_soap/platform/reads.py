"""Boomi's REST-only reads: the ExecutionRecord of a request id, the OpenAPI description, and how they are sent.

The WSDL has no operation for these, so they go to the account's REST root through the
caller's :meth:`~boomi_soap.platform.caller.Caller.get_linked` and ``post_linked``: on the
client's own origin, with its credentials (HTTP Basic), counted by its rate limiter,
never following a redirect, at most ``max_response_bytes``.  They are reads, so a
dropped connection or a 503 of the service's rate limit is asked again, as the client's
retry policy says for every read (:func:`read`); a sub-account view adds
``?overrideAccount=``.  Each is a generator of steps (:mod:`boomi_soap.platform.steps`),
so the sync and the async client run the same code.  As before, ``execution_record`` and
``openapi`` are offered by a ``transport="rest"`` client only; a REST error answer is the
typed error a call would raise (:func:`boomi_soap.wire.rest.rest_error`).
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote

from lxml import etree

from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import (
    BoomiSoapError,
    JsonFormError,
    RequestRefusedError,
    ResponseError,
    TransportError,
    XMLInputError,
)
from boomi_soap.platform import steps
from boomi_soap.platform.steps import Invoke, Sleep, Steps, drive
from boomi_soap.wire.jsonform import loads
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.rest import rest_error
from boomi_soap.wire.restmap import rest_root
from boomi_soap.wire.soap import log_call
from boomi_soap.wire.tolerance import check_answer

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller
    from boomi_soap.settings import RetryPolicy

__all__ = [
    "REST_ONLY",
    "answer_root",
    "execution_record",
    "execution_record_steps",
    "logged",
    "openapi",
    "openapi_steps",
    "override_query",
    "read",
    "rest_only",
]

T = TypeVar("T")
REST_ONLY: Final = "REST-only: build the client with transport='rest'"


def rest_only(client: Account, operation: str) -> None:
    """Refuse a REST-only read on a SOAP client, as the client always has.

    Raises:
        InvalidRequestError: Unless the client was built with ``transport="rest"``.
    """
    if getattr(client, "transport", "soap") != "rest":
        raise RequestRefusedError(operation, REST_ONLY)


def override_query(client: Account) -> str:
    """The query string of a sub-account view (``?overrideAccount=...``); empty for an account's own client."""
    sub_account = getattr(client, "sub_account", None)
    return f"?overrideAccount={quote(sub_account, safe='')}" if isinstance(sub_account, str) and sub_account else ""


def url_of(client: Account, path: str, operation: str) -> str:
    """``path`` under the account's REST root, with the sub-account override if any.

    Raises:
        InvalidRequestError: If the client's address has no REST root.
    """
    try:
        root = rest_root(client.address)
    except BoomiSoapError as exc:
        raise RequestRefusedError(operation, str(exc)) from None
    return f"{root}{path}{override_query(client)}"


def logged(record: CallRecord, steps: Steps[T]) -> Steps[T]:
    """Run a call's steps and log its outcome, time and attempts at INFO, as every call of the client is."""
    started, outcome = time.perf_counter(), "error"
    try:
        result = yield from steps
        outcome = "ok"
        return result
    finally:
        log_call(record.operation, outcome, started, record)


def read(client: Account, step: Invoke, record: CallRecord) -> Steps[tuple[int, bytes]]:
    """Send a read (a ``get_linked`` or ``post_linked`` step), again after a failure the retry policy allows.

    As for every read the client sends: a failed connection or read (the answer may have
    been lost on the way) and a 503 that is not the daily quota are asked again, at most
    ``settings.retry.max_retries`` times, after the policy's backoff, and not once the
    pause would outlast ``settings.total_timeout`` (each attempt is held to it as well).  A
    redirect, an answer over the size cap or a refused URL end it at once.  ``record``
    counts the attempts and keeps the last status (for the errors and the log).

    Returns:
        The last status and body.
    """
    policy, total = client.settings.retry, client.settings.total_timeout
    deadline = None if total is None else time.monotonic() + total
    while True:
        record.attempts += 1
        try:
            status, body = yield step
        except TransportError as exc:
            pause = _pause(record, policy, deadline)
            if isinstance(exc, ResponseError) or exc.sent is False or pause is None:
                exc.attempts = record.attempts
                raise
            record.history.append(f"attempt {record.attempts}: {type(exc).__name__}; retry in {pause:.2f} s")
            yield Sleep(pause)
            continue
        record.status = status
        pause = None if status != 503 or b"quota" in body.lower() else _pause(record, policy, deadline)
        if pause is None:
            return status, body
        record.history.append(f"attempt {record.attempts}: HTTP 503; retry in {pause:.2f} s")
        yield Sleep(pause)


def _pause(record: CallRecord, policy: RetryPolicy, deadline: float | None) -> float | None:
    """The backoff before the next attempt, or ``None`` when no retry or no time is left for one."""
    if record.attempts > policy.max_retries:
        return None
    pause = policy.delay(record.attempts, random.random())  # noqa: S311 - jitter, not a secret
    if deadline is not None and time.monotonic() + pause >= deadline:
        record.history.append(f"attempt {record.attempts}: no time left to retry")
        return None
    return pause


def answer_root(client: Account, operation: str, status: int, body: bytes, record: CallRecord) -> etree._Element:
    """A REST answer's XML document, checked against the snapshot as the client checks every answer.

    Raises:
        ResponseError: If it is not XML, or (``responses="strict"``) does not fit the schema.
    """
    try:
        root = parse_xml(body, source=f"{operation} answer")
    except XMLInputError:
        raise ResponseError(operation, f"HTTP {status}: the answer is not XML", attempts=record.attempts) from None
    validator = getattr(client, "validator", None)
    deviations = getattr(client, "deviations", None)
    if validator is not None and deviations is not None:
        check_answer(validator, root, mode=client.settings.responses, operation=operation, deviations=deviations)
    return root


def execution_record(client: Caller, request_id: str) -> tuple[Any, ...] | None:
    """The ExecutionRecord of an ExecutionRequest's ``requestId`` (REST only); ``None`` while not yet there.

    ``GET /ExecutionRecord/async/{requestId}``.

    Raises:
        InvalidRequestError: Over SOAP, or without a request id.
        NotFoundError: If the account never issued that request id.
    """
    return drive(client, execution_record_steps(client, request_id))


def execution_record_steps(client: Account, request_id: str) -> Steps[tuple[Any, ...] | None]:
    """The steps of :func:`execution_record`."""
    operation = "ExecutionRecord/async"
    rest_only(client, operation)
    if not request_id:
        raise RequestRefusedError(operation, "give the request id of an ExecutionRequest")
    url = url_of(client, f"/ExecutionRecord/async/{quote(request_id, safe='')}", operation)
    record = CallRecord(operation)
    return (yield from logged(record, _execution_record(client, url, record)))


def _execution_record(client: Account, url: str, record: CallRecord) -> Steps[tuple[Any, ...] | None]:
    operation = record.operation
    step = steps.get_linked(url, max_bytes=client.settings.max_response_bytes, operation=operation)
    status, body = yield from read(client, step, record)
    if status not in (200, 202):
        raise rest_error(operation, status, body, record)
    if status == 202 and not body.strip():
        return None
    root = answer_root(client, operation, status, body, record)
    if root.get("responseStatusCode") == "202":
        return None
    data = client.contract.data_namespace
    return tuple(client.from_xml(found) for found in root.iterfind(f"{{{data}}}result"))


def openapi(client: Caller) -> dict[str, Any]:
    """The account's OpenAPI description of the RESTish API (``GET /openapi.json``, REST only).

    Raises:
        InvalidRequestError: Over SOAP.
        ResponseError: If the answer is not JSON, or not an OpenAPI description.
    """
    return drive(client, openapi_steps(client))


def openapi_steps(client: Account) -> Steps[dict[str, Any]]:
    """The steps of :func:`openapi`."""
    operation = "openapi.json"
    rest_only(client, operation)
    # The description is the account's, not a sub-account's: no override.
    url = url_of(client, "/openapi.json", operation).partition("?")[0]
    record = CallRecord(operation)
    return (yield from logged(record, _openapi(client, url, record)))


def _openapi(client: Account, url: str, record: CallRecord) -> Steps[dict[str, Any]]:
    operation, limit = record.operation, client.settings.max_response_bytes
    status, body = yield from read(client, steps.get_linked(url, max_bytes=limit, operation=operation), record)
    if status != 200:
        raise rest_error(operation, status, body, record)
    try:
        document = loads(body, max_bytes=limit)
    except JsonFormError as exc:
        raise ResponseError(operation, f"the answer is not JSON ({exc})", attempts=record.attempts) from None
    if not isinstance(document, dict) or "paths" not in document:
        raise ResponseError(operation, "the answer is not an OpenAPI description", attempts=record.attempts)
    return document
