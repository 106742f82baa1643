"""The fault table: a SOAP fault (or a REST error answer read as one) to its typed error.

One table for every path: the ``ApiFault/code`` in the fault's detail decides where there
is one, then the HTTP status (503: rate limit or quota), then the fault code and message.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from boomi_soap.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    SoapFaultError,
)

__all__ = ["FAULTSTRING_LIMIT", "fault_error"]

NS_DATA: Final = "http://api.platform.boomi.com/"
FAULTS: Final[dict[str, type[SoapFaultError]]] = {
    "AUTHENTICATION": AuthenticationError,
    "PERMISSION": PermissionDeniedError,
    "NOT_FOUND": NotFoundError,
    "INVALID_REQUEST": InvalidRequestError,
    "UNSUPPORTED": InvalidRequestError,
    "RATE_LIMIT": RateLimitedError,
    "QUOTA": QuotaExceededError,
}

# A huge faultstring is the service's problem, not a message to print.
FAULTSTRING_LIMIT: Final = 2000


def fault_error(
    operation: str,
    message: str,
    faultcode: str,
    detail: etree._Element | None,
    *,
    status: int | None,
    attempts: int,
    code: str | None = None,
) -> SoapFaultError:
    """The typed error of a SOAP fault (``faultstring``, ``faultcode``, ``detail``).

    ``code`` is the ``ApiFault`` code when the caller already knows it (a REST error
    answer, read by :mod:`boomi_soap.wire.rest`); otherwise the detail's is read.
    """
    if len(message) > FAULTSTRING_LIMIT:
        message = f"{message[:FAULTSTRING_LIMIT]} [... cut at {FAULTSTRING_LIMIT} of {len(message)} characters]"
    if detail is not None and code is None:
        found = detail.find(f".//{{{NS_DATA}}}ApiFault/code")
        code = (found.text or "").strip() if found is not None else None
    kind: type[SoapFaultError]
    if code in FAULTS:
        kind = FAULTS[code]
    elif status == 503:
        kind = QuotaExceededError if "quota" in message.lower() else RateLimitedError
    elif "FailedAuthentication" in faultcode or "InvalidSecurity" in faultcode:
        kind = AuthenticationError
    elif "Access denied" in message:
        kind = PermissionDeniedError
    elif "does not exist" in message or "not found" in message.lower():
        kind = NotFoundError
    elif faultcode.endswith("Client"):
        kind = InvalidRequestError
    else:
        kind = ServerError
    return kind(operation, message, faultcode=faultcode, code=code, http_status=status, attempts=attempts)
