"""One real process of a shared-limit run: ``python -m tests.boomi_soap.limits_worker CONFIG_JSON``.

It builds a client on the given snapshot and limiter, prints ``ready``, waits for a
line on stdin (so every process starts together), calls ``get`` from its threads
(a fixed number of calls each, or until a deadline) and prints one JSON line: the
calls made, the failures, and each call's start and wait.  ``tests/`` and
``bench/limits.py`` both drive it.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from boomi_soap.cache import CacheStore
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.exceptions import BoomiSoapError
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.settings import ClientSettings, RetryPolicy


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
                record = client._transport._record()
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


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))), flush=True)
