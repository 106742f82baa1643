"""The runtime's asynchronous reads: request a token, poll it, read the typed results.

Boomi answers AtomDiskSpace, ListQueues, AtomSecurityPolicies ... later (the OpenAPI's
``ASYNC-GET`` operations): ``GET /async/{Object}/{runtimeId}`` returns an
``AsyncOperationTokenResult`` holding a token, and ``GET /async/{Object}/response/{token}``
returns an ``AsyncOperationResult`` whose body says 202 until the work is done.  The SOAP
contract has no operation for these (see :mod:`boomi_soap.platform.polling`), so both GETs
go to the account's REST root on the client's own origin, with its credentials, counted by
its rate limiter, whichever transport the client uses for its other calls.
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
from boomi_soap.exceptions import BoomiSoapError, InvalidRequestError, ResponseError
from boomi_soap.platform.polling import NS_DATA, Backoff, http_get, poll_async
from boomi_soap.wire.restmap import rest_root

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = [
    "ASYNC_GET_TYPES",
    "DEFAULT_TIMEOUT",
    "LISTENER_ACTIONS",
    "RuntimeAnswer",
    "async_get",
    "change_listener_status",
    "clear_queue",
    "request_token",
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


def _root(client: Caller) -> str:
    try:
        return rest_root(client.address)
    except BoomiSoapError as exc:
        raise InvalidRequestError("async", str(exc)) from None


def request_token(client: Caller, object_type: str, runtime_id: str) -> str:
    """Ask for an asynchronous read of ``object_type`` on a Runtime; the token to poll.

    Raises:
        InvalidRequestError: For a type that is not read asynchronously, or an empty id.
        ResponseError: If the answer is not an ``AsyncOperationTokenResult`` with a token.
    """
    if object_type not in ASYNC_GET_TYPES:
        raise InvalidRequestError("async", f"{object_type} is not read asynchronously (known: ASYNC_GET_TYPES)")
    if not runtime_id.strip():
        raise InvalidRequestError("async", f"give the id of the Runtime to read {object_type} from")
    url = f"{_root(client)}/async/{object_type}/{quote(runtime_id, safe='')}"
    operation = f"async {object_type}"
    status, body = http_get(client, url, max_bytes=_TOKEN_BYTES, operation=operation)
    if status not in (200, 202):
        raise ResponseError(operation, f"HTTP {status} from {redact_url(url)}")
    try:
        root = parse_xml(body, source=operation)
    except BoomiSoapError:
        raise ResponseError(operation, "the token answer is not well-formed XML") from None
    token = root.find(f"{{{NS_DATA}}}asyncToken")
    value = token.get("token", "") if token is not None else ""
    if root.tag != f"{{{NS_DATA}}}AsyncOperationTokenResult" or not value:
        raise ResponseError(operation, "expected an AsyncOperationTokenResult holding a token")
    return value


def async_get(
    client: Caller,
    object_type: str,
    runtime_id: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    backoff: Backoff | None = None,
    on_poll: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RuntimeAnswer:
    """Read ``object_type`` from a Runtime: request a token, poll it until done, type the results.

    Bounded in time (``timeout``) and in size (each answer at most the client's
    ``max_response_bytes``).

    Raises:
        InvalidRequestError: For a type that is not read asynchronously.
        AsyncTimeoutError: If the result is not ready within ``timeout``.
        ResponseError: On an answer that is not what the pattern returns.
    """
    token = request_token(client, object_type, runtime_id)
    url = f"{_root(client)}/async/{object_type}/response/{quote(token, safe='')}"
    polls = 0

    def counted(n: int) -> None:
        nonlocal polls
        polls = n
        if on_poll is not None:
            on_poll(n)

    result = poll_async(client, url, timeout=timeout, backoff=backoff, on_poll=counted, sleep=sleep)
    typed = tuple(client.from_xml(found) for found in result.results)
    return RuntimeAnswer(object_type, runtime_id, result.status, typed, polls)


def _request(client: Caller, operation: str) -> etree._Element:
    shape = client.contract.operations.get(operation)
    if shape is None:
        raise InvalidRequestError(operation, "not an operation of this account's WSDL")
    return etree.Element(shape.request, nsmap={"api": client.contract.data_namespace, "xsi": _XSI})


def _child(client: Caller, operation: str, name: str) -> str:
    found = client.contract.operations[operation].input(name)
    if found is None:
        raise InvalidRequestError(operation, f"this account's WSDL has no {name} in {operation}")
    return found.tag


def change_listener_status(client: Caller, atom_id: str, action: str, listener_id: str | None = None) -> None:
    """Pause, resume or restart one listener (``listener_id``) or all (``pause_all`` ...) of a Runtime.

    Boomi answers an empty ``changeListenerStatusResponse`` to say it accepted the request;
    the change happens on the Runtime afterwards (read it back with ListenerStatus).

    Raises:
        InvalidRequestError: For an unknown action, or a single-listener action without ``listener_id``.
    """
    operation = "changeListenerStatus"
    if action not in LISTENER_ACTIONS:
        raise InvalidRequestError(operation, f"action must be one of {', '.join(LISTENER_ACTIONS)}, not {action!r}")
    if not action.endswith("_all") and not listener_id:
        raise InvalidRequestError(operation, f"{action} needs the listener's id (or use {action}_all)")
    request = _request(client, operation)
    data = client.contract.data_namespace
    attributes = {"action": action, "containerId": atom_id, **({"listenerId": listener_id} if listener_id else {})}
    etree.SubElement(request, f"{{{data}}}ChangeListenerStatusRequest", attributes)
    client.call_xml(request)


def clear_queue(
    client: Caller, atom_id: str, queue_name: str, *, dead_letters: bool = False, subscriber: str | None = None
) -> str:
    """Clear a queue of a Runtime (the ClearQueue EXECUTE); Boomi's message saying it was submitted.

    Raises:
        InvalidRequestError: Without a queue name.
        ResponseError: If the answer holds no message.
    """
    operation = "execute"
    if not queue_name.strip():
        raise InvalidRequestError(operation, "give the name of the queue to clear")
    request = _request(client, operation)
    attributes = {"AtomId": atom_id, "QueueName": queue_name, "DLQ": "true" if dead_letters else "false"}
    if subscriber:
        attributes["SubscriberName"] = subscriber
    sent = etree.SubElement(request, _child(client, operation, "object"), attributes)
    sent.set(f"{{{_XSI}}}type", "api:ClearQueueRequest")
    answer = client.call_xml(request)
    shape = client.contract.operations[operation].output("result")
    result = answer.find(shape.tag) if shape is not None else None
    message = result.get("message", "") if result is not None else ""
    if not message:
        raise ResponseError(operation, "no QueueMessageResponse message in the answer to ClearQueue")
    return message
