"""8 threads share one client at the service's rate limit: nothing lost, nothing twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from boomi_soap.localservice import DEFAULT_ACCOUNT, LocalService
from boomi_soap.query import F
from tests.reliability.conftest import Evidence, client_for, sentinel_config

RATE = 100  # per second, service and client alike (Boomi's 5/s would make this run 8 minutes)


@pytest.mark.timeout(900)  # the --soak run lasts about a minute and a half
@pytest.mark.contracts(
    "split",
    why="800 calls at the rate limit take 8 s; the limiter, threads and transport under load are the same on"
    " every layout, whose wrappers the faults and at-most-once suites cover",
)
def test_eight_threads_at_the_rate_limit(
    workdir: Path, evidence: Evidence, scale: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # 800 calls: eight windows of the limit, every thread in each; --soak makes it 8,000.
    calls_per_thread = 100 * scale
    with LocalService(sentinel_config(rate_limit=RATE)) as service:
        client = client_for(service, workdir, rate_limit=RATE)
        failures: list[BaseException] = []
        made: list[str] = []
        lock = threading.Lock()

        def work(thread: int) -> None:
            for n in range(calls_per_thread):
                try:
                    if n % 3 == 0:
                        client.get("Account", DEFAULT_ACCOUNT)
                    elif n % 3 == 1:
                        assert client.query("Process", F("name").like("Orders%")).count() == 2
                    else:
                        name = f"load-{thread}-{n}"
                        client.create("Environment", name=name, classification="TEST")
                        with lock:
                            made.append(name)
                except BaseException as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stats = service.limit_stats()
        names = [
            e.element.get("name")
            for e in service.store().all("Environment")
            if (e.element.get("name") or "").startswith("load-")
        ]
    for failure in failures:
        evidence.error(failure)
    assert failures == []  # in particular, no 503 reached a caller
    assert sorted(names) == sorted(made)  # none lost, none twice
    assert len(made) == 8 * sum(1 for n in range(calls_per_thread) if n % 3 == 2)
    assert stats.max_in_window <= RATE
    with capsys.disabled():
        print(
            f"\nload: {8 * calls_per_thread} calls ({stats.accepted} requests) in {elapsed:.1f} s ="
            f" {stats.accepted / elapsed:.1f} requests/s at a limit of {RATE}/s;"
            f" refused by the service and retried: {stats.rate_limited}; busiest window {stats.max_in_window}"
        )
