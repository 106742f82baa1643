"""The service's state: one in-memory object store per account, and query cursors.

Every method takes the store's lock, so the threaded HTTP server can call it from
any request thread.  Query cursors snapshot the matching records when the query
runs, so paging through ``queryMore`` sees a stable result set even while other
calls create or delete objects; a token may be replayed (a client retrying a lost
page gets the same page again).

A type may be *seeded* from a :class:`SeedSource` instead of stored record by record:
its seeded records are built from their position when read and forgotten again, so
100,000 of them cost what a few hundred do until they are touched.  A seeded record
that is changed or deleted is kept (or marked gone) in the store like any other, and
keeps its position.  A cursor snapshots positions of untouched seeded records, which
stand for the same record whenever they are built.

An account holds a bounded amount (:meth:`AccountStore.cap`): past its most records or
serialized bytes, a change that would grow it is refused with a fault, and the REST
side answers it with 413.  Seeded records not yet touched cost nothing and count for
nothing; what the service itself records as time passes (an execution's progress) is
counted, but was admitted when the call that started it was.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import secrets
import threading
import time
import uuid
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, cast, runtime_checkable

from lxml import etree

from boomi_soap.localservice.errors import STORE_FULL, ApiFault, FaultCode
from boomi_soap.localservice.model import Record

__all__ = ["PAGE_SIZE", "AccountStore", "ColumnSource", "Page", "Ref", "SeedSource"]

PAGE_SIZE: Final = 100
_MAX_CURSORS: Final = 1000
# Types whose ids Boomi writes as base64 of "{letter}:{serial}" (Folder "RjoxMDU2NjMx" is F:1056631).
_SERIAL_IDS: Final = {"Folder": "F", "Branch": "B", "MergeRequest": "MR"}
# Entries that open cursors may hold in all (a seeded result set in order costs none):
# beyond it the oldest cursors expire, so many open queries over 100,000 records stay small.
_MAX_HELD: Final = 2_000_000


@dataclass(frozen=True)
class Page:
    """One page of query results.

    Attributes:
        records: At most :data:`PAGE_SIZE` records.
        token: The ``queryToken`` of the next page, or ``None`` on the last page.
    """

    records: tuple[Record, ...]
    token: str | None


Ref = int | Record
"""A record in a result set: a stored record, or the position of an untouched seeded one."""


class SeedSource(Protocol):
    """Records of one type generated from their position, ``0 <= n < len(source)``.

    Implementations are pure: the same position always builds an equal record.
    """

    @property
    def type_name(self) -> str:
        """The object type of every record."""

    def __len__(self) -> int:
        """How many records the source seeds."""

    def position(self, key: str) -> int | None:
        """The position of the seeded record with identifier ``key``, or ``None``."""

    def record(self, n: int) -> Record:
        """Build the record at position ``n``."""


@runtime_checkable
class ColumnSource(SeedSource, Protocol):
    """A seed source that reads one field of many records without building them (a query's filter and sort)."""

    def column(self, name: str, positions: Iterable[int]) -> list[str | None]:
        """The text of field ``name`` of each record at ``positions``; ``None`` where it has no such field."""


@dataclass
class _Seeded:
    source: SeedSource
    changed: dict[int, Record] = field(default_factory=dict)
    gone: set[int] = field(default_factory=set)

    def alive(self, key: str) -> int | None:
        n = self.source.position(key)
        return None if n is None or n in self.gone else n


@dataclass
class _Cursor:
    type_name: str
    records: Sequence[Ref]
    offset: int


def _compact(records: Sequence[Ref]) -> Sequence[Ref]:
    """Freeze a result set: a range when it is the seeded positions in order, else the fewest bytes."""
    if isinstance(records, range):
        return records
    try:
        # A C loop, not a Python one: a filtered set over 100,000 records is frozen per query.
        positions = array("q", cast("Sequence[int]", records))
    except TypeError:  # a stored record among the positions
        return tuple(records)
    count = len(positions)
    if not count or (positions[0] == 0 and positions[-1] == count - 1 and positions == array("q", range(count))):
        return range(count)
    return positions


def _weight(records: Sequence[Ref]) -> int:
    return 0 if isinstance(records, range) else len(records)


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
    _seeded: dict[str, _Seeded] = field(default_factory=dict)
    _sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    _bytes: int = 0
    _max_objects: int | None = None
    _max_bytes: int | None = None

    def cap(self, max_objects: int | None, max_bytes: int | None) -> None:
        """Bound what the account holds from now on: records, and their serialized bytes."""
        with self._lock:
            self._max_objects, self._max_bytes = max_objects, max_bytes

    @property
    def held(self) -> tuple[int, int]:
        """Records held (seeded ones count once changed) and their serialized bytes."""
        with self._lock:
            return len(self._sizes), self._bytes

    def check_room(self, objects: int, size: int) -> None:
        """Refuse a change that would add ``objects`` records and ``size`` bytes past the caps.

        Raises:
            ApiFault: ``INVALID_REQUEST`` naming the cap.
        """
        with self._lock:
            objects_cap, bytes_cap = self._max_objects, self._max_bytes
            over_objects = objects_cap is not None and objects > 0 and len(self._sizes) + objects > objects_cap
            over_bytes = bytes_cap is not None and size > 0 and self._bytes + size > bytes_cap
            if over_objects or over_bytes:
                cap = f"{objects_cap} objects" if over_objects else f"{bytes_cap} bytes"
                raise ApiFault(
                    FaultCode.INVALID_REQUEST,
                    f"Account {self.account_id} {STORE_FULL} of {cap}; delete some first",
                )

    def _account(self, record: Record, *, checked: bool) -> None:
        """Count a record about to be stored (``checked``: refuse it past the caps)."""
        size = len(etree.tostring(record.element))
        key = (record.type, record.key)
        old = self._sizes.get(key)
        if checked:
            self.check_room(0 if old is not None else 1, size - (old or 0))
        self._sizes[key] = size
        self._bytes += size - (old or 0)

    def _forget(self, type_name: str, key: str) -> None:
        self._bytes -= self._sizes.pop((type_name, key), 0)

    def seed(self, source: SeedSource) -> None:
        """Serve ``source``'s records as the first records of their type (built when read).

        Raises:
            ValueError: If the type already has records.
        """
        with self._lock:
            if self._objects.get(source.type_name) or source.type_name in self._seeded:
                raise ValueError(f"{source.type_name} already has records in account {self.account_id}")
            self._seeded[source.type_name] = _Seeded(source)

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
            self._put(heapq.heappop(self._due)[2], checked=False)

    def get(self, type_name: str, key: str) -> Record | None:
        """Return the record of ``type_name`` with identifier ``key``, if any."""
        with self._lock:
            self._settle()
            found = self._objects.get(type_name, {}).get(key)
            seeded = self._seeded.get(type_name)
            if found is not None or seeded is None:
                return found
            n = seeded.alive(key)
            if n is None:
                return None
            return seeded.changed.get(n) or seeded.source.record(n)

    def put(self, record: Record) -> None:
        """Insert or replace a record (an update keeps the original position).

        Raises:
            ApiFault: If the change would take the account past its caps (see :meth:`cap`).
        """
        self._put(record, checked=True)

    def _put(self, record: Record, *, checked: bool) -> None:
        with self._lock:
            self._account(record, checked=checked)
            seeded = self._seeded.get(record.type)
            n = seeded.alive(record.key) if seeded else None
            if seeded is not None and n is not None:
                seeded.changed[n] = record
                return
            self._objects.setdefault(record.type, {})[record.key] = record

    def preload(self, record: Record) -> None:
        """Insert or replace a record as seed data: uncounted against the caps, as seeded records are.

        Once changed through the API it counts like any other record.
        """
        with self._lock:
            seeded = self._seeded.get(record.type)
            n = seeded.alive(record.key) if seeded else None
            if seeded is not None and n is not None:
                seeded.changed[n] = record
            else:
                self._objects.setdefault(record.type, {})[record.key] = record
            self._forget(record.type, record.key)  # a replaced record's room is given back

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
            if self._objects.get(type_name, {}).pop(key, None) is not None:
                self._forget(type_name, key)
                return True
            seeded = self._seeded.get(type_name)
            n = seeded.alive(key) if seeded else None
            if seeded is None or n is None:
                return False
            seeded.gone.add(n)
            seeded.changed.pop(n, None)
            self._forget(type_name, key)
            return True

    def refs(self, type_name: str) -> Sequence[Ref]:
        """Return a snapshot of every record of a type, seeded ones by position.

        Use :meth:`resolve` to read one; nothing is built here.  Untouched seeded records alone
        are a ``range``: an unfiltered query over 100,000 of them holds no list.
        """
        with self._lock:
            self._settle()
            found: list[Ref] = []
            seeded = self._seeded.get(type_name)
            if seeded is not None and not (seeded.changed or seeded.gone or self._objects.get(type_name)):
                return range(len(seeded.source))
            if seeded is not None:
                if seeded.changed or seeded.gone:
                    changed, gone = seeded.changed, seeded.gone
                    found = [changed.get(n, n) for n in range(len(seeded.source)) if n not in gone]
                else:
                    found = list(range(len(seeded.source)))
            found.extend(self._objects.get(type_name, {}).values())
            return found

    def seed_source(self, type_name: str) -> SeedSource | None:
        """The source a type's seeded positions (the ``int`` entries of :meth:`refs`) are built from."""
        with self._lock:
            seeded = self._seeded.get(type_name)
            return None if seeded is None else seeded.source

    def resolve(self, type_name: str, ref: Ref) -> Record:
        """Return the record a :meth:`refs` entry stands for (an untouched seeded one is built)."""
        if isinstance(ref, Record):
            return ref
        return self._seeded[type_name].source.record(ref)

    def all(self, type_name: str) -> list[Record]:
        """Return a snapshot of every record of a type (seeded ones are all built: prefer :meth:`refs`)."""
        return [self.resolve(type_name, ref) for ref in self.refs(type_name)]

    def count(self, type_name: str) -> int:
        """Return how many records of a type exist."""
        with self._lock:
            self._settle()
            seeded = self._seeded.get(type_name)
            alive = len(seeded.source) - len(seeded.gone) if seeded else 0
            return alive + len(self._objects.get(type_name, {}))

    def types(self) -> Iterator[str]:
        """Iterate over the types that have records."""
        with self._lock:
            seeded = {name for name, s in self._seeded.items() if len(s.source)}
            return iter(sorted(seeded.union(self._objects)))

    def new_id(self, type_name: str) -> str:
        """Return an identifier unused within ``type_name``, in the shape Boomi gives that type's ids.

        Most are UUIDs; Folder, Branch and MergeRequest ids are base64 of ``F:1056631``,
        ``B:14316``, ``MR:667`` (unpadded), as Boomi's examples and the seeded folders show.
        """
        with self._lock:
            seeded = self._seeded.get(type_name)
            prefix = _SERIAL_IDS.get(type_name)
            serial = 1000 + len(self._objects.get(type_name, {}))
            while True:
                if prefix is None:
                    key = str(uuid.uuid4())
                else:
                    serial += 1
                    key = base64.b64encode(f"{prefix}:{serial}".encode()).decode().rstrip("=")
                if key not in self._objects.get(type_name, {}) and (seeded is None or seeded.alive(key) is None):
                    return key

    def first_page(self, records: Sequence[Ref], type_name: str = "") -> Page:
        """Start paging over a query's result set and return its first page.

        Args:
            records: The result set, as records or as :meth:`refs` entries.
            type_name: The type the seeded positions among ``records`` belong to.
        """
        with self._lock:
            return self._page(_Cursor(type_name, _compact(records), 0))

    def next_page(self, token: str) -> Page | None:
        """Return the page a ``queryToken`` stands for, or ``None`` if it is unknown."""
        with self._lock:
            cursor = self._cursors.get(token)
            return None if cursor is None else self._page(cursor)

    def _expire(self) -> None:
        # Cursors of one query share its result set: count each set once, while a cursor uses it.
        users: Counter[int] = Counter(id(c.records) for c in self._cursors.values())
        held = sum(_weight(c.records) for c in {id(c.records): c for c in self._cursors.values()}.values())
        while len(self._cursors) > 1 and (len(self._cursors) > _MAX_CURSORS or held > _MAX_HELD):
            _, oldest = self._cursors.popitem(last=False)
            users[id(oldest.records)] -= 1
            if not users[id(oldest.records)]:
                held -= _weight(oldest.records)

    def _page(self, cursor: _Cursor) -> Page:
        end = cursor.offset + PAGE_SIZE
        token = None
        if end < len(cursor.records):
            token = secrets.token_urlsafe(48)
            self._cursors[token] = _Cursor(cursor.type_name, cursor.records, end)
            self._expire()
        records = tuple(self.resolve(cursor.type_name, ref) for ref in cursor.records[cursor.offset : end])
        return Page(records, token)
