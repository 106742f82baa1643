"""Per-account traffic limits, enforced the way Boomi does: over a limit, HTTP 503.

The rate limit is exact over a sliding one-second window (at most ``rate`` calls
accepted in any interval of one second), so a test can assert that a client never
exceeded it: :attr:`AccountLimits.max_in_window` records the busiest window seen.
The quota is a rolling 24-hour count of accepted calls.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from boomi_soap.localservice.errors import ApiFault, FaultCode

__all__ = ["AccountLimits", "LimitStats"]

_DAY = 24 * 60 * 60.0


@dataclass(frozen=True)
class LimitStats:
    """Counters of one account's traffic.

    Attributes:
        accepted: Calls let through.
        rate_limited: Calls refused with 503 over the rate limit.
        quota_exceeded: Calls refused with 503 over the daily quota.
        max_in_window: Most calls accepted within any one-second window.
    """

    accepted: int
    rate_limited: int
    quota_exceeded: int
    max_in_window: int


@dataclass
class AccountLimits:
    """Rate limit and rolling daily quota of one account.

    Attributes:
        rate: Calls per second (``None`` for no limit).
        daily_quota: Calls per rolling 24 hours (``None`` for no quota).
        clock: Monotonic clock, injectable for tests.
    """

    rate: float | None = 5.0
    daily_quota: int | None = None
    clock: Callable[[], float] = time.monotonic
    _second: deque[float] = field(default_factory=deque)
    _day: deque[float] = field(default_factory=deque)
    _accepted: int = 0
    _rate_limited: int = 0
    _quota_exceeded: int = 0
    _max_in_window: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self) -> None:
        """Count one call, or refuse it.

        Raises:
            ApiFault: ``RATE_LIMIT`` or ``QUOTA`` (HTTP 503) when over a limit.
        """
        with self._lock:
            now = self.clock()
            while self._second and now - self._second[0] >= 1.0:
                self._second.popleft()
            while self._day and now - self._day[0] >= _DAY:
                self._day.popleft()
            if self.daily_quota is not None and len(self._day) >= self.daily_quota:
                self._quota_exceeded += 1
                raise ApiFault(
                    FaultCode.QUOTA,
                    "The account's API quota for the rolling 24-hour period has been exceeded. Retry later.",
                )
            if self.rate is not None and len(self._second) >= self.rate:
                self._rate_limited += 1
                raise ApiFault(
                    FaultCode.RATE_LIMIT,
                    "The Boomi server is currently unavailable or your account's rate limits have been exceeded."
                    " Retry later.",
                )
            self._second.append(now)
            if self.daily_quota is not None:
                self._day.append(now)
            self._accepted += 1
            self._max_in_window = max(self._max_in_window, len(self._second))

    def stats(self) -> LimitStats:
        """Return a snapshot of the counters."""
        with self._lock:
            return LimitStats(self._accepted, self._rate_limited, self._quota_exceeded, self._max_in_window)
