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
is fetched the same way, with HTTP Basic auth; so does an ``ExecutionArtifacts`` CREATE,
whose download is a zip of the run's record and log (a new URL per request, as Boomi's
page describes).  A ``RerunDocument`` CREATE starts a new run of the original's process
on its Atom (``retry_manual``, ``originalExecutionId`` naming the original), on the same
timeline as an ``ExecutionRequest``.

Time here is the account store's clock (:attr:`AccountStore.clock`, ``time.monotonic``
by default); :class:`ManualClock` is one a test moves by hand, so a run's progress is
seen step by step without waiting.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
import uuid
import weakref
import zipfile
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
    "ManualClock",
    "artifacts",
    "async_record",
    "cancel",
    "download_type",
    "hold_downloads",
    "log_body",
    "log_download",
    "log_ready",
    "rerun",
    "start",
]

OUTCOME_PROPERTY: Final = "localservice.outcome"
# Log downloads an account keeps; past it the oldest expire (each is log_bytes long).
MAX_DOWNLOADS: Final = 1000
MESSAGE_PROPERTY: Final = "localservice.message"
TERMINAL: Final = ("COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED")


_ZIP_MAGIC: Final = b"PK\x03\x04"


class ManualClock:
    """A clock for :attr:`AccountStore.clock` that moves only when told: execution timelines in test time.

    It starts at ``time.monotonic()``, so what a store scheduled on the real clock keeps its place.
    """

    def __init__(self, start: float | None = None) -> None:
        """Start at ``start`` (``time.monotonic()`` by default)."""
        self._now = time.monotonic() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The current time, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward and return the new time.

        Raises:
            ValueError: For a negative step (time does not go back).
        """
        if seconds < 0:
            raise ValueError(f"the clock cannot go back ({seconds} seconds)")
        with self._lock:
            self._now += seconds
            return self._now


def start(
    store: AccountStore,
    release: Release,
    timeline: tuple[float, float, float],
    *,
    account_id: str,
    process: Record,
    atom: Record,
    properties: dict[str, str],
    execution_type: str = "exec_manual",
    original_id: str | None = None,
) -> tuple[str, str]:
    """Schedule an execution and return its (request id, execution id).

    Args:
        store: The account's store.
        release: The contract in force.
        timeline: Seconds until the record appears, starts and ends.
        account_id: The account.
        process: The process run (its id and ``name``).
        atom: The Atom it runs on.
        properties: Dynamic process properties (:data:`OUTCOME_PROPERTY` picks the outcome).
        execution_type: ``exec_manual``, or ``retry_manual`` for a rerun.
        original_id: The run a rerun repeats (its ``originalExecutionId``).

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
            "executionType": execution_type,
            "launcherID": "api",
            "message": message,
            "nodeId": atom.element.get("hostName", ""),
            "originalExecutionId": original_id or execution_id,
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


# Boomi's download URL answers 202 (and the other SDK polls it) while the file is being made:
# per store, how many polls each new download answers 202 first; per token, how many are left.
_holds: dict[int, int] = {}
_not_ready: dict[str, int] = {}
_MAX_NOT_READY: Final = 1000
_lock = threading.Lock()


def hold_downloads(store: AccountStore, polls: int) -> None:
    """Make each download ``store`` issues from now on answer 202 (not ready) ``polls`` times first."""
    if polls < 0:
        raise ValueError("polls must not be negative")
    key = id(store)
    with _lock:
        if key not in _holds:
            weakref.finalize(store, _holds.pop, key, None)
        _holds[key] = polls


def log_ready(store: AccountStore, token: str) -> bool:
    """Whether a download is ready; each ``False`` (answered 202) counts one of its not-ready polls."""
    with _lock:
        left = _not_ready.get(token, 0)
        if left <= 0:
            _not_ready.pop(token, None)
            return True
        _not_ready[token] = left - 1
        return False


def _issue(store: AccountStore, token: str) -> None:
    with _lock:
        polls = _holds.get(id(store), 0)
        if polls:
            _not_ready[token] = polls
            while len(_not_ready) > _MAX_NOT_READY:
                del _not_ready[next(iter(_not_ready))]


def log_download(store: AccountStore, release: Release, endpoint: str, subject: str, size: int) -> Record:
    """Issue a log download: a ``LogDownload`` whose ``url`` serves ``size`` bytes once fetched."""
    token = secrets.token_urlsafe(24)
    _issue(store, token)
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


def rerun(
    store: AccountStore,
    release: Release,
    timeline: tuple[float, float, float],
    *,
    account_id: str,
    original_id: str,
) -> tuple[str, str]:
    """Start a new run of an earlier one's process on its Atom; return its (request id, execution id).

    Raises:
        ApiFault: ``NOT_FOUND`` for an unknown run or Atom; ``INVALID_REQUEST`` for an offline Atom.
    """
    original = store.get("ExecutionRecord", original_id)
    if original is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"ExecutionRecord with id {original_id} does not exist")

    def field(name: str) -> str:
        return original.element.get(name) or original.element.findtext(f"{{{NS_DATA}}}{name}") or ""

    atom = store.get("Atom", field("atomId"))
    if atom is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"Atom with id {field('atomId')} does not exist")
    # The process as the run recorded it: a seeded run's process need not be stored.
    process = store.get("Process", field("processId")) or Record(
        "Process", field("processId"), etree.Element(f"{{{NS_DATA}}}result", name=field("processName"))
    )
    return start(
        store,
        release,
        timeline,
        account_id=account_id,
        process=process,
        atom=atom,
        properties={},
        execution_type="retry_manual",
        original_id=field("originalExecutionId") or original_id,
    )


def artifacts(store: AccountStore, release: Release, endpoint: str, execution_id: str) -> Record:
    """Issue a download of a run's artifacts: a ``LogDownload`` whose ``url`` serves a zip, new on each call.

    Raises:
        ApiFault: ``NOT_FOUND`` for a run the account does not have.
    """
    record = store.get("ExecutionRecord", execution_id)
    if record is None:
        raise ApiFault(FaultCode.NOT_FOUND, f"ExecutionRecord with id {execution_id} does not exist")
    fields = dict(record.element.attrib)
    fields.update({etree.QName(c).localname: c.text or "" for c in record.element if isinstance(c.tag, str)})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{execution_id}/ExecutionRecord.json", json.dumps(fields, indent=2, sort_keys=True))
        line = f"INFO  {execution_id} {fields.get('processName', '')} {fields.get('status', '')} (local service)\n"
        bundle.writestr(f"{execution_id}/process_log.txt", line)
    token = f"ExecutionArtifacts-{uuid.uuid4()}"
    _issue(store, token)
    with store._lock:
        store.downloads[token] = archive.getvalue()
        while len(store.downloads) > MAX_DOWNLOADS:
            del store.downloads[next(iter(store.downloads))]
    element = build_object(
        release.index,
        "LogDownload",
        {"statusCode": "202", "message": "Beginning download.", "url": f"{endpoint}/log/{token}"},
    )
    return Record("LogDownload", token, element)


def download_type(body: bytes) -> str:
    """The media type of a download's bytes: a zip (execution artifacts), else a text log."""
    return "application/zip" if body.startswith(_ZIP_MAGIC) else "text/plain; charset=utf-8"
