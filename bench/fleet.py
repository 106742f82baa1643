"""Benchmark: 50 accounts at 5 calls/s each, on asyncio (AsyncClient + fan_out) beside threads.

Run from the repository root:  python bench/fleet.py [--seconds 20] [--rounds 3] [--accounts 50] [--sides ...]

The local service runs in its own process with 50 accounts, each limited to 5
calls/s (HTTP 503 beyond, over an exact sliding second).  Each side keeps every
account busy with ``get`` for ``--seconds`` (one worker per account): the async side
with one ``AsyncClient`` and ``fan_out`` (one event loop, each account held to its
own limit), the thread side with a ``Client`` and a thread per account.  Sides
alternate round by round.  Per round: the rate (answered calls over the whole run,
from before ``fan_out`` starts to the last answer, start-up and the wait for the last
slot included), as a share of the ceiling (accounts x 5/s), and the service's own
counts of that round: calls it refused with 503 over the rate limit, and the most
calls it accepted for one account within any one second.  Printed: medians and
min-max over rounds, the core count.  Targets: >= 95% of the ceiling, 0 503s.  CPU
is this process's (the client's), and the service's beside it.  Bytecode is on
(PYTHONDONTWRITEBYTECODE removed for both processes).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _loopback import Service  # noqa: E402 - bench/, beside this script

from boomi_soap.async_client import AsyncClient, fan_out  # noqa: E402
from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.exceptions import BoomiSoapError  # noqa: E402
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER  # noqa: E402
from boomi_soap.settings import ClientSettings  # noqa: E402
from boomi_soap.snapshot.cache import CacheStore, Snapshot, refresh  # noqa: E402

RATE = 5
WORKERS = 1
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
SETTINGS = ClientSettings(rate_limit=RATE)


os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="callers per account (each waits for its answer)")
    parser.add_argument("--sides", nargs="+", choices=("asyncio", "threads"), default=["asyncio", "threads"])
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.workers
    accounts = [f"fleet-{n:02d}" for n in range(args.accounts)]
    service = Service(accounts, RATE)
    try:
        with tempfile.TemporaryDirectory() as scratch_dir:
            scratch = Path(scratch_dir)
            snapshot = refresh(CacheStore(scratch / "cache"), Endpoint(accounts[0], service.url), CREDENTIALS).snapshot
            results: dict[str, list[dict[str, float]]] = {side: [] for side in args.sides}
            for round_ in range(args.rounds):
                for side in args.sides if round_ % 2 == 0 else reversed(args.sides):
                    # Each side starts with fresh clients, which know nothing of the calls the
                    # service counted in the last second of the previous run: let its window drain.
                    time.sleep(1.5)
                    # And the other side's clients are garbage: collect them now, not in a pause mid-run.
                    gc.collect()
                    server_cpu = cpu_of(service.process.pid)
                    before = service.stats()
                    run = (async_run if side == "asyncio" else thread_run)(
                        snapshot, service.url, accounts, args.seconds, scratch
                    )
                    after = service.stats()
                    run["server_cpu"] = cpu_of(service.process.pid) - server_cpu
                    run["refused"] = sum(after[a]["rate_limited"] - before[a]["rate_limited"] for a in accounts)
                    run["accepted"] = sum(after[a]["accepted"] - before[a]["accepted"] for a in accounts)
                    run["busiest_second"] = max(after[a]["max_in_window"] for a in accounts)  # since the start
                    results[side].append(run)
                    print(
                        f"   round {round_ + 1} {side}: " + ", ".join(f"{k} {v:.2f}" for k, v in run.items()),
                        flush=True,
                    )
    finally:
        service.stop()
    limit = RATE * args.accounts
    print(
        f"os.cpu_count() = {os.cpu_count()}; {args.accounts} accounts x {RATE} calls/s = {limit} calls/s (the ceiling),"
        f" {args.seconds:.0f} s per run, {args.workers} caller(s) per account, {args.rounds} alternating rounds;"
        " medians (min-max)"
    )
    for side, rs in results.items():
        rate = statistics.median(r["rate"] for r in rs)
        low, high = min(r["rate"] for r in rs) / limit, max(r["rate"] for r in rs) / limit
        print(
            f"   {side:8} {rate:6.1f} calls/s = {rate / limit:.1%} of the ceiling (min-max {low:.1%}-{high:.1%};"
            f" target >= 95%)"
            f"   503s {statistics.median(r['refused'] for r in rs):.0f} (max {max(r['refused'] for r in rs):.0f};"
            f" target 0), busiest second {max(r['busiest_second'] for r in rs):.0f} (limit {RATE})"
            f"   start-up {statistics.median(r['startup'] for r in rs):.2f} s"
            f"   failures {statistics.median(r['failures'] for r in rs):.0f}"
            f"   client CPU {statistics.median(r['cpu'] for r in rs):.1f} s"
            f" ({statistics.median(r['cpu'] / r['elapsed'] for r in rs):.0%} of a core)"
            f"   service CPU {statistics.median(r['server_cpu'] for r in rs):.1f} s"
        )


def async_run(
    snapshot: Snapshot, base_url: str, accounts: list[str], seconds: float, scratch: Path
) -> dict[str, float]:
    client = AsyncClient.build(
        snapshot, CREDENTIALS, endpoint=Endpoint(accounts[0], base_url), settings=SETTINGS, compiled_dir=scratch
    )
    tally: dict[str, float] = {"calls": 0, "failures": 0, "first": 0.0}

    async def task(account_client: AsyncClient) -> None:
        account = account_client.address.rsplit("/", 1)[1]
        started = time.monotonic()
        tally["first"] = tally["first"] or started
        deadline = started + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                try:
                    await account_client.get("Account", account)
                    tally["calls"] += 1
                except BoomiSoapError:
                    tally["failures"] += 1

        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    async def go() -> None:
        async with client:
            await fan_out(client, accounts, task, concurrency=200, progress=False)

    return _tally(lambda: asyncio.run(go()), tally)


def thread_run(
    snapshot: Snapshot, base_url: str, accounts: list[str], seconds: float, scratch: Path
) -> dict[str, float]:
    clients = {
        account: Client(
            snapshot, CREDENTIALS, endpoint=Endpoint(account, base_url), settings=SETTINGS, compiled_dir=scratch
        )
        for account in accounts
    }  # built before the clock starts, as the async side's one client is
    for client in clients.values():
        client.zeep_client  # noqa: B018 - zeep reads the WSDL on first need: before the clock, as on the async side
    tally: dict[str, float] = {"calls": 0, "failures": 0, "first": 0.0}
    lock = threading.Lock()

    def worker(account: str, deadline: float) -> None:
        client = clients[account]
        while time.monotonic() < deadline:
            try:
                client.get("Account", account)
                outcome = "calls"
            except BoomiSoapError:
                outcome = "failures"
            with lock:
                tally[outcome] += 1

    def go() -> None:
        tally["first"] = time.monotonic()
        deadline = tally["first"] + seconds
        threads = [threading.Thread(target=worker, args=(a, deadline)) for a in accounts for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    try:
        return _tally(go, tally)
    finally:
        for client in clients.values():
            client.close()


def _tally(run: Any, tally: dict[str, float]) -> dict[str, float]:
    cpu = time.process_time()
    began = time.monotonic()
    run()
    elapsed = time.monotonic() - began
    return {
        "rate": tally["calls"] / elapsed,
        "failures": tally["failures"],
        "cpu": time.process_time() - cpu,
        "elapsed": elapsed,
        "startup": tally["first"] - began,  # until the first account's task starts
    }


if __name__ == "__main__":
    main()
