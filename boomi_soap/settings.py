"""Client settings: one frozen object, resolved once and passed to constructors.

Every field is checked when the object is made, so a wrong type or value fails at
once with a :class:`~boomi_soap.exceptions.ConfigurationError`, not at the first call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Final, Literal, Protocol

from boomi_soap.exceptions import ConfigurationError

__all__ = [
    "IDEMPOTENT_OPERATIONS",
    "RESPONSE_MODES",
    "ClientSettings",
    "LimiterStore",
    "ResponseMode",
    "RetryPolicy",
]

# The last three are the REST-only reads (boomi_soap.platform.reads, boomi_soap.platform.bulk): a bulk GET, the
# ExecutionRecord/async lookup and the OpenAPI description.
IDEMPOTENT_OPERATIONS: Final = frozenset(
    {"get", "query", "queryMore", "getAssignableRoles", "bulk", "ExecutionRecord/async", "openapi.json"}
)
ResponseMode = Literal["strict", "tolerant", "off"]
RESPONSE_MODES: Final[tuple[ResponseMode, ...]] = ("strict", "tolerant", "off")
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
DEFAULT_DEBUG_BODY_LIMIT: Final = 64 * 1024
# The bounds of a WSDL download (boomi_soap.snapshot.fetch): one document, all of them, and the time.
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_TIMEOUT: Final = (10.0, 60.0)
DEFAULT_MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024
DEFAULT_TOTAL_TIMEOUT: Final = 300.0


def _number(owner: str, name: str, value: object, *, positive: bool = True, optional: bool = False) -> None:
    """Refuse anything but a finite real number (``> 0``, or ``>= 0``), or ``None`` when optional."""
    if value is None and optional:
        return
    # bool is an int, but rate_limit=True is a mistake, not a rate
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (value > 0 if positive else value >= 0):  # type: ignore[operator]
        return
    want = "a positive number" if positive else "a number >= 0"
    raise ConfigurationError(f"{owner}.{name} must be {want}{' or None' if optional else ''}, not {value!r}")


def _integer(owner: str, name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return
    raise ConfigurationError(f"{owner}.{name} must be an integer >= {minimum}, not {value!r}")


def _flag(owner: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{owner}.{name} must be True or False, not {value!r}")


class LimiterStore(Protocol):
    """A shared limiter backend, as ``ClientSettings.limiter`` takes one (:class:`boomi_soap.limits.limiter.Backend`).

    Settings only hold it (the base layer knows no backend); the limits layer uses it.
    """

    kind: str


@dataclass(frozen=True)
class RetryPolicy:
    """When and how often a call is sent again.

    HTTP 503 over the rate limit means Boomi refused the call before running it, so
    it is retried for every operation.  A failure after the request may have reached
    the service (a dropped connection, a read timeout) is retried only for the
    operations in ``idempotent``: a ``create`` or ``executeProcess`` never runs twice.

    Attributes:
        max_retries: Retries after the first attempt.
        backoff: First wait in seconds; doubles each retry (exponential backoff).
        max_backoff: Longest single wait.
        jitter: Randomise each wait between half and all of it, so clients spread out.
        idempotent: Operations safe to repeat after an ambiguous failure.
    """

    max_retries: int = 5
    backoff: float = 0.25
    max_backoff: float = 8.0
    jitter: bool = True
    idempotent: frozenset[str] = IDEMPOTENT_OPERATIONS

    def __post_init__(self) -> None:
        """Check every field.

        Raises:
            ConfigurationError: On a wrong type or value.
        """
        _integer("RetryPolicy", "max_retries", self.max_retries, minimum=0)
        _number("RetryPolicy", "backoff", self.backoff, positive=False)
        _number("RetryPolicy", "max_backoff", self.max_backoff, positive=False)
        _flag("RetryPolicy", "jitter", self.jitter)
        if not isinstance(self.idempotent, frozenset) or not all(isinstance(o, str) for o in self.idempotent):
            raise ConfigurationError(
                f"RetryPolicy.idempotent must be a frozenset of operation names, not {self.idempotent!r}"
            )

    def delay(self, retry: int, draw: float) -> float:
        """Seconds to wait before retry number ``retry`` (1-based); ``draw`` is in [0, 1)."""
        base = min(self.max_backoff, self.backoff * float(2 ** (retry - 1)))
        return base * (0.5 + draw / 2) if self.jitter else base


@dataclass(frozen=True)
class ClientSettings:
    """How a client talks to the service.

    Attributes:
        rate_limit: Calls per second per client, shared by all its threads (``None``: off).
        connect_timeout: Seconds to establish a connection.
        read_timeout: Seconds to wait for the next bytes of an answer.
        total_timeout: Seconds one call may take in all, retries, backoff and a slowly
            dripped answer included (``None``: no limit).  When it passes, the
            connection is cut and :class:`~boomi_soap.exceptions.ServiceTimeoutError` raised.
        max_response_bytes: Largest answer read; a longer one is cut off unread and
            raises :class:`~boomi_soap.exceptions.ResponseError`.
        debug_body_limit: Longest envelope printed in DEBUG logs; the rest is cut off
            and the full size stated.
        validate_requests: Validate every request against the schema before sending.
        responses: How answers are checked against the schema before they are read, the
            same on every path (zeep, typed, REST XML and JSON, async): ``"tolerant"``
            (the default) reads an answer that drifted from the snapshot (a new
            enumeration value, a required field left out, an unknown field, children out
            of order, a value of the wrong type) and records each deviation
            (:meth:`~boomi_soap.client.Client.deviations`, one WARNING per type, field
            and kind); ``"strict"`` refuses any misfit with ``ResponseError`` (for
            contract tests and CI); ``"off"`` checks nothing.
        retry: The retry policy.
        user_agent: ``User-Agent`` header.
        allow_insecure: Allow a plain ``http://`` endpoint on a host other than loopback
            (the WS-Security password then travels in clear text).
        allow_other_host: Allow calls to a host other than the configured base URL or
            the snapshot's origin (see :class:`~boomi_soap.client.Client`).
        proxies: Proxy URL per scheme (``{"https": "http://proxy:3128"}``); ``None``
            leaves requests' own choice (``HTTPS_PROXY`` and friends).
        ca_bundle: A CA bundle file (PEM) to verify the service's certificate with,
            instead of the default trust store.
        client_cert: A client certificate for mutual TLS: one PEM file holding the
            certificate and key, or a ``(certificate, key)`` pair of files.
        limiter: Where the rate window and quota counts live: ``"memory"`` (this client),
            ``"host"`` (every process of this user on this machine), ``"redis://..."``
            (every host), or a :class:`~boomi_soap.limits.limiter.Backend` to share;
            ``None`` reads ``BOOMI_SOAP_LIMITER``, else ``"memory"``.
        limits_dir: Directory of the ``host`` store (default: ``limits`` under the cache root).
        daily_quota: The account's calls per rolling 24 hours; the client refuses the
            call that would exceed it with ``QuotaBudgetExceeded`` (``None``: count only).
        quota_warn_share: Share of ``daily_quota`` at which a warning is logged.
        unavailable_after: Seconds of uninterrupted HTTP 503 after which a call fails with
            ``ServiceUnavailableError`` ("quota exhausted or service down") instead of retrying.
        max_retry_after: Longest ``Retry-After`` honoured by waiting; a longer one fails at once.
        otp: A one-time password for an account with two-factor sign-in, sent as the
            ``X-Boomi-OTP`` header on every request; masked in ``repr`` and in DEBUG logs.
    """

    rate_limit: float | None = 5.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    total_timeout: float | None = 300.0
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    debug_body_limit: int = DEFAULT_DEBUG_BODY_LIMIT
    validate_requests: bool = True
    responses: ResponseMode = "tolerant"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = "boomi-soap"
    allow_insecure: bool = False
    allow_other_host: bool = False
    proxies: Mapping[str, str] | None = None
    ca_bundle: str | None = None
    client_cert: str | tuple[str, str] | None = None

    limiter: str | LimiterStore | None = None
    limits_dir: Path | None = None
    daily_quota: int | None = None
    quota_warn_share: float = 0.8
    unavailable_after: float = 60.0
    max_retry_after: float = 120.0
    otp: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """Check every field.

        Raises:
            ConfigurationError: On a wrong type or value (``rate_limit=-1``, ``read_timeout="5"``).
        """
        _number("ClientSettings", "rate_limit", self.rate_limit, optional=True)
        _number("ClientSettings", "connect_timeout", self.connect_timeout)
        _number("ClientSettings", "read_timeout", self.read_timeout)
        _number("ClientSettings", "total_timeout", self.total_timeout, optional=True)
        _integer("ClientSettings", "max_response_bytes", self.max_response_bytes, minimum=1)
        _integer("ClientSettings", "debug_body_limit", self.debug_body_limit, minimum=0)
        for name in ("validate_requests", "allow_insecure", "allow_other_host"):
            _flag("ClientSettings", name, getattr(self, name))
        if self.responses not in RESPONSE_MODES:
            raise ConfigurationError(
                f"ClientSettings.responses must be one of {', '.join(RESPONSE_MODES)}, not {self.responses!r}"
            )
        if not isinstance(self.retry, RetryPolicy):
            raise ConfigurationError(f"ClientSettings.retry must be a RetryPolicy, not {type(self.retry).__name__}")
        if not isinstance(self.user_agent, str) or not self.user_agent or any(c in self.user_agent for c in "\r\n"):
            raise ConfigurationError("ClientSettings.user_agent must be a non-empty one-line string")
        if self.otp is not None and (
            not isinstance(self.otp, str) or not self.otp or any(c in self.otp for c in "\r\n")
        ):
            raise ConfigurationError("ClientSettings.otp must be a non-empty one-line string")  # never the value
        if self.proxies is not None and not (
            isinstance(self.proxies, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in self.proxies.items())
        ):
            raise ConfigurationError("ClientSettings.proxies must map scheme names to proxy URLs")
        if self.ca_bundle is not None and not isinstance(self.ca_bundle, str):
            raise ConfigurationError(f"ClientSettings.ca_bundle must be a file name, not {self.ca_bundle!r}")
        cert = self.client_cert
        if cert is not None and not (
            isinstance(cert, str)
            or (isinstance(cert, tuple) and len(cert) == 2 and all(isinstance(c, str) for c in cert))
        ):
            raise ConfigurationError("ClientSettings.client_cert must be a file name or a (certificate, key) pair")
        if self.daily_quota is not None:
            _integer("ClientSettings", "daily_quota", self.daily_quota, minimum=1)
        _number("ClientSettings", "unavailable_after", self.unavailable_after)
        _number("ClientSettings", "max_retry_after", self.max_retry_after)
        if not isinstance(self.quota_warn_share, int | float) or not 0 < self.quota_warn_share <= 1:
            raise ConfigurationError(
                f"ClientSettings.quota_warn_share must be in (0, 1], not {self.quota_warn_share!r}"
            )

    def __repr__(self) -> str:
        """Every field, with the passwords in proxy and limiter URLs masked (``user:***@``, ``password=***``)."""
        from boomi_soap._xml.redact import redact_url

        shown = []
        for each in fields(self):
            value = getattr(self, each.name)
            if each.name == "proxies" and value is not None:
                value = {scheme: redact_url(url, keep_user=True) for scheme, url in value.items()}
            elif each.name == "limiter" and isinstance(value, str):
                value = redact_url(value, keep_user=True)
            elif each.name == "otp" and value is not None:
                value = "***"
            shown.append(f"{each.name}={value!r}")
        return f"ClientSettings({', '.join(shown)})"
