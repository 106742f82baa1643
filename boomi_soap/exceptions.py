"""Exceptions raised by boomi_soap.

Every exception the library raises on purpose derives from one root, so a caller
can catch them all with a single ``except BoomiSoapError``::

    BoomiSoapError
    ├── ConfigurationError     missing or contradictory settings (credentials, endpoint)
    │   └── QueryFilterError   a query filter the schema does not allow
    ├── XMLInputError          unsafe or malformed XML (DTD, entity, syntax, depth)
    ├── JsonFormError          JSON that does not fit the schema, or XML with no JSON form
    ├── FetchError             the WSDL or a schema could not be downloaded safely
    ├── SchemaLoadError        a snapshot's schemas do not compile
    ├── DocumentInvalidError   a document breaks the schema (carries every issue)
    │   └── RequestValidationError   a request was refused before sending
    ├── SoapFaultError         the service answered a SOAP Fault
    │   ├── AuthenticationError      bad credentials
    │   ├── PermissionDeniedError    not allowed for this account or object
    │   ├── NotFoundError            no such object
    │   ├── InvalidRequestError      the service refused the request
    │   │   └── RequestRefusedError  refused here, before anything was sent (Boomi would refuse it)
    │   ├── RateLimitedError         HTTP 503 over the rate limit, after retries
    │   │   └── ServiceUnavailableError  a long run of 503s: quota exhausted or service down
    │   ├── QuotaExceededError       the rolling 24-hour quota is spent
    │   └── ServerError              the service failed
    ├── TransportError         no usable answer (timeout, connection, garbage)
    │   ├── ServiceTimeoutError      connect, read or total timeout
    │   └── ResponseError            an answer that is not a SOAP message
    │       └── RedirectRefusedError a redirect, never followed
    ├── QuotaBudgetExceeded    the client's daily budget is spent; refused before sending
    ├── RestError              a request or answer with no REST form
    │   └── UnknownRouteError  a method and path that are no REST call
    ├── AsyncTimeoutError      an asynchronous result was not ready in time
    ├── DownloadTooLargeError  a download over its cap; nothing of it returned
    ├── OutputError            a result could not be written where it was asked for
    ├── IdMixupError           a request id given for an execution id, or the reverse
    ├── ExecutionTimeoutError  a run did not end in time (it may still be running)
    ├── PromotionError         a promotion failed; its deployments were undone
    ├── RolloutError           a rollout or release step failed; what it changed was put back (or how to)
    ├── ConnectNowError        a Connect Now call failed
    ├── LimiterStoreError      the shared limiter store is unsafe or unreachable
    ├── CacheError             the WSDL cache cannot serve what was asked
    │   ├── SnapshotNotFoundError  no snapshot cached for this account
    │   ├── CacheIntegrityError    a cached file is missing, altered or partial
    │   └── CachePermissionError   a cache path others could steer (symlink, owner, mode)
    └── ServiceError           the local AtomSphere service cannot start or is misused
        └── ServiceConfigError bad configuration (accounts, users, limits)

No message, ``str()`` or ``repr()`` of these exceptions contains a password, an
API token or an ``Authorization`` header.
"""

from __future__ import annotations

__all__ = [
    "AsyncTimeoutError",
    "AuthenticationError",
    "BoomiSoapError",
    "CacheError",
    "CacheIntegrityError",
    "CachePermissionError",
    "ConfigurationError",
    "ConnectNowError",
    "DocumentInvalidError",
    "DownloadTooLargeError",
    "ExecutionTimeoutError",
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
    "QuotaBudgetExceeded",
    "QuotaExceededError",
    "RateLimitedError",
    "RedirectRefusedError",
    "RequestRefusedError",
    "RequestValidationError",
    "ResponseError",
    "RestError",
    "RolloutError",
    "SchemaLoadError",
    "ServerError",
    "ServiceConfigError",
    "ServiceError",
    "ServiceTimeoutError",
    "ServiceUnavailableError",
    "SnapshotNotFoundError",
    "SoapFaultError",
    "TransportError",
    "UnknownRouteError",
    "XMLInputError",
]


class BoomiSoapError(Exception):
    """Root of every exception raised by boomi_soap."""


class ConfigurationError(BoomiSoapError, ValueError):
    """Settings are missing or contradict each other (credentials, endpoint, paths)."""


class QueryFilterError(ConfigurationError):
    """A query filter uses an operator the account's schema does not list."""


class FetchError(BoomiSoapError):
    """A WSDL or schema download failed or was refused for safety.

    Attributes:
        url: The document's URL (never with credentials in it).
        status: The HTTP status, when the server answered.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


class SchemaLoadError(BoomiSoapError):
    """A snapshot's schemas cannot be loaded or compiled."""


