"""Benchmark: 50 accounts at 5 calls/s each, on asyncio (AsyncClient + fan_out) beside threads.

Run from the repository root:  python bench/fleet.py [--seconds 20] [--rounds 3] [--accounts 50]

The local service runs in its own process with 50 accounts, each limited to 5
calls/s (HTTP 503 beyond).  Each side keeps every account busy with ``get`` for
``--seconds`` (one worker per account): the async side with one ``AsyncClient`` and
``fan_out`` (one event loop, each account held to its own limit), the thread side
with a ``Client`` and a thread per account.  Sides alternate round by round;
medians are printed.  Targets: >= 95% of 250 calls/s overall, 0 limit violations
(503 answers) on any account.  CPU is this process's (the client's), and the
service's beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


# The service in its own process (``boomi-soap serve``): its listen backlog (128) takes a
# burst of connects from every account at once.
SERVE = """
import sys
from boomi_soap.cli import main
main(sys.argv[1:])
"""


def serve(accounts: list[str]) -> tuple[subprocess.Popen[str], str]:
    """The local service in a process of its own, so its CPU is not counted as the client's."""
    args = [sys.executable, "-c", SERVE, "serve", "--port", "0", "--rate-limit", str(RATE)]
    for account in accounts:
        args += ["--account", account]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    server = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    assert server.stdout is not None
    url = server.stdout.readline().split(" on ")[1].split()[0]
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server, url


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=50)
    args = parser.parse_args()
    accounts = [f"fleet-{n:02d}" for n in range(args.accounts)]
    server, base_url = serve(accounts)
    try:
        with tempfile.TemporaryDirectory() as scratch_dir:
            scratch = Path(scratch_dir)
            snapshot = refresh(CacheStore(scratch / "cache"), Endpoint(accounts[0], base_url), CREDENTIALS).snapshot
            results: dict[str, list[dict[str, float]]] = {"asyncio": [], "threads": []}
            for round_ in range(args.rounds):
                for side in ("asyncio", "threads") if round_ % 2 == 0 else ("threads", "asyncio"):
                    # Each side starts with fresh clients, which know nothing of the calls the
                    # service counted in the last second of the previous run: let its window drain.
                    time.sleep(1.5)
                    # And the other side's clients are garbage: collect them now, not in a pause mid-run.
                    gc.collect()
                    server_cpu = cpu_of(server.pid)
                    run = (async_run if side == "asyncio" else thread_run)(
                        snapshot, base_url, accounts, args.seconds, scratch
                    )
                    run["server_cpu"] = cpu_of(server.pid) - server_cpu
                    results[side].append(run)
                    print(
                        f"   round {round_ + 1} {side}: " + ", ".join(f"{k} {v:.2f}" for k, v in run.items()),
                        flush=True,
                    )
    finally:
        server.terminate()
        server.wait()
    limit = RATE * args.accounts
    print(
        f"os.cpu_count() = {os.cpu_count()}; {args.accounts} accounts x {RATE} calls/s = {limit} calls/s,"
        f" {args.seconds:.0f} s, median of {args.rounds} alternating rounds"
    )
    for side, rs in results.items():
        rate = statistics.median(r["rate"] for r in rs)
        low, high = min(r["rate"] for r in rs) / limit, max(r["rate"] for r in rs) / limit
        print(
            f"   {side:8} {rate:6.1f} calls/s = {rate / limit:.1%} of the limit (min-max {low:.1%}-{high:.1%};"
            f" target >= 95%)"
            f"   503s {statistics.median(r['refused'] for r in rs):.0f} (max {max(r['refused'] for r in rs):.0f};"
            " target 0)"
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
    tally = {"calls": 0, "refused": 0, "failures": 0}

    async def task(account_client: AsyncClient) -> None:
        account = account_client.address.rsplit("/", 1)[1]
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                try:
                    await account_client.get("Account", account)
                    tally["calls"] += 1
                except BoomiSoapError:
                    tally["failures"] += 1
                record = account_client._transport.current()
                tally["refused"] += record.attempts - 1 if record else 0

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
    tally = {"calls": 0, "refused": 0, "failures": 0}
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
                tally["refused"] += client._transport._record().attempts - 1

    def go() -> None:
        deadline = time.monotonic() + seconds
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


def _tally(run: Any, tally: dict[str, int]) -> dict[str, float]:
    cpu = time.process_time()
    began = time.monotonic()
    run()
    elapsed = time.monotonic() - began
    return {
        "rate": tally["calls"] / elapsed,
        "refused": tally["refused"],
        "failures": tally["failures"],
        "cpu": time.process_time() - cpu,
        "elapsed": elapsed,
    }


if __name__ == "__main__":
    main()
