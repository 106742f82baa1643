"""Benchmark: the client facade beside plain zeep (and zeep + xmlschema).

Run from the repository root:  python bench/client.py

1. Per-call overhead, network excluded: the same ``get`` through our client and
   through a plain ``zeep.Client`` with the same WS-Security token, both on an HTTP
   session that answers from memory.  Ours includes schema validation.
2. Construction from a warm cache, in fresh processes (median of 5): our client
   (ready to validate) beside ``zeep.Client`` + ``xmlschema.XMLSchema``.
3. Throughput with 4 threads against the local service at its rate limit (5/s).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.cache import CacheStore, pinned_store, refresh  # noqa: E402
from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.exceptions import BoomiSoapError  # noqa: E402
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER, LocalService  # noqa: E402
from boomi_soap.settings import ClientSettings  # noqa: E402

CALLS = 2000
ANSWER = (
    b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    b'<ns4:getResponse xmlns:ns4="http://soap.api.platform.boomi.com/" xmlns:bns="http://api.platform.boomi.com/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:result xsi:type="bns:Environment" id="e1"'
    b' name="Production" classification="PROD"/></ns4:getResponse></S:Body></S:Envelope>'
)


class CannedSession(requests.Session):
    """Answers every POST with the same getResponse, without a network."""

    def post(self, url: str | bytes, data: Any = None, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Return the canned answer."""
        response = requests.Response()
        response.status_code = 200
        response._content = ANSWER
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
        response.url = str(url)
        return response


def per_call(snapshot: Any, scratch: Path) -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    ours = Client(
        snapshot, credentials, settings=ClientSettings(rate_limit=None), session=CannedSession(), compiled_dir=scratch
    )
    plain = zeep.Client(
        str(snapshot.wsdl_path),
        transport=Transport(session=CannedSession()),
        wsse=UsernameToken(DEFAULT_USER, DEFAULT_PASSWORD),
    )
    plain_service = plain.create_service(next(iter(plain.wsdl.bindings)), snapshot.endpoint)
    for _ in range(50):  # warm both up
        ours.get("Environment", "e1")
        plain_service.get(objectType="Environment", objectId="e1")
    timings = {}
    for label, call in (
        ("ours", lambda: ours.get("Environment", "e1")),
        ("zeep", lambda: plain_service.get(objectType="Environment", objectId="e1")),
    ):
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(CALLS // 5):
                call()
            runs.append((time.perf_counter() - started) / (CALLS // 5))
        timings[label] = statistics.median(runs)
    print("1. Per-call overhead of get (build, validate, serialize, WS-Security, parse; no network)")
    print(f"   ours {timings['ours'] * 1e6:7.0f} us   plain zeep {timings['zeep'] * 1e6:7.0f} us"
          f"   ratio {timings['ours'] / timings['zeep']:.2f}x (target <= 1.5x)")  # fmt: skip


def construction(snapshot: Any) -> None:
    ours = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "from boomi_soap.cache import pinned_store\n"
        "from boomi_soap.client import Client\n"
        "from boomi_soap.credentials import Credentials\n"
        "t1 = time.perf_counter()\n"
        "c = Client(pinned_store().current('localdemo-A1B2C3'), Credentials.from_password('u', 'p'))\n"
        "c.schema.lxml  # ready to validate\n"
        "t2 = time.perf_counter()\n"
        "print(t2 - t1, t2 - t0)\n"
    )
    plain = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "import zeep, xmlschema\n"
        "t1 = time.perf_counter()\n"
        f"zeep.Client({str(snapshot.wsdl_path)!r})\n"
        f"xmlschema.XMLSchema({str(snapshot.directory / 'service.xsd2.xsd')!r})\n"
        "t2 = time.perf_counter()\n"
        "print(t2 - t1, t2 - t0)\n"
    )

    def measure(script: str) -> tuple[float, float]:
        runs = []
        for _ in range(5):
            out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(tuple(float(x) for x in out.stdout.split()))
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    ours_build, ours_total = measure(ours)
    plain_build, plain_total = measure(plain)
    print("2. Construction from a warm cache (fresh processes, median of 5)")
    print(f"   ours {ours_build * 1000:6.0f} ms   zeep.Client + xmlschema.XMLSchema {plain_build * 1000:6.0f} ms"
          f"   {plain_build / ours_build:.1f}x faster (target >= 5x)")  # fmt: skip
    print(f"   with imports: ours {ours_total * 1000:6.0f} ms, plain {plain_total * 1000:6.0f} ms"
          f"   {plain_total / ours_total:.1f}x faster")  # fmt: skip


def throughput(scratch: Path) -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with LocalService() as service:  # 5 calls/s per account, like Boomi
        snapshot = refresh(
            CacheStore(scratch / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url), credentials
        ).snapshot
        client = Client(snapshot, credentials, compiled_dir=scratch / "compiled")
        starts: list[float] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(15):
                try:
                    client.get("Account", DEFAULT_ACCOUNT)
                except BoomiSoapError as exc:
                    failures.append(exc)
                with lock:
                    starts.append(time.perf_counter())

        threads = [threading.Thread(target=work) for _ in range(4)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        stats = service.limit_stats()
    calls = len(starts)
    steady = (calls - 5) / (sorted(starts)[-1] - sorted(starts)[4])
    print("3. Throughput, 4 threads, one client, local service limited to 5 calls/s")
    print(
        f"   {calls} calls in {elapsed:.1f} s; steady rate {steady:.2f}/s = {steady / 5:.0%} of the limit (target >= 95%)"
    )
    print(f"   503s reaching the caller: {sum('503' in str(f) for f in failures)}; errors: {len(failures)};"
          f" refused by the service: {stats.rate_limited}; busiest 1-s window: {stats.max_in_window}")  # fmt: skip


def main() -> None:
    snapshot = pinned_store().current(DEFAULT_ACCOUNT)
    with tempfile.TemporaryDirectory() as scratch:
        per_call(snapshot, Path(scratch))
        construction(snapshot)
        throughput(Path(scratch))


if __name__ == "__main__":
    main()
