"""One real process of a shared-limit run: ``python -m tests.boomi_soap.limits_worker CONFIG_JSON``.

It builds a client on the given snapshot and limiter, prints ``ready``, waits for a
line on stdin (so every process starts together), calls ``get`` from its threads
(a fixed number of calls each, or until a deadline) and prints one JSON line: the
calls made, the failures, and each call's start and wait.  ``tests/`` and
``bench/limits.py`` both drive it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.settings import ClientSettings, RetryPolicy
from boomi_soap.snapshot.cache import CacheStore


def run(config: dict[str, Any]) -> dict[str, Any]:
    snapshot = CacheStore(Path(config["cache"]), read_only=True).current(DEFAULT_ACCOUNT)
    settings = ClientSettings(
        rate_limit=config["rate"],
        limiter=config["limiter"],
        limits_dir=Path(config["limits_dir"]) if config.get("limits_dir") else None,
        retry=RetryPolicy(max_retries=8, backoff=0.05, max_backoff=1.0),
    )
    client = Client(
        snapshot,
        Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD),
        endpoint=Endpoint(DEFAULT_ACCOUNT, config["base_url"]),
        settings=settings,
        compiled_dir=Path(config["compiled"]),
    )
    client.type("Account")  # load everything before the start line
    calls: list[tuple[float, float, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline: float | None = None

    def work() -> None:
        made = 0
        while (config.get("calls") is None or made < config["calls"]) and (
            deadline is None or time.monotonic() < deadline
        ):
            began = time.time()
            record = None
            try:
                client.get("Account", DEFAULT_ACCOUNT)
                record = client.driver._record()
            except BoomiSoapError as exc:
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}")
            made += 1
            with lock:
                calls.append((began, record.waited if record else 0.0, record.attempts if record else 0))

    print("ready", flush=True)
    sys.stdin.readline()
    if config.get("seconds"):
        deadline = time.monotonic() + config["seconds"]
    threads = [threading.Thread(target=work) for _ in range(config["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"calls": calls, "failures": failures}


def run_workers(
    configs: list[dict[str, Any]], *, on_start: Callable[[], None] | None = None, timeout: float = 600
) -> list[dict[str, Any]]:
    """Start one worker process per config, release them together, return their reports.

    Args:
        configs: One worker's settings each (see :func:`run`).
        on_start: Called just before the workers are released.
        timeout: Seconds to wait for each worker's report.
    """
    root = Path(__file__).resolve().parents[2]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.boomi_soap.limits_worker", json.dumps(config)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for config in configs
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            if worker.stdout.readline().strip() != "ready":
                raise RuntimeError("a limits worker did not start")
        if on_start is not None:
            on_start()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = []
        for worker in workers:
            out, _ = worker.communicate(timeout=timeout)
            if worker.returncode != 0:
                raise RuntimeError(f"a limits worker failed with exit status {worker.returncode}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))), flush=True)
