"""Executions in simulated time, their REST-only async record lookup, and log downloads.

An ``ExecutionRequest`` schedules its ``ExecutionRecord`` on the account store's
clock: it appears ``ENQUEUED``, turns ``INPROCESS`` and ends after the delays of
:attr:`ServiceConfig.execution_timeline`.  The dynamic process property
:data:`OUTCOME_PROPERTY` chooses the terminal status (``ERROR`` by default when the
property :data:`MESSAGE_PROPERTY` is given alone), so tests can make failures.

The WSDL has no operation that reads an execution by its request id (``ExecutionRecord``
has no ``requestId`` field or filter), so, as on the platform, the ``recordUrl`` of the
create answer is a REST resource: ``GET {endpoint}/ExecutionRecord/async/{requestId}``
answers an ``AsyncOperationResult`` whose ``responseStatusCode`` is 202 until the record
exists.  ``ProcessLog`` and ``AtomLog`` CREATEs answer a ``LogDownload`` whose ``url``
is fetched the same way, with HTTP Basic auth.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from lxml import etree

from boomi_soap.localservice.contract import NS_DATA, NS_XSI, Release
from boomi_soap.localservice.errors import ApiFault, FaultCode
from boomi_soap.localservice.model import Record, Value, build_object, emit, with_field
from boomi_soap.localservice.store import AccountStore

__all__ = [
    "MESSAGE_PROPERTY",
    "OUTCOME_PROPERTY",
    "TERMINAL",
    "async_record",
    "cancel",
    "log_body",
    "log_download",
    "start",
]

OUTCOME_PROPERTY: Final = "localservice.outcome"
# Log downloads an account keeps; past it the oldest expire (each is log_bytes long).
MAX_DOWNLOADS: Final = 1000
MESSAGE_PROPERTY: Final = "localservice.message"
TERMINAL: Final = ("COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED")


def start(
    store: AccountStore,
    release: Release,
    timeline: tuple[float, float, float],
    *,
    account_id: str,
    process: Record,
    atom: Record,
    properties: dict[str, str],
) -> tuple[str, str]:
    """Schedule an execution and return its (request id, execution id).

    Raises:
        ApiFault: ``INVALID_REQUEST`` for an offline Atom or an unknown outcome.
    """
    if atom.element.get("status") == "OFFLINE":
        raise ApiFault(FaultCode.INVALID_REQUEST, f"The specified Runtime {atom.key} is offline")
    outcome = properties.get(OUTCOME_PROPERTY) or ("ERROR" if properties.get(MESSAGE_PROPERTY) else "COMPLETE")
    if outcome not in TERMINAL:
        raise ApiFault(FaultCode.INVALID_REQUEST, f"{OUTCOME_PROPERTY} must be one of {', '.join(TERMINAL)}")
    now = datetime.now(UTC).replace(microsecond=0)
    execution_id = f"execution-{uuid.uuid4()}-{now:%Y.%m.%d}"
    request_id = f"executionrecord-{uuid.uuid4()}"
    appear, begin, end = timeline

    def record(status: str, message: str = "", duration: float | None = None) -> Record:
        values: dict[str, Value] = {
            "account": account_id,
            "atomId": atom.key,
            "atomName": atom.element.get("name", ""),
            "executionDuration": None if duration is None else int(duration * 1000),
            "executionId": execution_id,
            "executionTime": now,
            "executionType": "exec_manual",
            "launcherID": "api",
            "message": message,
            "nodeId": atom.element.get("hostName", ""),
            "originalExecutionId": execution_id,
            "parentExecutionId": "",
            "processId": process.key,
            "processName": process.element.get("name", ""),
            "recordedDate": now + timedelta(seconds=int(appear)),
            "reportKey": request_id.removeprefix("executionrecord-"),
            "status": status,
            "topLevelExecutionId": execution_id,
        }
        element = build_object(release.index, "ExecutionRecord", values)
        return Record("ExecutionRecord", execution_id, element)

    final = record(outcome)
    with store._lock:  # the link and the timeline appear together for concurrent readers
        # The record appears later, unchecked: its room is taken now, or the call refused.
        store.check_room(1, len(etree.tostring(final.element)))
        store.links[request_id] = execution_id
        store.schedule(appear, record("ENQUEUED"))
        store.schedule(begin, record("INPROCESS"))
        message = properties.get(MESSAGE_PROPERTY, "Process failed (simulated)") if outcome == "ERROR" else ""
        store.schedule(end, record(outcome, message, end - begin))
    return request_id, execution_id


def async_record(store: AccountStore, release: Release, request_id: str) -> bytes:
    """The ``AsyncOperationResult`` document for ``GET .../ExecutionRecord/async/{requestId}``.

    Raises:
        ApiFault: ``NOT_FOUND`` for a request id the account never issued.
    """
    execution_id = store.links.get(request_id)
    if execution_id is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"ExecutionRequest with requestId {request_id} does not exist")
    record = store.get("ExecutionRecord", execution_id)
    root = etree.Element(
        f"{{{NS_DATA}}}AsyncOperationResult",
        nsmap={"bns": NS_DATA, "xsi": NS_XSI},
        responseStatusCode="202" if record is None else "200",
    )
    if record is not None:
        root.set("numberOfResults", "1")
        emit(root, f"{{{NS_DATA}}}result", record, "bns", release.index.types.get(record.type))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def cancel(store: AccountStore, release: Release, execution_id: str) -> None:
    """Abort an execution: its pending progress is dropped and it ends ``ABORTED``.

    Raises:
        ApiFault: ``NOT_FOUND`` if no such execution has a record yet.
    """
    with store._lock:
        record = store.get("ExecutionRecord", execution_id)
        if record is None:
            raise ApiFault(FaultCode.NOT_FOUND, f"ExecutionRecord with id {execution_id} does not exist")
        store.unschedule("ExecutionRecord", execution_id)
        element = etree.fromstring(etree.tostring(record.element))
        info = release.index.types["ExecutionRecord"]
        with_field(info, element, "status", "ABORTED")
        with_field(info, element, "message", "Execution cancelled by request")
        store.put(Record(record.type, record.key, element))


def log_download(store: AccountStore, release: Release, endpoint: str, subject: str, size: int) -> Record:
    """Issue a log download: a ``LogDownload`` whose ``url`` serves ``size`` bytes once fetched."""
    token = secrets.token_urlsafe(24)
    line = f"INFO  {subject} local service log line\n".encode()
    body = (line * (size // len(line) + 1))[:size]
    with store._lock:
        store.downloads[token] = body
        while len(store.downloads) > MAX_DOWNLOADS:  # the oldest log downloads expire
            del store.downloads[next(iter(store.downloads))]
    element = build_object(
        release.index,
        "LogDownload",
        {"statusCode": "202", "message": "Beginning download.", "url": f"{endpoint}/log/{token}"},
    )
    return Record("LogDownload", token, element)


def log_body(store: AccountStore, token: str) -> bytes | None:
    """The bytes of an issued log download, or ``None`` for an unknown token."""
    with store._lock:
        return store.downloads.get(token)
