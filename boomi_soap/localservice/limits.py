"""Per-account traffic limits, enforced the way Boomi does: over a limit, HTTP 503.

The rate limit is exact over a sliding one-second window (at most ``rate`` calls
accepted in any interval of one second), so a test can assert that a client never
exceeded it: :attr:`AccountLimits.max_in_window` records the busiest window seen.
The quota is a rolling 24-hour count of accepted calls.

:class:`SignInThrottle` bounds password guessing: failed sign-ins are counted per
user name and per source address, and past the allowance a sign-in is refused
without its secret being checked, until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from boomi_soap.localservice.errors import ApiFault, FaultCode

__all__ = ["AccountLimits", "LimitStats", "SignInThrottle", "retry_after"]

_DAY = 24 * 60 * 60.0
# Keys (user names, addresses) remembered at most; a flood of made-up names evicts the
# oldest, so the throttle's memory stays bounded whatever is sent.
_MAX_KEYS = 10_000


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


@dataclass
class SignInThrottle:
    """Failed sign-ins per user name and per source address, in a sliding window.

    Attributes:
        failures: Failed sign-ins allowed per key within ``window``.
        window: Seconds a failure counts for.
        clock: Monotonic clock, injectable for tests.
    """

    failures: int = 10
    window: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _seen: OrderedDict[bytes, deque[float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def _keys(username: str, source: str) -> tuple[bytes, bytes]:
        # Digests, not the names: a key costs 32 bytes however long the name sent.
        user = hashlib.sha256(b"user\0" + username.encode("utf-8", "replace")).digest()
        return user, hashlib.sha256(b"addr\0" + source.encode("utf-8", "replace")).digest()

    def wait(self, username: str, source: str) -> float:
        """Seconds before ``username`` from ``source`` may try again (0: now)."""
        with self._lock:
            now = self.clock()
            longest = 0.0
            for key in self._keys(username, source):
                times = self._seen.get(key)
                if times is None:
                    continue
                while times and now - times[0] >= self.window:
                    times.popleft()
                if len(times) >= self.failures:
                    longest = max(longest, times[0] + self.window - now)
            return longest

    def failed(self, username: str, source: str) -> None:
        """Count one failed sign-in of ``username`` from ``source``."""
        with self._lock:
            now = self.clock()
            for key in self._keys(username, source):
                times = self._seen.pop(key, None) or deque(maxlen=self.failures)
                times.append(now)
                self._seen[key] = times  # most recent last
            while len(self._seen) > _MAX_KEYS:
                self._seen.popitem(last=False)


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
