"""Client settings: one frozen object, resolved once and passed to constructors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

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
        validate_responses: Check every answer's Body against the schema before reading it, so
            both client paths refuse the same misfits with the same error.
        retry: The retry policy.
        user_agent: ``User-Agent`` header.
    """

    rate_limit: float | None = 5.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    validate_requests: bool = True
    validate_responses: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = "boomi-soap"
