"""Benchmark: one client thread against the local service, no rate limit; then the same under attack.

Run from the repository root:  python bench/service.py            (both scenarios)
                               python bench/service.py flood      (the attack only)

Two sides, measured in alternating rounds (so a busy neighbour hurts both alike),
medians printed:

- ``client``: ``get`` through the project's ``Client`` (build, validate, WS-Security,
  parse), on one reused connection;
- ``raw``: the same request bytes posted with ``http.client`` on one reused
  connection, which is the service's own cost plus the loopback round trip.

A reused connection that waited for a delayed ACK (Nagle) would show ~25 calls/s.

``flood``: 200 unauthenticated 10 MiB uploads at once, while a legitimate client calls.
The service runs in its own process (``python -m boomi_soap serve``), so the RSS read
from ``/proc`` is its own; the uploads come from another process, from 127.0.0.2, and
are five kinds (SOAP with a wrong password, SOAP starting with a DOCTYPE, REST without
credentials, REST JSON with a wrong password, Connect Now without an Authorization
header); the legitimate client posts ``get`` on one reused connection from 127.0.0.1.
Printed: the service's RSS before and at its peak, and the client's p50/p99 latency
before and during the flood (target: RSS under 300 MB, p99 under 100 ms).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.localservice import (  # noqa: E402
    DEFAULT_ACCOUNT,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    LocalService,
    ServiceConfig,
)
from boomi_soap.settings import ClientSettings  # noqa: E402
from boomi_soap.snapshot.cache import CacheStore, refresh  # noqa: E402

ROUNDS = 5
SECONDS = 2.0
REQUEST = f"""<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
<S:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken><wsse:Username>{DEFAULT_USER}</wsse:Username>
<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{DEFAULT_PASSWORD}</wsse:Password>
</wsse:UsernameToken></wsse:Security></S:Header>
<S:Body><ns:get xmlns:ns="http://soap.api.platform.boomi.com/" xmlns:api="http://api.platform.boomi.com/">
<api:objectType>Account</api:objectType><api:objectId>{DEFAULT_ACCOUNT}</api:objectId></ns:get></S:Body>
</S:Envelope>""".encode()


def rate(call: Callable[[], object]) -> float:
    """Calls per second of ``call`` over about ``SECONDS``."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        call()
        calls += 1
    return calls / elapsed


def main() -> None:
    credentials = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
    with tempfile.TemporaryDirectory() as scratch, LocalService(ServiceConfig(rate_limit=None)) as service:
        snapshot = refresh(
            CacheStore(Path(scratch) / "cache"), Endpoint(DEFAULT_ACCOUNT, service.base_url), credentials
        ).snapshot
        client = Client(
            snapshot, credentials, settings=ClientSettings(rate_limit=None), compiled_dir=Path(scratch) / "compiled"
        )
        url = urlsplit(service.endpoint())
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)

        def raw() -> None:
            connection.request("POST", url.path, body=REQUEST, headers={"Content-Type": "text/xml; charset=utf-8"})
            response = connection.getresponse()
            assert response.status == 200, response.read()[:300]
            response.read()

        sides: dict[str, tuple[Callable[[], object], list[float]]] = {
            "client": (lambda: client.get("Account", DEFAULT_ACCOUNT), []),
            "raw": (raw, []),
        }
        for call, _ in sides.values():  # warm up both
            for _ in range(20):
                call()
        order = list(sides.values())
        for index in range(ROUNDS):
            for call, rates in order if index % 2 == 0 else order[::-1]:  # A B, then B A: no side always first
                rates.append(rate(call))
        connection.close()
    print(
        f"os.cpu_count() = {os.cpu_count()}; one thread, local service without rate limit,"
        f" {ROUNDS} alternating rounds of {SECONDS:g} s, median:"
    )
    for name, (_, rates) in sides.items():
        print(f"   {name:6} {statistics.median(rates):7.1f} calls/s   (rounds: {', '.join(f'{r:.0f}' for r in rates)})")
    ratios = [c / r for c, r in zip(sides["client"][1], sides["raw"][1], strict=True)]
    print(
        f"   client/raw {statistics.median(ratios):.2f}x the raw rate"
        f" (min-max {min(ratios):.2f}-{max(ratios):.2f}; the rest is the client's own work per call)"
    )


UPLOADS = 200
UPLOAD_BYTES = 10 * 1024 * 1024
KINDS = ("soap-wrong-password", "soap-doctype", "rest-no-auth", "rest-json-wrong-password", "connect-now-no-header")


