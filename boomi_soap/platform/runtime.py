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

from boomi_soap._xml.redact import redact_url
from boomi_soap._xml.safe import parse_xml
from boomi_soap.exceptions import BoomiSoapError, InvalidRequestError, ResponseError
from boomi_soap.platform.polling import NS_DATA, Backoff, http_get, poll_async
from boomi_soap.wire.restmap import rest_root

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = ["ASYNC_GET_TYPES", "DEFAULT_TIMEOUT", "RuntimeAnswer", "async_get", "request_token"]

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
