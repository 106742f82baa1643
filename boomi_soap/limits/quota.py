"""The daily quota budget, the gate every send passes, and what a long run of 503s means.

Boomi also limits an account's calls over a rolling 24 hours, counted in hourly
buckets, and says so only by answering 503, as it does when it is merely busy.  A
:class:`QuotaBudget` counts the account's sends in the limiter's store (so every
client sharing the store shares the count), warns once usage reaches a share of the
daily limit, and refuses the send that would exceed it with
:class:`~boomi_soap.exceptions.QuotaBudgetExceeded`, before Boomi would.

:class:`Gate` is what a transport asks before each send: the account's budget, then its
rate window (:mod:`boomi_soap.limits.limiter`).  :class:`Outage` decides how long to
wait after a 503, honouring ``Retry-After``, and when to stop: after
``unavailable_after`` seconds of nothing but 503 the call fails with
:class:`~boomi_soap.exceptions.ServiceUnavailableError` ("quota exhausted or service
down") rather than retrying on.
"""

from __future__ import annotations

import email.utils
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from boomi_soap.exceptions import QuotaBudgetExceeded, ServiceUnavailableError
from boomi_soap.limits.limiter import HOURS, AccountLimiter, Backend, backend_for, hour_of, in_thread
from boomi_soap.settings import ClientSettings, RetryPolicy

__all__ = ["Gate", "Gates", "Outage", "QuotaBudget", "UsageReport", "account_of"]

_log = logging.getLogger("boomi_soap.client")
_PATH_PREFIX: Final = "/api/soap/v1/"
_ADDRESSES_KEPT: Final = 1024  # addresses whose gate is remembered (a fan-out's accounts)


def account_of(address: str) -> str:
    """The account id in a SOAP endpoint (``.../api/soap/v1/{account}``), else the address itself."""
    path = urlsplit(address).path
    if _PATH_PREFIX in path:
        return path.split(_PATH_PREFIX, 1)[1].strip("/").split("/", 1)[0] or address
    return address


@dataclass(frozen=True)
class UsageReport:
    """An account's calls over the rolling 24 hours.

    Attributes:
        account: The account id.
        hours: ``(hour start, epoch seconds; calls)`` for each of the 24 hourly buckets, oldest first.
        limit: The daily budget, if one was given.
    """

    account: str
    hours: tuple[tuple[int, int], ...]
    limit: int | None

    @property
    def used(self) -> int:
        """Calls in the last 24 hours."""
        return sum(calls for _, calls in self.hours)


class QuotaBudget:
    """Counts an account's sends over a rolling 24 hours and refuses the one over the limit.

    Attributes:
        account: The account id.
        limit: Calls allowed per rolling 24 hours (``None``: count, never refuse).
        warn_share: Share of ``limit`` at which one warning is logged.
    """

    def __init__(self, backend: Backend, account: str, limit: int | None = None, warn_share: float = 0.8) -> None:
        self.account = account
        self.limit = limit
        self.warn_share = warn_share
        self._backend = backend
        self._warned = False
        self._clock: Callable[[], float] = time.time

    @property
    def blocking(self) -> bool:
        """Whether counting waits on another process (a file lock, a Redis server)."""
        return self._backend.kind != "memory"

    @property
    def warn_at(self) -> int | None:
        """The count at which the warning is logged."""
        return None if self.limit is None else max(1, math.ceil(self.limit * self.warn_share))

    def spend(self) -> int:
        """Count one send, or refuse it.

        Returns:
            Calls in the last 24 hours, this one included.

        Raises:
            QuotaBudgetExceeded: If the rolling 24 hours already hold ``limit`` calls.
        """
        counted, used = self._backend.reserve(self.account, self.limit, self._clock())
        if not counted:
            assert self.limit is not None
            raise QuotaBudgetExceeded(self.account, used, self.limit)
        threshold = self.warn_at
        if threshold is not None:
            if used >= threshold and not self._warned:
                self._warned = True
                _log.warning(
                    "%s: %d of the daily budget of %d calls used in the last 24 hours (%.0f%%)",
                    self.account, used, self.limit, 100 * used / (self.limit or 1),
                )  # fmt: skip
            elif used < threshold:
                self._warned = False  # the window rolled on: warn again next time
        return used

    def report(self) -> UsageReport:
        """Calls per hour over the last 24 hours."""
        now = self._clock()
        counts = self._backend.usage(self.account, now)
        hour = hour_of(now)
        hours = tuple((h * 3600, counts.get(h, 0)) for h in range(hour - HOURS + 1, hour + 1))
        return UsageReport(self.account, hours, self.limit)


