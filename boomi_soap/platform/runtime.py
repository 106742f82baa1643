"""Operate a Runtime: its asynchronous reads, listeners, queues, restarts and downloads.

Boomi answers AtomDiskSpace, ListQueues, AtomSecurityPolicies ... later (the OpenAPI's
``ASYNC-GET`` operations): ``GET /async/{Object}/{runtimeId}`` returns an
``AsyncOperationTokenResult`` holding a token, and ``GET /async/{Object}/response/{token}``
returns an ``AsyncOperationResult`` whose body says 202 until the work is done;
ListenerStatus is asked for with ``POST /async/ListenerStatus/query`` (a filter naming the
Runtime) instead of the first GET.  The SOAP contract has no operation for these (see
:mod:`boomi_soap.platform.polling`), so they go to the account's REST root on the client's own
origin, with its credentials, counted by its rate limiter, whichever transport the client
uses for its other calls (a sub-account view adds ``?overrideAccount=``).  :func:`async_get`
reads every one of them (:data:`ASYNC_TYPES`).

The changes go through the WSDL's operations, so they work over SOAP and over REST alike:
``changeListenerStatus`` (:func:`change_listener_status`), the EXECUTE actions
(:func:`clear_queue`, :func:`java_rollback`, :func:`merge`), and the CREATEs that act
(:func:`move_queue`, :func:`restart_runtime`, and the downloads
:func:`download_worker_log` and :func:`download_connector_document`, which poll their URL
while it answers 202 or 204, bounded in size and time).  Each is a generator of steps
(``*_steps``, :mod:`boomi_soap.platform.steps`): the sync functions here run it with
:func:`~boomi_soap.platform.steps.drive`, :class:`~boomi_soap.AsyncClient` with
:func:`~boomi_soap.platform.steps.adrive`, so both clients run the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from lxml import etree

from boomi_soap._xml.redact import redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import BoomiSoapError, RequestRefusedError, ResponseError
from boomi_soap.platform import steps
from boomi_soap.platform.polling import (
    DEFAULT_DOWNLOAD_TIMEOUT,
    DEFAULT_LOG_LIMIT,
    NS_DATA,
    Backoff,
    fetch_download_steps,
    poll_async_steps,
)
from boomi_soap.platform.reads import override_query
from boomi_soap.platform.steps import Steps, drive
from boomi_soap.wire.restmap import XML, error_message, rest_root

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Account, Caller

__all__ = [
    "ASYNC_GET_TYPES",
    "ASYNC_TYPES",
    "DEFAULT_TIMEOUT",
    "LISTENER_ACTIONS",
    "MERGE_ACTIONS",
    "RuntimeAnswer",
    "async_get",
    "async_get_steps",
    "change_listener_status",
    "change_listener_status_steps",
    "clear_queue",
    "clear_queue_steps",
    "download_connector_document",
    "download_connector_document_steps",
    "download_worker_log",
    "download_worker_log_steps",
    "java_rollback",
    "java_rollback_steps",
    "listener_status",
    "listener_status_steps",
    "merge",
    "merge_steps",
    "move_queue",
    "move_queue_steps",
    "request_token",
    "request_token_steps",
    "restart_runtime",
    "restart_runtime_steps",
]

# The OpenAPI's ASYNC-GET objects: GET /async/{Object}/{id} then /async/{Object}/response/{token}.
ASYNC_GET_TYPES: Final = frozenset(
    {
        "AccountCloudAttachmentProperties",
        "AccountCloudAttachmentPropertiesDefault",
        "AtomCounters",
        "AtomDiskSpace",
        "AtomSecurityPolicies",
        "CloudAttachmentProperties",
        "ListQueues",
        "PersistedProcessProperties",
        "RuntimeObservabilitySettings",
        "RuntimeProperties",
    }
)
# Every asynchronous-token object of the OpenAPI: the ASYNC-GET ones and ListenerStatus (asked by a query).
ASYNC_TYPES: Final = ASYNC_GET_TYPES | {"ListenerStatus"}
MERGE_ACTIONS: Final = ("MERGE", "REVERT", "RETRY_DRAFTING")
DEFAULT_TIMEOUT: Final = 300.0
_TOKEN_BYTES: Final = 64 * 1024  # a token answer is one short element
LISTENER_ACTIONS: Final = ("restart", "restart_all", "pause", "pause_all", "resume", "resume_all")
_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class RuntimeAnswer:
    """A finished asynchronous read.

    Attributes:
        object_type: What was read (``AtomDiskSpace`` ...).
        runtime_id: The Runtime (Atom, Molecule, Cloud) it was read from.
        status: The body's ``responseStatusCode`` (200, or 204 for no content).
        results: The ``result`` elements as the client's objects.
        polls: How many polls of the token it took.
    """

    object_type: str
    runtime_id: str
    status: int
    results: tuple[Any, ...]
    polls: int


def _root(client: Account) -> str:
    try:
        return rest_root(client.address)
    except BoomiSoapError as exc:
        raise RequestRefusedError("async", str(exc)) from None


def _listener_query(data: str, runtime_id: str, listener_id: str | None) -> bytes:
    """The QueryConfig of a ListenerStatus query: the Runtime, and one listener if named."""
    root = etree.Element(f"{{{data}}}QueryConfig", nsmap={None: data, "xsi": _XSI})
    holder = etree.SubElement(etree.SubElement(root, f"{{{data}}}QueryFilter"), f"{{{data}}}expression")
    named = [("containerId", runtime_id), *([("listenerId", listener_id)] if listener_id else [])]
    if len(named) > 1:
        holder.attrib.update({"operator": "and", f"{{{_XSI}}}type": "GroupingExpression"})
    for prop, value in named:
        found = holder if len(named) == 1 else etree.SubElement(holder, f"{{{data}}}nestedExpression")
        found.attrib.update({"operator": "EQUALS", "property": prop, f"{{{_XSI}}}type": "SimpleExpression"})
        etree.SubElement(found, f"{{{data}}}argument").text = value
    return etree.tostring(root, encoding="utf-8")


def request_token(client: Caller, object_type: str, runtime_id: str, *, listener_id: str | None = None) -> str:
    """Ask for an asynchronous read of ``object_type`` on a Runtime; the token to poll.

    ``listener_id`` (ListenerStatus only): read that listener alone.

    Raises:
        InvalidRequestError: For a type that is not read asynchronously, or an empty id.
        ResponseError: If the answer is not an ``AsyncOperationTokenResult`` with a token.
    """
    return drive(client, request_token_steps(client, object_type, runtime_id, listener_id=listener_id))


def request_token_steps(
    client: Account, object_type: str, runtime_id: str, *, listener_id: str | None = None
) -> Steps[str]:
    """The steps of :func:`request_token`."""
    if object_type not in ASYNC_TYPES:
        raise RequestRefusedError("async", f"{object_type} is not read asynchronously (known: ASYNC_TYPES)")
    if not runtime_id.strip():
        raise RequestRefusedError("async", f"give the id of the Runtime to read {object_type} from")
    if listener_id is not None and object_type != "ListenerStatus":
        raise RequestRefusedError("async", "a listener id narrows a ListenerStatus read only")
    operation = f"async {object_type}"
    if object_type == "ListenerStatus":
        url = f"{_root(client)}/async/ListenerStatus/query{override_query(client)}"
        if not hasattr(client, "post_linked"):
            raise RequestRefusedError(operation, "this client cannot POST to the account's REST root")
        body = _listener_query(NS_DATA, runtime_id, listener_id)
        status, answer = yield steps.post_linked(
            url, body, content_type=XML, max_bytes=_TOKEN_BYTES, operation=operation
        )
    else:
        url = f"{_root(client)}/async/{object_type}/{quote(runtime_id, safe='')}{override_query(client)}"
        status, answer = yield steps.get_linked(url, max_bytes=_TOKEN_BYTES, operation=operation)
    if status not in (200, 202):
        raise ResponseError(operation, f"HTTP {status} from {redact_url(url)}: {error_message(answer)}")
    try:
        root = parse_xml(answer, source=operation)
    except BoomiSoapError:
        raise ResponseError(operation, "the token answer is not well-formed XML") from None
    token = root.find(f"{{{NS_DATA}}}asyncToken")
    value = token.get("token", "") if token is not None else ""
    if root.tag != f"{{{NS_DATA}}}AsyncOperationTokenResult" or not value:
        raise ResponseError(operation, "expected an AsyncOperationTokenResult holding a token")
    return str(value)


def async_get(
    client: Caller,
    object_type: str,
    runtime_id: str,
    *,
    listener_id: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    backoff: Backoff | None = None,
    on_poll: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RuntimeAnswer:
    """Read ``object_type`` (one of :data:`ASYNC_TYPES`) from a Runtime: request a token, poll it, type the results.

    Bounded in time (``timeout``) and in size (each answer at most the client's
    ``max_response_bytes``).  ``listener_id``: for ListenerStatus, that listener only.

    Raises:
        InvalidRequestError: For a type that is not read asynchronously.
        AsyncTimeoutError: If the result is not ready within ``timeout``.
        ResponseError: On an answer that is not what the pattern returns.
    """
    found = async_get_steps(
        client, object_type, runtime_id, listener_id=listener_id, timeout=timeout, backoff=backoff, on_poll=on_poll
    )
    return drive(client, found, sleep=sleep)


def async_get_steps(
    client: Account,
    object_type: str,
    runtime_id: str,
    *,
    listener_id: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    backoff: Backoff | None = None,
    on_poll: Callable[[int], None] | None = None,
) -> Steps[RuntimeAnswer]:
    """The steps of :func:`async_get`."""
    token = yield from request_token_steps(client, object_type, runtime_id, listener_id=listener_id)
    url = f"{_root(client)}/async/{object_type}/response/{quote(token, safe='')}{override_query(client)}"
    polls = 0

    def counted(n: int) -> None:
        nonlocal polls
        polls = n
        if on_poll is not None:
            on_poll(n)

    result = yield from poll_async_steps(client, url, timeout=timeout, backoff=backoff, on_poll=counted)
    typed = tuple(client.from_xml(found) for found in result.results)
    return RuntimeAnswer(object_type, runtime_id, result.status, typed, polls)


def listener_status(
    client: Caller,
    runtime_id: str,
    listener_id: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """The status (``listening``, ``paused``, ``errored``) of each listener of a Runtime, by listener id.

    Raises:
        AsyncTimeoutError: If the Runtime does not report within ``timeout``.
        ResponseError: On an answer that is not what the pattern returns.
    """
    return drive(
        client, listener_status_steps(client, runtime_id, listener_id, timeout=timeout, backoff=backoff), sleep=sleep
    )


def listener_status_steps(
    client: Account,
    runtime_id: str,
    listener_id: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    backoff: Backoff | None = None,
) -> Steps[dict[str, str]]:
    """The steps of :func:`listener_status`."""
    answer = yield from async_get_steps(
        client, "ListenerStatus", runtime_id, listener_id=listener_id, timeout=timeout, backoff=backoff
    )
    return {str(r.listenerId): str(r.status) for r in answer.results}


def _request(client: Account, operation: str) -> etree._Element:
    shape = client.contract.operations.get(operation)
    if shape is None:
        raise RequestRefusedError(operation, "not an operation of this account's WSDL")
    return etree.Element(shape.request, nsmap={"api": client.contract.data_namespace, "xsi": _XSI})


def _child(client: Account, operation: str, name: str) -> str:
    found = client.contract.operations[operation].input(name)
    if found is None:
        raise RequestRefusedError(operation, f"this account's WSDL has no {name} in {operation}")
    return found.tag


def change_listener_status(client: Caller, atom_id: str, action: str, listener_id: str | None = None) -> None:
    """Pause, resume or restart one listener (``listener_id``) or all (``pause_all`` ...) of a Runtime.

    Boomi answers an empty ``changeListenerStatusResponse`` to say it accepted the request;
    the change happens on the Runtime afterwards (read it back with ListenerStatus).

    Raises:
        InvalidRequestError: For an unknown action, or a single-listener action without ``listener_id``.
    """
    drive(client, change_listener_status_steps(client, atom_id, action, listener_id))


def change_listener_status_steps(
    client: Account, atom_id: str, action: str, listener_id: str | None = None
) -> Steps[None]:
    """The steps of :func:`change_listener_status`."""
    operation = "changeListenerStatus"
    if action not in LISTENER_ACTIONS:
        raise RequestRefusedError(operation, f"action must be one of {', '.join(LISTENER_ACTIONS)}, not {action!r}")
    if not action.endswith("_all") and not listener_id:
        raise RequestRefusedError(operation, f"{action} needs the listener's id (or use {action}_all)")
    request = _request(client, operation)
    data = client.contract.data_namespace
    attributes = {"action": action, "containerId": atom_id, **({"listenerId": listener_id} if listener_id else {})}
    etree.SubElement(request, f"{{{data}}}ChangeListenerStatusRequest", attributes)
    yield steps.call_xml(request)


def clear_queue(
    client: Caller, atom_id: str, queue_name: str, *, dead_letters: bool = False, subscriber: str | None = None
) -> str:
    """Clear a queue of a Runtime (the ClearQueue EXECUTE); Boomi's message saying it was submitted.

    Raises:
        InvalidRequestError: Without a queue name.
        ResponseError: If the answer holds no message.
    """
    return drive(
        client, clear_queue_steps(client, atom_id, queue_name, dead_letters=dead_letters, subscriber=subscriber)
    )


def clear_queue_steps(
    client: Account, atom_id: str, queue_name: str, *, dead_letters: bool = False, subscriber: str | None = None
) -> Steps[str]:
    """The steps of :func:`clear_queue`."""
    operation = "execute"
    if not queue_name.strip():
        raise RequestRefusedError(operation, "give the name of the queue to clear")
    request = _request(client, operation)
    attributes = {"AtomId": atom_id, "QueueName": queue_name, "DLQ": "true" if dead_letters else "false"}
    if subscriber:
        attributes["SubscriberName"] = subscriber
    sent = etree.SubElement(request, _child(client, operation, "object"), attributes)
    sent.set(f"{{{_XSI}}}type", "api:ClearQueueRequest")
    return _message(client, operation, (yield steps.call_xml(request)), "ClearQueue")


def _message(client: Account, operation: str, answer: etree._Element, what: str) -> str:
    shape = client.contract.operations[operation].output("result")
    result = answer.find(shape.tag) if shape is not None else None
    message = result.get("message", "") if result is not None else ""
    if not message:
        raise ResponseError(operation, f"no message in the answer to {what}")
    return message


def _object(
    client: Account, operation: str, type_name: str, attributes: dict[str, str]
) -> tuple[etree._Element, etree._Element]:
    """A request wrapper of ``operation`` holding an object of ``type_name``: the wrapper and the object."""
    request = _request(client, operation)
    sent = etree.SubElement(request, _child(client, operation, "object"), attributes)
    sent.set(f"{{{_XSI}}}type", f"api:{type_name}")
    return request, sent


def move_queue(
    client: Caller,
    atom_id: str,
    source: str,
    destination: str,
    *,
    source_dead_letters: bool = False,
    destination_dead_letters: bool = False,
    source_subscriber: str | None = None,
    destination_subscriber: str | None = None,
) -> str:
    """Move every message of one queue of a Runtime to another of the same type (a MoveQueueRequest).

    Boomi's message saying it was submitted; read ListQueues to see the counts change.

    Raises:
        InvalidRequestError: Without both queue names.
        ResponseError: If the answer holds no message.
    """
    found = move_queue_steps(
        client, atom_id, source, destination, source_dead_letters=source_dead_letters,
        destination_dead_letters=destination_dead_letters, source_subscriber=source_subscriber,
        destination_subscriber=destination_subscriber,
    )  # fmt: skip
    return drive(client, found)


def move_queue_steps(
    client: Account,
    atom_id: str,
    source: str,
    destination: str,
    *,
    source_dead_letters: bool = False,
    destination_dead_letters: bool = False,
    source_subscriber: str | None = None,
    destination_subscriber: str | None = None,
) -> Steps[str]:
    """The steps of :func:`move_queue`."""
    if not source.strip() or not destination.strip():
        raise RequestRefusedError("create", "give the names of the source and the destination queues")
    request, sent = _object(client, "create", "MoveQueueRequest", {"AtomId": atom_id})
    data = client.contract.data_namespace
    # DestinationQueue before SourceQueue: the schema's order.
    for name, queue, dead, subscriber in (
        ("DestinationQueue", destination, destination_dead_letters, destination_subscriber),
        ("SourceQueue", source, source_dead_letters, source_subscriber),
    ):
        queued = etree.SubElement(sent, f"{{{data}}}{name}", DLQ="true" if dead else "false", QueueName=queue)
        if subscriber:
            queued.set("SubscriberName", subscriber)
    return _message(client, "create", (yield steps.call_xml(request)), "MoveQueueRequest")


def restart_runtime(client: Caller, runtime_id: str) -> str:
    """Restart a Runtime (a RuntimeRestartRequest; not a cloud attachment); Boomi's message saying it was submitted.

    Raises:
        InvalidRequestError: Without a Runtime id.
        ResponseError: If the answer holds no message.
    """
    return drive(client, restart_runtime_steps(client, runtime_id))


def restart_runtime_steps(client: Account, runtime_id: str) -> Steps[str]:
    """The steps of :func:`restart_runtime`."""
    if not runtime_id.strip():
        raise RequestRefusedError("create", "give the id of the Runtime to restart")
    request, _ = _object(client, "create", "RuntimeRestartRequest", {"runtimeId": runtime_id})
    return _message(client, "create", (yield steps.call_xml(request)), "RuntimeRestartRequest")


def _executed(
    client: Account, type_name: str, attributes: dict[str, str], children: tuple[str, ...] = ()
) -> Steps[Any]:
    request, sent = _object(client, "execute", type_name, attributes)
    for child in children:
        etree.SubElement(sent, f"{{{client.contract.data_namespace}}}{child}")
    answer = yield steps.call_xml(request)
    shape = client.contract.operations["execute"].output("result")
    result = answer.find(shape.tag) if shape is not None else None
    if result is None:
        raise ResponseError("execute", f"no result in the answer to the {type_name} EXECUTE")
    return client.from_xml(result)


def java_rollback(client: Caller, atom_id: str) -> Any:
    """Return a Runtime (online), broker or gateway to its previous Java version (the JavaRollback EXECUTE).

    Raises:
        InvalidRequestError: Without an id.
    """
    return drive(client, java_rollback_steps(client, atom_id))


def java_rollback_steps(client: Account, atom_id: str) -> Steps[Any]:
    """The steps of :func:`java_rollback`."""
    if not atom_id.strip():
        raise RequestRefusedError("execute", "give the id of the Runtime to roll back")
    return (yield from _executed(client, "JavaRollback", {"atomId": atom_id}))


def merge(client: Caller, merge_request_id: str, action: str = "MERGE") -> Any:
    """Run a merge request (the MergeRequest EXECUTE): ``MERGE``, ``REVERT`` or ``RETRY_DRAFTING``; the request after.

    Raises:
        InvalidRequestError: For another action, or without an id.
    """
    return drive(client, merge_steps(client, merge_request_id, action))


def merge_steps(client: Account, merge_request_id: str, action: str = "MERGE") -> Steps[Any]:
    """The steps of :func:`merge`."""
    if action not in MERGE_ACTIONS:
        raise RequestRefusedError("execute", f"action must be one of {', '.join(MERGE_ACTIONS)}, not {action!r}")
    if not merge_request_id.strip():
        raise RequestRefusedError("execute", "give the id of the merge request")
    attributes = {"id": merge_request_id, "mergeRequestAction": action}
    return (yield from _executed(client, "MergeRequest", attributes, ("MergeRequestDetails",)))


def download_worker_log(
    client: Caller,
    worker_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Download the log of a Runtime worker (AtomWorkerLog), polling while its URL answers 202 or 204.

    Raises:
        InvalidRequestError: Without a worker id.
        DownloadTooLargeError: If the log is larger than ``max_bytes``; nothing is kept.
        AsyncTimeoutError: If it is not ready within ``timeout``.
        ResponseError: If the answer holds no download URL.
    """
    found = download_worker_log_steps(client, worker_id, max_bytes=max_bytes, timeout=timeout, backoff=backoff)
    return drive(client, found, sleep=sleep)


