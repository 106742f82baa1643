"""boomi-soap: a SOAP-first Python client for the Boomi AtomSphere platform API.

The client (:class:`Client`) works from a cached snapshot of the account's WSDL
(``boomi-soap fetch``), validates every request against its schema before sending,
and maps faults to the typed exceptions below.  :mod:`boomi_soap.localservice` is a
local AtomSphere service that speaks the same wire format on loopback.
"""

from typing import TYPE_CHECKING, Any

from boomi_soap._version import __version__
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

if TYPE_CHECKING:
    from boomi_soap.client import Client, QueryResults


def __getattr__(name: str) -> Any:
    # The client pulls in zeep and requests; validating files or reading the cache
    # does not need them, so they load on first use of Client.
    if name in ("Client", "QueryResults"):
        from boomi_soap import client

        return getattr(client, name)
    raise AttributeError(f"module 'boomi_soap' has no attribute {name!r}")


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