def _upload(kind: str, n: int, host: str, port: int) -> bytes:
    """Head and the 10 MiB body of one unauthenticated upload."""
    soap_path = f"/api/soap/v1/{DEFAULT_ACCOUNT}"
    rest_path = f"/api/rest/v1/{DEFAULT_ACCOUNT}/Environment"
    wrong = base64.b64encode(f"attacker{n}@example.com:guess{n}".encode()).decode()
    headers = {"Host": f"{host}:{port}"}
    if kind.startswith("soap"):
        path, headers["Content-Type"] = soap_path, "text/xml; charset=utf-8"
        start = REQUEST.replace(DEFAULT_PASSWORD.encode(), b"guess").replace(DEFAULT_USER.encode(), f"a{n}@x".encode())
        if kind == "soap-doctype":
            start = b'<!DOCTYPE x [<!ENTITY e "e">]>' + REQUEST
        body = start + b" " * (UPLOAD_BYTES - len(start))
    elif kind == "connect-now-no-header":
        path, headers["Content-Type"] = "/ws/simple/getInstalledIPacks", "application/json"
        start = json.dumps({"auth": wrong, "accountId": DEFAULT_ACCOUNT, "pad": ""}).encode()[:-2]
        body = start + b"x" * (UPLOAD_BYTES - len(start) - 2) + b'"}'
    else:
        path, headers["Content-Type"] = rest_path, "application/json"
        if kind == "rest-json-wrong-password":
            headers["Authorization"] = f"Basic {wrong}"
        start = b'{"@type": "Environment", "classification": "TEST", "name": "'
        body = start + b"n" * (UPLOAD_BYTES - len(start) - 2) + b'"}'
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _attack(host: str, port: int, ready: Any, go: Any, results: Any) -> None:
    """In a process of its own: open every upload's connection, then send them all at once."""
    bodies = [_upload(KINDS[n % len(KINDS)], n, host, port) for n in range(UPLOADS)]
    sockets = [socket.create_connection((host, port), timeout=30, source_address=("127.0.0.2", 0)) for _ in bodies]
    answers: list[str] = []
    lock = threading.Lock()

    def send(sock: socket.socket, data: bytes) -> None:
        sent, answer = 0, b""
        try:
            view = memoryview(data)
            while sent < len(data):
                sent += sock.send(view[sent : sent + 1024 * 1024])
        except OSError:
            pass  # refused early: the service stopped reading
        with contextlib.suppress(OSError):
            answer = sock.recv(65536)
        sock.close()
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1 ") else "no answer"
        with lock:
            answers.append(f"{status}, {'whole body' if sent == len(data) else 'cut'}")

    threads = [threading.Thread(target=send, args=pair) for pair in zip(sockets, bodies, strict=True)]
    ready.set()
    go.wait()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(Counter(answers)))


def _rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in bytes."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024


def _cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50, p99 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:6.1f} ms   p99 {p99 * 1000:6.1f} ms   ({len(ordered)} calls)"


def flood() -> None:
    """200 unauthenticated 10 MiB uploads at once while a legitimate client calls (see the module doc)."""
    command = [sys.executable, "-m", "boomi_soap", "serve", "--port", "0", "--rate-limit", "1000000"]
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read after the service stops
    service = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert service.stdout is not None
        line = service.stdout.readline()
        url = urlsplit(line.split(" on ", 1)[1].split()[0])
        host, port = url.hostname or "127.0.0.1", url.port or 0
        connection = http.client.HTTPConnection(host, port, timeout=30)
        path = f"/api/soap/v1/{DEFAULT_ACCOUNT}"

        failures: Counter[int] = Counter()

        def call() -> float:
            started = time.perf_counter()
            connection.request("POST", path, body=REQUEST, headers={"Content-Type": "text/xml; charset=utf-8"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures[response.status] += 1
            return time.perf_counter() - started

        for _ in range(50):  # warm up
            call()
        quiet = [call() for _ in range(500)]
        before, _ = _rss(service.pid)
        peak = [before]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak.append(_rss(service.pid)[0])
                time.sleep(0.01)

        context = multiprocessing.get_context("spawn")
        ready, go, results = context.Event(), context.Event(), context.Queue()
        attacker = context.Process(target=_attack, args=(host, port, ready, go, results))
        attacker.start()
        ready.wait()
        sampler = threading.Thread(target=sample)
        sampler.start()
        cpu_before = _cpu(service.pid)
        go.set()
        attacked: list[float] = []
        while attacker.is_alive() or not attacked:
            attacked.append(call())
        answers = results.get(timeout=60)
        attacker.join()
        sampling.set()
        sampler.join()
        _, high_water = _rss(service.pid)
        cpu = _cpu(service.pid) - cpu_before
        connection.close()
    finally:
        service.send_signal(signal.SIGINT)  # Ctrl-C: the command's own way to stop
        try:
            service.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
    mib = 1024 * 1024
    print(f"{UPLOADS} unauthenticated {UPLOAD_BYTES // mib} MiB uploads at once ({', '.join(KINDS)}):")
    print(
        f"   service RSS: {before / mib:.0f} MiB before, peak {max(peak) / mib:.0f} MiB (VmHWM {high_water / mib:.0f} MiB)"
    )
    print(f"   service CPU during the flood: {cpu:.2f} s")
    print(f"   legitimate client, quiet:        {_percentiles(quiet)}")
    print(f"   legitimate client, under flood:  {_percentiles(attacked)}")
    print(f"   legitimate calls that failed: {sum(failures.values())} {dict(failures) or ''}")
    errors.seek(0)
    logged = errors.read()
    print(f"   tracebacks the service logged: {logged.count('Traceback')}")
    if "Traceback" in logged:
        print(logged[logged.index("Traceback") :][:3000])
    print(f"   the uploads got: {', '.join(f'{count} x {what}' for what, count in sorted(answers.items()))}")


if __name__ == "__main__":
    if sys.argv[1:] != ["flood"]:
        main()
    flood()
