"""boomi-soap: a SOAP-first Python client for the Boomi AtomSphere platform API.

The client (:class:`Client`) works from a cached snapshot of the account's WSDL
(``boomi-soap fetch``), validates every request against its schema before sending,
and maps faults to the typed exceptions below.  :mod:`boomi_soap.localservice` is a
local AtomSphere service that speaks the same wire format on loopback.
"""

from typing import TYPE_CHECKING, Any

from boomi_soap._version import __version__

if TYPE_CHECKING:
    from boomi_soap.client import Client, QueryResults
    from boomi_soap.credentials import Credentials, Endpoint
    from boomi_soap.exceptions import (
        AuthenticationError,
        BoomiSoapError,
        CacheError,
        CacheIntegrityError,
        ConfigurationError,
        DocumentInvalidError,
        FetchError,
        InvalidRequestError,
        NotFoundError,
        PermissionDeniedError,
        QueryFilterError,
        QuotaExceededError,
        RateLimitedError,
        RequestValidationError,
        ResponseError,
        SchemaLoadError,
        ServerError,
        ServiceConfigError,
        ServiceError,
        ServiceTimeoutError,
        SnapshotNotFoundError,
        SoapFaultError,
        TransportError,
        XMLInputError,
    )
    from boomi_soap.filters import F
    from boomi_soap.settings import ClientSettings, RetryPolicy

# Each public name loads its module on first use: ``import boomi_soap.bindings`` or a
# CLI command that reads the cache does not pay for the client (zeep, requests) or
# the filter language it does not use.
_HOMES: dict[str, str] = {
    "Client": "client",
    "QueryResults": "client",
    "Credentials": "credentials",
    "Endpoint": "credentials",
    "F": "filters",
    "ClientSettings": "settings",
    "RetryPolicy": "settings",
}


def __getattr__(name: str) -> Any:
    import importlib

    home = _HOMES.get(name)
    if home is None and name in __all__ and name.endswith("Error"):
        home = "exceptions"
    if home is None:
        raise AttributeError(f"module 'boomi_soap' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"boomi_soap.{home}"), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


__all__ = [
    "AuthenticationError",
    "BoomiSoapError",
    "CacheError",
    "CacheIntegrityError",
    "Client",
    "ClientSettings",
    "ConfigurationError",
    "Credentials",
    "DocumentInvalidError",
    "Endpoint",
    "F",
    "FetchError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryFilterError",
    "QueryResults",
    "QuotaExceededError",
    "RateLimitedError",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "SchemaLoadError",
    "ServerError",
    "ServiceConfigError",
    "ServiceError",
    "ServiceTimeoutError",
    "SnapshotNotFoundError",
    "SoapFaultError",
    "TransportError",
    "XMLInputError",
    "__version__",
]