class DocumentInvalidError(BoomiSoapError, ValueError):
    """A document does not conform to the schema.

    Attributes:
        issues: Every problem found, in document order.
    """

    def __init__(self, issues: tuple[object, ...], *, source: str = "<document>") -> None:
        self.issues = issues
        self.source = source
        lines = [f"{source}: {len(issues)} schema violation(s)"] + [f"  {issue}" for issue in issues]
        super().__init__("\n".join(lines))


class RequestValidationError(DocumentInvalidError):
    """A request broke the schema and was not sent.

    Attributes:
        operation: The operation called.
        issues: Every problem, each with its XPath.
    """

    def __init__(self, operation: str, issues: tuple[object, ...]) -> None:
        self.operation = operation
        super().__init__(issues, source=f"{operation} request (not sent)")


class SoapFaultError(BoomiSoapError):
    """The service answered with a SOAP Fault.

    Attributes:
        operation: The operation called.
        faultcode: The fault's code (``S:Client``, ``wsse:FailedAuthentication`` ...).
        faultstring: The fault's message.
        code: The machine-readable code of the fault's detail, when the service sent one.
        http_status: The HTTP status of the answer.
        attempts: How many times the call was sent.
    """

    def __init__(
        self,
        operation: str,
        faultstring: str,
        *,
        faultcode: str = "",
        code: str | None = None,
        http_status: int | None = None,
        attempts: int = 1,
    ) -> None:
        self.operation = operation
        self.faultcode = faultcode
        self.faultstring = faultstring
        self.code = code
        self.http_status = http_status
        self.attempts = attempts
        status = f"HTTP {http_status}, " if http_status else ""
        if not (http_status or faultcode or code):  # refused here, before anything was sent: no fault to describe
            super().__init__(f"{operation}: {faultstring}")
            return
        super().__init__(f"{operation}: {faultstring} ({status}{faultcode or 'fault'}{', ' + code if code else ''})")


class AuthenticationError(SoapFaultError):
    """The credentials were refused."""


class PermissionDeniedError(SoapFaultError):
    """The user may not do this (in this account)."""


class NotFoundError(SoapFaultError):
    """The object does not exist."""


class InvalidRequestError(SoapFaultError):
    """The service refused the request as invalid."""


class RequestRefusedError(InvalidRequestError):
    """A request refused before anything was sent: not an operation, arguments that do not fit, no REST form.

    A subclass of :class:`InvalidRequestError`, which Boomi would answer for the same
    request, so one ``except`` handles both; ``attempts`` is 0 and ``http_status`` ``None``.
    """

    def __init__(self, operation: str, faultstring: str) -> None:
        super().__init__(operation, faultstring, attempts=0)


class RateLimitedError(SoapFaultError):
    """The rate limit (HTTP 503) persisted through every retry."""


class ServiceUnavailableError(RateLimitedError):
    """HTTP 503 went on too long (or ``Retry-After`` asked for too long): quota exhausted or service down.

    Attributes:
        retry_after: Seconds the service asked to wait, when it said.
    """

    def __init__(
        self, operation: str, faultstring: str, *, retry_after: float | None = None, attempts: int = 1
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            operation, f"quota exhausted or service down: {faultstring}", http_status=503, attempts=attempts
        )


class QuotaExceededError(SoapFaultError):
    """The account's rolling 24-hour quota is spent; retrying soon will not help."""


class ServerError(SoapFaultError):
    """The service failed to process the request."""


class TransportError(BoomiSoapError):
    """No usable answer arrived.

    Attributes:
        operation: The operation called.
        sent: ``False`` if the request surely never reached the service, ``None`` if unknown.
        attempts: How many times the call was tried.
    """

    def __init__(self, operation: str, message: str, *, sent: bool | None = None, attempts: int = 1) -> None:
        self.operation = operation
        self.sent = sent
        self.attempts = attempts
        super().__init__(f"{operation}: {message}")


class ServiceTimeoutError(TransportError):
    """Connecting or reading timed out."""


class ResponseError(TransportError):
    """The answer was not a SOAP message (HTML page, truncated or non-XML body)."""


class RedirectRefusedError(ResponseError):
    """The service answered with a redirect (3xx); it is never followed.

    Following it would send the request, WS-Security password included, to another URL.

    Attributes:
        url: Where the request went.
        location: Where the answer pointed (user information removed).
        status: The HTTP status.
    """

    def __init__(self, operation: str, *, url: str, location: str, status: int, attempts: int = 1) -> None:
        self.url = url
        self.location = location
        self.status = status
        super().__init__(operation, f"HTTP {status} redirect from {url} to {location} not followed", attempts=attempts)