class Gate:
    """What one account's sends pass through: the budget, then the rate window.

    Attributes:
        limiter: The account's rate limiter, if the client limits its rate.
        budget: The account's quota budget.
    """

    def __init__(self, limiter: AccountLimiter | None, budget: QuotaBudget) -> None:
        self.limiter = limiter
        self.budget = budget

    def enter(self, *, retry: bool = False) -> float:
        """Spend one call of the budget, then wait for the window; return the seconds waited.

        The budget comes first so that nothing stands between taking a place in the
        window and sending: the service counts arrivals.

        Args:
            retry: The send repeats a refused one; it keeps its place in the queue.
        """
        self.budget.spend()
        return self.limiter.acquire(retry=retry) if self.limiter is not None else 0.0

    async def enter_async(self, *, retry: bool = False, expires: float | None = None) -> float:
        """:meth:`enter` for coroutines; a shared store is waited on in a thread, never in the loop.

        ``expires`` (monotonic) is the call's deadline, which bounds waits on the store.
        """
        if self.budget.blocking:
            await in_thread(self.budget.spend, expires)
        else:
            self.budget.spend()
        if self.limiter is None:
            return 0.0
        return await self.limiter.acquire_async(retry=retry, expires=expires)

    def sent(self, granted: float, answered: float) -> None:
        """Report a send's round trip (``time.monotonic()`` at the grant and at the answer) to the limiter."""
        if self.limiter is not None:
            self.limiter.sent(granted, answered)


class Gates:
    """The gates of every account a transport sends to, keyed by the account in the address.

    Attributes:
        backend: The store of windows and counts.
    """

    def __init__(self, settings: ClientSettings) -> None:
        self.backend = backend_for(settings.limiter, limits_dir=settings.limits_dir)
        self._settings = settings
        self._gates: dict[str, Gate] = {}
        # Address -> its account's gate: a gate is never replaced, so a hit is always the right one.
        self._by_address: dict[str, Gate] = {}
        self._lock = threading.Lock()

    def gate(self, address: str) -> Gate:
        """The gate of the account ``address`` belongs to."""
        known = self._by_address.get(address)
        if known is not None:
            return known
        account = account_of(address)
        with self._lock:
            found = self._gates.get(account)
            if found is None:
                settings = self._settings
                limiter = self.backend.limiter(account, settings.rate_limit) if settings.rate_limit else None
                budget = QuotaBudget(self.backend, account, settings.daily_quota, settings.quota_warn_share)
                found = self._gates[account] = Gate(limiter, budget)
            if len(self._by_address) >= _ADDRESSES_KEPT:
                self._by_address.clear()
            self._by_address[address] = found
            return found


class Outage:
    """Tracks a transport's run of HTTP 503 answers and decides each retry's pause.

    A run starts at the first 503 and ends at any other answer, whichever call it
    belongs to, so several callers failing in turn add up to one long run.
    """

    def __init__(self, settings: ClientSettings) -> None:
        self.policy: RetryPolicy = settings.retry
        self.unavailable_after = settings.unavailable_after
        self.max_retry_after = settings.max_retry_after
        self._since: float | None = None
        self._lock = threading.Lock()

    def answered(self, status: int) -> None:
        """Note an answer; anything but 503 ends the run."""
        if status != 503 and self._since is not None:  # read unlocked: a run that starts meanwhile is kept
            with self._lock:
                self._since = None

    def pause_after_503(
        self, operation: str, attempts: int, retry_after: str | None, draw: float, *, last: bool
    ) -> float:
        """The seconds to wait before retrying a 503.

        Args:
            operation: The operation, for the error.
            attempts: Sends made so far.
            retry_after: The answer's ``Retry-After`` header, if any.
            draw: A random number in [0, 1) for the backoff's jitter.
            last: Whether the retries are spent (the caller then gives up).

        Raises:
            ServiceUnavailableError: When the 503s have lasted ``unavailable_after``
                seconds, or ``Retry-After`` asks for more than ``max_retry_after``.
        """
        now = time.monotonic()
        with self._lock:
            if self._since is None:
                self._since = now
            lasted = now - self._since
        asked = parse_retry_after(retry_after)
        if asked is not None and asked > self.max_retry_after:
            raise ServiceUnavailableError(
                operation, f"HTTP 503 with Retry-After {asked:.0f} s", retry_after=asked, attempts=attempts
            )
        if lasted >= self.unavailable_after:
            raise ServiceUnavailableError(
                operation, f"nothing but HTTP 503 for {lasted:.0f} s", retry_after=asked, attempts=attempts
            )
        if last:
            return 0.0
        return max(self.policy.delay(attempts, draw), asked or 0.0)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delay-seconds or an HTTP date); ``None`` if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
