"""Faults the local service answers with, and the HTTP status each one travels with.

SOAP 1.1 (section 6.2) sends every fault with HTTP 500, so a permission fault is
HTTP 500 too: a client must read the fault, not the status.  Where Boomi documents
a status of its own, the fault travels with it: 401 for bad credentials (a JAX-WS
service would send 500 for a failed WS-Security check; Boomi's list of API errors
says 401), 503 for the two limits.

A request that cannot be read as a SOAP 1.1 envelope at all (not well-formed, a
DOCTYPE, another encoding, over the tag or namespace limits, not an Envelope, a Body
without exactly one element) is the exception on the other side: HTTP 400 with the
``S:Client`` fault, as the WS-I Basic Profile (R1113) advises for a malformed request.

Boomi publishes no SOAP fault sample, so the ``detail`` we add is our own: an
``ApiFault`` element in the data namespace carrying a stable ``code`` (one of
:class:`FaultCode`) and the message, which lets a client map faults to typed
errors without parsing prose.
"""

from __future__ import annotations

import enum

__all__ = ["STORE_FULL", "ApiFault", "FaultCode", "SignInThrottled", "malformed"]


class FaultCode(enum.StrEnum):
    """Stable machine-readable reason carried in a fault's detail."""

    AUTHENTICATION = "AUTHENTICATION"
    PERMISSION = "PERMISSION"
    NOT_FOUND = "NOT_FOUND"
    INVALID_REQUEST = "INVALID_REQUEST"
    UNSUPPORTED = "UNSUPPORTED"
    RATE_LIMIT = "RATE_LIMIT"
    QUOTA = "QUOTA"
    SERVER = "SERVER"
    INJECTED = "INJECTED"


# WS-Security 1.0 section 12 names these fault codes for token problems.
_WSSE_FAULTS = {
    FaultCode.AUTHENTICATION: "wsse:FailedAuthentication",
}
# The words a store-full refusal carries, which the REST side answers with 413.
STORE_FULL = "holds its maximum"
_SERVER_SIDE = {FaultCode.RATE_LIMIT, FaultCode.QUOTA, FaultCode.SERVER, FaultCode.INJECTED}


class ApiFault(Exception):  # noqa: N818 - it is a SOAP Fault, and named so
    """A request the service refuses; rendered as a SOAP 1.1 Fault.

    Attributes:
        code: The stable reason.
        message: The ``faultstring`` (never contains a credential).
        http_status: The HTTP status the fault is sent with.
    """

    def __init__(self, code: FaultCode, message: str, *, http_status: int | None = None) -> None:
        self.code = code
        self.message = message
        if http_status is None:
            limits = (FaultCode.RATE_LIMIT, FaultCode.QUOTA)
            http_status = 401 if code is FaultCode.AUTHENTICATION else 503 if code in limits else 500
        self.http_status = http_status
        super().__init__(message)

    @property
    def faultcode(self) -> str:
        """The SOAP ``faultcode`` QName (prefix ``S`` or ``wsse`` as declared on the envelope)."""
        if self.code in _WSSE_FAULTS:
            return _WSSE_FAULTS[self.code]
        return "S:Server" if self.code in _SERVER_SIDE else "S:Client"


class SignInThrottled(ApiFault):
    """A sign-in refused unchecked: too many failures for this user name or source address.

    Attributes:
        retry_after: Seconds until the next attempt is checked.
    """

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(
            FaultCode.AUTHENTICATION, f"Too many failed sign-ins for this user or address; retry in {seconds} s"
        )


def malformed(message: str) -> ApiFault:
    """The fault for a request that cannot be read as a SOAP 1.1 envelope (HTTP 400)."""
    return ApiFault(FaultCode.INVALID_REQUEST, message, http_status=400)
