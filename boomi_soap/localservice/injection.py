"""Fault injection: make the next SOAP calls fail the way real networks and servers do.

Faults are queued per service and consumed one per POST, in order; added latency
applies to every POST until reset.  Each kind names where the failure happens,
which matters to a client deciding whether a retry is safe:

``HTTP_503``       answered 503 before the call is processed (nothing happened)
``DROP_BEFORE``    connection closed before the request is read (nothing happened)
``DROP_AFTER``     request processed, then the connection closed with no answer
``TRUNCATED``      request processed, answer cut off mid-body
``NOT_XML``        request processed, answered 200 with a body that is not XML
``HTML_ERROR``     answered 502 with an HTML error page, as a proxy would
``SOAP_FAULT``     answered with a SOAP Fault (``S:Server``) before processing
"""

from __future__ import annotations

import enum
import threading
from collections import deque
from dataclasses import dataclass, field

__all__ = ["Injection", "InjectionPlan"]


class Injection(enum.StrEnum):
    """A kind of injected failure."""

    HTTP_503 = "http_503"
    DROP_BEFORE = "drop_before"
    DROP_AFTER = "drop_after"
    TRUNCATED = "truncated"
    NOT_XML = "not_xml"
    HTML_ERROR = "html_error"
    SOAP_FAULT = "soap_fault"

    @property
    def processes_request(self) -> bool:
        """Whether the call takes effect on the server despite the failure."""
        return self in (Injection.DROP_AFTER, Injection.TRUNCATED, Injection.NOT_XML)


@dataclass
class InjectionPlan:
    """The queue of pending injected faults and the added latency."""

    latency: float = 0.0
    _queue: deque[Injection] = field(default_factory=deque)
    _fired: dict[Injection, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: Injection, times: int = 1) -> None:
        """Queue ``times`` failures of ``kind`` after those already queued."""
        with self._lock:
            self._queue.extend([Injection(kind)] * times)

    def take(self) -> Injection | None:
        """Consume the next queued failure, if any."""
        with self._lock:
            if not self._queue:
                return None
            kind = self._queue.popleft()
            self._fired[kind] = self._fired.get(kind, 0) + 1
            return kind

    def pending(self) -> int:
        """Return how many failures are still queued."""
        with self._lock:
            return len(self._queue)

    def fired(self) -> dict[Injection, int]:
        """Return how many failures of each kind were delivered."""
        with self._lock:
            return dict(self._fired)

    def reset(self) -> None:
        """Drop queued failures and the added latency."""
        with self._lock:
            self._queue.clear()
            self.latency = 0.0