def download_worker_log_steps(
    client: Account,
    worker_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
) -> Steps[bytes]:
    """The steps of :func:`download_worker_log`."""
    if not worker_id.strip():
        raise RequestRefusedError("create", "give the id of the worker (Runtime Workers panel)")
    answer = yield steps.create("AtomWorkerLog", workerId=worker_id)
    return (yield from _download(client, answer, "worker log download", max_bytes, timeout, backoff))


def download_connector_document(
    client: Caller,
    generic_connector_record_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Download the document of a connector record (ConnectorDocument), polling while its URL answers 202 or 204.

    Raises:
        InvalidRequestError: Without a record id.
        DownloadTooLargeError: If the document is larger than ``max_bytes``; nothing is kept.
        AsyncTimeoutError: If it is not ready within ``timeout``.
        ResponseError: If the answer holds no download URL.
    """
    found = download_connector_document_steps(
        client, generic_connector_record_id, max_bytes=max_bytes, timeout=timeout, backoff=backoff
    )
    return drive(client, found, sleep=sleep)


def download_connector_document_steps(
    client: Account,
    generic_connector_record_id: str,
    *,
    max_bytes: int = DEFAULT_LOG_LIMIT,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    backoff: Backoff | None = None,
) -> Steps[bytes]:
    """The steps of :func:`download_connector_document`."""
    if not generic_connector_record_id.strip():
        raise RequestRefusedError("create", "give the id of the GenericConnectorRecord")
    answer = yield steps.create("ConnectorDocument", genericConnectorRecordId=generic_connector_record_id)
    return (yield from _download(client, answer, "connector document download", max_bytes, timeout, backoff))


def _download(
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
            client, str(url), max_bytes=max_bytes, timeout=timeout, backoff=backoff, operation=operation
        )
    )
