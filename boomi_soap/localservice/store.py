"""The service's state: one in-memory object store per account, and query cursors.

Every method takes the store's lock, so the threaded HTTP server can call it from
any request thread.  Query cursors snapshot the matching records when the query
runs, so paging through ``queryMore`` sees a stable result set even while other
calls create or delete objects; a token may be replayed (a client retrying a lost
page gets the same page again).
"""

from __future__ import annotations

import heapq
import itertools
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

from boomi_soap.localservice.model import Record

__all__ = ["PAGE_SIZE", "AccountStore", "Page"]

PAGE_SIZE: Final = 100
_MAX_CURSORS: Final = 1000


@dataclass(frozen=True)
class Page:
    """One page of query results.

    Attributes:
        records: At most :data:`PAGE_SIZE` records.
        token: The ``queryToken`` of the next page, or ``None`` on the last page.
    """

    records: tuple[Record, ...]
    token: str | None


@dataclass
class _Cursor:
    records: tuple[Record, ...]
    offset: int


@dataclass
class AccountStore:
    """Objects of one account, by type and identifier, in insertion order."""

    account_id: str
    _objects: dict[str, dict[str, Record]] = field(default_factory=dict)
    _cursors: OrderedDict[str, _Cursor] = field(default_factory=OrderedDict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Callable[[], float] = time.monotonic
    links: dict[str, str] = field(default_factory=dict)
    """Execution request id to execution id (Boomi keeps this link; no object field shows it)."""
    downloads: dict[str, bytes] = field(default_factory=dict)
    """Log download token to the log's bytes."""
    _due: list[tuple[float, int, Record]] = field(default_factory=list)
    _order: Iterator[int] = field(default_factory=itertools.count)

    def schedule(self, after: float, record: Record) -> None:
        """Put ``record`` in place ``after`` seconds from now (the service's simulated time).

        Reads settle every update that has fallen due, so a record appears and changes
        as time passes without a background thread.
        """
        with self._lock:
            heapq.heappush(self._due, (self.clock() + after, next(self._order), record))

    def unschedule(self, type_name: str, key: str) -> None:
        """Drop the pending updates of one record (a cancelled execution stops progressing)."""
        with self._lock:
            self._due = [d for d in self._due if (d[2].type, d[2].key) != (type_name, key)]
            heapq.heapify(self._due)

    def pending(self, type_name: str, key: str) -> bool:
        """Whether updates of one record are still to come."""
        with self._lock:
            return any((d[2].type, d[2].key) == (type_name, key) for d in self._due)

    def _settle(self) -> None:
        now = self.clock()
        while self._due and self._due[0][0] <= now:
            self.put(heapq.heappop(self._due)[2])

    def get(self, type_name: str, key: str) -> Record | None:
        """Return the record of ``type_name`` with identifier ``key``, if any."""
        with self._lock:
            self._settle()
            return self._objects.get(type_name, {}).get(key)

    def put(self, record: Record) -> None:
        """Insert or replace a record (an update keeps the original position)."""
        with self._lock:
            self._objects.setdefault(record.type, {})[record.key] = record

    def add_new(self, type_name: str, make: Callable[[str], Record]) -> Record:
        """Create a record under a fresh identifier, atomically.

        Args:
            type_name: The object type.
            make: Builds the record given the new identifier.

        Returns:
            The stored record.
        """
        with self._lock:
            record = make(self.new_id(type_name))
            self.put(record)
            return record

    def delete(self, type_name: str, key: str) -> bool:
        """Remove a record; return whether it existed."""
        with self._lock:
            return self._objects.get(type_name, {}).pop(key, None) is not None

    def all(self, type_name: str) -> list[Record]:
        """Return a snapshot of every record of a type."""
        with self._lock:
            self._settle()
            return list(self._objects.get(type_name, {}).values())

    def count(self, type_name: str) -> int:
        """Return how many records of a type exist."""
        with self._lock:
            self._settle()
            return len(self._objects.get(type_name, {}))

    def types(self) -> Iterator[str]:
        """Iterate over the types that have records."""
        with self._lock:
            return iter(sorted(self._objects))

    def new_id(self, type_name: str) -> str:
        """Return an identifier unused within ``type_name``."""
        with self._lock:
            while True:
                key = str(uuid.uuid4())
                if key not in self._objects.get(type_name, {}):
                    return key

    def first_page(self, records: list[Record]) -> Page:
        """Start paging over a query's result set and return its first page."""
        with self._lock:
            return self._page(_Cursor(tuple(records), 0))

    def next_page(self, token: str) -> Page | None:
        """Return the page a ``queryToken`` stands for, or ``None`` if it is unknown."""
        with self._lock:
            cursor = self._cursors.get(token)
            return None if cursor is None else self._page(cursor)

    def _page(self, cursor: _Cursor) -> Page:
        end = cursor.offset + PAGE_SIZE
        token = None
        if end < len(cursor.records):
            token = secrets.token_urlsafe(48)
            self._cursors[token] = _Cursor(cursor.records, end)
            while len(self._cursors) > _MAX_CURSORS:
                self._cursors.popitem(last=False)
        return Page(cursor.records[cursor.offset : end], token)
