"""Benchmark: whole REST calls of the client beside bare ``requests`` sending the same request.

Run from the repository root:  python bench/rest.py [--rounds N] [--calls N]

A whole call, as a user pays it: ``Client(..., transport="rest").get("Environment", id)``
and ``.create("Environment", name=..., classification="TEST")`` (build, validate,
send over a kept-alive connection, read the answer into the client's objects) beside
a plain ``requests.Session`` that sends the very request the client sent and reads the
answer with lxml:

- the same request: the client's requests are recorded once by a loopback proxy in
  front of the service (method, path, every header, body), and the peer replays them
  (``create`` with each call's own name, of the same length, as the client sends it);
- the same answer: the peer checks the status and parses the body with a hardened
  lxml parser (no entities, no network), as any careful caller would; it builds no
  objects, which the client does: that is part of what is measured.

The local service runs in a process of its own (unlimited rate), so the client-side
CPU (``time.process_time`` of this process) is the client's alone; the wall time
includes the service's work, the same for both sides.  Sides alternate (A B, then
B A, ...).  Printed: medians per call, the min-max of the per-round ratio ours/peer
(1.0x: as fast as bare requests; the target is at most 1.3x), and the core count.
Bytecode is on (PYTHONDONTWRITEBYTECODE removed for both processes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _loopback import Recorder, Sent, Service  # noqa: E402 - bench/, beside this script

from boomi_soap.client import Client  # noqa: E402
from boomi_soap.credentials import Credentials, Endpoint  # noqa: E402
from boomi_soap.localservice import DEFAULT_ACCOUNT, DEFAULT_PASSWORD, DEFAULT_USER  # noqa: E402
from boomi_soap.settings import ClientSettings  # noqa: E402
from boomi_soap.snapshot.cache import CacheStore, refresh  # noqa: E402

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
CREDENTIALS = Credentials.from_password(DEFAULT_USER, DEFAULT_PASSWORD)
SETTINGS = ClientSettings(rate_limit=None)
NAME = "Env {:06d}"  # one length for every call, so the recorded body is the template of each


def recorded(client: Client, call: Callable[[Client], object]) -> Sent:
    """The one request ``call`` sends through ``client`` (pointed at a recorder)."""
    before = len(recorder.requests)
    call(client)
    sent = recorder.requests[before:]
    if len(sent) != 1:
        raise SystemExit(f"expected one request, the client sent {len(sent)}")
    return sent[0]


def bare_side(service_url: str, sent: Sent, *, template: bytes | None = None) -> Callable[[int], object]:
    """A plain ``requests`` session sending ``sent`` again (its body with call ``n``'s name), answer read by lxml."""
    session = requests.Session()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    url = service_url + sent.path
    skip = ("host", "content-length", "connection")
    headers = {k: v for k, v in sent.headers if k.lower() not in skip}
    session.headers.clear()  # only the client's headers, none of requests' defaults on top

    def call(n: int) -> object:
        body = sent.body if template is None else sent.body.replace(template, NAME.format(n).encode())
        answer = session.request(sent.method, url, data=body or None, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"the bare request was answered {answer.status_code}")
        return etree.fromstring(answer.content, parser)

    return call


def timed(work: Callable[[int], object], calls: int, first: int) -> tuple[float, float]:
    """Wall and CPU seconds per call of ``calls`` calls numbered from ``first``."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(first, first + calls):
        work(n)
    return (time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls


recorder: Recorder


def main() -> None:
    global recorder
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100, help="calls per side and round")
    options = parser.parse_args()
    service = Service([DEFAULT_ACCOUNT], 0)
    recorder = Recorder(service.url)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            snapshot = refresh(
                CacheStore(Path(scratch) / "cache"), Endpoint(DEFAULT_ACCOUNT, service.url), CREDENTIALS
            ).snapshot
            compiled = Path(scratch) / "compiled"

            def client(base: str) -> Client:
                return Client(
                    snapshot, CREDENTIALS, endpoint=Endpoint(DEFAULT_ACCOUNT, base), settings=SETTINGS,
                    compiled_dir=compiled, transport="rest",
                )  # fmt: skip

            ours = client(service.url)
            environment = ours.create("Environment", name=NAME.format(0), classification="TEST")
            env_id = environment.id
            probe = client(recorder.url)
            sent_get = recorded(probe, lambda c: c.get("Environment", env_id))
            sent_create = recorded(
                probe, lambda c: c.create("Environment", name=NAME.format(999_999), classification="TEST")
            )
            probe.close()
            if NAME.format(999_999).encode() not in sent_create.body:
                raise SystemExit("the recorded create does not carry the name as given")
            table: dict[str, dict[str, Callable[[int], object]]] = {
                "get": {
                    "ours": lambda n: ours.get("Environment", env_id),
                    "bare": bare_side(service.url, sent_get),
                },
                "create": {
                    "ours": lambda n: ours.create("Environment", name=NAME.format(n), classification="TEST"),
                    "bare": bare_side(service.url, sent_create, template=NAME.format(999_999).encode()),
                },
            }
            measure(table, options.rounds, options.calls, sent_get, sent_create)
            ours.close()
    finally:
        recorder.close()
        service.stop()


def measure(table: dict[str, dict[str, Callable[[int], object]]], rounds: int, calls: int, *sent: Sent) -> None:
    for works in table.values():  # connections opened, caches and lazy imports warm
        for work in works.values():
            timed(work, 5, 1)
    print(
        f"os.cpu_count() = {os.cpu_count()}; bytecode {'off' if sys.dont_write_bytecode else 'on'};"
        f" {rounds} rounds x {calls} calls per side, sides alternated; the service in its own process"
    )
    for request in sent:
        names = sorted(k for k, _ in request.headers)
        print(f"  recorded {request.method} {request.path.split('?')[0]} ({len(request.body)} bytes; headers {names})")
    number = 10
    for operation, works in table.items():
        wall: dict[str, list[float]] = {name: [] for name in works}
        cpu: dict[str, list[float]] = {name: [] for name in works}
        for index in range(rounds):
            for name in list(works) if index % 2 == 0 else list(reversed(works)):
                seconds, used = timed(works[name], calls, number)
                number += calls
                wall[name].append(seconds)
                cpu[name].append(used)
        for label, samples in (("wall", wall), ("CPU ", cpu)):
            ratios = [o / b for o, b in zip(samples["ours"], samples["bare"], strict=True)]
            print(
                f"  {operation:6} {label}: ours {statistics.median(samples['ours']) * 1e6:7.0f} µs/call,"
                f" bare requests {statistics.median(samples['bare']) * 1e6:7.0f} µs/call;"
                f" ours/bare {statistics.median(ratios):.2f}x (min-max {min(ratios):.2f}-{max(ratios):.2f};"
                " target <= 1.3x)"
            )


if __name__ == "__main__":
    main()
