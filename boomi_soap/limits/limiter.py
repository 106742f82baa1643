"""Rate limits that hold across threads, processes and hosts, served first come, first served.

Boomi limits each account to a number of calls in any one-second window (5 by
default) across every client of the account, and answers HTTP 503 beyond it.  A
:class:`Backend` keeps that window where every client of the account can see it:

``memory``
    In this process only (the default, one window per client, as before).
``host``
    Every process of this user on this machine: one SQLite file per account under
    ``<cache root>/limits`` (file 0600 in a 0700 directory, symlinks refused), its
    check-and-insert serialised by an ``flock`` on a sibling lock file.
``redis://...``
    Every host: a sorted set per account in Redis, checked and inserted by one Lua
    script, timestamps on the Redis server's clock so host clocks need not agree.

Every store fails closed: when it cannot be used, the call is not sent and
:class:`~boomi_soap.exceptions.LimiterStoreError` names the store (its password
masked).  The lock file is taken without blocking and tried again until the call's
deadline (``total_timeout``, at most :data:`STORE_WAIT_S`), so a process stopped while
holding it costs the others that long, not forever; SQLite waits for a locked database
no longer either, and a locked or corrupted database raises the same error.  A Redis
that cannot be reached (down, killed mid-run, refusing the password) does too.

The window itself is `pyrate-limiter`_'s sliding-window log, chosen over `limits`_:
both keep an exact sliding log (``limits`` calls it the moving window), but ``limits``
stores it in memory, Redis, Memcached or MongoDB only, so the host-wide store would
have been ours to write, while pyrate-limiter ships SQLite (with file locking), Redis
and in-memory buckets behind one interface, and its ``put`` answers how long to wait,
which a blocking limiter needs; ``limits`` only says yes or no.  Its own blocking
``Limiter`` is not used: it lets every waiter poll, so a thread can lose every race
and starve.  Here a ticket queue per account and process lets only the oldest waiter
poll the store; the others sleep until it is through (FIFO within a process).  Across
processes each process has one poller at a time, and whichever wakes first when a
slot frees takes it, which is as fair as the store allows (``bench/limits.py``
measures the shares).

The daily quota is counted in the same store, in hourly counters (see
:mod:`boomi_soap.limits.quota`); pyrate-limiter has no counters, so those few statements
are ours.

.. _pyrate-limiter: https://pyratelimiter.readthedocs.io/
.. _limits: https://limits.readthedocs.io/
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import re
import stat
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Coroutine, Iterator, Mapping
from hashlib import sha256
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from boomi_soap._xml.redact import is_secret_name, redact_url
from boomi_soap.exceptions import ConfigurationError, LimiterStoreError
from boomi_soap.settings import LimiterStore

if TYPE_CHECKING:  # pyrate-limiter (and asyncio with it) loads with the first window, not with the client
    import sqlite3

    import redis
    from pyrate_limiter import AbstractBucket, Rate

__all__ = [
    "STORE_WAIT_S",
    "AccountLimiter",
    "Backend",
    "HostBackend",
    "MemoryBackend",
    "RedisBackend",
    "backend_for",
    "hour_of",
]

# The service counts arrivals and the network can bring two sends closer together,
# so the shared stores' window is a little longer than Boomi's second: it covers the
# other processes' sends, whose answers this process does not see.
# (Measured on a busy 2-core machine: 15-30 ms from taking a slot to the service
# counting the call.  Widening the window per process on each refusal would make the
# widened process lose every race for a freed slot, so the margin is fixed.)
DEFAULT_MARGIN_MS: Final = 30
# This process's own sends need no margin: each slot is held until a second after its
# answer (see AccountLimiter.sent), and a call arrives before it is answered, so the next
# send in that slot arrives a second or more after it, however the network delays either.
# A little more than the second, so timer rounding cannot bring the two sends level.
_AFTER_ANSWER_S: Final = 1.001
# A send that never reports an answer (it failed: no connection, a timeout) holds its slot
# this long after it was granted, then the slot is free again.
_UNANSWERED_S: Final = 2.0
# Across processes, each process's oldest waiter wakes when a slot frees and they
# race for it.  Once a process has lost such a race it is contended, and then defers
# by up to _YIELD_S in proportion to the slots it took in the current window, so the
# process that took fewest tends to win next (about round robin); a fraction of a
# millisecond at random breaks ties.  A process alone never defers.
_YIELD_S: Final = 0.010
_TIE_BREAK_S: Final = 0.0005
_CONTENDED_FOR_S: Final = 2.0
HOURS: Final = 24
_LEAK_EVERY: Final = 64
_SAFE_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
STORE_WAIT_S: Final = 30.0
"""The longest wait for a held lock or a locked database, when the call's deadline allows more (or has none)."""
# A held lock file is tried again after a pause that doubles from the first to the last.
_LOCK_PAUSES_S: Final = (0.0005, 0.01)


