"""Client settings: one frozen object, resolved once and passed to constructors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from boomi_soap.limiter import Backend

__all__ = ["IDEMPOTENT_OPERATIONS", "ClientSettings", "RetryPolicy"]

IDEMPOTENT_OPERATIONS: Final = frozenset({"get", "query", "queryMore", "getAssignableRoles"})


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
        read_timeout: Seconds to wait for an answer.
        validate_requests: Validate every request against the schema before sending.
        retry: The retry policy.
        user_agent: ``User-Agent`` header.
        limiter: Where the rate window and quota counts live: ``"memory"`` (this client),
            ``"host"`` (every process of this user on this machine), ``"redis://..."``
            (every host), or a :class:`~boomi_soap.limiter.Backend` to share;
            ``None`` reads ``BOOMI_SOAP_LIMITER``, else ``"memory"``.
        limits_dir: Directory of the ``host`` store (default: ``limits`` under the cache root).
        daily_quota: The account's calls per rolling 24 hours; the client refuses the
            call that would exceed it with ``QuotaBudgetExceeded`` (``None``: count only).
        quota_warn_share: Share of ``daily_quota`` at which a warning is logged.
        unavailable_after: Seconds of uninterrupted HTTP 503 after which a call fails with
            ``ServiceUnavailableError`` ("quota exhausted or service down") instead of retrying.
        max_retry_after: Longest ``Retry-After`` honoured by waiting; a longer one fails at once.
    """

    rate_limit: float | None = 5.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    validate_requests: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = "boomi-soap"
    limiter: str | Backend | None = None
    limits_dir: Path | None = None
    daily_quota: int | None = None
    quota_warn_share: float = 0.8
    unavailable_after: float = 60.0
    max_retry_after: float = 120.0
