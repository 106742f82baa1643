"""boomi-soap: a SOAP-first Python client for the Boomi AtomSphere platform API.

The client (:class:`Client`) works from a cached snapshot of the account's WSDL
(``boomi-soap fetch``), validates every request against its schema before sending,
and maps faults to the typed exceptions below.  :mod:`boomi_soap.localservice` is a
local AtomSphere service that speaks the same wire format on loopback.

Every name a user needs is importable from here (``from boomi_soap import AsyncClient``);
the modules that define them are internal and may move.
"""

import sys as _sys
from typing import TYPE_CHECKING, Any

from boomi_soap._version import __version__

# zeep imports httpx, and httpx imports its own command line (click, rich, pygments) on
# `import httpx` whenever they are installed: about 6 MiB of resident memory and 40 ms in
# every process that builds a zeep client, for a `main` only the `httpx` console script
# calls.  Marking that module absent makes httpx keep its stub `main`; nothing in this
# package calls it (the async client uses httpx's clients only).  A process that had
# imported httpx before us keeps its own.
if "httpx" not in _sys.modules:
    _sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not installed"
del _sys

if TYPE_CHECKING:
    from boomi_soap.async_client import AccountOutcome, AsyncClient, fan_out
    from boomi_soap.client import Client, SubAccountClient
    from boomi_soap.connectnow import ConnectNowClient
    from boomi_soap.credentials import Credentials, Endpoint
    from boomi_soap.exceptions import (
        AsyncTimeoutError,
        AuthenticationError,
        BoomiSoapError,
        CacheError,
        CacheIntegrityError,
        CachePermissionError,
        ConfigurationError,
        ConnectNowError,
        DocumentInvalidError,
        DownloadTooLargeError,
        ExecutionTimeoutError,
        FetchError,
        IdMixupError,
        InvalidRequestError,
        JsonFormError,
        LimiterStoreError,
        NotFoundError,
        OutputError,
        PermissionDeniedError,
        PromotionError,
        QueryFilterError,
        QuotaBudgetExceeded,
        QuotaExceededError,
        RateLimitedError,
        RedirectRefusedError,
        RequestRefusedError,
        RequestValidationError,
        ResponseError,
        SchemaLoadError,
        ServerError,
        ServiceConfigError,
        ServiceError,
        ServiceTimeoutError,
        ServiceUnavailableError,
        SnapshotNotFoundError,
        SoapFaultError,
        TransportError,
        XMLInputError,
    )
    from boomi_soap.platform.polling import Backoff
    from boomi_soap.platform.runs import ExecutionId, RequestId
    from boomi_soap.query import Expression, F, QueryResults
    from boomi_soap.settings import ClientSettings, RetryPolicy
    from boomi_soap.snapshot.cache import CacheStore, Snapshot, pinned_store, refresh
    from boomi_soap.wire.tolerance import Deviation, Deviations

# Each public name loads its module on first use (PEP 562): ``import boomi_soap.bindings`` or a
# CLI command that reads the cache does not pay for the client (zeep, requests), the async
# client (httpx, asyncio) or the filter language it does not use.
_HOMES: dict[str, str] = {
    "AccountOutcome": "async_client",
    "AsyncClient": "async_client",
    "fan_out": "async_client",
    "AsyncTimeoutError": "exceptions",
    "Backoff": "platform.polling",
    "DownloadTooLargeError": "exceptions",
    "OutputError": "exceptions",
    "CacheStore": "snapshot.cache",
    "Snapshot": "snapshot.cache",
    "pinned_store": "snapshot.cache",
    "refresh": "snapshot.cache",
    "Client": "client",
    "QueryResults": "query",
    "ConnectNowClient": "connectnow",
    "ConnectNowError": "exceptions",
    "Credentials": "credentials",
    "Endpoint": "credentials",
    "PromotionError": "exceptions",
    "AuthenticationError": "exceptions",
    "BoomiSoapError": "exceptions",
    "CacheError": "exceptions",
    "CacheIntegrityError": "exceptions",
    "CachePermissionError": "exceptions",
    "ConfigurationError": "exceptions",
    "DocumentInvalidError": "exceptions",
    "FetchError": "exceptions",
    "InvalidRequestError": "exceptions",
    "JsonFormError": "exceptions",
    "LimiterStoreError": "exceptions",
    "NotFoundError": "exceptions",
    "PermissionDeniedError": "exceptions",
    "QueryFilterError": "exceptions",
    "QuotaBudgetExceeded": "exceptions",
    "QuotaExceededError": "exceptions",
    "RateLimitedError": "exceptions",
    "RedirectRefusedError": "exceptions",
    "RequestRefusedError": "exceptions",
    "RequestValidationError": "exceptions",
    "ResponseError": "exceptions",
    "SchemaLoadError": "exceptions",
    "ServerError": "exceptions",
    "ServiceConfigError": "exceptions",
    "ServiceError": "exceptions",
    "ServiceTimeoutError": "exceptions",
    "ServiceUnavailableError": "exceptions",
    "SnapshotNotFoundError": "exceptions",
    "SoapFaultError": "exceptions",
    "TransportError": "exceptions",
    "XMLInputError": "exceptions",
    "Expression": "query",
    "F": "query",
    "SubAccountClient": "client",
    "ExecutionId": "platform.runs",
    "ExecutionTimeoutError": "exceptions",
    "IdMixupError": "exceptions",
    "RequestId": "platform.runs",
    "ClientSettings": "settings",
    "RetryPolicy": "settings",
    "Deviation": "wire.tolerance",
    "Deviations": "wire.tolerance",
}


def __getattr__(name: str) -> Any:
    import importlib

    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'boomi_soap' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"boomi_soap.{home}"), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "AccountOutcome",
    "AsyncClient",
    "AsyncTimeoutError",
    "AuthenticationError",
    "Backoff",
    "BoomiSoapError",
    "CacheError",
    "CacheIntegrityError",
    "CachePermissionError",
    "CacheStore",
    "Client",
    "ClientSettings",
    "ConfigurationError",
    "ConnectNowClient",
    "ConnectNowError",
    "Credentials",
    "Deviation",
    "Deviations",
    "DocumentInvalidError",
    "DownloadTooLargeError",
    "Endpoint",
    "ExecutionId",
    "ExecutionTimeoutError",
    "Expression",
    "F",
    "FetchError",
    "IdMixupError",
    "InvalidRequestError",
    "JsonFormError",
    "LimiterStoreError",
    "NotFoundError",
    "OutputError",
    "PermissionDeniedError",
    "PromotionError",
    "QueryFilterError",
    "QueryResults",
    "QuotaBudgetExceeded",
    "QuotaExceededError",
    "RateLimitedError",
    "RedirectRefusedError",
    "RequestId",
    "RequestRefusedError",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "SchemaLoadError",
    "ServerError",
    "ServiceConfigError",
    "ServiceError",
    "ServiceTimeoutError",
    "ServiceUnavailableError",
    "Snapshot",
    "SnapshotNotFoundError",
    "SoapFaultError",
    "SubAccountClient",
    "TransportError",
    "XMLInputError",
    "__version__",
    "fan_out",
    "pinned_store",
    "refresh",
]