def _store_wait() -> float:
    """Seconds the store may be waited for now: what the current call's deadline leaves, at most :data:`STORE_WAIT_S`.

    The call's deadline is the one the sync transport holds for the calling thread
    (:class:`boomi_soap._transports.deadline.Deadline`); without one (no ``total_timeout``, or an
    async call) the wait is :data:`STORE_WAIT_S`.
    """
    # Looked up, not imported: a process that never made a call has no deadline, and
    # the limiter need not load requests to learn so.
    module = sys.modules.get("boomi_soap._transports.deadline")
    current = getattr(getattr(module, "_current", None), "deadline", None)
    left = current.remaining() if current is not None else None
    expires = getattr(_on_behalf, "expires", None)
    if expires is not None:  # a thread waiting for an async call: that call's deadline
        mine = max(0.0, expires - time.monotonic())
        left = mine if left is None else min(float(left), mine)
    return STORE_WAIT_S if left is None else min(float(left), STORE_WAIT_S)


# The deadline of the async call a worker thread waits on the store for (see in_thread).
_on_behalf = threading.local()
_T = TypeVar("_T")


async def in_thread(call: Callable[[], _T], expires: float | None) -> _T:
    """Run a blocking store call in a worker thread, its waits bounded by ``expires`` (monotonic).

    A host store's ``flock`` held by a stopped process, or a Redis that does not answer,
    would otherwise stall every task of the event loop.
    """
    import asyncio

    def bounded() -> _T:
        _on_behalf.expires = expires
        try:
            return call()
        finally:
            _on_behalf.expires = None

    return await asyncio.to_thread(bounded)


