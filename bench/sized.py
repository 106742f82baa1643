"""Benchmark: a sized local service, seeded and paged through, against the default size.

Run from the repository root:  python bench/sized.py [--records 100000] [--rounds 5] [--paging-rounds 2]

Every figure comes from fresh interpreter processes, the sizes alternating (default,
sized, default, sized ...) so a busy neighbour hurts both alike; medians are printed
with the min-max of the per-round ratio sized/default.

- ``seed``: one process builds ``LocalService(ServiceConfig(execution_records=N))``
  (contract loaded, every account seeded) and serves the first page of an
  ExecutionRecord query over HTTP; times exclude the imports both sizes share, and the
  peak RSS is the process's own (``ru_maxrss``).
- ``paging``: ``boomi-soap serve --records N`` in one process, and a client process
  that pages through every ExecutionRecord with ``Client.query`` (100 a page); peak
  RSS of the client process (``ru_maxrss``) and of the service process (``VmHWM``).
  The client's compiled schema is warmed first, so no run pays for compiling it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = 260

SEED_CHILD = """
import json, resource, sys, time, http.client
from urllib.parse import urlsplit
from boomi_soap.localservice import DEFAULT_PASSWORD, DEFAULT_USER, LocalService, ServiceConfig
size = int(sys.argv[1])
started = time.perf_counter()
service = LocalService(ServiceConfig(rate_limit=None, execution_records=size))
seeded = time.perf_counter()
service.start()
url = urlsplit(service.endpoint())
body = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>'
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
    f'<wsse:UsernameToken><wsse:Username>{DEFAULT_USER}</wsse:Username>'
    '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">'
    f'{DEFAULT_PASSWORD}</wsse:Password>'
    '</wsse:UsernameToken></wsse:Security></S:Header><S:Body>'
    '<ns:query xmlns:ns="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/">'
    '<api:objectType>ExecutionRecord</api:objectType></ns:query></S:Body></S:Envelope>'
).encode()
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
connection.request("POST", url.path, body=body, headers={"Content-Type": "text/xml; charset=utf-8"})
response = connection.getresponse()
reply = response.read()
assert response.status == 200 and reply.count(b"executionId>") == 2 * min(size, 100), reply[:300]
first_page = time.perf_counter()
service.stop()
print(json.dumps({
    "seed": seeded - started,
    "first_page": first_page - started,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

CLIENT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from boomi_soap.snapshot.cache import CacheStore, refresh
from boomi_soap.client import Client
from boomi_soap.credentials import Credentials, Endpoint
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER
from boomi_soap.settings import ClientSettings
base, scratch, expected = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
snapshot = refresh(CacheStore(scratch / "cache"), Endpoint(DEFAULT_ACCOUNT, base), credentials).snapshot
client = Client(snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=scratch / "compiled")
ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
results = client.query("ExecutionRecord")
seen = sum(1 for _ in results)
elapsed = time.perf_counter() - started
assert seen == expected, (seen, expected)
print(json.dumps({
    "records": seen, "pages": results.pages, "seconds": elapsed,
    "ready_rss_mb": ready, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _python(code: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _paging(size: int, scratch: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOMI_")}
    command = [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", "--rate-limit", "1000000"]
    server = subprocess.Popen(
        [*command, "--records", str(size)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split()[4]
        result = _python(CLIENT_CHILD, base, str(scratch), str(size))
        result["service_rss_mb"] = _peak_rss_mb(server.pid)
        return result
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _row(name: str, unit: str, default: list[float], sized: list[float], digits: int = 2) -> str:
    ratios = [s / d for d, s in zip(default, sized, strict=True)]
    return (
        f"  {name:24} {statistics.median(default):9.{digits}f} {statistics.median(sized):11.{digits}f} {unit:3}"
        f"  ratio {statistics.median(ratios):6.2f} (min-max {min(ratios):.2f}-{max(ratios):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000, help="the sized side's ExecutionRecords")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of the seed measurement")
    parser.add_argument("--paging-rounds", type=int, default=2, help="alternating rounds of the paging measurement")
    options = parser.parse_args()
    sizes = (DEFAULT, options.records)
    print(f"os.cpu_count() = {os.cpu_count()}; sizes: default {DEFAULT}, sized {options.records:,}")

    seeds: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
    _python(SEED_CHILD, str(DEFAULT))  # warm the disk cache of the imports for both sides
    for _ in range(options.rounds):
        for size in sizes:
            seeds[size].append(_python(SEED_CHILD, str(size)))
    print(f"\nSeeding, fresh process each, {options.rounds} alternating rounds, medians (default, sized):")
    for key, name, unit in (
        ("seed", "seed (construct)", "s"),
        ("first_page", "seed + first page", "s"),
        ("rss_mb", "peak RSS", "MB"),
    ):
        print(_row(name, unit, [r[key] for r in seeds[DEFAULT]], [r[key] for r in seeds[options.records]]))
    print("  rounds, sized:", ", ".join(f"{r['seed']:.3f} s / {r['rss_mb']:.0f} MB" for r in seeds[options.records]))

    if options.paging_rounds <= 0:
        return
    with tempfile.TemporaryDirectory() as scratch:
        _paging(DEFAULT, Path(scratch))  # compiles the client's schema once, for every later run
        paging: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
        for _ in range(options.paging_rounds):
            for size in sizes:
                paging[size].append(_paging(size, Path(scratch)))
    print(f"\nPaging with Client.query, fresh processes, {options.paging_rounds} alternating rounds, medians:")
    for key, name, unit in (
        ("seconds", "client paging time", "s"),
        ("ready_rss_mb", "client RSS when ready", "MB"),
        ("rss_mb", "client peak RSS", "MB"),
        ("service_rss_mb", "service peak RSS", "MB"),
    ):
        print(_row(name, unit, [r[key] for r in paging[DEFAULT]], [r[key] for r in paging[options.records]]))
    for size in sizes:
        rounds = paging[size]
        print(
            f"  {size:,} records: pages {int(rounds[0]['pages'])}; client peak RSS per round "
            + ", ".join(f"{r['rss_mb']:.0f}" for r in rounds)
            + " MB; service peak RSS per round "
            + ", ".join(f"{r['service_rss_mb']:.0f}" for r in rounds)
            + " MB; seconds "
            + ", ".join(f"{r['seconds']:.1f}" for r in rounds)
        )


if __name__ == "__main__":
    main()