class QuotaBudgetExceeded(BoomiSoapError):  # noqa: N818 - the name the issue asks for
    """The account's daily call budget is spent; the call was refused locally, not sent.

    Attributes:
        account: The account id.
        used: Calls counted over the rolling 24 hours.
        limit: The daily budget.
    """

    def __init__(self, account: str, used: int, limit: int) -> None:
        self.account = account
        self.used = used
        self.limit = limit
        super().__init__(f"{account}: daily call budget spent ({used} of {limit} in the last 24 hours); not sent")


class LimiterStoreError(BoomiSoapError):
    """The limiter's shared store is unsafe (permissions, symlinks) or cannot be reached."""


class CacheError(BoomiSoapError):
    """The WSDL cache cannot serve what was asked."""


class SnapshotNotFoundError(CacheError, LookupError):
    """No snapshot is cached for an account."""


class CacheIntegrityError(CacheError):
    """A cached file is missing, altered or partial.

    Attributes:
        path: The offending file.
    """

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class CachePermissionError(CacheError):
    """A cache path is a symbolic link, not owned by this user, or writable by others.

    Such a path is refused, never repaired: whoever could write it could steer the
    client to another endpoint or schema.

    Attributes:
        path: The offending path.
    """

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class XMLInputError(BoomiSoapError, ValueError):
    """A document is not well-formed, or uses a construct refused for safety.

    Attributes:
        source: Where the document came from (file name, URL, ``<stdin>``).
        line: Line of the problem, when known.
        column: Column of the problem, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "<bytes>",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}:{column or 0}"
        super().__init__(f"{where}: {message}")


class JsonFormError(BoomiSoapError, ValueError):
    """A JSON body does not fit the schema, or an element has no JSON form.

    Attributes:
        path: Where, as a JSON path (``$.QueryFilter.expression.argument[1]``).
    """

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class ServiceError(BoomiSoapError):
    """The local AtomSphere service could not do what was asked."""


class ServiceConfigError(ServiceError, ValueError):
    """The local AtomSphere service was given an invalid configuration."""


class IdMixupError(BoomiSoapError, ValueError):
    """A request id was given where an execution id belongs, or the other way round."""


class ExecutionTimeoutError(BoomiSoapError):
    """A run did not end in time; it may still be running.

    Attributes:
        request_id: The run's request id.
        execution_id: Its execution id, if the record existed by then.
        status: The last status seen.
    """

    def __init__(self, message: str, *, request_id: str, execution_id: str | None, status: str) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.execution_id = execution_id
        self.status = status


class PromotionError(BoomiSoapError):
    """A promotion failed; the deployments it had made were undone.

    Attributes:
        rolled_back: Deployment ids undeployed again.
    """

    def __init__(self, message: str, *, rolled_back: tuple[str, ...]) -> None:
        super().__init__(message)
        self.rolled_back = rolled_back


class RolloutError(BoomiSoapError):
    """A rollout (a deploy with what surrounds it) or a release failed at a step.

    What it had changed is put back; the message names the step and, if something could
    not be put back, the command (or the rollback record) that finishes it.
    """


class AsyncTimeoutError(BoomiSoapError):
    """An asynchronous result was not ready in time.

    Attributes:
        what: What was awaited (a URL, redacted, or an id).
    """

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what


class DownloadTooLargeError(BoomiSoapError):
    """A download was larger than its cap; nothing of it is returned.

    Attributes:
        limit: The cap in bytes.
    """

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class OutputError(BoomiSoapError, OSError):
    """A result (a download, a troubleshooting folder) could not be written where it was asked for.

    Nothing partial is left behind: a file is written to a temporary name and moved into
    place only once whole.
    """


class ConnectNowError(BoomiSoapError):
    """A Connect Now call failed: its answer had ``errorMessage``, or was not JSON.

    Attributes:
        operation: The operation called.
        http_status: The HTTP status of the answer.
    """

    def __init__(self, operation: str, message: str, *, http_status: int | None = None) -> None:
        super().__init__(f"{operation}: {message}" + (f" (HTTP {http_status})" if http_status else ""))
        self.operation = operation
        self.http_status = http_status


class RestError(BoomiSoapError):
    """A request or answer that has no REST form (a one-line reason)."""


class UnknownRouteError(RestError):
    """A method and path that are no REST call of this mapping (HTTP 404 on the service)."""