def hour_of(epoch: float) -> int:
    """The hourly bucket (hours since the epoch) a wall-clock time falls in."""
    return int(epoch // 3600)


class _Ticket:
    """One waiter in an account's queue; ``wake`` lets it poll the store."""

    __slots__ = ("wake",)

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake


class AccountLimiter:
    """At most ``capacity`` sends per sliding window for one account, FIFO among this process's waiters.

    Threads call :meth:`acquire`, coroutines :meth:`acquire_async`; both join the same
    queue, so a sync and an async client in one process share the account fairly.

    Attributes:
        account: The account id.
        capacity: Sends allowed per window.
        window_ms: The window in milliseconds (Boomi's second plus a margin).
    """

    def __init__(
        self,
        account: str,
        bucket: AbstractBucket,
        capacity: int,
        window_ms: int,
        name: str,
        *,
        shared: bool = False,
        guard: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
    ) -> None:
        self.account = account
        self._guard = guard  # turns the store's own errors into LimiterStoreError
        self._shared = shared  # other processes use the same window: take turns with them
        self.capacity = capacity
        self.window_ms = window_ms
        self._bucket = bucket
        self._name = name
        self._queue: deque[_Ticket] = deque()
        self._mutex = threading.Lock()
        self._puts = 0
        self._random = random.Random()  # noqa: S311 - tie-breaking, not a secret
        self._taken: deque[float] = deque()  # monotonic times of this process's recent slots
        self._contended_until = 0.0
        # This process's slots, oldest first: [granted, free from] (monotonic); free from is
        # None until the send's answer is reported.
        self._slots: deque[list[float | None]] = deque()
        lock = bucket.limiter_lock()
        self._store_lock: contextlib.AbstractContextManager[Any] = (
            lock if isinstance(lock, contextlib.AbstractContextManager) else contextlib.nullcontext()
        )

    def acquire(self, *, retry: bool = False) -> float:
        """Block until this thread may send; return the seconds it waited.

        Args:
            retry: The send repeats one the service refused: it keeps its place in
                line (next after the waiter now polling) instead of queueing again.
        """
        started = time.monotonic()
        turn = threading.Event()
        ticket = _Ticket(turn.set)
        self._enqueue(ticket, retry)
        try:
            turn.wait()
            pause = self._try()
            while pause > 0:
                time.sleep(pause + self._deference())
                pause = self._try(after_sleep=True)
        finally:
            self._leave(ticket)
        return time.monotonic() - started

    async def acquire_async(self, *, retry: bool = False, expires: float | None = None) -> float:
        """Wait (without blocking the loop) until this task may send; return the seconds it waited.

        ``expires`` (monotonic) is the call's deadline, which bounds waits on a shared store.
        """
        import asyncio

        started = time.monotonic()
        loop = asyncio.get_running_loop()
        turn = asyncio.Event()
        ticket = _Ticket(lambda: _discard(loop.call_soon_threadsafe(turn.set)))
        self._enqueue(ticket, retry)
        try:
            await turn.wait()
            pause = await self._try_async(expires)
            while pause > 0:
                await asyncio.sleep(pause + self._deference())
                pause = await self._try_async(expires, after_sleep=True)
        finally:
            self._leave(ticket)  # also on cancellation, so the queue moves on
        return time.monotonic() - started

    async def _try_async(self, expires: float | None, *, after_sleep: bool = False) -> float:
        """:meth:`_try` for coroutines: a shared store is waited on in a thread (:func:`in_thread`)."""
        if not self._shared:
            return self._try(after_sleep=after_sleep)
        return await in_thread(lambda: self._try(after_sleep=after_sleep), expires)

    def _enqueue(self, ticket: _Ticket, front: bool) -> None:
        with self._mutex:
            if front and self._queue:
                self._queue.insert(1, ticket)  # the head is polling the store: it keeps its turn
            else:
                self._queue.append(ticket)
            if self._queue[0] is ticket:
                ticket.wake()

    def _leave(self, ticket: _Ticket) -> None:
        with self._mutex:
            was_head = self._queue[0] is ticket
            self._queue.remove(ticket)
            if was_head and self._queue:
                self._queue[0].wake()

    def sent(self, granted: float, answered: float) -> None:
        """Learn that a send was answered: its slot is free a second after the answer.

        The service counts a call when it arrives, which is after its slot was granted
        and before its answer came, and the network may delay it by any part of the
        round trip.  Counting the slot from the answer makes every later send in it
        arrive a second or more after this one, so no window of the service's ever sees
        one call too many, however late this one arrived; it costs one round trip per
        slot and window, where a fixed margin costs its width whatever the round trip.

        Args:
            granted: When the slot was granted (``time.monotonic()``), or just after.
            answered: When the answer came (``time.monotonic()``).
        """
        with self._mutex:
            # The send's slot: the latest granted at or before ``granted`` that has no answer
            # yet (a thread may stamp its grant a little late, but never before it).
            mine = None
            for slot in reversed(self._slots):
                if slot[1] is None and slot[0] is not None and slot[0] <= granted < slot[0] + _UNANSWERED_S:
                    mine = slot
                    break
            if mine is not None and answered < granted + _UNANSWERED_S:  # else its slot is free already
                mine[1] = answered + _AFTER_ANSWER_S

    def _held(self, now: float) -> float:
        """Seconds until this process may take another slot (0: now), by its own slots' answers.

        A slot is taken until a second after its answer, or until ``_UNANSWERED_S`` after its
        grant while no answer is reported.  An unanswered slot may be answered any moment,
        and is then free a second later: a waiter looks again then at the latest.
        """
        with self._mutex:
            slots = self._slots
            while slots and _frees_at(slots[0]) <= now:
                slots.popleft()
            frees = [at for at in map(_frees_at, slots) if at > now]
            if len(frees) < self.capacity:
                return 0.0
            soonest = min(frees)
            if any(slot[1] is None for slot in slots):
                soonest = min(soonest, now + _AFTER_ANSWER_S)
            return max(soonest - now, 0.001)

    def _deference(self) -> float:
        """Extra seconds to sleep past a freed slot, so contending processes take turns."""
        now = time.monotonic()
        while self._taken and now - self._taken[0] > self.window_ms / 1000:
            self._taken.popleft()
        if not self._shared:
            return 0.0
        tie = self._random.random() * _TIE_BREAK_S
        if now >= self._contended_until:
            return tie
        return _YIELD_S * min(1.0, len(self._taken) / self.capacity) + tie

    def _try(self, *, after_sleep: bool = False) -> float:
        """Put one send in the window; 0 if it fit, else the seconds until it may.

        Args:
            after_sleep: The previous try said when a slot would be free, so a refusal
                now means another process took it.
        """
        held = self._held(time.monotonic())
        if held > 0:
            return held
        from pyrate_limiter import RateItem

        bucket = self._bucket
        # Read the clock under the store's lock: a stamp taken before waiting for the
        # lock would be older than the send it stands for, and let the next one in early.
        # The guard inside the lock, so a failed statement's transaction is ended before
        # another thread may start one on the same connection.
        with self._store_lock, self._guard():
            item = RateItem(self._name, _sync(bucket.now()))  # type: ignore[no-untyped-call]
            if _sync(bucket.put(item)):
                now = time.monotonic()
                self._taken.append(now)
                with self._mutex:
                    self._slots.append([now, None])
                self._puts += 1
                if self._puts % _LEAK_EVERY == 0:  # no background leaker: prune now and then
                    _sync(bucket.leak(item.timestamp))
                return 0.0
            wait = _sync(bucket.waiting(item))
        if after_sleep:
            self._contended_until = time.monotonic() + _CONTENDED_FOR_S
        return max(int(wait), 1) / 1000.0


def _frees_at(slot: list[float | None]) -> float:
    """When a slot of :attr:`AccountLimiter._slots` is free: a second after its answer, else when it expires."""
    granted, answered = slot
    assert granted is not None
    return answered if answered is not None else granted + _UNANSWERED_S


def _discard(_: object) -> None:
    return None


def _sync(value: Any) -> Any:
    """Return a bucket's answer, which our buckets give synchronously."""
    if isinstance(value, Coroutine):  # pragma: no cover - a programming error, never user input
        value.close()
        raise TypeError("the limiter's buckets must be synchronous")
    return value


class Backend(ABC):
    """Where the rate windows and quota counts of accounts live.

    One instance is meant to be shared by every client of a process that should
    queue together; :func:`backend_for` returns the shared one for a spec.
    """

    kind: str = "memory"

    def __init__(self) -> None:
        self._limiters: dict[tuple[str, int, int], AccountLimiter] = {}
        self._mutex = threading.Lock()

    def limiter(self, account: str, rate: float, *, margin_ms: int | None = None) -> AccountLimiter:
        """The limiter of ``account`` at ``rate`` calls per second (whole calls: ``int(rate)``, at least 1).

        ``margin_ms`` widens the store's window past the second; by default
        :data:`DEFAULT_MARGIN_MS` for a shared store (for the other processes' sends) and
        none in memory, where every send is this process's and held until its answer.
        """
        if margin_ms is None:
            margin_ms = 0 if self.kind == "memory" else DEFAULT_MARGIN_MS
        capacity = max(1, int(rate))
        window_ms = 1000 + margin_ms
        key = (account, capacity, window_ms)
        with self._mutex:
            found = self._limiters.get(key)
            if found is None:
                from pyrate_limiter import Rate

                bucket = self._bucket(account, Rate(capacity, window_ms))
                found = self._limiters[key] = AccountLimiter(
                    account,
                    bucket,
                    capacity,
                    window_ms,
                    f"p{os.getpid()}",
                    shared=self.kind != "memory",
                    guard=lambda: self._guarded(account),
                )
            return found

    def _guarded(self, account: str) -> contextlib.AbstractContextManager[object]:
        """A context in which the store's own errors become :class:`LimiterStoreError` naming the store."""
        return contextlib.nullcontext()

    @abstractmethod
    def _bucket(self, account: str, rate: Rate) -> AbstractBucket:
        """A pyrate-limiter bucket holding ``account``'s window."""

    @abstractmethod
    def reserve(self, account: str, limit: int | None, now: float) -> tuple[bool, int]:
        """Count one call in the current hour unless the rolling 24 hours already hold ``limit``.

        Check and count are one atomic step for every client sharing the store.

        Returns:
            Whether the call was counted, and the calls in the last 24 hours after it.
        """

    @abstractmethod
    def usage(self, account: str, now: float) -> dict[int, int]:
        """Calls per hourly bucket over the last 24 hours ({hour since the epoch: calls})."""

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release connections and files."""


class MemoryBackend(Backend):
    """Windows and counts in this process's memory."""

    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self._hours: dict[str, dict[int, int]] = {}

    def _bucket(self, account: str, rate: Rate) -> AbstractBucket:
        from pyrate_limiter import InMemoryBucket

        return InMemoryBucket([rate])

    def reserve(self, account: str, limit: int | None, now: float) -> tuple[bool, int]:
        """See :meth:`Backend.reserve`."""
        hour = hour_of(now)
        with self._mutex:
            counts = self._hours.setdefault(account, {})
            for old in [h for h in counts if h <= hour - HOURS]:
                del counts[old]
            used = sum(counts.values())
            if limit is not None and used >= limit:
                return False, used
            counts[hour] = counts.get(hour, 0) + 1
            return True, used + 1

    def usage(self, account: str, now: float) -> dict[int, int]:
        """See :meth:`Backend.usage`."""
        hour = hour_of(now)
        with self._mutex:
            return {h: n for h, n in self._hours.get(account, {}).items() if h > hour - HOURS}

    def __repr__(self) -> str:
        return "MemoryBackend()"


class _FileLock:
    """An exclusive ``flock`` on a private file, re-entrant within the process, waited for within a bound.

    pyrate-limiter's SQLite bucket counts and inserts in two statements; this lock
    around both keeps another process from slipping in between.  The lock is tried
    without blocking and again after short pauses, for as long as :func:`_store_wait`
    allows: a blocking ``flock`` would wait forever on a process stopped while holding it.

    Attributes:
        path: The lock file.
        connection: The SQLite connection used under the lock; its busy timeout is set
            to the same bound each time the lock is taken.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self._fd = _open_private(path)
        self._local = threading.RLock()
        self._depth = 0  # only the owning thread touches it

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock; ``False`` if it was not free within ``timeout`` (default: :func:`_store_wait`)."""
        bound = (_store_wait() if timeout < 0 else timeout) if blocking else 0.0
        give_up = time.monotonic() + bound
        if not (self._local.acquire(True, bound) if bound > 0 else self._local.acquire(False)):
            return False
        self._depth += 1
        if self._depth > 1:
            return True
        taken = False
        try:
            taken = self._flock(give_up)
        finally:
            if not taken:
                self._depth -= 1
                self._local.release()
        if not taken:
            return False
        if self.connection is not None:
            # SQLite's own wait for a database another program holds ends with the same bound.
            left = max(0.0, give_up - time.monotonic())
            try:
                self.connection.execute(f"PRAGMA busy_timeout = {max(1, int(left * 1000))}")
            except Exception as exc:  # sqlite3.Error, which this module loads only with the store
                self.release()
                raise LimiterStoreError(
                    f"{self.path}: the limiter store failed ({type(exc).__name__}: {exc})"
                ) from None
        return True

    def _flock(self, give_up: float) -> bool:
        pause = _LOCK_PAUSES_S[0]
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pass
            except OSError as exc:
                raise LimiterStoreError(f"{self.path}: cannot lock the limiter store ({exc.strerror})") from None
            left = give_up - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(2 * pause, _LOCK_PAUSES_S[1])

    def release(self) -> None:
        """Release the lock (the file's at the outermost exit: flock belongs to the open file, not the thread)."""
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._local.release()

    def __enter__(self) -> _FileLock:
        bound = _store_wait()
        if not self.acquire(timeout=bound):
            raise LimiterStoreError(
                f"{self.path}: the limiter store's lock was not free within {bound:.3g} s"
                " (another process holds it; stopped or hung?)"
            )
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()

    def close(self) -> None:
        """Close the lock file."""
        os.close(self._fd)


def _private_dir(path: Path) -> Path:
    """Create (0700) or check a directory of ours; refuse a symlink or someone else's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise LimiterStoreError(f"{path}: the limiter store must be a real directory, not a link or file")
    if info.st_uid != os.getuid():
        raise LimiterStoreError(f"{path}: the limiter store belongs to another user")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)  # ours, but too open: others could read or plant files
    return path


def _open_private(path: Path) -> int:
    """Open (creating 0600) a regular file of ours without following a symlink."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise LimiterStoreError(f"{path}: cannot open the limiter store safely ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        os.close(fd)
        raise LimiterStoreError(f"{path}: the limiter store is not a regular file of this user")
    if stat.S_IMODE(info.st_mode) != 0o600:
        os.fchmod(fd, 0o600)
    return fd


def _file_name(account: str) -> str:
    """A file name for an account id that cannot climb out of the directory."""
    if _SAFE_NAME.fullmatch(account):
        return account
    return "account-" + sha256(account.encode()).hexdigest()[:32]


class HostBackend(Backend):
    """Windows and counts in SQLite files shared by every process of this user on this machine.

    Attributes:
        directory: The store's directory (0700).
    """

    kind = "host"

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory
        self._stores: dict[str, tuple[sqlite3.Connection, _FileLock]] = {}
        self._stores_lock = threading.Lock()  # not _mutex: limiter() holds that while it builds a bucket

    def __repr__(self) -> str:
        return f"HostBackend({str(self.directory)!r})"

    def _store(self, account: str) -> tuple[sqlite3.Connection, _FileLock]:
        import sqlite3

        with self._stores_lock:
            found = self._stores.get(account)
            if found is not None:
                return found
            directory = _private_dir(self.directory)
            name = _file_name(account)
            lock = _FileLock(directory / f"{name}.lock")
            conn: sqlite3.Connection | None = None
            try:
                with lock, self._guarded(account):
                    os.close(_open_private(directory / f"{name}.sqlite"))
                    # nofollow: SQLite itself refuses a symlink swapped in after the check above.
                    uri = "file:" + quote(str(directory / f"{name}.sqlite")) + "?nofollow=1"
                    conn = sqlite3.connect(
                        uri, uri=True, isolation_level="DEFERRED", check_same_thread=False, timeout=_store_wait()
                    )
                    conn.execute("PRAGMA journal_mode=WAL")  # the -wal and -shm files take the database's mode
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.execute("CREATE TABLE IF NOT EXISTS quota (hour INTEGER PRIMARY KEY, calls INTEGER NOT NULL)")
                    conn.commit()
            except BaseException:
                if conn is not None:
                    conn.close()
                lock.close()
                raise
            lock.connection = conn
            self._stores[account] = (conn, lock)
            return conn, lock

    def _path(self, account: str) -> Path:
        return self.directory / f"{_file_name(account)}.sqlite"

    @contextlib.contextmanager
    def _guarded(self, account: str) -> Iterator[None]:
        """SQLite's errors (a locked or corrupted database) as :class:`LimiterStoreError` naming the file."""
        import sqlite3

        try:
            yield
        except sqlite3.Error as exc:
            found = self._stores.get(account)
            if found is not None:  # end the transaction the failed statement may have left open
                with contextlib.suppress(sqlite3.Error):
                    found[0].rollback()
            raise LimiterStoreError(
                f"{self._path(account)}: the limiter store failed ({type(exc).__name__}: {exc})"
            ) from None

    def _bucket(self, account: str, rate: Rate) -> AbstractBucket:
        from pyrate_limiter import SQLiteBucket

        conn, lock = self._store(account)
        table = f"rate_{rate.limit}_{rate.interval}"
        with lock, self._guarded(account):
            conn.execute(f"CREATE TABLE IF NOT EXISTS '{table}' (name VARCHAR, item_timestamp INTEGER)")
            conn.execute(f"CREATE INDEX IF NOT EXISTS 'idx_{table}' ON '{table}' (item_timestamp)")
            conn.commit()
        return SQLiteBucket([rate], conn, table, lock=lock)

    def reserve(self, account: str, limit: int | None, now: float) -> tuple[bool, int]:
        """See :meth:`Backend.reserve`."""
        conn, lock = self._store(account)
        hour = hour_of(now)
        with lock, self._guarded(account):
            (used,) = conn.execute(
                "SELECT COALESCE(SUM(calls), 0) FROM quota WHERE hour > ?", (hour - HOURS,)
            ).fetchone()
            if limit is not None and used >= limit:
                conn.rollback()
                return False, int(used)
            conn.execute(
                "INSERT INTO quota (hour, calls) VALUES (?, 1) ON CONFLICT(hour) DO UPDATE SET calls = calls + 1",
                (hour,),
            )
            conn.execute("DELETE FROM quota WHERE hour <= ?", (hour - 2 * HOURS,))
            conn.commit()
            return True, int(used) + 1

    def usage(self, account: str, now: float) -> dict[int, int]:
        """See :meth:`Backend.usage`."""
        conn, lock = self._store(account)
        with lock, self._guarded(account):
            rows = conn.execute("SELECT hour, calls FROM quota WHERE hour > ?", (hour_of(now) - HOURS,)).fetchall()
            conn.rollback()
        return {int(h): int(n) for h, n in rows}

    def close(self) -> None:
        """Close every store."""
        with self._stores_lock:
            for conn, lock in self._stores.values():
                conn.close()
                lock.close()
            self._stores.clear()
            self._limiters.clear()


_RESERVE: Final = """
local total = 0
for i = 1, #KEYS do total = total + tonumber(redis.call('GET', KEYS[i]) or '0') end
local limit = tonumber(ARGV[1])
if limit >= 0 and total >= limit then return {0, total} end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, total + 1}
"""


class RedisBackend(Backend):
    """Windows and counts in Redis, shared by every host that uses the same server.

    Attributes:
        url: The server's URL, password masked (in the user information and in a
            ``password=`` query parameter).
        prefix: Prefix of every key.
    """

    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "boomi-soap") -> None:
        super().__init__()
        try:
            import redis
        except ImportError:  # pragma: no cover - depends on the installation
            raise ConfigurationError(
                "the redis limiter needs the redis package: pip install 'boomi-soap[redis]'"
            ) from None
        self.url = _masked(url)
        self.prefix = prefix
        self._secrets = _secrets_of(url)
        self._errors: tuple[type[BaseException], ...] = (redis.exceptions.RedisError,)
        try:
            self._redis: redis.Redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        except ValueError as exc:  # its text may quote the URL
            raise ConfigurationError(f"invalid limiter URL {self.url}: {self._scrub(str(exc))}") from None
        with self._guarded():
            self.offset_ms = self._clock_offset()
            self._reserve = self._redis.register_script(_RESERVE)

    def _scrub(self, text: str) -> str:
        """``text`` with every secret of the URL masked (a server's or a driver's message may quote one)."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextlib.contextmanager
    def _guarded(self, account: str = "") -> Iterator[None]:
        """Redis's errors (down, killed mid-run, a refused password) as :class:`LimiterStoreError` naming the server."""
        try:
            yield
        except self._errors as exc:
            raise LimiterStoreError(
                f"cannot reach the limiter's Redis at {self.url}: {self._scrub(str(exc)) or type(exc).__name__}"
            ) from None

    def _clock_offset(self) -> int:
        """Milliseconds to add to this host's clock to read the server's.

        The server's clock, not each host's, orders the window's entries.  Of a few
        round trips, the shortest bounds the error best (half of it).
        """
        samples = []
        for _ in range(5):
            before = time.time_ns()
            seconds, micros = self._redis.time()
            after = time.time_ns()
            server_ns = seconds * 1_000_000_000 + micros * 1000
            samples.append((after - before, server_ns - (before + after) // 2))
        return round(min(samples)[1] / 1_000_000)

    def __repr__(self) -> str:
        return f"RedisBackend({self.url!r})"

    def _bucket(self, account: str, rate: Rate) -> AbstractBucket:
        from pyrate_limiter import RedisBucket

        offset = self.offset_ms

        class _ServerClockBucket(RedisBucket):
            def now(self) -> int:
                return time.time_ns() // 1_000_000 + offset

        key = f"{self.prefix}:rate:{account}:{rate.limit}:{rate.interval}"
        with self._guarded(account):
            return _ServerClockBucket([rate], self._redis, key, self._redis.script_load(_put_item_script()))

    def _hour_keys(self, account: str, now: float) -> list[str]:
        hour = hour_of(now + self.offset_ms / 1000)
        return [f"{self.prefix}:quota:{account}:{hour - i}" for i in range(HOURS)]

    def reserve(self, account: str, limit: int | None, now: float) -> tuple[bool, int]:
        """See :meth:`Backend.reserve`."""
        with self._guarded(account):
            counted, used = self._reserve(
                keys=self._hour_keys(account, now), args=[-1 if limit is None else limit, 2 * HOURS * 3600]
            )
        return bool(counted), int(used)

    def usage(self, account: str, now: float) -> dict[int, int]:
        """See :meth:`Backend.usage`."""
        keys = self._hour_keys(account, now)
        with self._guarded(account):
            values = self._redis.mget(keys)
        return {int(k.rsplit(":", 1)[1]): int(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


def _put_item_script() -> str:
    """pyrate-limiter's check-and-insert script, counting entries stamped after ``now`` too.

    Its script counts a window's entries up to the caller's ``now`` only.  Two hosts (or
    processes) racing for a freed slot stamp their calls a millisecond or two apart,
    so the later stamp was invisible to the earlier caller, both got in, and the
    service refused one.  An entry stamped later than ``now`` is in the window all the
    same.
    """
    from pyrate_limiter.buckets.redis_bucket import LuaScript

    counted = "redis.call('ZCOUNT', bucket, window_start, now)"
    if counted not in LuaScript.PUT_ITEM:  # pragma: no cover - guards an upgrade of pyrate-limiter
        raise LimiterStoreError("this pyrate-limiter's Redis script is not the one boomi-soap adjusts")
    return LuaScript.PUT_ITEM.replace(counted, "redis.call('ZCOUNT', bucket, window_start, '+inf')")


def _masked(url: str) -> str:
    """A store's URL as shown: the user name kept, the password masked, ``password=`` and its kin masked."""
    return redact_url(url, keep_user=True)


def _secrets_of(url: str) -> tuple[str, ...]:
    """The secrets a URL holds (its password, its secret-named query values), as written and decoded, longest first."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return ()
    found = {password} if password else set()
    for field in re.split(r"[&;]", parts.query):
        name, equals, value = field.partition("=")
        if equals and value and is_secret_name(unquote_plus(name)):
            found.add(value)
    found |= {unquote(secret) for secret in found} | {unquote_plus(secret) for secret in found}
    return tuple(sorted(found, key=len, reverse=True))


_shared: dict[tuple[str, str], Backend] = {}
_shared_lock = threading.Lock()


def default_limits_dir(env: Mapping[str, str] | None = None) -> Path:
    """``limits`` under ``BOOMI_SOAP_CACHE_DIR``, else under the user cache directory.

    Not under a project's ``./wsdl_cache``: that directory is checked in.
    """
    env = os.environ if env is None else env
    if env.get("BOOMI_SOAP_CACHE_DIR"):
        return Path(env["BOOMI_SOAP_CACHE_DIR"]) / "limits"
    import platformdirs

    return Path(platformdirs.user_cache_dir("boomi-soap")) / "limits"


def backend_for(
    spec: str | LimiterStore | None, *, limits_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> Backend:
    """Resolve a limiter spec to a backend.

    ``memory`` gives a new in-process backend (one per client, as before); ``host``
    and ``redis://...`` give the process's shared instance for that store, so all
    clients of a process queue together.

    Args:
        spec: ``"memory"``, ``"host"``, a ``redis://`` or ``rediss://`` URL, a backend,
            or ``None`` for ``BOOMI_SOAP_LIMITER`` (default ``memory``).
        limits_dir: Directory of the host store (default :func:`default_limits_dir`).
        env: The environment (``os.environ`` by default).

    Raises:
        ConfigurationError: For an unknown spec.
    """
    if isinstance(spec, Backend):
        return spec
    if spec is not None and not isinstance(spec, str):
        raise ConfigurationError(
            f"limiter must be memory, host, redis://HOST:PORT or a Backend, not a {type(spec).__name__}"
        )
    env = os.environ if env is None else env
    spec = (spec or env.get("BOOMI_SOAP_LIMITER") or "memory").strip()
    if spec == "memory":
        return MemoryBackend()
    if spec == "host":
        key = ("host", str((limits_dir or default_limits_dir(env)).absolute()))
        factory: Callable[[], Backend] = lambda: HostBackend(Path(key[1]))  # noqa: E731
    elif spec.startswith(("redis://", "rediss://", "unix://")):
        key = ("redis", spec)
        factory = lambda: RedisBackend(spec)  # noqa: E731
    else:
        raise ConfigurationError(f"unknown limiter {_masked(spec)!r}: use memory, host or redis://HOST:PORT")
    with _shared_lock:
        if key not in _shared:
            _shared[key] = factory()
        return _shared[key]
